using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Tanuki.Layers;

/// <summary>Adds rows and columns of zeros around the H×W planes of N×C×H×W inputs.</summary>
public sealed class ZeroPadding2D : Layer
{
    /// <summary>Pads every side by the same amount.</summary>
    /// <param name="padding">Rows or columns of zeros added on each side.</param>
    /// <param name="name">Layer name.</param>
    public ZeroPadding2D(int padding = 1, string? name = null) : this((padding, padding, padding, padding), name) { }

    /// <summary>Pads top and bottom by one amount, left and right by another (Keras's symmetric form).</summary>
    /// <param name="padding">(rows added at the top and at the bottom, columns added at the left and at the right).</param>
    /// <param name="name">Layer name.</param>
    public ZeroPadding2D((int Height, int Width) padding, string? name = null)
        : this((padding.Height, padding.Height, padding.Width, padding.Width), name) { }

    /// <summary>Pads each side by its own amount.</summary>
    /// <param name="padding">Rows at the top and bottom, columns at the left and right.</param>
    /// <param name="name">Layer name.</param>
    public ZeroPadding2D((int Top, int Bottom, int Left, int Right) padding, string? name = null) : base(name)
    {
        Padding = LayerArgs.NonNegative(this, padding, nameof(padding));
        InputSpec = new InputSpec(rank: 4);
    }

    /// <summary>Rows at the top and bottom, columns at the left and right.</summary>
    public (int Top, int Bottom, int Left, int Right) Padding { get; }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training) =>
        F.pad(inputs, [Padding.Left, Padding.Right, Padding.Top, Padding.Bottom]);

    /// <inheritdoc />
    public override long[] ComputeOutputShape(long[] inputShape)
    {
        LayerArgs.RequireRank(this, inputShape, 4, "(N, C, H, W)");
        long h = inputShape[2] < 0 ? -1 : inputShape[2] + Padding.Top + Padding.Bottom;
        long w = inputShape[3] < 0 ? -1 : inputShape[3] + Padding.Left + Padding.Right;
        return [inputShape[0], inputShape[1], h, w];
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["padding"] = new[] { Padding.Top, Padding.Bottom, Padding.Left, Padding.Right };
        return config;
    }
}
