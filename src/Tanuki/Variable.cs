using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki;

/// <summary>
/// A weight of a layer: a named TorchSharp tensor that is trainable (updated by optimizers) or not (like
/// BatchNormalization's moving statistics). As in Keras, <see cref="Trainable"/> follows the layer: freezing a layer
/// sets it to false on the layer's trainable weights, unfreezing sets it back; <c>Value.requires_grad</c> is kept
/// equal to it, so a frozen weight costs no gradient work.
/// </summary>
public sealed class Variable
{
    private bool _trainable;

    internal Variable(string name, Tensor value, bool trainable, Layer? owner, string? path = null)
    {
        Name = name;
        Value = value;
        IsTrainableKind = trainable;
        _trainable = trainable && (owner?.Trainable ?? true);
        Owner = owner;
        Path = path ?? (owner is null ? name : $"{owner.Name}/{name}");
        SyncRequiresGrad();
    }

    /// <summary>The weight's name within its layer, e.g. <c>kernel</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// Keras's variable path: the names of the layers whose call or build created the weight, then its name — e.g.
    /// <c>dense_1/kernel</c> for a layer built on its own or in a functional model, <c>sequential/dense_1/kernel</c> for
    /// one built by its Sequential, <c>outer/inner/kernel</c> for a sublayer built while its parent was called.
    /// </summary>
    public string Path { get; }

    /// <summary>The weight's shape.</summary>
    public long[] Shape => Value.shape;

    /// <summary>The number of scalars in the weight.</summary>
    public long Count => Value.numel();

    /// <summary>
    /// Whether training updates the weight now. False for weights that are never trained by gradients (moving
    /// statistics), and for the trainable weights of a frozen layer: setting <see cref="Layer.Trainable"/> sets it on
    /// the layer's trainable weights (and its sublayers'), as in Keras.
    /// </summary>
    public bool Trainable
    {
        get => _trainable;
        set { _trainable = value; SyncRequiresGrad(); }
    }

    /// <summary>Whether the weight was created trainable (a kernel, not a moving statistic): the weights a layer's
    /// <see cref="Layer.Trainable"/> switches (Keras's <c>layer._trainable_variables</c>).</summary>
    internal bool IsTrainableKind { get; }

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

    /// <summary>Frees the value's native memory (its layer is being disposed).</summary>
    internal void Release() => Value.Dispose();

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

    internal void SyncRequiresGrad() => SetRequiresGrad(_trainable);

    internal void SetRequiresGrad(bool value)
    {
        if (Value.requires_grad != value) Value.requires_grad_(value);
    }

    /// <inheritdoc />
    public override string ToString() => $"<Variable {Path} shape={Shapes.Format(Shape)} trainable={Trainable}>";
}
