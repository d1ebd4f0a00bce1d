using Tanuki.Applications;
using Tanuki.FineTuning;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;

namespace Tanuki.Tests.Models;

/// <summary>
/// The fine-tuning step folds convolution → inference-mode BatchNormalization chains while recording gradients: the
/// loss and every weight's gradient must equal the unfused step's, moving statistics must stay put, and a normalization
/// on batch statistics must never be folded. Each test sets options on its own models only, so they run in parallel.
/// </summary>
public class TrainingFusionTests
{
    /// <summary>Relative tolerance on losses and on each gradient (its difference's norm over its norm).</summary>
    private const double Tolerance = 1e-5;

    private static void AssertSameStep(Model model, Tensor x, Tensor y) =>
        AssertSameStep(model, x, y, o => o.FuseFineTuningStep = false, o => o.FuseFineTuningStep = true);

    private static void AssertSameStep(Model model, Tensor x, Tensor y, Action<ExecutionOptions> reference, Action<ExecutionOptions> options)
    {
        var (plainLoss, plain) = FineTuningTestModels.Step(model, x, y, reference);
        var (fusedLoss, fused) = FineTuningTestModels.Step(model, x, y, options);
        Assert.True(Math.Abs(fusedLoss - plainLoss) <= Tolerance * Math.Abs(plainLoss), $"loss {fusedLoss} fused, {plainLoss} unfused");
        IReadOnlyList<Variable> weights = model.TrainableWeights;
        Assert.Equal(weights.Count, fused.Length);
        for (int i = 0; i < weights.Count; i++)
        {
            double norm = plain[i].norm().item<float>();
            double difference = (fused[i] - plain[i]).norm().item<float>();
            Assert.True(norm > 0, $"{weights[i].Name}: no gradient, the test would check nothing");
            Assert.True(difference <= Tolerance * norm, $"{weights[i].Name}: gradients differ by {difference / norm:E2} of their norm");
        }
    }

    [Fact]
    public void ResNet18FineTuningStepGivesTheUnfusedLossAndGradients()
    {
        TanukiInfo.SetRandomSeed(17);
        Model resnet = ResNet18.Create(weights: null, inputShape: [3, 32, 32]);
        FineTuningTestModels.RandomizeNormalizations(resnet);
        Model model = FineTuningTestModels.Classifier(resnet, [3, 32, 32], classes: 10);
        Tensor x = torch.randn(2, 3, 32, 32);
        Tensor y = torch.tensor(new long[] { 3, 7 });
        TrainingFusion fusion = resnet.FunctionalGraph!.TrainingFusion;
        Assert.Equal(FineTuningTestModels.All(resnet).Count(l => l is Conv2D), fusion.Chains);
        long before = fusion.Folds;
        AssertSameStep(model, x, y);
        Assert.Equal(before + fusion.Chains, fusion.Folds);   // the fused step folded every chain once
        Assert.Contains(model.TrainableWeights, w => w.Name.EndsWith("gamma", StringComparison.Ordinal));
    }

    /// <summary>A small MobileNet-like base: pointwise and depthwise convolutions, each with BN, ReLU, and a residual.</summary>
    private static Model DepthwiseBase()
    {
        var input = new Input(3, 16, 16);
        SymbolicTensor x = new ReLU().Call(new BatchNormalization().Call(new Conv2D(8, 3, strides: 2, padding: "same", useBias: false).Call(input)));
        SymbolicTensor d = new ReLU().Call(new BatchNormalization().Call(new DepthwiseConv2D(3, padding: "same", useBias: false).Call(x)));
        d = new BatchNormalization(epsilon: 1e-5).Call(new Conv2D(8, 1).Call(d));
        x = new ReLU().Call(new Add().Call(d, x));                                              // inverted-residual end
        x = new Activation("relu").Call(new BatchNormalization().Call(new DepthwiseConv2D(3, depthMultiplier: 2).Call(x)));
        return new Model(input, x);
    }

    [Fact]
    public void DepthwiseBaseFineTuningStepGivesTheUnfusedLossAndGradients()
    {
        TanukiInfo.SetRandomSeed(18);
        Model baseModel = DepthwiseBase();
        FineTuningTestModels.RandomizeNormalizations(baseModel);
        Model model = FineTuningTestModels.Classifier(baseModel, [3, 16, 16], classes: 4);
        Assert.Equal(4, baseModel.FunctionalGraph!.TrainingFusion.Chains);
        long before = baseModel.FunctionalGraph.TrainingFusion.Folds;
        AssertSameStep(model, torch.randn(3, 3, 16, 16), torch.tensor(new long[] { 0, 1, 3 }));
        Assert.Equal(before + 4, baseModel.FunctionalGraph.TrainingFusion.Folds);
    }

    [Fact]
    public void SequentialFineTuningStepGivesTheUnfusedLossAndGradients()
    {
        TanukiInfo.SetRandomSeed(19);
        var baseModel = new Sequential(new Input(3, 16, 16),
            new Conv2D(8, 3, padding: "same"), new BatchNormalization(), new ReLU(),
            new DepthwiseConv2D(3, padding: "same"), new BatchNormalization(), new ReLU(),
            new Conv2D(6, 1, useBias: false), new BatchNormalization());
        FineTuningTestModels.RandomizeNormalizations(baseModel);
        Model model = FineTuningTestModels.Classifier(baseModel, [3, 16, 16], classes: 3);
        Tensor x = torch.randn(2, 3, 16, 16), y = torch.tensor(new long[] { 2, 0 });
        AssertSameStep(model, x, y);
        // The fused forward differs in its last bits from the unfused one: the fold ran.
        Tensor Forward(bool fused)
        {
            model.Execution.FuseFineTuningStep = fused;
            return model.Call(x, training: true).detach();
        }
        Assert.False(TensorAssert.BitEqual(Forward(false), Forward(true)), "the fold did not run (the outputs are bit-identical)");
    }

    [Fact]
    public void TheFusedFineTuningStepTrainsGammaAndBetaButLeavesTheMovingStatistics()
    {
        TanukiInfo.SetRandomSeed(20);
        Model baseModel = DepthwiseBase();
        FineTuningTestModels.RandomizeNormalizations(baseModel);
        Model model = FineTuningTestModels.Classifier(baseModel, [3, 16, 16], classes: 4);
        model.Execution.FuseFineTuningStep = true;
        BatchNormalization[] norms = FineTuningTestModels.All(baseModel).OfType<BatchNormalization>().ToArray();
        Tensor[][] before = norms.Select(bn => bn.GetWeights()).ToArray();
        model.Compile(new SGD(0.1), new SparseCategoricalCrossentropy(fromLogits: true));
        long folds = baseModel.FunctionalGraph!.TrainingFusion.Folds;
        model.Fit(torch.randn(4, 3, 16, 16), torch.tensor(new long[] { 0, 1, 2, 3 }), batchSize: 4, epochs: 1, verbose: 0);
        Assert.True(baseModel.FunctionalGraph.TrainingFusion.Folds > folds, "Fit's step did not fold");
        for (int i = 0; i < norms.Length; i++)
        {
            Tensor[] after = norms[i].GetWeights();
            Assert.False(TensorAssert.BitEqual(before[i][0], after[0]), $"{norms[i].Name}: gamma did not train");
            Assert.False(TensorAssert.BitEqual(before[i][1], after[1]), $"{norms[i].Name}: beta did not train");
            TensorAssert.Equal(before[i][2], after[2]);   // moving mean
            TensorAssert.Equal(before[i][3], after[3]);   // moving variance
        }
    }

    [Fact]
    public void NormalizationOnBatchStatisticsIsNeverFolded()
    {
        TanukiInfo.SetRandomSeed(21);
        Model baseModel = DepthwiseBase();
        FineTuningTestModels.RandomizeNormalizations(baseModel);
        Model model = FineTuningTestModels.Classifier(baseModel, [3, 16, 16], classes: 4, baseTraining: null);   // training: true in Fit
        Tensor x = torch.randn(3, 3, 16, 16);
        BatchNormalization first = FineTuningTestModels.All(baseModel).OfType<BatchNormalization>().First();
        Tensor mean = first.MovingMean!.Value.clone();
        Tensor Forward(bool fused)
        {
            model.Execution.FuseFineTuningStep = fused;
            return model.Call(x, training: true).detach();
        }
        Tensor plain = Forward(false);
        TensorAssert.Equal(plain, Forward(true));
        Assert.Equal(0, baseModel.FunctionalGraph!.TrainingFusion.Folds);
        Assert.False(TensorAssert.BitEqual(mean, first.MovingMean.Value), "the moving mean did not move: BN did not run on batch statistics");

        // A frozen normalization runs in inference mode whatever training says (Keras), so it may be folded.
        foreach (BatchNormalization bn in FineTuningTestModels.All(baseModel).OfType<BatchNormalization>()) bn.Trainable = false;
        Forward(true);
        Assert.Equal(4, baseModel.FunctionalGraph.TrainingFusion.Folds);
    }

    [Fact]
    public void ChannelsLastTrainingGivesTheSameLossAndGradients()
    {
        TanukiInfo.SetRandomSeed(23);
        Model baseModel = DepthwiseBase();
        FineTuningTestModels.RandomizeNormalizations(baseModel);
        Model model = FineTuningTestModels.Classifier(baseModel, [3, 16, 16], classes: 4);
        Tensor x = torch.randn(2, 3, 16, 16), y = torch.tensor(new long[] { 1, 2 });
        model.Execution.ChannelsLastTrainingMinimumPixels = 0;   // 16² images: below the default size
        AssertSameStep(model, x, y, o => o.ChannelsLastTraining = false, o => o.ChannelsLastTraining = true);
        baseModel.Execution.ChannelsLastTraining = true;   // called directly, the base follows its own options
        Assert.False(MemoryLayout.IsChannelsLast(baseModel.Call(x, training: true)), "channels-last applied below ChannelsLastTrainingMinimumPixels");
        baseModel.Execution.ChannelsLastTrainingMinimumPixels = 16 * 16;
        Assert.True(MemoryLayout.IsChannelsLast(baseModel.Call(x, training: true)), "channels-last did not apply");
        baseModel.Execution.ChannelsLastTraining = false;
        Assert.False(MemoryLayout.IsChannelsLast(baseModel.Call(x, training: true)));
    }

    [Fact]
    public void TheRecipesClassifierAt128TrainsChannelsLastWithTheSameLossAndGradients()
    {
        // What tanuki train fine-tunes (preprocessing → pretrained base called with training: false → GAP → Dense), at the
        // smallest size where channels-last training is on by default; no augmentation or dropout, so both steps see
        // the same batch.
        TanukiInfo.SetRandomSeed(24);
        var transfer = TransferModel.Create(ImageBase.ResNet18, 3, imageSize: 128, augment: [], dropout: 0);
        transfer.Base.Trainable = true;
        Model model = transfer.Classifier;
        Tensor x = torch.rand([2, 3, 128, 128], generator: new torch.Generator(25)) * 255, y = torch.tensor(new long[] { 0, 2 });
        using (var tape = new GradientTape()) Assert.True(MemoryLayout.UseChannelsLast(model.FunctionalGraph!, [x], model.Execution), "not channels-last by default at 128²");
        AssertSameStep(model, x, y, o => o.ChannelsLastTraining = false, o => o.ChannelsLastTraining = true);
    }

    [Fact]
    public void TheOuterModelsOptionsApplyToItsNestedBase()
    {
        TanukiInfo.SetRandomSeed(22);
        Model baseModel = DepthwiseBase();
        Model model = FineTuningTestModels.Classifier(baseModel, [3, 16, 16], classes: 4);
        Tensor x = torch.randn(1, 3, 16, 16);
        TrainingFusion fusion = baseModel.FunctionalGraph!.TrainingFusion;
        model.Execution.FuseFineTuningStep = false;
        model.Call(x, training: true);
        Assert.Equal(0, fusion.Folds);                   // the base set nothing: it follows the classifier
        baseModel.Execution.InferenceFusion = false;     // an option of its own: the ones it did not set still follow
        model.Call(x, training: true);
        Assert.Equal(0, fusion.Folds);
        model.Execution.FuseFineTuningStep = true;
        model.Call(x, training: true);
        Assert.Equal(4, fusion.Folds);
        baseModel.Execution.FuseFineTuningStep = false;  // what the base sets for itself wins over its caller
        model.Call(x, training: true);
        Assert.Equal(4, fusion.Folds);
        var options = new ExecutionOptions();
        Assert.True(options.FuseFineTuningStep);   // on by default, following the process defaults until set
        options.FuseFineTuningStep = false;
        options.Reset();
        Assert.True(options.FuseFineTuningStep);
    }
}
