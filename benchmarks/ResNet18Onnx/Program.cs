using System.Diagnostics;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tanuki;
using Tanuki.Interop;
using Tanuki.Interop.OnnxImport.Protos;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

// ResNet-18 forward (inference) at batch 32, 224×224: the model Tanuki imports from ResNet18.onnx against ONNX Runtime
// on the same file (a copy whose batch dimension is freed), in the same process, same thread count, same inputs.
int batch = Arg("--batch", 32), size = Arg("--size", 224), reps = Arg("--reps", 7), warmup = Arg("--warmup", 2);
string path = Arg2("--model", "") is { Length: > 0 } p ? p : FindModel();
Backend.EnsureInitialized();
int threads = Backend.Threads;
Console.WriteLine($"ResNet-18 forward, batch {batch}, {size}x{size}, {threads} threads, {reps} reps after {warmup} warm-up; model {path}");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, TorchSharp {typeof(torch).Assembly.GetName().Version}, ONNX Runtime {typeof(InferenceSession).Assembly.GetName().Version}");

Tensor x = torch.randn([batch, 3, size, size], generator: new torch.Generator(1)) * 50;
float[] xData = x.data<float>().ToArray();

// Tanuki: import, then Predict (inference mode, no gradients).
var clock = Stopwatch.StartNew();
Model model = Onnx.Import(path);
Console.WriteLine($"import: {clock.Elapsed.TotalSeconds:0.00} s");
Tensor tanukiOut = model.Predict(x, batchSize: batch);
var tanuki = Measure(() => { using var s = torch.NewDisposeScope(); model.Predict(x, batchSize: batch); });

// ONNX Runtime on a copy with the batch dimension freed.
string free = FreeBatchCopy(path);
using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
using var session = new InferenceSession(free, options);
string input = session.InputMetadata.Keys.First();
var feed = new[] { NamedOnnxValue.CreateFromTensor(input, new DenseTensor<float>(xData, [batch, 3, size, size])) };
float[] ortOut;
using (var r = session.Run(feed)) ortOut = r.First().AsTensor<float>().ToArray();
var ort = Measure(() => { using var r = session.Run(feed); });

double diff = (tanukiOut.flatten() - torch.tensor(ortOut)).abs().max().item<float>();
double scale = torch.tensor(ortOut).abs().max().item<float>();
Console.WriteLine($"outputs agree: max abs diff {diff:g3} (output scale {scale:g3})");
Report("Tanuki (imported)", tanuki);
Report("ONNX Runtime", ort);
Console.WriteLine($"ratio (Tanuki images/s ÷ ONNX Runtime images/s, by median): {Median(ort) / Median(tanuki):0.00}");
File.Delete(free);

(double[] Times, int Batch) Measure(Action run)
{
    for (int i = 0; i < warmup; i++) run();
    var times = new double[reps];
    for (int i = 0; i < reps; i++)
    {
        var sw = Stopwatch.StartNew();
        run();
        times[i] = sw.Elapsed.TotalSeconds;
    }
    return (times, batch);
}

static double Median((double[] Times, int Batch) m)
{
    double[] t = m.Times.Order().ToArray();
    return t.Length % 2 == 1 ? t[t.Length / 2] : (t[t.Length / 2 - 1] + t[t.Length / 2]) / 2;
}

static void Report(string name, (double[] Times, int Batch) m)
{
    double median = Median(m), min = m.Times.Min();
    Console.WriteLine($"{name,-20} median {median * 1000,8:0.0} ms  min {min * 1000,8:0.0} ms  {m.Batch / median,7:0.0} images/s (median)  {m.Batch / min,7:0.0} images/s (best)");
}

static string FreeBatchCopy(string source)
{
    ModelProto m = ModelProto.Parser.ParseFrom(File.ReadAllBytes(source));
    foreach (ValueInfoProto v in m.Graph.Input.Concat(m.Graph.Output))
        if (v.Type?.TensorType?.Shape is { Dim.Count: > 0 } shape)
            shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimParam = "N" };
    m.Graph.ValueInfo.Clear();   // intermediate shapes recorded for batch 1
    string copy = Path.Combine(Path.GetTempPath(), $"resnet18-free-batch-{Environment.ProcessId}.onnx");
    File.WriteAllBytes(copy, m.ToByteArray());
    return copy;
}

static string FindModel()
{
    string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } n ? n
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
    return Path.Combine(root, "microsoft.ml.dnnimagefeaturizer.resnet18", "0.23.1", "tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
}

int Arg(string name, int fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is string v ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;
string Arg2(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
