using Tanuki.Callbacks;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;

namespace Tanuki.Tests.Callbacks;

/// <summary>ModelCheckpoint with the real Model.Save: the file it keeps is the best epoch's model.</summary>
public class ModelCheckpointSavingTests
{
    [Fact]
    public void TheBestOnlyFileHoldsTheModelOfTheBestEpoch()
    {
        TanukiInfo.SetRandomSeed(31);
        var g = new Generator(31);
        Tensor x = torch.randn(new long[] { 64, 4 }, generator: g), vx = torch.randn(new long[] { 32, 4 }, generator: g);
        Tensor y = (x.sum(new long[] { 1 }) > 0).to_type(ScalarType.Int64), vy = (vx.sum(new long[] { 1 }) > 0).to_type(ScalarType.Int64);
        var model = new Sequential(new Input(4), new Dense(8, activation: "relu"), new Dense(2));
        model.Compile(new SGD(0.5, momentum: 0.9), new SparseCategoricalCrossentropy(fromLogits: true));   // noisy on purpose
        string dir = Directory.CreateTempSubdirectory("tanuki-ckpt").FullName;
        try
        {
            string path = Path.Combine(dir, "best.tanuki");
            History h = model.Fit(x, y, epochs: 8, verbose: 0, validationData: (vx, vy), callbacks: [new ModelCheckpoint(path, saveBestOnly: true)]);
            Model best = Model.Load(path);
            best.Compile("sgd", new SparseCategoricalCrossentropy(fromLogits: true));
            Assert.Equal(h["val_loss"].Min(), best.Evaluate(vx, vy, verbose: 0)["loss"], 5);
            Assert.Single(Directory.GetFiles(dir));                 // no temporary files left behind
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
