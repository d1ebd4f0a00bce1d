using System.Diagnostics;
using SkiaSharp;
using Tanuki;
using Tanuki.Data;
using Tanuki.DataBenchmarks;
using Tanuki.Layers;
using static TorchSharp.torch;

// Does the image pipeline keep a ResNet-18 training step at 96² fed?
//   dotnet run -c Release --project benchmarks/Tanuki.DataBenchmarks -- [images=2000] [workers=2] [steps=6]
// 1. writes `images` JPEGs of 320×240 (10 classes) to a temporary folder;
// 2. times one pass of FromDirectory(96×96, batch 32, `workers` decoding threads) → Map(RandomFlip + RandomRotation
//    on `workers` threads) → Prefetch: images/s decoded + resized + augmented, with nothing else running;
// 3. times `steps` SGD steps of a ResNet-18 (TorchSharp, batch 32, 96²) on random data: images/s consumed;
// 4. trains `steps` steps on the pipeline itself and measures how long each step waited for its batch.
int images = args.Length > 0 ? int.Parse(args[0]) : 2000;
int workers = args.Length > 1 ? int.Parse(args[1]) : 2;
int steps = args.Length > 2 ? int.Parse(args[2]) : 6;
const int BatchSize = 32, Size = 96;
Backend.EnsureInitialized();
Console.WriteLine($"machine: {Environment.ProcessorCount} cores; libtorch threads {Backend.Threads}; {images} JPEGs, {workers} workers, batch {BatchSize}, {Size}²");

string dir = Path.Combine(Path.GetTempPath(), $"tanuki-bench-{images}");
var clock = Stopwatch.StartNew();
if (!Directory.Exists(dir) || Directory.EnumerateFiles(dir, "*.jpg", SearchOption.AllDirectories).Count() != images)
{
    if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    WriteJpegs(dir, images);
    Console.WriteLine($"wrote {images} JPEGs (320×240) in {clock.Elapsed.TotalSeconds:0.0} s");
}

clock.Restart();
var ds = ImageDataset.FromDirectory(dir, (Size, Size), batchSize: BatchSize, seed: 1, numParallelCalls: workers);
Console.WriteLine($"indexed and checked {ds.FilePaths.Count} headers in {clock.Elapsed.TotalSeconds:0.00} s");
var flip = new RandomFlip("horizontal", seed: 1);
var rotate = new RandomRotation(0.1, seed: 2);
Dataset pipeline = ds.Map((x, y) => (rotate.Call(flip.Call(x, training: true), training: true), y), numParallelCalls: workers).Prefetch(2);

// 2. the pipeline alone
clock.Restart();
long seen = 0;
foreach (var (x, y) in pipeline) { seen += x.shape[0]; x.Dispose(); y.Dispose(); }
double pipelineRate = seen / clock.Elapsed.TotalSeconds;
Console.WriteLine($"pipeline alone: {seen} images in {clock.Elapsed.TotalSeconds:0.00} s = {pipelineRate:0} images/s (decoded + resized + augmented)");

// 3. the training step alone
var net = new ResNet18Step(classes: 10);
Tensor bx, by;
using (var first = pipeline.GetEnumerator()) { first.MoveNext(); (bx, by) = first.Current; }   // a real batch, reused
for (int i = 0; i < 2; i++) net.Step(bx, by);                        // warm-up: libtorch allocates and picks kernels
var stepTimes = new List<double>();
for (int i = 0; i < steps; i++)
{
    clock.Restart();
    net.Step(bx, by);
    stepTimes.Add(clock.Elapsed.TotalSeconds);
}
double stepSeconds = stepTimes.Order().ElementAt(stepTimes.Count / 2);   // the median: robust to other load on the machine
Console.WriteLine($"step times: {string.Join(", ", stepTimes.Select(t => t.ToString("0.00")))} s");
double trainRate = BatchSize / stepSeconds;
Console.WriteLine($"ResNet-18 step alone ({net.Parameters / 1e6:0.0} M parameters): median {stepSeconds:0.000} s per batch = {trainRate:0} images/s");

// 4. both at once: how long does each step wait for its batch?
double waited = 0, worked = 0;
int done = 0;
using (var batches = pipeline.GetEnumerator())
{
    batches.MoveNext();                                              // the first batch always waits for start-up
    var (x0, y0) = batches.Current;
    net.Step(x0, y0); x0.Dispose(); y0.Dispose();
    while (done < steps)
    {
        var wait = Stopwatch.StartNew();
        if (!batches.MoveNext()) break;
        waited += wait.Elapsed.TotalSeconds;
        var (x, y) = batches.Current;
        var work = Stopwatch.StartNew();
        net.Step(x, y);
        worked += work.Elapsed.TotalSeconds;
        x.Dispose(); y.Dispose();
        done++;
    }
}
Console.WriteLine($"training on the pipeline: {done} steps, {worked / done:0.000} s computing and {waited / done * 1000:0.0} ms waiting for data per step " +
                  $"({100 * waited / (waited + worked):0.0} % of the time waiting)");
double combinedRate = BatchSize * done / worked;
double fastestStep = Math.Max(trainRate, combinedRate);   // the machine is shared: take the fastest step seen
Console.WriteLine($"step consumption: {trainRate:0} images/s alone, {combinedRate:0} images/s while the pipeline ran");
Console.WriteLine(pipelineRate >= fastestStep && waited < 0.05 * (waited + worked)
    ? $"verdict: the pipeline keeps up: {pipelineRate / fastestStep:0.0}× the fastest step's consumption rate, and the step waited {100 * waited / (waited + worked):0.0} % of the time."
    : $"verdict: the pipeline does NOT keep up: {pipelineRate / fastestStep:0.00}× the step's consumption rate, the step waited {100 * waited / (waited + worked):0.0} % of the time.");

static void WriteJpegs(string dir, int count)
{
    var random = new Random(7);
    var info = new SKImageInfo(320, 240, SKColorType.Rgba8888, SKAlphaType.Premul);
    using var surface = SKSurface.Create(info);
    SKCanvas canvas = surface.Canvas;
    using var paint = new SKPaint { IsAntialias = true };
    for (int i = 0; i < count; i++)
    {
        // Photo-like content (gradients and shapes) so that the JPEGs have realistic entropy.
        canvas.Clear(new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
        for (int k = 0; k < 12; k++)
        {
            paint.Color = new SKColor((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(80, 256));
            canvas.DrawCircle(random.Next(320), random.Next(240), random.Next(10, 90), paint);
        }
        string classDir = Path.Combine(dir, $"class{i % 10}");
        Directory.CreateDirectory(classDir);
        using SKImage image = surface.Snapshot();
        using SKData data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
        using var file = File.Create(Path.Combine(classDir, $"{i:D5}.jpg"));
        data.SaveTo(file);
    }
}
