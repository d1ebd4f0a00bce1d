using Tanuki.Interop;
using Tanuki.Interop.OnnxImport;
using Xunit.Abstractions;

namespace Tanuki.Tests.Interop;

/// <summary>
/// ONNX's own operator test cases (Debian's libonnx-testdata: a one-operator model.onnx and TensorProto inputs and
/// expected outputs per case), run through the importer for every operator it supports. A case whose attributes or
/// inputs Tanuki does not import is skipped with the importer's reason; a case it imports must match.
/// </summary>
public class OnnxNodeTests
{
    private const string Root = "/usr/share/libonnx-testdata/data/node";
    private const double Atol = 1e-5, Rtol = 1e-3;
    private readonly ITestOutputHelper _output;

    public OnnxNodeTests(ITestOutputHelper output) => _output = output;

    private enum Outcome { Passed, Failed, Skipped }

    [Fact]
    public void EverySupportedOperatorsTestCasesMatch()
    {
        Assert.True(Directory.Exists(Root),
            $"ONNX's operator test cases are not installed ({Root} is missing). Install them: apt-get install libonnx-testdata");
        var results = new List<(string Case, Outcome Outcome, string Detail)>();
        foreach (string dir in Directory.GetDirectories(Root).Order(StringComparer.Ordinal))
        {
            string[] ops = OnnxGraph.Read(Path.Combine(dir, "model.onnx")).Nodes.Select(n => n.OpType).Where(t => t != "Constant").Distinct().ToArray();
            // A case belongs to an operator when that operator is all it runs; "_expanded" cases of other operators are not ours.
            if (ops.Length != 1 || !OnnxOperators.IsSupported(ops[0])) continue;
            foreach (string set in Directory.GetDirectories(dir, "test_data_set_*").Order(StringComparer.Ordinal))
                foreach (var variant in Variants(dir, ops[0], set)) results.AddRange(variant.Results);
        }

        int passed = results.Count(r => r.Outcome == Outcome.Passed);
        var failed = results.Where(r => r.Outcome == Outcome.Failed).ToList();
        var skipped = results.Where(r => r.Outcome == Outcome.Skipped).ToList();
        string reasons = string.Join("; ", skipped.GroupBy(s => s.Detail).OrderByDescending(g => g.Count())
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(c => c.Case.Split('/')[0]).Distinct())}"));
        string summary = $"onnx node tests: {passed} passed, {failed.Count} failed, {skipped.Count} skipped ({reasons})";
        _output.WriteLine(summary);
        foreach (var f in failed) _output.WriteLine($"FAILED {f.Case}: {f.Detail}");
        Assert.True(passed > 100, $"only {passed} node test cases passed: {summary}");
        Assert.True(failed.Count == 0, summary + "\n" + string.Join("\n", failed.Select(f => $"FAILED {f.Case}: {f.Detail}")));
    }

    /// <summary>Operators whose inputs after the first are parameters (weights, shapes, bounds): imported as constants.</summary>
    private static readonly HashSet<string> s_parameterOps =
    [
        "Conv", "BatchNormalization", "Gemm", "MatMul", "Reshape", "Pad", "Clip", "Dropout", "LayerNormalization",
        "Squeeze", "Unsqueeze", "Slice", "Split", "Expand", "Gather", "ReduceMean",
    ];

    /// <summary>Operators that only move or compare values: integer test data is computed exactly in float32.</summary>
    private static readonly HashSet<string> s_dataMovementOps =
        ["Pad", "MaxPool", "Clip", "Concat", "Reshape", "Transpose", "Flatten", "Identity", "Squeeze", "Unsqueeze", "Slice", "Split", "Expand", "Gather"];

    /// <summary>The variants a case runs as: its inputs all model inputs, and/or the inputs after the first as constants.</summary>
    private static IEnumerable<(string Suffix, List<(string Case, Outcome, string)> Results)> Variants(string dir, string op, string set)
    {
        string name = $"{Path.GetFileName(dir)}/{Path.GetFileName(set)}";
        string model = Path.Combine(dir, "model.onnx");
        bool arithmetic = op is "Add" or "Sub" or "Mul" or "Div";
        if (!s_parameterOps.Contains(op)) yield return ("", [Run(name + (arithmetic ? " [two inputs]" : ""), model, set, constants: false)]);
        if (s_parameterOps.Contains(op) || arithmetic) yield return ("", [Run(name + (arithmetic ? " [constant]" : ""), model, set, constants: true)]);
    }

    private static (string, Outcome, string) Run(string name, string modelPath, string setDir, bool constants)
    {
        var (outcome, detail) = RunCase(modelPath, setDir, constants);
        return (name, outcome, detail);
    }

    private static (Outcome, string) RunCase(string modelPath, string setDir, bool constants)
    {
        OnnxGraph graph = OnnxGraph.Read(modelPath);
        string op = graph.Nodes.First(n => n.OpType != "Constant").OpType;
        if (graph.Inputs.Length == 0) return (Outcome.Skipped, "no graph input");
        if (graph.Inputs.Concat(graph.Outputs).Any(v => v.ElementType == 0)) return (Outcome.Skipped, "sequence or optional values (Tanuki models take tensors)");
        bool integerData = graph.Inputs[0].ElementType != 1;
        if (integerData && !(s_dataMovementOps.Contains(op) && OnnxTensors.IsInteger(graph.Inputs[0].ElementType)))
            return (Outcome.Skipped, $"{OnnxTensors.TypeName(graph.Inputs[0].ElementType)} arithmetic (Tanuki models compute in float32)");
        if (graph.Outputs.Any(o => o.ElementType != graph.Inputs[0].ElementType))
            return (Outcome.Skipped, $"{string.Join("/", graph.Outputs.Where(o => o.ElementType != 1).Select(o => OnnxTensors.TypeName(o.ElementType)).Distinct())} outputs (masks, indices)");
        // Integer data through an operator that only moves values: the same model with float tensors gives the same values.
        if (integerData) modelPath = OnnxTestModels.WithFloatData(modelPath, graph.Inputs[0].Name, graph.Outputs.Select(o => o.Name));

        Tensor[] inputs = graph.Inputs.Select((_, i) => OnnxTensors.ReadTensorFile(Path.Combine(setDir, $"input_{i}.pb"))).ToArray();
        inputs[0] = inputs[0].to(ScalarType.Float32);
        Tensor[] expected = graph.Outputs.Select((_, i) => OnnxTensors.ReadTensorFile(Path.Combine(setDir, $"output_{i}.pb")).to(ScalarType.Float32)).ToArray();

        Model model;
        Tensor[] feed = inputs;
        try
        {
            if (!constants) model = Onnx.Import(modelPath);
            else
            {
                var values = graph.Inputs.Skip(1).Select((v, i) => (v.Name, Value: inputs[i + 1])).ToDictionary(p => p.Name, p => p.Value);
                model = Onnx.Import(modelPath, new OnnxImportOptions { Constants = values });
                feed = [inputs[0]];
            }
        }
        catch (NotSupportedException e) { return (Outcome.Skipped, Reason(e.Message)); }
        try
        {
            using var scope = torch.NewDisposeScope();
            Tensor[] actual = model.Call(feed, training: false);
            if (actual.Length != expected.Length) return (Outcome.Failed, $"{actual.Length} outputs, expected {expected.Length}");
            for (int i = 0; i < actual.Length; i++)
            {
                if (!actual[i].shape.SequenceEqual(expected[i].shape))
                    return (Outcome.Failed, $"output {i} has shape {Shapes.Format(actual[i].shape)}, expected {Shapes.Format(expected[i].shape)}");
                Tensor e = expected[i].to(ScalarType.Float64), a = actual[i].cpu().to(ScalarType.Float64);
                double excess = ((e - a).abs() - (e.abs() * Rtol + Atol)).max().item<double>();
                if (excess > 0) return (Outcome.Failed, $"output {i} differs: max abs diff {TensorAssert.MaxAbsDiff(e, a)} (atol {Atol}, rtol {Rtol})");
            }
            return (Outcome.Passed, "");
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            return (Outcome.Failed, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>The importer's reason, without the file path and the list of supported operators.</summary>
    private static string Reason(string message)
    {
        string[] lines = message.Split('\n');
        string? bullet = lines.FirstOrDefault(l => l.TrimStart().StartsWith("- ", StringComparison.Ordinal));
        string reason = bullet is not null ? bullet.Trim()[2..] : lines[0];
        int colon = reason.IndexOf("': ", StringComparison.Ordinal);
        reason = colon >= 0 ? reason[(colon + 3)..] : reason;
        return reason.Split(';')[0].TrimEnd('.');
    }
}
