namespace Tanuki.Layers;

/// <summary>
/// What <see cref="MaxPooling2D"/> and <see cref="AveragePooling2D"/> share: a window of <see cref="PoolSize"/> moved
/// by <see cref="Strides"/> over H and W of N×C×H×W inputs, with <c>"valid"</c>, <c>"same"</c> (TensorFlow's pads:
/// output ⌈input / stride⌉) or explicit asymmetric pads, and PyTorch's ceil mode for imported models.
/// </summary>
public abstract class Pooling2D : Layer
{
    private protected Pooling2D((int Height, int Width) poolSize, (int Height, int Width)? strides, string padding,
                                (int Top, int Bottom, int Left, int Right)? explicitPadding, bool ceilMode, string? name)
        : base(name)
    {
        PoolSize = LayerArgs.Positive(this, poolSize, nameof(poolSize));
        Strides = LayerArgs.Positive(this, strides ?? PoolSize, nameof(strides));
        Padding = LayerArgs.Padding(this, padding);
        if (explicitPadding is { } pads) ExplicitPadding = LayerArgs.NonNegative(this, pads, nameof(explicitPadding));
        if (ceilMode && ExplicitPadding is null && Padding == "same")
            throw new ArgumentException(
                $"Invalid argument for {LayerArgs.Who(this)}: ceilMode applies to padding \"valid\" or explicit pads; \"same\" already rounds up. Received: padding=\"same\", ceilMode=true",
                nameof(ceilMode));
        CeilMode = ceilMode;
        Window = new Window2D(this, PoolSize, Strides, (1, 1), Padding, ExplicitPadding, ceilMode);
        InputSpec = new InputSpec(rank: 4);
    }

    /// <summary>Window height and width.</summary>
    public (int Height, int Width) PoolSize { get; }
    /// <summary>Window steps along H and W (the pool size unless given).</summary>
    public (int Height, int Width) Strides { get; }
    /// <summary><c>"valid"</c> or <c>"same"</c> (lower case); ignored when <see cref="ExplicitPadding"/> is set.</summary>
    public string Padding { get; }
    /// <summary>Explicit pads (top, bottom, left, right), if given.</summary>
    public (int Top, int Bottom, int Left, int Right)? ExplicitPadding { get; }
    /// <summary>Whether a last, partial window is added when the input does not divide evenly (PyTorch's and ONNX's ceil_mode).</summary>
    public bool CeilMode { get; }

    private protected Window2D Window { get; }

    /// <inheritdoc />
    public override long[] ComputeOutputShape(long[] inputShape)
    {
        LayerArgs.RequireRank(this, inputShape, 4, "(N, C, H, W)");
        var (h, w) = Window.OutputSize(inputShape);
        return [inputShape[0], inputShape[1], h, w];
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["pool_size"] = new[] { PoolSize.Height, PoolSize.Width };
        config["strides"] = new[] { Strides.Height, Strides.Width };
        config["padding"] = Padding;
        config["explicit_padding"] = ExplicitPadding is { } p ? new[] { p.Top, p.Bottom, p.Left, p.Right } : null;
        config["ceil_mode"] = CeilMode;
        return config;
    }
}
