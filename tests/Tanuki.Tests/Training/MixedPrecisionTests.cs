using Tanuki.Applications;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;
using Tanuki.Tests.Models;
using F = TorchSharp.torch.nn.functional;

namespace Tanuki.Tests.Training;

/// <summary>
/// <see cref="TrainingPrecision.MixedBFloat16"/>: while gradients are recorded, convolutions and dense layers compute in
/// bfloat16 (checked against the same products computed by hand in bfloat16), the step stays within bfloat16's
/// precision of the float32 step, and weights, gradients, statistics, outputs and inference stay float32. Each test sets
/// the option on its own models only.
/// </summary>
public class MixedPrecisionTests
{
    /// <summary>Input(3, 6, 6) → Conv2D(4, 3) → Flatten → Dense(2): two products and nothing between them but a reshape.</summary>
    private static Model ConvDense(int seed)
    {
        TanukiInfo.SetRandomSeed(seed);
        var input = new Input(3, 6, 6);
        SymbolicTensor h = new Flatten().Call(new Conv2D(4, 3, name: "conv").Call(input));
        return new Model(input, new Dense(2, name: "dense").Call(h));
    }

    [Fact]
    public void ConvolutionsAndDenseLayersComputeInBFloat16WhileGradientsAreRecorded()
    {
        Model model = ConvDense(31);
        model.Execution.TrainingPrecision = TrainingPrecision.MixedBFloat16;
        Tensor x = torch.randn([2, 3, 6, 6], generator: new torch.Generator(32));
        var (k, b) = (model.GetLayer("conv").Weights[0].Value, model.GetLayer("conv").Weights[1].Value);
        var (w, c) = (model.GetLayer("dense").Weights[0].Value, model.GetLayer("dense").Weights[1].Value);

        // By hand: both products in bfloat16 from bfloat16 copies of the float32 weights, the result back in float32.
        var sources = new[] { k, b, w, c }.Select(t => t.detach().clone().requires_grad_(true)).ToArray();
        Tensor bf(Tensor t) => t.to(torch.ScalarType.BFloat16);
        Tensor conv = F.conv2d(bf(x), bf(sources[0]), bf(sources[1]));
        Tensor expected = torch.addmm(bf(sources[3]), conv.flatten(1), bf(sources[2]), 1, 1).to(torch.ScalarType.Float32);
        Tensor[] expectedGradients = torch.autograd.grad([expected.square().sum()], sources).ToArray();

        using var tape = new GradientTape();
        Tensor y = model.Call(x, training: true);
        Assert.Equal(torch.ScalarType.Float32, y.dtype);
        TensorAssert.Close(expected.detach(), y.detach(), atol: 1e-6);
        Tensor[] gradients = tape.Gradient(y.square().sum(), model.TrainableWeights);
        Assert.Equal(4, gradients.Length);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(torch.ScalarType.Float32, gradients[i].dtype);
            TensorAssert.Close(expectedGradients[i], gradients[i], atol: 1e-5, rtol: 1e-5);
        }

        // The same call in float32 differs by bfloat16's rounding: the comparison above could fail.
        model.Execution.TrainingPrecision = TrainingPrecision.Float32;
        Tensor exact = model.Call(x, training: true).detach();
        double difference = TensorAssert.MaxAbsDiff(exact, y.detach());
        Assert.InRange(difference, 1e-4, 0.05 * exact.abs().max().item<float>());
    }

    [Fact]
    public void InferenceStaysFloat32UnderMixedPrecision()
    {
        Model model = ConvDense(33);
        Tensor x = torch.randn([5, 3, 6, 6], generator: new torch.Generator(34));
        model.Execution.InferenceEngine = InferenceEngine.LibTorch;
        Tensor plain = model.Predict(x, batchSize: 5);
        model.Execution.TrainingPrecision = TrainingPrecision.MixedBFloat16;
        TensorAssert.Equal(plain, model.Predict(x, batchSize: 5));
        using (torch.no_grad()) TensorAssert.Equal(plain, model.Call(x));
    }

    /// <summary>
    /// Every kernel of the layers given drawn again from <paramref name="seed"/>'s own generator (normal, variance
    /// 1 / fan-in), biases zero: weights drawn from the global generator depend on what tests running beside this
    /// one drew, and the bfloat16 error with them.
    /// </summary>
    private static void Draw(IEnumerable<Layer> layers, int seed)
    {
        var g = new torch.Generator((ulong)seed);
        foreach (Layer layer in layers)
        {
            var (kernel, bias) = layer switch
            {
                Dense d => (d.Kernel!, d.Bias),
                Conv2D c => (c.Kernel!, c.Bias),
                DepthwiseConv2D c => (c.Kernel!, c.Bias),
                _ => (null, null),
            };
            if (kernel is null) continue;
            long fanIn = layer is Dense ? kernel.Shape[0] : kernel.Shape.Skip(1).Aggregate(1L, (a, b) => a * b);
            kernel.Assign(torch.randn(kernel.Shape, generator: g) / Math.Sqrt(fanIn));
            bias?.Assign(torch.zeros(bias.Shape));
        }
    }

    /// <summary>
    /// The mixed step's loss within <paramref name="lossTolerance"/> of float32's, and all gradients together pointing
    /// the same way (cosine at least <paramref name="minCosine"/>); and not equal, so the mixed step did run in
    /// bfloat16. bfloat16 keeps 8 bits of mantissa, about 0.4% per rounding, through ~20 layers; PyTorch's autocast to
    /// bfloat16 differs from its float32 step as much (benchmarks/README.md).
    /// </summary>
    private static void AssertCloseToFloat32(Model model, Tensor x, Tensor y, double lossTolerance, double minCosine)
    {
        var (exactLoss, exact) = FineTuningTestModels.Step(model, x, y, o => o.TrainingPrecision = TrainingPrecision.Float32);
        var (mixedLoss, mixed) = FineTuningTestModels.Step(model, x, y, o => o.TrainingPrecision = TrainingPrecision.MixedBFloat16);
        Assert.Equal(model.TrainableWeights.Count, mixed.Length);
        Assert.All(mixed, g => Assert.Equal(torch.ScalarType.Float32, g.dtype));
        Tensor e = torch.cat(exact.Select(t => t.flatten()).ToArray()).to(torch.ScalarType.Float64);
        Tensor m = torch.cat(mixed.Select(t => t.flatten()).ToArray()).to(torch.ScalarType.Float64);
        double cosine = (e.dot(m) / (e.norm() * m.norm())).item<double>();
        double relative = ((m - e).norm() / e.norm()).item<double>();
        Assert.True(Math.Abs(mixedLoss - exactLoss) <= lossTolerance * Math.Abs(exactLoss), $"loss {mixedLoss} mixed, {exactLoss} float32");
        Assert.True(cosine >= minCosine, $"the gradients' cosine is {cosine:0.0000} (they differ by {relative:P1} of their norm)");
        Assert.True(relative > 1e-4, $"the mixed step's gradients equal float32's to {relative:E1}: it did not compute in bfloat16");
    }

    [Theory]
    // Fine-tuning, BatchNormalization in inference mode and folded into the convolutions: measured cosine 0.996 (9% apart).
    [InlineData(false, 0.99)]
    // Full training, BatchNormalization on batch statistics: its backward subtracts the batch means of the incoming
    // gradient, which cancels most of it and leaves bfloat16's rounding larger: measured cosine 0.86 (54% apart).
    [InlineData(true, 0.8)]
    public void PretrainedResNet18StepUnderMixedPrecisionIsWithinBFloat16OfFloat32(bool baseTraining, double minCosine)
    {
        TanukiInfo.SetRandomSeed(35);
        Model resnet = ResNet18.Create("imagenet", includeTop: false, inputShape: [3, 64, 64]);
        Model model = FineTuningTestModels.Classifier(resnet, [3, 64, 64], classes: 10, baseTraining ? null : false);
        Draw(model.Layers.OfType<Dense>(), 40);                              // the new head
        Tensor x = torch.rand([8, 3, 64, 64], generator: new torch.Generator(36)) * 255;
        AssertCloseToFloat32(model, x, torch.tensor(new long[] { 3, 7, 0, 9, 1, 2, 5, 8 }), lossTolerance: 0.02, minCosine);
        foreach (BatchNormalization bn in FineTuningTestModels.All(resnet).OfType<BatchNormalization>())
        {
            Assert.Equal(torch.ScalarType.Float32, bn.MovingMean!.Value.dtype);
            Assert.Equal(torch.ScalarType.Float32, bn.MovingVariance!.Value.dtype);
        }
    }

    [Fact]
    public void DepthwiseAndLayerNormalizationStepUnderMixedPrecisionIsWithinBFloat16OfFloat32()
    {
        TanukiInfo.SetRandomSeed(37);
        var input = new Input(3, 16, 16);
        SymbolicTensor h = new ReLU().Call(new BatchNormalization().Call(new Conv2D(8, 3, strides: 2, padding: "same", useBias: false).Call(input)));
        SymbolicTensor d = new BatchNormalization().Call(new DepthwiseConv2D(3, padding: "same").Call(h));
        h = new Add().Call(new Conv2D(8, 1).Call(new ReLU().Call(d)), h);
        h = new LayerNormalization(axis: [1]).Call(h);                        // ConvNeXt's normalization, channels axis
        Model baseModel = new(input, h);
        FineTuningTestModels.RandomizeNormalizations(baseModel, new torch.Generator(42));
        Model model = FineTuningTestModels.Classifier(baseModel, [3, 16, 16], classes: 4, baseTraining: false);
        Draw(FineTuningTestModels.All(model), 41);
        AssertCloseToFloat32(model, torch.randn([3, 3, 16, 16], generator: new torch.Generator(38)), torch.tensor(new long[] { 0, 1, 3 }),
                             lossTolerance: 0.02, minCosine: 0.99);
    }

    [Fact]
    public void FitUnderMixedPrecisionLearnsAndKeepsItsStateFloat32()
    {
        Model model = ConvDense(39);
        model.Execution.TrainingPrecision = TrainingPrecision.MixedBFloat16;
        var g = new torch.Generator(40);
        Tensor x = torch.randn([32, 3, 6, 6], generator: g);
        Tensor y = (x[.., 0].mean([1, 2]) > 0).to(torch.ScalarType.Int64);   // a label the convolution can see
        model.Compile(new Adam(0.01), new SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        History history = model.Fit(x, y, batchSize: 8, epochs: 15, verbose: 0);
        Assert.True(history["loss"][^1] < 0.5 * history["loss"][0], $"loss {history["loss"][0]:0.000} → {history["loss"][^1]:0.000}");
        Assert.All(model.Weights, v => Assert.Equal(torch.ScalarType.Float32, v.Value.dtype));
        var (_, slots) = model.Optimizer!.ExportState();
        Assert.Equal(model.TrainableWeights.Count, slots.Count);
        Assert.All(slots.SelectMany(s => s.Slots), t => Assert.Equal(torch.ScalarType.Float32, t.dtype));
        Assert.True(history["accuracy"][^1] >= 0.9, $"accuracy {history["accuracy"][^1]}");
    }
}
