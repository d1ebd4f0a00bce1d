using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;

namespace Tanuki.Tests.Training;

/// <summary>
/// Fit runs the model in training mode all the way down: a layer of the user's that calls a BatchNormalization without
/// passing <c>training</c> gets Fit's (as in Keras, through the call context), and a frozen one stays in inference mode.
/// </summary>
public class TrainingModeTests
{
    private sealed class Block : Layer
    {
        private readonly Dense _dense;
        public Block() => (_dense, Norm) = (Track(new Dense(4)), Track(new BatchNormalization()));
        public BatchNormalization Norm { get; }
        protected override Tensor Forward(Tensor x, bool training) => Norm.Call(_dense.Call(x));   // training not passed on
    }

    [Fact]
    public void ACustomLayersInnerBatchNormalizationTrainsDuringFit()
    {
        TanukiInfo.SetRandomSeed(3);
        var block = new Block();
        var model = new Sequential(new Input(3), block, new Dense(1));
        model.Compile(new SGD(0.01), new MeanSquaredError());
        Tensor before = block.Norm.MovingMean!.Value.clone();
        model.Fit(torch.rand(16, 3) * 4 + 2, torch.rand(16, 1), batchSize: 8, verbose: 0);
        Assert.False(TensorAssert.BitEqual(before, block.Norm.MovingMean.Value), "the inner BatchNormalization ran in inference mode");

        block.Trainable = false;
        before = block.Norm.MovingMean.Value.clone();
        model.Fit(torch.rand(16, 3) * 4 + 2, torch.rand(16, 1), batchSize: 8, verbose: 0);
        TensorAssert.Equal(before, block.Norm.MovingMean.Value);
    }
}
