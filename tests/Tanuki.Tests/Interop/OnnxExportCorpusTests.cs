using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Tanuki.Interop;
using Xunit.Abstractions;

namespace Tanuki.Tests.Interop;

/// <summary>
/// The 16 torchvision architectures of the ONNX corpus (tools/make_onnx_corpus.py), at opset 17, through ONNX → Tanuki →
/// ONNX → Tanuki: ONNX Runtime on the exported file gives what Tanuki's Predict gives on the imported model (at a batch
/// size the corpus file was not exported with), onnx.checker accepts the file, and importing it again gives the same
/// weights and outputs, as does a second round trip. Skipped, as the corpus tests are,
/// when the corpus was not generated.
/// </summary>
public class OnnxExportCorpusTests : IDisposable
{
    private const int Opset = 17;

    private readonly TempDirectory _dir = new();
    private readonly ITestOutputHelper _output;

    public OnnxExportCorpusTests(ITestOutputHelper output) => _output = output;

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Architectures()
    {
        var data = new TheoryData<string>();
        foreach (string a in OnnxCorpus.Architectures) data.Add(a);
        return data;
    }

    [OnnxExportCorpusTheory]
    [MemberData(nameof(Architectures))]
    public void ExportMatchesOnnxRuntimeAndImportsBackUnchanged(string architecture)
    {
        OnnxCorpus.Entry entry = OnnxCorpus.Require(architecture, Opset);
        var clock = Stopwatch.StartNew();
        Model first = Onnx.Import(Path.Combine(OnnxCorpus.Directory, entry.File));
        double importSeconds = clock.Elapsed.TotalSeconds;
        string exported = _dir.File(architecture + ".onnx");
        clock.Restart();
        first.ExportOnnx(exported);
        double exportSeconds = clock.Elapsed.TotalSeconds;

        using var scope = torch.NewDisposeScope();
        // Batch 3: the corpus files were exported with 2.
        Tensor x = torch.randn([3, .. entry.InputShape], generator: new torch.Generator(23));
        Tensor expected = first.Predict(x);
        // Basic optimizations, as the corpus tests: the full ones would cost the large models seconds to start and change nothing here.
        Tensor actual = OnnxRuntimeReference.Run(exported, GraphOptimizationLevel.ORT_ENABLE_BASIC, (first.Inputs[0].Name, x))[0];
        double relative = TensorAssert.MaxAbsDiff(expected, actual) / expected.abs().max().item<float>();
        OnnxExportRunner.AssertClose(expected, actual, $"{entry.Title} exported");

        Dictionary<string, string> problems = OnnxChecker.Check([exported]);
        Assert.True(problems.Count == 0, $"onnx.checker rejects the export of {entry.Title}: {problems.Values.FirstOrDefault()}");

        // The importer folds a few patterns (GlobalAveragePool + Flatten, Transpose + Reshape) into layers named after
        // other nodes, so the second import's layer names may differ from the first's; its weights and outputs may not.
        Model second = Onnx.Import(exported);
        // (A constant may come back with its size-1 axes dropped or added, as ConvNeXt's layer scales do: its values may not change.)
        Assert.Equal(first.Weights.Count, second.Weights.Count);
        foreach (var (a, b) in first.Weights.Zip(second.Weights))
            Assert.True(TensorAssert.BitEqual(a.Value.flatten(), b.Value.flatten()), $"weight {a.Path} changed");
        OnnxExportRunner.AssertClose(expected, second.Predict(x), $"{entry.Title} imported again");
        // A second round trip is stable: the same layers, configurations (names included) and connections, the same outputs.
        string again = _dir.File(architecture + "_again.onnx");
        second.ExportOnnx(again);
        Model third = Onnx.Import(again);
        Assert.Equal(OnnxExportRoundTripTests.Describe(second), OnnxExportRoundTripTests.Describe(third));
        OnnxExportRunner.AssertClose(expected, third.Predict(x), $"{entry.Title} after two round trips");

        _output.WriteLine($"{entry.Title}: {first.Layers.Count} layers; import {importSeconds:F1} s, export {exportSeconds:F1} s " +
                          $"({new FileInfo(exported).Length / 1e6:F0} MB); ONNX Runtime vs Predict {relative:E1} of the largest output; whole test {importSeconds + clock.Elapsed.TotalSeconds:F1} s");
    }
}
