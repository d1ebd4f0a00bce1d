using Tanuki.Layers;

namespace Tanuki.Tests.Conformance;

/// <summary>keras/src/utils/summary_utils_test.py.</summary>
public class SummaryUtilsTests
{
    private static string Text(Model model)
    {
        var w = new StringWriter();
        model.Summary(output: w);
        return w.ToString();
    }

    // summary_utils_test.py::SummaryUtilsTest::test_print_model_summary (optimizer "adam" and None: a model compiled but
    // not fitted has no optimizer state, as Keras's with no optimizer)
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void PrintModelSummary(bool fitWithAdam)
    {
        var inputs = new Input(2);
        var model = new Model(inputs, new Dense(3).Call(inputs));
        model.Compile("adam", "mse", ["mse"]);
        if (fitWithAdam) model.Fit(torch.zeros(4, 2), torch.zeros(4, 3), verbose: 0);   // Trigger the optimizer weights creation

        string summary = Text(model);
        if (fitWithAdam)
        {
            Assert.Contains("Total params: 29", summary);
            Assert.Contains("Trainable params: 9", summary);
            Assert.Contains("Non-trainable params: 0", summary);
            Assert.Contains("Optimizer params: 20", summary);
        }
        else
        {
            Assert.Contains("Total params: 9", summary);
            Assert.Contains("Trainable params: 9", summary);
            Assert.Contains("Non-trainable params: 0", summary);
            Assert.DoesNotContain("Optimizer params", summary);
        }
    }

    private sealed class MyModel : Model
    {
        private readonly Dense _dense1, _dense2;

        public MyModel() : base((string?)null)
        {
            _dense1 = Track(new Dense(4, activation: "relu"));
            _dense2 = Track(new Dense(2, activation: "softmax"));
            Track(new Dense(1));   // unbuilt_dense
        }

        protected override void BuildCore(long[] inputShape)
        {
            _dense1.Build(inputShape);
            _dense2.Build(_dense1.ComputeOutputShape(inputShape));
        }

        protected override Tensor Forward(Tensor x, bool training) => _dense2.Call(_dense1.Call(x));
    }

    // summary_utils_test.py::SummaryUtilsTest::test_print_model_summary_custom_build
    [Fact]
    public void PrintModelSummaryCustomBuild()
    {
        var model = new MyModel();
        model.Build(new long[] { -1, 2 });
        string summary = Text(model);
        Assert.Contains("(None, 4)", summary);   // dense1
        Assert.Contains("(None, 2)", summary);   // dense2
        Assert.Contains("?", summary);           // unbuilt_dense
        Assert.Contains("Total params: 22", summary);
        Assert.Contains("Trainable params: 22", summary);
        Assert.Contains("Non-trainable params: 0", summary);
    }

    // Skipped, no Tanuki counterpart:
    // test_print_model_summary_op_as_layer — Keras ops (ops.mean) in a functional graph.
    // test_print_model_summary_with_mha — no MultiHeadAttention.
    // test_print_model_summary_dict_output — layers return tensors, not dictionaries.
}
