using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Tanuki.Interop;
using Tanuki.Losses;
using Tanuki.Optimizers;
using Xunit.Abstractions;

namespace Tanuki.Tests.Interop;

/// <summary>
/// The 16 torchvision architectures of tools/make_onnx_corpus.py at opsets 11, 13 and 17: each imports as ordinary
/// layers, matches ONNX Runtime at a batch size other than the one it was exported with, summarises, and fine-tunes
/// for one step (the layers of its second half train, those of its first half stay frozen). Skipped, with how to make
/// it, when the corpus was not generated.
/// </summary>
public class OnnxCorpusTests
{
    /// <summary>The largest difference from ONNX Runtime, relative to the largest output value.</summary>
    private const double MaxRelativeError = 1e-4;

    private readonly ITestOutputHelper _output;

    public OnnxCorpusTests(ITestOutputHelper output) => _output = output;

    public static IEnumerable<object[]> Models =>
        OnnxCorpus.Architectures.SelectMany(a => OnnxCorpus.Opsets.Select(o => new object[] { a, o }));

    [OnnxCorpusTheory]
    [MemberData(nameof(Models))]
    public void ImportsMatchesOnnxRuntimeAndFineTunes(string architecture, int opset)
    {
        OnnxCorpus.Entry entry = OnnxCorpus.Require(architecture, opset);
        string path = Path.Combine(OnnxCorpus.Directory, entry.File);
        var clock = Stopwatch.StartNew();
        Model model = Onnx.Import(path);
        double importSeconds = clock.Elapsed.TotalSeconds;
        Assert.Equal([-1, .. entry.InputShape], model.Inputs[0].Shape);

        using var scope = torch.NewDisposeScope();
        // Batch 3: the files were exported with 2, so this also shows the batch axis is free.
        Tensor x = torch.randn([3, .. entry.InputShape], generator: new torch.Generator(7));
        // Basic optimizations only: ONNX Runtime's fusions would cost VGG-11-BN seconds to start and change nothing here.
        Tensor expected = OnnxRuntimeReference.Run(path, GraphOptimizationLevel.ORT_ENABLE_BASIC, (entry.Input, x))[0];
        Tensor actual = model.Call(x, training: false);
        Assert.Equal(expected.shape, actual.shape);
        double relative = TensorAssert.MaxAbsDiff(expected, actual) / expected.abs().max().item<float>();

        ModelSummary summary = model.GetSummary();
        Assert.Equal(model.CountParams(), summary.ModelParams);
        Assert.Equal(model.Layers.Count, summary.Rows.Count);

        double fineTuneSeconds = FineTuneOneStep(model, x);
        // Saving is the same for every opset (the same layer types): checked once per architecture, at the newest.
        string saved = opset == OnnxCorpus.Opsets[^1] ? $"; .tanuki round trip {SaveAndLoad(model, x):F1} s" : "";
        _output.WriteLine($"{entry.Title} opset {opset}: {model.Layers.Count} layers, {model.CountParams():N0} weights; import {importSeconds:F1} s; " +
                          $"max relative error vs ONNX Runtime {relative:E1}; one fine-tune step {fineTuneSeconds:F1} s{saved}");
        Assert.True(relative <= MaxRelativeError, $"{entry.Title} opset {opset} differs from ONNX Runtime by {relative:E2} of its largest output (limit {MaxRelativeError:E0}).");
    }

    /// <summary>Saves the fine-tuned model and loads it back: same layers, same frozen ones, the same outputs bit for bit.</summary>
    private static double SaveAndLoad(Model model, Tensor x)
    {
        string path = Path.Combine(TempFolder.Create(), "model.tanuki");
        var clock = Stopwatch.StartNew();
        model.Save(path);
        Model loaded = Model.Load(path);
        double seconds = clock.Elapsed.TotalSeconds;
        File.Delete(path);
        Assert.Equal(model.Layers.Select(l => (l.Name, l.GetType(), l.Trainable)), loaded.Layers.Select(l => (l.Name, l.GetType(), l.Trainable)));
        TensorAssert.Equal(model.Call(x, training: false), loaded.Call(x, training: false));
        return seconds;
    }

    /// <summary>
    /// Freezes the layers of the first half, fits one batch, and checks that every trainable weight moved and no
    /// weight of a frozen layer did. Returns the seconds the step took.
    /// </summary>
    private static double FineTuneOneStep(Model model, Tensor x)
    {
        Layer[] layers = model.Layers.Where(l => l.Weights.Count > 0).ToArray();
        Layer[] frozen = layers[..(layers.Length / 2)];
        foreach (Layer l in frozen) l.Trainable = false;
        Variable[] trainable = model.TrainableWeights.ToArray();
        Assert.NotEmpty(trainable);
        Dictionary<Variable, Tensor> before = model.Weights.ToDictionary(v => v, v => v.Value.detach().clone());

        model.Compile(new SGD(0.01), new SparseCategoricalCrossentropy(fromLogits: true));
        Tensor y = torch.tensor(new long[] { 1, 4, 7 });
        var clock = Stopwatch.StartNew();
        History history = model.Fit(x, y, batchSize: (int)x.shape[0], epochs: 1, verbose: 0, shuffle: false);
        double seconds = clock.Elapsed.TotalSeconds;
        Assert.True(double.IsFinite(history.Metrics["loss"][0]), $"the loss is {history.Metrics["loss"][0]}");

        string[] unmoved = trainable.Where(v => Same(before[v], v.Value)).Select(v => v.Path).ToArray();
        Assert.True(unmoved.Length == 0, $"{unmoved.Length} of {trainable.Length} trainable weights did not change: {string.Join(", ", unmoved.Take(10))}");
        string[] moved = frozen.SelectMany(l => l.Weights).Where(v => !Same(before[v], v.Value)).Select(v => v.Path).ToArray();
        Assert.True(moved.Length == 0, $"frozen weights changed: {string.Join(", ", moved.Take(10))}");
        foreach (Tensor t in before.Values) t.Dispose();
        return seconds;
    }

    private static bool Same(Tensor a, Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        return a.eq(b).all().item<bool>();
    }
}
