using System.IO.Compression;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;

namespace Tanuki.Tests.Saving;

/// <summary>
/// Checkpoint and resume: a <c>.tanuki</c> file with the optimizer's state and the epoch, loaded and compiled, trains on
/// as if training had not stopped; a file without them loads as before.
/// </summary>
public sealed class CheckpointResumeTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// A compiled model; given <paramref name="weights"/>, with exactly those initial weights. (Copied, not drawn again
    /// from a reseeded global generator: tests running in parallel draw from that generator too.)
    /// </summary>
    private static Model Fresh(IReadOnlyList<Tensor>? weights = null)
    {
        var model = new Sequential(new Input(6), new Dense(8, activation: "relu"), new BatchNormalization(), new Dense(3));
        if (weights is not null) model.SetWeights(weights);
        Compile(model);
        return model;
    }

    private static void Compile(Model model) =>
        model.Compile(new Adam(0.01), new SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);

    private static (Tensor X, Tensor Y) Data()
    {
        var g = new Generator(5);
        return (torch.randn(new long[] { 60, 6 }, generator: g), torch.randint(0, 3, new long[] { 60 }, generator: g));
    }

    private static History Train(Model model, int epochs, int initialEpoch = 0)
    {
        var (x, y) = Data();
        return model.Fit(x, y, batchSize: 16, epochs: epochs, initialEpoch: initialEpoch, verbose: 0, shuffle: false);   // 4 steps per epoch
    }

    private static double MaxDifference(Model a, Model b) =>
        a.GetWeights().Zip(b.GetWeights()).Max(p => (p.First - p.Second).abs().max().item<float>());

    [Fact]
    public void TwoEpochsSavedLoadedAndTwoMoreEqualFourStraight()
    {
        Model straight = Fresh();
        Tensor[] initial = straight.GetWeights();
        Train(straight, 4);

        Model first = Fresh(initial);
        Train(first, 2);
        string path = _dir.File("checkpoint.tanuki");
        first.Save(path);
        using (ZipArchive zip = ZipFile.OpenRead(path))
            Assert.Equal(["metadata.json", "config.json", "model.safetensors", "optimizer.json", "optimizer.safetensors"], zip.Entries.Select(e => e.FullName));

        Model resumed = Model.Load(path);
        Assert.Equal(2, resumed.CompletedEpochs);
        Compile(resumed);
        Assert.Equal(8, resumed.Optimizer!.Iterations);                      // 2 epochs × 4 steps, restored
        History h = Train(resumed, 4, initialEpoch: resumed.CompletedEpochs);
        Assert.Equal([2, 3], h.Epochs);
        Assert.Equal(16, resumed.Optimizer.Iterations);
        Assert.Equal(4, resumed.CompletedEpochs);
        Assert.True(MaxDifference(straight, resumed) < 1e-5, $"max difference {MaxDifference(straight, resumed)}");

        // Without the optimizer's state the same resume is not the same training: the check above can fail.
        first.Save(path, includeOptimizer: false);
        Model afresh = Model.Load(path);   // the weights after 2 epochs, like `first`
        Compile(afresh);
        Assert.Equal(0, afresh.Optimizer!.Iterations);
        Train(afresh, 4, initialEpoch: afresh.CompletedEpochs);
        Assert.True(MaxDifference(straight, afresh) > 1e-3, $"max difference {MaxDifference(straight, afresh)}");
    }

    [Fact]
    public void AFileWithoutOptimizerStateLoadsAsBeforeAndAnotherKindOfOptimizerStartsAfresh()
    {
        Model model = Fresh();
        string plain = _dir.File("plain.tanuki");
        model.Save(plain);                                                   // never trained: no state, no epoch
        using (ZipArchive zip = ZipFile.OpenRead(plain))
            Assert.Equal(["metadata.json", "config.json", "model.safetensors"], zip.Entries.Select(e => e.FullName));
        Model loaded = Model.Load(plain);
        Assert.Equal(0, loaded.CompletedEpochs);
        Compile(loaded);
        Train(loaded, 1);
        Assert.Equal(4, loaded.Optimizer!.Iterations);

        string withState = _dir.File("adam.tanuki");
        loaded.Save(withState);
        Model other = Model.Load(withState);
        other.Compile(new SGD(0.1, momentum: 0.9), new SparseCategoricalCrossentropy(fromLogits: true));
        Assert.Equal(0, other.Optimizer!.Iterations);                        // Adam's moments are not SGD's momentum
        Compile(other);                                                      // the Adam compiled next takes them
        Assert.Equal(4, other.Optimizer!.Iterations);
    }
}
