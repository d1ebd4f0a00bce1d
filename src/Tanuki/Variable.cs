using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki;

/// <summary>
/// A weight of a layer: a named TorchSharp tensor that is trainable (updated by optimizers) or not
/// (like BatchNormalization's moving statistics). Effective trainability also needs the owning layer to be
/// trainable; <c>Value.requires_grad</c> is kept equal to it, so a frozen weight costs no gradient work.
/// </summary>
public sealed class Variable
{
    private bool _trainable;

    internal Variable(string name, Tensor value, bool trainable, Layer? owner)
    {
        Name = name;
        Value = value;
        _trainable = trainable;
        Owner = owner;
        SyncRequiresGrad();
    }

    /// <summary>The weight's name within its layer, e.g. <c>kernel</c>.</summary>
    public string Name { get; }

    /// <summary>The layer that created the weight, with this weight's name: e.g. <c>dense_1/kernel</c>.</summary>
    public string Path => Owner is null ? Name : $"{Owner.Name}/{Name}";

    /// <summary>The weight's shape.</summary>
    public long[] Shape => Value.shape;

    /// <summary>The number of scalars in the weight.</summary>
    public long Count => Value.numel();

    /// <summary>
    /// Whether the weight itself can be trained. False for weights that are never trained by gradients (moving
    /// statistics). A trainable weight of a frozen layer is still not updated: see <see cref="Layer.Trainable"/>.
    /// </summary>
    public bool Trainable
    {
        get => _trainable;
        set { _trainable = value; SyncRequiresGrad(); }
    }

    /// <summary>The TorchSharp tensor holding the value. Replace its contents with <see cref="Assign"/>.</summary>
    public Tensor Value { get; }

    internal Layer? Owner { get; }

    /// <summary>
    /// Bumped whenever Tanuki changes the value (Assign, optimizer updates, moving statistics), so values derived
    /// from it (folded convolution weights) know when to recompute. Changing <see cref="Value"/> in place by hand
    /// bypasses it: use <see cref="Assign"/>.
    /// </summary>
    internal long Version { get; private set; }

    internal void Touch() => Version++;

    /// <summary>Whether the weight is trainable and so is its layer (and every layer that layer belongs to).</summary>
    internal bool EffectivelyTrainable => _trainable && (Owner?.Trainable ?? true);

    /// <summary>Copies <paramref name="value"/> into the weight (same shape; cast and moved as needed).</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void Assign(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.shape.SequenceEqual(Value.shape))
            throw new ArgumentException(
                $"Cannot assign a value of shape {Shapes.Format(value.shape)} to weight '{Path}' of shape {Shapes.Format(Value.shape)}.",
                nameof(value));
        using var _ = torch.no_grad();
        Value.copy_(value);
        Touch();
    }

    internal void SyncRequiresGrad() => SetRequiresGrad(EffectivelyTrainable);

    internal void SetRequiresGrad(bool value)
    {
        if (Value.requires_grad != value) Value.requires_grad_(value);
    }

    /// <inheritdoc />
    public override string ToString() => $"<Variable {Path} shape={Shapes.Format(Shape)} trainable={Trainable}>";
}
