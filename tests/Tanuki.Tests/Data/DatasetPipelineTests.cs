using Tanuki.Data;

namespace Tanuki.Tests.Data;

/// <summary>tf.data semantics of the pipeline steps, checked on datasets whose element i carries the number i.</summary>
public class DatasetPipelineTests
{
    /// <summary>Element i is (x = [i, i], y = i).</summary>
    internal static Dataset Numbers(int n) =>
        Dataset.FromTensors(torch.arange(n, dtype: ScalarType.Float32).unsqueeze(1).expand(n, 2).contiguous(), torch.arange(n, dtype: ScalarType.Int64));

    /// <summary>The labels of every element in order (flattening batches), disposing the elements.</summary>
    internal static List<long> Labels(Dataset ds)
    {
        var labels = new List<long>();
        foreach (var (x, y) in ds)
        {
            labels.AddRange(y.data<long>().ToArray());
            x.Dispose();
            y.Dispose();
        }
        return labels;
    }

    [Fact]
    public void FromTensorsYieldsSamplesAsCopies()
    {
        using var x = torch.arange(6, dtype: ScalarType.Float32).reshape(3, 2);
        using var y = torch.tensor(new long[] { 7, 8, 9 });
        var ds = Dataset.FromTensors(x, y, ["a", "b"]);
        Assert.Equal(3, ds.Cardinality);
        Assert.False(ds.IsBatched);
        Assert.Equal(["a", "b"], ds.ClassNames!);
        var elements = ds.ToList();
        Assert.Equal(new long[] { 2 }, elements[1].Inputs.shape);
        Assert.Equal(new float[] { 2, 3 }, elements[1].Inputs.data<float>().ToArray());
        Assert.Equal(8, elements[1].Targets.item<long>());
        elements[1].Inputs.add_(100);                   // the consumer owns its copy
        Assert.Equal(2f, x[1, 0].item<float>());
        foreach (var e in elements) { e.Inputs.Dispose(); e.Targets.Dispose(); }
    }

    [Fact]
    public void FromArraysConvertsLikeKeras()
    {
        var ds = Dataset.FromTensors(new float[,] { { 1, 2 }, { 3, 4 } }, new[] { 0, 1 });
        var (x, y) = ds.First();
        Assert.Equal(ScalarType.Float32, x.dtype);
        Assert.Equal(ScalarType.Int64, y.dtype);
        Assert.Throws<ArgumentException>(() => Dataset.FromTensors(new float[3, 2], new int[2]));
    }

    [Fact]
    public void BatchStacksAndKeepsOrDropsTheRemainder()
    {
        var ds = Numbers(10).Batch(4);
        Assert.True(ds.IsBatched);
        Assert.Equal(3, ds.Cardinality);
        var shapes = ds.Select(e => e.Inputs.shape[0]).ToList();
        Assert.Equal(new long[] { 4, 4, 2 }, shapes);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), Labels(ds));
        var dropped = Numbers(10).Batch(4, dropRemainder: true);
        Assert.Equal(2, dropped.Cardinality);
        Assert.Equal(8, Labels(dropped).Count);
    }

    [Fact]
    public void BatchOfDifferentShapesSaysWhichElements()
    {
        var ds = Numbers(4).Map((x, y) => (y.item<long>() == 2 ? torch.zeros(3) : x, y)).Batch(4);
        var e = Assert.Throws<DatasetException>(() => ds.ToList());
        Assert.Contains("element 0 has shape (2,)", e.Message);
        Assert.Contains("element 2 has shape (3,)", e.Message);
    }

    [Fact]
    public void ShuffleIsAPermutationReproducibleWithASeedAndNewEachEpoch()
    {
        var ds = Numbers(50).Shuffle(50, seed: 3);
        List<long> first = Labels(ds), second = Labels(ds);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), first.Order());
        Assert.NotEqual(Enumerable.Range(0, 50).Select(i => (long)i), first);
        Assert.NotEqual(first, second);                                        // reshuffled each epoch
        Assert.Equal(first, Labels(Numbers(50).Shuffle(50, seed: 3)));          // same seed, same sequence
        Assert.Equal(first, Labels(Numbers(50).Shuffle(50, seed: 3, reshuffleEachIteration: false)));
        var fixedOrder = Numbers(50).Shuffle(50, seed: 3, reshuffleEachIteration: false);
        Assert.Equal(Labels(fixedOrder), Labels(fixedOrder));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), Labels(Numbers(50).Shuffle(1, seed: 3)));  // a buffer of 1 keeps the order
    }

    [Fact]
    public void ASmallShuffleBufferOnlyMixesNeighbours()
    {
        // With a buffer of 5, element i cannot come out before position i - 4 (tf.data's buffer semantics).
        List<long> order = Labels(Numbers(100).Shuffle(5, seed: 1));
        for (int pos = 0; pos < order.Count; pos++) Assert.True(order[pos] <= pos + 4, $"element {order[pos]} at position {pos}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void MapAppliesTheFunctionInOrderOnAnyNumberOfWorkers(int workers)
    {
        var ds = Numbers(40).Map((x, y) => (x * 2, y + 1), numParallelCalls: workers).Batch(8);
        Assert.Equal(5, ds.Cardinality);
        var inputs = new List<float>();
        var labels = new List<long>();
        foreach (var (x, y) in ds)
        {
            inputs.AddRange(x[TensorIndex.Colon, 0].data<float>().ToArray());
            labels.AddRange(y.data<long>().ToArray());
            x.Dispose(); y.Dispose();
        }
        Assert.Equal(Enumerable.Range(0, 40).Select(i => 2f * i), inputs);
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), labels);
    }

    [Fact]
    public void MapOnInputsKeepsTargets()
    {
        var (x, y) = Numbers(3).Map(x => x + 10).Skip(2).First();
        Assert.Equal(12f, x[0].item<float>());
        Assert.Equal(2L, y.item<long>());
    }

    [Fact]
    public void MapMayReturnACapturedTensorWithoutTheConsumerBreakingIt()
    {
        using var constant = torch.ones(2);
        var ds = Numbers(3).Map((x, y) => (constant, y));
        foreach (var (x, y) in ds) { x.Dispose(); y.Dispose(); }     // disposes handles, not `constant`
        Assert.Equal(2f, constant.sum().item<float>());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void AnErrorInMapSurfacesOnTheConsumerWithTheElementAndTheCause(int workers)
    {
        var ds = Numbers(20).Map((x, y) => y.item<long>() == 13 ? throw new FormatException("bad sample") : (x, y), numParallelCalls: workers);
        int seen = 0;
        var e = Assert.Throws<DatasetException>(() =>
        {
            foreach (var (x, y) in ds) { seen++; x.Dispose(); y.Dispose(); }
        });
        Assert.Equal(13, seen);                       // the elements before it arrived, in order
        Assert.Contains("element 13", e.Message);
        Assert.Contains("bad sample", e.Message);
        Assert.IsType<FormatException>(e.InnerException);
    }

    [Fact]
    public void AnErrorUpstreamOfAPrefetchSurfacesToo()
    {
        var ds = Numbers(10).Map((x, y) => y.item<long>() == 5 ? throw new InvalidOperationException("upstream broke") : (x, y)).Prefetch(3);
        var e = Assert.Throws<DatasetException>(() => Labels(ds));
        Assert.Contains("upstream broke", e.Message);
    }

    [Fact]
    public void PrefetchYieldsTheSameElements()
    {
        Assert.Equal(Labels(Numbers(30).Batch(7)), Labels(Numbers(30).Batch(7).Prefetch(2)));
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), Labels(Numbers(30).Map((x, y) => (x, y), 2).Prefetch()));
    }

    [Fact]
    public void TakeAndSkip()
    {
        Assert.Equal(new long[] { 0, 1, 2 }, Labels(Numbers(10).Take(3)));
        Assert.Equal(new long[] { 7, 8, 9 }, Labels(Numbers(10).Skip(7)));
        Assert.Equal(3, Numbers(10).Skip(7).Cardinality);
        Assert.Equal(0, Numbers(10).Skip(70).Cardinality);
        Assert.Equal(10, Numbers(10).Take(70).Cardinality);
        Assert.Equal(new long[] { 4, 5 }, Labels(Numbers(10).Skip(4).Take(2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Numbers(3).Take(-1));
    }

    [Fact]
    public void CacheInMemoryRunsTheUpstreamOnceAndOnlyAfterACompletePass()
    {
        int calls = 0;
        var ds = Numbers(6).Map((x, y) => { Interlocked.Increment(ref calls); return (x, y); }).Cache();
        Assert.Equal(new long[] { 0, 1 }, Labels(ds.Take(2)));       // an incomplete pass caches nothing
        Assert.Equal(2, calls);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (long)i), Labels(ds));
        Assert.Equal(8, calls);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (long)i), Labels(ds));
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (long)i), Labels(ds.Shuffle(6, seed: 1).Batch(3)).Order());
        Assert.Equal(8, calls);
    }

    [Fact]
    public void CacheInAFileIsReadByALaterPipeline()
    {
        string dir = TempFolder.Create();
        string file = Path.Combine(dir, "cache", "numbers.cache");
        int calls = 0;
        var ds = Numbers(5).Map((x, y) => { calls++; return (x * 3, y); }).Cache(file);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => (long)i), Labels(ds));
        Assert.True(File.Exists(file));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(file)!, "*.partial"));
        var again = Numbers(5).Map((x, y) => { calls++; return (x, y); }).Cache(file);   // a later run: reads the file
        var (x3, y3) = again.Skip(3).First();
        Assert.Equal(9f, x3[0].item<float>());
        Assert.Equal(5, calls);
        File.WriteAllText(file, "not a cache");
        var e = Assert.Throws<InvalidDataException>(() => Labels(again));
        Assert.Contains(file, e.Message);
    }

    [Fact]
    public void SplitIsDisjointCompleteAndReproducible()
    {
        var (left, right) = Numbers(20).Split(0.75, seed: 7);
        List<long> l = Labels(left), r = Labels(right);
        Assert.Equal(15, left.Cardinality);
        Assert.Equal(5, right.Cardinality);
        Assert.Equal(15, l.Count);
        Assert.Empty(l.Intersect(r));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), l.Concat(r).Order());
        Assert.NotEqual(Enumerable.Range(15, 5).Select(i => (long)i), r);       // seeded: a random partition
        var (left2, right2) = Numbers(20).Split(0.75, seed: 7);
        Assert.Equal(l, Labels(left2));
        Assert.Equal(r, Labels(right2));
        var (first, rest) = Numbers(10).Split(0.3);
        Assert.Equal(new long[] { 0, 1, 2 }, Labels(first));
        Assert.Equal(7, Labels(rest).Count);
    }

    [Fact]
    public void SplitOfAPipelineFiltersTheSameWay()
    {
        var (left, right) = Numbers(12).Map((x, y) => (x, y)).Split(0.5, seed: 2);
        List<long> l = Labels(left), r = Labels(right);
        Assert.Equal(6, l.Count);
        Assert.Empty(l.Intersect(r));
        Assert.Equal(l, Labels(left));
    }

    [Fact]
    public void SplitRefusesAReshufflingDatasetAndEmptySides()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Numbers(10).Shuffle(10).Split(0.5));
        Assert.Contains("Split first, then Shuffle", e.Message);
        Assert.Throws<ArgumentException>(() => Numbers(3).Split(0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Numbers(3).Split(1.0));
    }

    [Fact]
    public void FitTrainsOnAPipeline()
    {
        TanukiInfo.SetRandomSeed(2);
        var x = torch.randn(64, 4);
        var y = (x.sum(1, keepdim: true) > 0).to_type(ScalarType.Float32);
        var ds = Dataset.FromTensors(x, y).Shuffle(64, seed: 1).Batch(16).Map((a, b) => (a * 1, b), 2).Prefetch();
        var model = new Sequential(new Input(4), new Tanuki.Layers.Dense(1));
        model.Compile(optimizer: "adam", loss: "binary_crossentropy");
        History h = model.Fit(ds, epochs: 2, verbose: 0);
        Assert.Equal(2, h.Metrics["loss"].Count);
        Assert.Equal(64, model.Predict(Dataset.FromTensors(x, y).Batch(10)).shape[0]);
    }
}
