using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;

namespace Tanuki.Tests.Training;

[Collection(NonParallel.Name)]
public class MemoryTests
{
    /// <summary>
    /// 2,000 training steps (plus evaluation and prediction) must not accumulate native tensors: the live-tensor
    /// count after the run equals the count after a warm-up, within a small bound, and RSS stays within 32 MiB.
    /// </summary>
    [Fact]
    public void MemoryStaysFlatOverTwoThousandSteps()
    {
        TanukiInfo.SetRandomSeed(10);
        var model = new Sequential(new Input(8), new Dense(16, activation: "relu"), new BatchNormalization(), new Dropout(0.1), new Dense(3));
        model.Compile(new Adam(), new SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        Tensor x = torch.randn(64, 8), y = torch.randint(0, 3, new long[] { 64 });

        model.Fit(x, y, batchSize: 8, epochs: 125, verbose: 0);        // warm-up: 1,000 steps (JIT, allocator, thread pools)
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        long liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        long rssBefore = Environment.WorkingSet;

        model.Fit(x, y, batchSize: 8, epochs: 250, verbose: 0);        // 2,000 steps
        model.Evaluate(x, y, verbose: 0);
        model.Predict(x).Dispose();
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        long liveAfter = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        long rssAfter = Environment.WorkingSet;

        Assert.True(liveAfter - liveBefore <= 8, $"live tensors grew from {liveBefore} to {liveAfter}");
        Assert.True(rssAfter - rssBefore < 32L << 20, $"RSS grew by {(rssAfter - rssBefore) >> 20} MiB");
    }
}
