using System.Diagnostics;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Tanuki.Applications;
using Tanuki.Interop;
using Tanuki.Interop.OnnxExport;
using Tanuki.Layers;

namespace Tanuki.Benchmarks;

/// <summary>
/// How long a trained ResNet-18 classifier takes to become an ONNX Runtime session: the export to ONNX (in memory, and
/// through a file as <c>Model.ExportOnnx</c> writes it) plus the session's creation, against the creation of a session
/// on the ResNet-18 file the model was imported from (the same network, already ONNX) measured in the same run. The
/// issue's goal: export + session under 2 s.
/// </summary>
internal static class ExportBenchmark
{
    public static int Run(Args args)
    {
        int size = args.Int("size", 224), reps = args.Int("reps", 5), warmup = args.Int("warmup", 1);
        args.CheckAllRead();
        var input = new Input([3, size, size], "image");
        Model baseModel = ResNet18.Create("imagenet", includeTop: false, inputShape: [3, size, size]);
        SymbolicTensor x = new GlobalAveragePooling2D(name: "avg_pool").Call(baseModel.Call(new ResNet18Preprocessing(name: "preprocess").Call(input), training: false));
        var model = new Model(input, new Dense(10, name: "predictions").Call(new Dropout(0.2).Call(x)), "classifier");
        string dir = Directory.CreateTempSubdirectory("tanuki-bench-export-").FullName;
        int threads = Environment.ProcessorCount;
        SessionOptions Options() => new() { IntraOpNumThreads = threads, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        try
        {
            string file = Path.Combine(dir, "classifier.onnx");
            string original = ResNet18Files.FindModel(null);
            var rows = new (string Name, Func<double[]> Step)[]
            {
                ("export to bytes", () => Timed(() => OnnxExporter.Export(model, new OnnxExportOptions()).ToByteArray())),
                ("export to bytes + session", () => Timed(() =>
                {
                    byte[] bytes = OnnxExporter.Export(model, new OnnxExportOptions()).ToByteArray();
                    using var options = Options();
                    using var session = new InferenceSession(bytes, options);
                })),
                ("ExportOnnx(file) + session", () => Timed(() =>
                {
                    model.ExportOnnx(file);
                    using var options = Options();
                    using var session = new InferenceSession(file, options);
                })),
                ("peer: session on ResNet18.onnx", () => Timed(() =>
                {
                    using var options = Options();
                    using var session = new InferenceSession(original, options);
                })),
            };
            Console.WriteLine($"ResNet-18 classifier at {size}² ({model.CountParams():N0} weights): export to ONNX and ONNX Runtime " +
                              $"{typeof(InferenceSession).Assembly.GetName().Version} session creation (intra-op threads {threads}, graph optimisation all); " +
                              $"median of {reps} after {warmup} warm-up, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            var medians = new Dictionary<string, double>();
            foreach (var (name, step) in rows)
            {
                for (int i = 0; i < warmup; i++) step();
                double[] times = Enumerable.Range(0, reps).Select(_ => step()[0]).ToArray();
                medians[name] = Stats.Median(times);
                Console.WriteLine($"  {name,-32} median {medians[name],6:0.000} s   best {times.Min(),6:0.000} s");
            }
            double total = medians["ExportOnnx(file) + session"], peer = medians["peer: session on ResNet18.onnx"];
            Console.WriteLine($"  ExportOnnx + session ÷ session on the original file: {total / peer:0.00}×; goal < 2 s: {(total < 2 ? "met" : "NOT met")}");
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static double[] Timed(Action action)
    {
        long t0 = Stopwatch.GetTimestamp();
        action();
        return [Stopwatch.GetElapsedTime(t0).TotalSeconds];
    }
}
