using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;

namespace Tanuki.Tests.Models;

/// <summary>
/// Summary counts against Keras's numbers, worked out by hand: Dense(n) on m inputs has m·n + n parameters, all
/// trainable; BatchNormalization on c channels has 4c, of which gamma and beta (2c) are trainable and the moving
/// mean and variance (2c) are not; a frozen layer's parameters are all non-trainable; float32 takes 4 bytes.
/// </summary>
public class SummaryTests
{
    private static string Text(Model model, bool showTrainable = false, bool expandNested = false, int? lineLength = null)
    {
        var w = new StringWriter();
        model.Summary(showTrainable, expandNested, lineLength, w);
        return w.ToString();
    }

    [Fact]
    public void InputOfTwoThenDenseOfThreeHasNineParametersAllTrainable()
    {
        var x = new Input([2], "sum_in");
        var model = new Model(x, new Dense(3, name: "sum_dense").Call(x), "keras_example");
        ModelSummary s = model.GetSummary();
        Assert.Equal((9L, 9L, 0L), (s.TotalParams, s.TrainableParams, s.NonTrainableParams));
        Assert.Equal(36, s.TotalBytes);
        Assert.Null(s.OptimizerParams);
        Assert.False(s.ShowsConnections);                  // a chain prints like a Sequential
        Assert.Equal(
            [new SummaryRow("sum_in", "InputLayer", "(None, 2)", 0, true, "-", null, 0),
             new SummaryRow("sum_dense", "Dense", "(None, 3)", 9, true, "-", true, 0)],
            s.Rows);

        string text = Text(model);
        Assert.StartsWith("Model: \"keras_example\"\n", text);
        Assert.Contains("┃ Layer (type)", text);
        Assert.Contains("Output Shape", text);
        Assert.Contains("Param # ┃", text);
        Assert.Contains("│ sum_dense (Dense) ", text);
        Assert.Contains("│ (None, 3) ", text);
        Assert.DoesNotContain("Connected to", text);
        Assert.EndsWith(" Total params: 9 (36.00 B)\n Trainable params: 9 (36.00 B)\n Non-trainable params: 0 (0.00 B)\n", text);
        string[] table = text.Split('\n').Skip(1).TakeWhile(l => l.StartsWith('┏') || l.StartsWith('┃') || l.StartsWith('┡') || l.StartsWith('│') || l.StartsWith('├') || l.StartsWith('└')).ToArray();
        Assert.Equal(7, table.Length);
        Assert.All(table, l => Assert.Equal(88, l.Length));   // Keras's default line length for a sequential-like model
    }

    /// <summary>
    /// A small convnet, counted as Keras counts it (by hand): Conv2D(8, 3×3) on 3 channels has 3·3·3·8 + 8 = 224;
    /// BatchNormalization(8) 32 (16 trainable, 16 not); Conv2D(16, 3×3, no bias) on 8 channels 3·3·8·16 = 1,152;
    /// pooling none; Dense(10) on 16 features 170. Total 1,578; trainable 1,562; non-trainable 16. Freezing the
    /// first convolution moves its 224 to non-trainable: 1,338 / 240.
    /// </summary>
    [Fact]
    public void ASmallConvnetCountsAsKerasDoes()
    {
        var conv1 = new Conv2D(8, 3, padding: "same");
        var model = new Sequential(new Input(3, 32, 32), conv1, new BatchNormalization(), new ReLU(), new MaxPooling2D(2),
                                   new Conv2D(16, (3, 3), useBias: false), new GlobalAveragePooling2D(), new Dense(10));
        ModelSummary s = model.GetSummary();
        Assert.Equal((1578L, 1562L, 16L), (s.TotalParams, s.TrainableParams, s.NonTrainableParams));
        Assert.Equal(new long[] { 224, 32, 0, 0, 1152, 0, 170 }, s.Rows.Select(r => r.ParamCount));
        Assert.Equal("(None, 16, 14, 14)", s.Rows[4].OutputShape);       // valid 3×3 on 16×16
        conv1.Trainable = false;
        s = model.GetSummary();
        Assert.Equal((1578L, 1338L, 240L), (s.TotalParams, s.TrainableParams, s.NonTrainableParams));
        Assert.Contains("Non-trainable params: 240 (960.00 B)", Text(model, showTrainable: true));
    }

    [Fact]
    public void SequentialLeavesTheInputOutAndCountsBatchNormalizationSplitByHand()
    {
        var model = new Sequential(new Input(4), [new Dense(8, name: "bn_dense1"), new BatchNormalization(name: "bn_bn"), new Dense(2, name: "bn_dense2")], "with_bn");
        ModelSummary s = model.GetSummary();
        Assert.Equal(["bn_dense1", "bn_bn", "bn_dense2"], s.Rows.Select(r => r.Name));
        Assert.Equal([40L, 32L, 18L], s.Rows.Select(r => r.ParamCount));
        Assert.Equal(["(None, 8)", "(None, 8)", "(None, 2)"], s.Rows.Select(r => r.OutputShape));
        Assert.Equal(90, s.TotalParams);
        Assert.Equal(40 + 16 + 18, s.TrainableParams);
        Assert.Equal(16, s.NonTrainableParams);
        Assert.Contains(" Total params: 90 (360.00 B)", Text(model));
        Assert.Contains(" Non-trainable params: 16 (64.00 B)", Text(model));

        model.GetLayer("bn_dense1").Trainable = false;           // frozen: its 40 move to non-trainable
        s = model.GetSummary();
        Assert.Equal((90L, 34L, 56L), (s.TotalParams, s.TrainableParams, s.NonTrainableParams));
        model.Trainable = false;
        s = model.GetSummary();
        Assert.Equal((90L, 0L, 90L), (s.TotalParams, s.TrainableParams, s.NonTrainableParams));
        model.Trainable = true;
        Assert.Equal(74, model.GetSummary().TrainableParams);
    }

    [Fact]
    public void ANestedModelIsOneRowUnlessExpanded()
    {
        var baseModel = new Sequential(new Input(4), [new Dense(8, name: "nest_dense"), new BatchNormalization(name: "nest_bn")], "nest_base");
        var x = new Input([4], "nest_in");
        var model = new Model(x, new Dense(2, name: "nest_head").Call(baseModel.Call(x, training: false)), "nest_outer");
        ModelSummary s = model.GetSummary();
        Assert.Equal(["nest_in", "nest_base", "nest_head"], s.Rows.Select(r => r.Name));
        Assert.Equal(new SummaryRow("nest_base", "Sequential", "(None, 8)", 72, true, "-", true, 0), s.Rows[1]);
        Assert.Equal((90L, 74L, 16L), (s.TotalParams, s.TrainableParams, s.NonTrainableParams));

        ModelSummary e = model.GetSummary(expandNested: true);
        Assert.Equal(["nest_in", "nest_base", "nest_dense", "nest_bn", "nest_head"], e.Rows.Select(r => r.Name));
        Assert.Equal([0, 0, 1, 1, 0], e.Rows.Select(r => r.Depth));
        Assert.Equal(s.TotalParams, e.TotalParams);
        Assert.Contains("│    └ nest_dense (Dense) ", Text(model, expandNested: true));

        baseModel.Trainable = false;
        s = model.GetSummary();
        Assert.Equal((90L, 18L, 72L), (s.TotalParams, s.TrainableParams, s.NonTrainableParams));
        string text = Text(model, showTrainable: true);
        Assert.Contains("Trainable ┃", text);
        Assert.Matches(@"│ nest_base \(Sequential\) +│ \(None, 8\) +│ +72 │ +N +│", text);
        Assert.Matches(@"│ nest_head \(Dense\) +│ \(None, 2\) +│ +18 │ +Y +│", text);
        Assert.Matches(@"│ nest_in \(InputLayer\) +│ \(None, 4\) +│ +0 │ +- +│", text);
    }

    [Fact]
    public void AGraphThatIsNotAChainShowsWhatEachLayerIsConnectedTo()
    {
        var a = new Input([3], "conn_a");
        var b = new Input([3], "conn_b");
        var shared = new Dense(2, name: "conn_shared");
        var sum = new PairSum("conn_sum").Call([shared.Call(a), shared.Call(b)])[0];
        var model = new Model([a, b], [sum], "connected");
        ModelSummary s = model.GetSummary();
        Assert.True(s.ShowsConnections);
        Assert.Equal(["-", "-", "conn_a[0][0], conn_b[0][0]", "conn_shared[0][0], conn_shared[1][0]"], s.Rows.Select(r => r.ConnectedTo));
        Assert.Equal(8, s.TotalParams);
        string text = Text(model);
        Assert.Contains("Connected to", text);
        Assert.Contains("conn_shared[1][0]", text);
        Assert.All(text.Split('\n').Where(l => l.StartsWith('│')), l => Assert.Equal(108, l.Length));
    }

    [Fact]
    public void OptimizerParamsAppearOnceTheOptimizerHasStateAndCountInTheTotal()
    {
        var x = new Input(2);
        var model = new Model(x, new Dense(3).Call(x));
        model.Compile(new Adam(), new MeanSquaredError());
        Assert.Null(model.GetSummary().OptimizerParams);         // compiled, not fitted: no state yet
        model.Fit(torch.rand(4, 2), torch.rand(4, 3), verbose: 0);
        ModelSummary s = model.GetSummary();
        Assert.Equal(2 * 9 + 2, s.OptimizerParams);              // Adam: m and v per weight, the step count and the learning rate (Keras: 20)
        Assert.Equal(9 + 20, s.TotalParams);
        Assert.Equal(9, s.ModelParams);
        Assert.Contains(" Optimizer params: 20 (84.00 B)", Text(model));   // an int64 step count, as Keras's
        Assert.Contains(" Total params: 29 (120.00 B)", Text(model));
    }

    [Fact]
    public void AnUnbuiltSequentialSaysSo()
    {
        var model = new Sequential(new Dense(3, name: "unbuilt_dense"));
        ModelSummary s = model.GetSummary();
        Assert.Equal(new SummaryRow("unbuilt_dense", "Dense", "?", 0, false, "-", null, 0), s.Rows[0]);
        Assert.Contains("0 (unbuilt)", Text(model));
        Assert.Equal(0, s.TotalParams);
    }

    [Fact]
    public void LargeCountsUseThousandsSeparatorsAndReadableSizes()
    {
        var model = new Sequential(new Input(20), new Dense(100));
        Assert.Contains(" Total params: 2,100 (8.20 KB)", Text(model));
        Assert.Contains("2,100 │", Text(model));
        Assert.Equal("36.00 B", ModelSummary.FormatBytes(36));
        Assert.Equal("1.17 KB", ModelSummary.FormatBytes(1200));
        Assert.Equal("44.69 MB", ModelSummary.FormatBytes(11_714_560 * 4.0));
        Assert.Equal("1023.00 B", ModelSummary.FormatBytes(1023));
        Assert.Equal("1.00 GB", ModelSummary.FormatBytes(1 << 30));
    }

    [Fact]
    public void AConsoleWithoutBoxCharactersGetsLightBoxesOrAscii()
    {
        var model = new Sequential(new Input(2), new Dense(3, name: "enc_dense"));
        string text = model.GetSummary().ToString();
        Assert.Equal(text, SummaryTable.ForEncoding(text, System.Text.Encoding.UTF8));
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        string oem = SummaryTable.ForEncoding(text, System.Text.Encoding.GetEncoding(437));
        Assert.DoesNotContain('━', oem);
        Assert.Contains("┌─", oem);
        Assert.Contains("│ enc_dense (Dense)", oem);
        string ascii = SummaryTable.ForEncoding(text, System.Text.Encoding.ASCII);
        Assert.All(ascii, c => Assert.True(c < 128, $"non-ASCII character {c}"));
        Assert.Contains("| enc_dense (Dense)", ascii);
        Assert.Equal(text.Length, ascii.Length);
    }

    [Fact]
    public void LineLengthSetsTheWidthAndLongCellsWrap()
    {
        var x = new Input([3], "an_input_with_a_rather_long_name");
        var model = new Model(x, new Dense(3, name: "a_dense_layer_whose_name_is_much_longer_than_the_column").Call(x));
        string text = Text(model, lineLength: 60);
        string[] rows = text.Split('\n').Where(l => l.Length > 0 && "┏┃┡│├└".Contains(l[0])).ToArray();
        Assert.All(rows, l => Assert.Equal(60, l.Length));
        Assert.Contains("│ a_dense_layer_whose_name │", text);
        Assert.Contains("│ _is_much_longer_than_the │", text);
        Assert.True(rows.Length > 7, "the long name did not wrap onto more lines");
        Assert.Throws<ArgumentOutOfRangeException>(() => Text(model, lineLength: 10));
    }
}
