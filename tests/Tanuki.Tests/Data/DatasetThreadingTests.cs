using System.Diagnostics;
using Tanuki.Data;

namespace Tanuki.Tests.Data;

/// <summary>Runs alone: it counts live tensors process-wide, which other tests running at the same time would change.</summary>
[CollectionDefinition(nameof(LiveTensorCount), DisableParallelization = true)]
public class LiveTensorCount;

/// <summary>Background workers: no tensor leaks across threads, and an abandoned enumeration stops its threads.</summary>
[Collection(nameof(LiveTensorCount))]
public class DatasetThreadingTests
{
    private static Dataset BigPipeline(int workers) =>
        Dataset.FromTensors(torch.rand(300, 3, 16, 16), torch.arange(300, dtype: ScalarType.Int64))
            .Shuffle(100, seed: 1)
            .Map((x, y) => (torch.nn.functional.interpolate(x.unsqueeze(0), [24, 24], mode: InterpolationMode.Bilinear).squeeze(0) + 1, y), workers)
            .Batch(32)
            .Map((x, y) => (x.flip(3), y), workers)
            .Prefetch(3);

    [Fact]
    public void EnumeratingABigPipelineSeveralTimesLeavesNoLiveTensors()
    {
        var ds = BigPipeline(workers: 2);
        Consume(ds, limit: int.MaxValue);          // warm up: the source tensors and any lazily made state
        GC.Collect(); GC.WaitForPendingFinalizers();
        long before = torch.Tensor.TotalCount;
        for (int pass = 0; pass < 3; pass++) Consume(ds, limit: int.MaxValue);
        Consume(ds, limit: 2);                     // abandoned after two batches: its buffers are disposed too
        long after = torch.Tensor.TotalCount;     // counted before any finalizer could hide a leak
        Assert.True(after - before <= 0, $"{after - before} tensors leaked over 4 passes");
    }

    [Fact]
    public void AbandoningAnEnumerationStopsItsWorkersPromptly()
    {
        // A slow Map upstream of a prefetch: breaking out of foreach must not hang on the workers.
        var ds = Dataset.FromTensors(torch.zeros(1000, 2), torch.zeros(1000, dtype: ScalarType.Int64))
            .Map((x, y) => { Thread.Sleep(5); return (x, y); }, numParallelCalls: 2).Batch(4).Prefetch(2);
        var clock = Stopwatch.StartNew();
        Consume(ds, limit: 3);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"stopping took {clock.Elapsed}");
        Assert.Equal(0, PipelineThreads.Live);               // Dispose (at the end of foreach) waited for every thread
    }

    [Fact]
    public void AnErrorStopsTheOtherWorkersAndLeaksNothing()
    {
        var ds = Dataset.FromTensors(torch.rand(200, 4), torch.arange(200, dtype: ScalarType.Int64))
            .Map((x, y) => y.item<long>() == 150 ? throw new InvalidOperationException("boom") : (x * 2, y), numParallelCalls: 2).Batch(10).Prefetch(2);
        Assert.Throws<DatasetException>(() => Consume(ds, int.MaxValue));   // warm-up pass
        GC.Collect(); GC.WaitForPendingFinalizers();
        long before = torch.Tensor.TotalCount;
        Assert.Throws<DatasetException>(() => Consume(ds, int.MaxValue));
        Assert.Equal(0, PipelineThreads.Live);
        Assert.True(torch.Tensor.TotalCount - before <= 0, $"{torch.Tensor.TotalCount - before} tensors leaked");
    }

    [Fact]
    public void BackgroundStagesWorkAheadOnlyAsFarAsTheirBuffers()
    {
        // However slow the consumer, a Map on 2 workers holds at most 4 elements ahead and a Prefetch(3) 3 more:
        // memory stays bounded for a source of any size (an upper bound, so no timing can make it fail).
        int produced = 0;
        var ds = Dataset.FromTensors(torch.zeros(10_000, 2), torch.zeros(10_000, dtype: ScalarType.Int64))
            .Map((x, y) => { Interlocked.Increment(ref produced); return (x, y); }, numParallelCalls: 2).Prefetch(3);
        using var e = ds.GetEnumerator();
        for (int consumed = 1; consumed <= 3; consumed++)
        {
            Assert.True(e.MoveNext());
            e.Current.Inputs.Dispose();
            e.Current.Targets.Dispose();
            Thread.Sleep(200);                                     // let the workers run as far ahead as they can
            int ahead = Volatile.Read(ref produced) - consumed;
            Assert.True(ahead <= 4 + 3 + 1, $"{ahead} elements made ahead of the consumer");   // + 1 in the prefetch feeder's hands
        }
    }

    private static void Consume(Dataset ds, int limit)
    {
        int n = 0;
        foreach (var (x, y) in ds)
        {
            using var scope = torch.NewDisposeScope();
            scope.Attach(x);
            scope.Attach(y);
            _ = x.sum().item<float>();
            if (++n >= limit) break;
        }
    }
}
