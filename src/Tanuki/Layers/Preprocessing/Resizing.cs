using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Tanuki.Layers;

/// <summary>
/// Resizes N×C×H×W images to <see cref="Height"/>×<see cref="Width"/>, as Keras's Resizing does on its PyTorch
/// backend: <c>"bilinear"</c> and <c>"bicubic"</c> sample at pixel centres (align_corners false; bicubic is
/// PyTorch's, a = −0.75), <c>"nearest"</c> rounds pixel centres (PyTorch's nearest-exact, TensorFlow's
/// half-pixel nearest), and <c>"area"</c> averages over the input pixels each output pixel covers (PyTorch's
/// adaptive average pooling). With <c>cropToAspectRatio</c> the largest centred crop of the target's aspect ratio is
/// taken first, so the image is not distorted. Integer inputs become float32.
/// </summary>
public sealed class Resizing : Layer
{
    private static readonly string[] s_interpolations = ["bilinear", "nearest", "bicubic", "area"];

    /// <summary>Creates the layer.</summary>
    /// <param name="height">Output height.</param>
    /// <param name="width">Output width.</param>
    /// <param name="interpolation"><c>"bilinear"</c>, <c>"nearest"</c>, <c>"bicubic"</c> or <c>"area"</c>.</param>
    /// <param name="cropToAspectRatio">Crop the largest centred box of the output's aspect ratio before resizing.</param>
    /// <param name="antialias">Low-pass filter when downscaling (bilinear and bicubic only; others ignore it, as in Keras).</param>
    /// <param name="name">Layer name.</param>
    public Resizing(int height, int width, string interpolation = "bilinear", bool cropToAspectRatio = false, bool antialias = false,
                    string? name = null)
        : base(name)
    {
        Height = LayerArgs.Positive(this, height, nameof(height));
        Width = LayerArgs.Positive(this, width, nameof(width));
        Interpolation = LayerArgs.OneOf(this, interpolation, s_interpolations, nameof(interpolation));
        CropToAspectRatio = cropToAspectRatio;
        Antialias = antialias;
        InputSpec = new InputSpec(rank: 4);
    }

    /// <summary>Output height.</summary>
    public int Height { get; }
    /// <summary>Output width.</summary>
    public int Width { get; }
    /// <summary>The interpolation (lower case).</summary>
    public string Interpolation { get; }
    /// <summary>Whether the largest centred box of the output's aspect ratio is cropped first.</summary>
    public bool CropToAspectRatio { get; }
    /// <summary>Whether bilinear and bicubic downscaling low-pass filter first.</summary>
    public bool Antialias { get; }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training)
    {
        Tensor x = inputs.is_floating_point() ? inputs : inputs.to_type(ScalarType.Float32);
        if (CropToAspectRatio) x = CenterCrop(x);
        return Interpolate(x);
    }

    /// <summary>The resize alone, after any crop: the ONNX exporter reads its weights off it for area and antialiased resizes.</summary>
    internal Tensor Interpolate(Tensor x)
    {
        var (mode, alignCorners) = Interpolation switch
        {
            "bilinear" => (InterpolationMode.Bilinear, (bool?)false),
            "bicubic" => (InterpolationMode.Bicubic, false),
            "nearest" => (InterpolationMode.NearestExact, null),
            _ => (InterpolationMode.Area, null),
        };
        bool antialias = Antialias && Interpolation is "bilinear" or "bicubic";
        return F.interpolate(x, [Height, Width], mode: mode, align_corners: alignCorners, antialias: antialias);
    }

    // Keras's crop: the box's height is width · H / W of the target (at most the input's), and conversely.
    private Tensor CenterCrop(Tensor x)
    {
        long h = x.shape[2], w = x.shape[3];
        long cropH = Math.Max(Math.Min(h, (long)((double)w * Height / Width)), 1);
        long cropW = Math.Max(Math.Min(w, (long)((double)h * Width / Height)), 1);
        long top = (h - cropH) / 2, left = (w - cropW) / 2;
        return x.narrow(2, top, cropH).narrow(3, left, cropW);
    }

    /// <inheritdoc />
    public override long[] ComputeOutputShape(long[] inputShape)
    {
        LayerArgs.RequireRank(this, inputShape, 4, "(N, C, H, W)");
        return [inputShape[0], inputShape[1], Height, Width];
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["height"] = Height;
        config["width"] = Width;
        config["interpolation"] = Interpolation;
        config["crop_to_aspect_ratio"] = CropToAspectRatio;
        config["antialias"] = Antialias;
        return config;
    }
}
