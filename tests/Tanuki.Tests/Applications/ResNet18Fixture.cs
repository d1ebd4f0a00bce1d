using Tanuki.Applications;

namespace Tanuki.Tests.Applications;

/// <summary>What the ResNet-18 tests share: the files, test images, and one imported model (importing 64 MB takes a moment).</summary>
public sealed class ResNet18Fixture
{
    public ResNet18Fixture()
    {
        ModelPath = ResNet18Files.FindModel(null);
        PreprocessPath = ResNet18Files.FindPreprocess();
    }

    public string ModelPath { get; }
    public string PreprocessPath { get; }

    private Model? _full;

    /// <summary>The whole file imported as it is (up to its 7×7 average pool).</summary>
    public Model Full => _full ??= Tanuki.Interop.Onnx.Import(ModelPath);

    /// <summary>Two Fashion-MNIST images (tools/make_test_images.py), 28×28 grey upscaled to 3×224×224 RGB in 0–255.</summary>
    public static Tensor RealImagesRgb(long size = 224)
    {
        byte[] bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Applications", "Data", "fashion_mnist_2x28x28.u8"));
        Tensor grey = torch.tensor(bytes.Select(b => (float)b).ToArray(), [2, 1, 28, 28]);
        Tensor up = torch.nn.functional.interpolate(grey, [size, size], mode: InterpolationMode.Bilinear, align_corners: false).clamp(0, 255);
        // Tint the two channels differently so that the RGB → BGR order matters.
        return torch.cat([up, up * 0.8, 255 - up], 1);
    }

    /// <summary>Random RGB images in 0–255.</summary>
    public static Tensor RandomImagesRgb(int count, long size, int seed)
    {
        var g = new torch.Generator((ulong)seed);
        return torch.rand([count, 3, size, size], generator: g) * 255;
    }
}
