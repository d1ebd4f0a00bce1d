using Tanuki.Applications;
using Tanuki.Tests.Interop;

namespace Tanuki.Tests.Applications;

/// <summary>
/// The imported ResNet-18 against ONNX Runtime on the original file: same 512 features for 4 random and 2 real
/// images, within 1e-3 of the output's scale (max |reference|).
/// </summary>
public class ResNet18OnnxRuntimeTests : IClassFixture<ResNet18Fixture>
{
    private const double RelativeTolerance = 1e-3;
    private readonly ResNet18Fixture _f;

    public ResNet18OnnxRuntimeTests(ResNet18Fixture fixture) => _f = fixture;

    private Tensor Images()
    {
        Tensor rgb = torch.cat([ResNet18Fixture.RandomImagesRgb(4, 224, seed: 7), ResNet18Fixture.RealImagesRgb()], 0);
        return ResNet18.Preprocess(rgb);
    }

    /// <summary>ONNX Runtime on the original file, which fixes the batch at 1: one image at a time.</summary>
    private Tensor Reference(Tensor inputs)
    {
        string name = OnnxRuntimeReference.FirstInputName(_f.ModelPath);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(_f.ModelPath);
        var outs = Enumerable.Range(0, (int)inputs.shape[0]).Select(i => OnnxRuntimeReference.Run(session, (name, inputs[i..(i + 1)]))[0]).ToArray();
        return torch.cat(outs, 0);
    }

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        double scale = expected.abs().max().item<float>();
        double diff = TensorAssert.MaxAbsDiff(expected, actual);
        Assert.True(scale > 0.1, $"the reference output is degenerate (max |x| = {scale})");
        Assert.True(diff <= RelativeTolerance * scale, $"max abs diff {diff} exceeds {RelativeTolerance} × output scale {scale}");
    }

    [Fact]
    public void ImportedFileGivesOnnxRuntimesFeatures()
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = Images();
        Tensor expected = Reference(x);
        Tensor actual = _f.Full.Call(x, training: false);
        Assert.Equal(new long[] { 6, 512, 1, 1 }, actual.shape);
        AssertClose(expected, actual);
    }

    [Fact]
    public void CreateWithTopGivesOnnxRuntimesFeatures()
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = Images();
        Tensor expected = Reference(x);
        Model model = ResNet18.Create(includeTop: true);
        Tensor actual = model.Call(x, training: false);
        AssertClose(expected, actual);
    }
}
