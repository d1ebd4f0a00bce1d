// How late Fit honours a cancellation (issue 15: a stop request from a callback was honoured 11.8 s late, because the
// frozen-feature pass fires no events). The pretrained ResNet-18, frozen, at 96x96 with a Dense(10) head, on random
// in-memory images; the token is cancelled (a) 10 s into the frozen-feature pass (past its first, warm-up batch), (b) 20 s into fine-tuning of the
// whole base (past the first, warm-up step). Printed: the time from Cancel() to the exception, and the duration of one unit of work (a 128-image
// frozen-feature batch, a 32-image training step) it should stay within.
//   dotnet run -c Release --project benchmarks/Tanuki.CancelLatency -- [images=1024]
using System.Diagnostics;
using Tanuki;
using Tanuki.Applications;
using Tanuki.Callbacks;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;
using TorchSharp;

int n = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1024;
TanukiInfo.SetRandomSeed(1);
Model baseModel = ResNet18.Create("imagenet", includeTop: false, inputShape: [3, 96, 96]);
var inputs = new Input(3, 96, 96);
var x = new GlobalAveragePooling2D().Call(baseModel.Call(inputs, training: false));
var model = new Model(inputs, new Dense(10).Call(x));
torch.Tensor images = torch.rand(n, 3, 96, 96) * 255, labels = torch.randint(0, 10, n);

Measure("frozen-feature pass", frozen: true, after: 10);
Measure("fine-tuning steps", frozen: false, after: 20);

void Measure(string what, bool frozen, double after)
{
    baseModel.Trainable = !frozen;
    model.Compile(new Adam(1e-4), new SparseCategoricalCrossentropy(fromLogits: true));
    var steps = new StepClock();
    using var cancel = new CancellationTokenSource();
    long cancelledAt = 0;
    cancel.Token.Register(() => cancelledAt = Stopwatch.GetTimestamp());
    cancel.CancelAfter(TimeSpan.FromSeconds(after));
    var start = Stopwatch.StartNew();
    try
    {
        model.Fit(images, labels, batchSize: 32, epochs: 1, verbose: 0, callbacks: [steps], cancellationToken: cancel.Token);
        Console.WriteLine($"{what}: finished before the cancellation ({start.Elapsed.TotalSeconds:0.00}s); use more images");
    }
    catch (TrainingCanceledException e)
    {
        double late = Stopwatch.GetElapsedTime(cancelledAt).TotalSeconds;
        Console.WriteLine($"{what}: cancelled at {after:0.0}s, stopped {late * 1000:0} ms later; steps run: {steps.Steps}" +
                          (steps.Steps > 1 ? $", {steps.Mean * 1000:0} ms per step" : "") + $" — {e.Message.Split(';')[0]}");
    }
}

using (torch.no_grad())
{
    // One 128-image frozen-feature batch, for scale.
    baseModel.Call(images[..128], training: false).Dispose();
    var clock = Stopwatch.StartNew();
    baseModel.Call(images[..128], training: false).Dispose();
    Console.WriteLine($"one 128-image batch of the frozen base (libtorch): {clock.Elapsed.TotalMilliseconds:0} ms");
}

sealed class StepClock : Callback
{
    private long _begin;
    private double _total;
    public int Steps { get; private set; }
    public double Mean => _total / Math.Max(1, Steps - 1);
    public override void OnBatchBegin(int batch) => _begin = Stopwatch.GetTimestamp();
    public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs)
    {
        if (Steps++ > 0) _total += Stopwatch.GetElapsedTime(_begin).TotalSeconds;   // the first step warms up
    }
}
