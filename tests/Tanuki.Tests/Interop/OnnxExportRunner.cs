using Microsoft.ML.OnnxRuntime;
using Tanuki.Interop;

namespace Tanuki.Tests.Interop;

/// <summary>What the export tests share: export to a file, run it with ONNX Runtime, compare with Tanuki's Predict.</summary>
internal static class OnnxExportRunner
{
    /// <summary>The tolerance the issue asks for: max |ONNX Runtime − Predict| ≤ 1e-4 × max |Predict|.</summary>
    public const double RelativeTolerance = 1e-4;

    /// <summary>Tanuki's inference: Predict for one input; Call in inference mode (what Predict does per batch) for several.</summary>
    public static Tensor[] Predict(Model model, Tensor[] inputs)
    {
        if (inputs.Length == 1 && model.Outputs.Count <= 1) return [model.Predict(inputs[0])];
        using var _ = torch.no_grad();
        return model.Call(inputs, training: false);
    }

    /// <summary>Runs the file with ONNX Runtime; inputs are given in the order of the graph's inputs.</summary>
    public static Tensor[] Run(string path, Tensor[] inputs)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(path, options);
        string[] names = session.InputMetadata.Keys.ToArray();
        Assert.Equal(inputs.Length, names.Length);
        return OnnxRuntimeReference.Run(session, names.Zip(inputs, (n, x) => (n, x)).ToArray());
    }

    /// <summary>Asserts same shape and max |diff| ≤ <see cref="RelativeTolerance"/> × the output's scale.</summary>
    public static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double scale = expected.abs().max().item<float>();
        double diff = TensorAssert.MaxAbsDiff(expected, actual);
        Assert.True(scale > 1e-3, $"{what}: the output is degenerate (max |x| = {scale}), so the comparison would prove nothing");
        Assert.True(diff <= RelativeTolerance * scale, $"{what}: ONNX Runtime differs from Predict by {diff:G3}, more than {RelativeTolerance} × the output's scale {scale:G4}");
    }

    /// <summary>Exports, runs with ONNX Runtime, and compares every output with Predict.</summary>
    public static void ExportAndCompare(Model model, Tensor[] inputs, string path, string what, OnnxExportOptions? options = null)
    {
        using var scope = torch.NewDisposeScope();
        Tensor[] expected = Predict(model, inputs);
        model.ExportOnnx(path, options);
        Tensor[] actual = Run(path, inputs);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) AssertClose(expected[i], actual[i], $"{what}, output {i}");
    }
}
