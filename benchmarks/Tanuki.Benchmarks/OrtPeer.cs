using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tanuki.Applications;
using Tanuki.Interop.OnnxImport.Protos;
using Tensor = TorchSharp.torch.Tensor;
using ScalarType = TorchSharp.torch.ScalarType;

namespace Tanuki.Benchmarks;

/// <summary>
/// ONNX Runtime on the file Tanuki's pretrained ResNet-18 comes from, cut where Tanuki's base ends (the last feature
/// map, before the 7×7 average pool, so that any multiple of 32 works) and with its batch, height and width freed
/// (the file fixes them at 1×3×224×224); for <c>predict</c>, Tanuki's trained classifier exported with <c>ExportOnnx</c>.
/// The files live in a temporary folder for the run only.
/// </summary>
internal static class OrtPeer
{
    /// <summary>One measurement; <paramref name="spinning"/>: whether ONNX Runtime's idle worker threads spin (its default) or sleep (as in Tanuki's sessions).</summary>
    public static Measurement Measure(string task, int size, int batch, int warmup, int reps, bool spinning = true)
    {
        if (!PeerProcess.IsInference(task)) throw new ArgumentException("ONNX Runtime measures inference only.");
        int threads = PeerProcess.Threads;
        string dir = Directory.CreateTempSubdirectory("tanuki-bench-ort-").FullName;
        try
        {
            string path = task == "inference" ? FreeCopy(ResNet18Files.FindModel(null), dir) : TrainedClassifier(size, batch, dir);
            using var options = new SessionOptions
            {
                IntraOpNumThreads = threads,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            if (!spinning) options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            using var session = new InferenceSession(path, options);
            var random = new Random(0);
            float[] data = new float[batch * 3 * size * size];
            for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 255);
            string input = session.InputMetadata.Keys.First();
            var feed = new[] { NamedOnnxValue.CreateFromTensor(input, new DenseTensor<float>(data, [batch, 3, size, size])) };
            string info = $"ONNX Runtime {typeof(InferenceSession).Assembly.GetName().Version}, intra-op threads {threads}, graph optimisation all, " +
                          $"idle threads {(spinning ? "spin (ONNX Runtime's default)" : "sleep")}";
            return Measurement.Time("ort", task, size, batch, () => { using var r = session.Run(feed); }, warmup, reps, info);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// The <c>predict</c> task's model: Tanuki's classifier trained as the Tanuki peer trains it (on libtorch, the same
    /// seed), written with <c>ExportOnnx</c> as a user deploying it would.
    /// </summary>
    private static string TrainedClassifier(int size, int batch, string dir)
    {
        var (x, y, baseModel) = TanukiPeer.Batch(size, batch);
        Model model = TanukiPeer.Step("predict", baseModel, x, y, size, batch, InferenceEngine.LibTorch).Model;
        string path = Path.Combine(dir, "classifier.onnx");
        model.ExportOnnx(path);
        return path;
    }

    /// <summary>Writes the model, ending at the last feature map and with free N, H and W, into <paramref name="dir"/>.</summary>
    public static string FreeCopy(string source, string dir)
    {
        ModelProto m = ModelProto.Parser.ParseFrom(File.ReadAllBytes(source));
        GraphProto g = m.Graph;
        NodeProto pool = g.Node.Last(n => n.OpType == "AveragePool");
        string features = pool.Input[0];
        int cut = g.Node.IndexOf(pool);
        while (g.Node.Count > cut) g.Node.RemoveAt(g.Node.Count - 1);
        g.Output.Clear();
        g.Output.Add(new ValueInfoProto { Name = features, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } });
        TensorShapeProto shape = g.Input[0].Type.TensorType.Shape;
        foreach (var (axis, name) in new[] { (0, "N"), (2, "H"), (3, "W") })
            shape.Dim[axis] = new TensorShapeProto.Types.Dimension { DimParam = name };
        g.ValueInfo.Clear();   // intermediate shapes recorded for 1×3×224×224
        string copy = Path.Combine(dir, "resnet18-features-free.onnx");
        File.WriteAllBytes(copy, m.ToByteArray());
        return copy;
    }
}
