using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>Applies an activation function: <c>new Activation("relu")</c>.</summary>
public sealed class Activation : Layer, IMaybeRelu
{
    /// <summary>Creates the layer.</summary>
    public Activation(ActivationFunction activation, string? name = null) : base(name)
    {
        Function = activation ?? throw new ArgumentNullException(nameof(activation));
    }

    /// <summary>The function applied.</summary>
    public ActivationFunction Function { get; }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training) => Function.Apply(inputs);

    bool IMaybeRelu.IsPlainRelu => Function == Activations.Relu;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["activation"] = Function.Name;
        return config;
    }
}
