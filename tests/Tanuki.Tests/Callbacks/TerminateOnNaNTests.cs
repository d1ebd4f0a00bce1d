using Tanuki.Callbacks;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;

namespace Tanuki.Tests.Callbacks;

public class TerminateOnNaNTests
{
    private static (Sequential Model, Tensor X, Tensor Y) Problem()
    {
        TanukiInfo.SetRandomSeed(6);
        var model = new Sequential(new Input(2), new Dense(1));
        model.Compile(new SGD(0.1), new MeanSquaredError());
        Tensor x = torch.randn(8, 2), y = torch.randn(8, 1);
        y[5, 0] = torch.tensor(float.NaN);                              // batch index 2 (batches of 2, not shuffled) has a NaN target
        return (model, x, y);
    }

    [Fact]
    public void StopsAtTheBatchWithANaNLossAndKeepsTheLastFiniteWeights()
    {
        var (model, x, y) = Problem();
        var output = new StringWriter();
        var nan = new TerminateOnNaN { Output = output };
        var batches = new WeightsAfterEachBatch();
        History h = model.Fit(x, y, batchSize: 2, epochs: 3, verbose: 0, shuffle: false, callbacks: [nan, batches], validationData: (x[..4], y[..4]));

        Assert.Equal((0, 2), nan.StoppedAt);
        Assert.Contains("Batch 2: Invalid loss, terminating training", output.ToString());
        Assert.Single(h.Epochs);                                         // the epoch ended normally, then training stopped
        Assert.True(double.IsNaN(h["loss"][0]));
        Assert.True(double.IsFinite(h["val_loss"][0]));
        Tensor[] now = model.GetWeights();
        for (int i = 0; i < now.Length; i++) TensorAssert.Equal(batches.After[1][i], now[i]);   // the NaN batch changed nothing
    }

    [Fact]
    public void WithoutItFitThrowsATrainingException()
    {
        var (model, x, y) = Problem();
        var e = Assert.Throws<TrainingException>(() => model.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0, shuffle: false));
        Assert.Equal(3, e.Step);
    }

    private sealed class WeightsAfterEachBatch : Callback
    {
        public List<Tensor[]> After { get; } = new();
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs) => After.Add(Model!.GetWeights());
    }
}
