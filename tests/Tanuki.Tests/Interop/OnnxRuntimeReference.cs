using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensor = TorchSharp.torch.Tensor;

namespace Tanuki.Tests.Interop;

/// <summary>Runs an ONNX file with ONNX Runtime, the independent reference the importer is compared with.</summary>
internal static class OnnxRuntimeReference
{
    public static Tensor[] Run(string path, params (string Name, Tensor Value)[] inputs) => Run(path, GraphOptimizationLevel.ORT_ENABLE_ALL, inputs);

    /// <summary>Runs with the given graph optimizations: basic ones (constant folding) start large models seconds sooner.</summary>
    public static Tensor[] Run(string path, GraphOptimizationLevel level, params (string Name, Tensor Value)[] inputs)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2, GraphOptimizationLevel = level };
        using var session = new InferenceSession(path, options);
        return Run(session, inputs);
    }

    public static Tensor[] Run(InferenceSession session, params (string Name, Tensor Value)[] inputs)
    {
        var feeds = inputs.Select(i =>
        {
            Tensor v = i.Value.cpu().to(ScalarType.Float32).contiguous();
            var dense = new DenseTensor<float>(v.data<float>().ToArray(), v.shape.Select(d => (int)d).ToArray());
            return NamedOnnxValue.CreateFromTensor(i.Name, dense);
        }).ToList();
        using var results = session.Run(feeds);
        return results.Select(r =>
        {
            var t = r.AsTensor<float>();
            return torch.tensor(t.ToArray(), t.Dimensions.ToArray().Select(d => (long)d).ToArray());
        }).ToArray();
    }

    /// <summary>The name of the model's first input, as ONNX Runtime sees it.</summary>
    public static string FirstInputName(string path)
    {
        using var session = new InferenceSession(path);
        return session.InputMetadata.Keys.First();
    }
}
