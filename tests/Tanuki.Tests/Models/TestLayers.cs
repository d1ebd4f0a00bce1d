using Tanuki.Saving;

namespace Tanuki.Tests.Models;

/// <summary>A two-input layer for graph tests (the real merge layers live elsewhere): the element-wise sum.</summary>
public sealed class PairSum : Layer
{
    static PairSum() => LayerRegistry.Register<PairSum>();

    public PairSum(string? name = null) : base(name) { }

    /// <summary>Makes sure the static constructor (which registers the type) has run.</summary>
    public static void EnsureRegistered() { }

    protected override void BuildCore(IReadOnlyList<long[]> inputShapes)
    {
        if (inputShapes.Count != 2) throw new ArgumentException($"PairSum takes 2 inputs, received {inputShapes.Count}.");
    }

    public override IReadOnlyList<long[]> ComputeOutputShape(IReadOnlyList<long[]> inputShapes)
    {
        if (inputShapes.Count != 2 || !inputShapes[0].SequenceEqual(inputShapes[1]))
            throw new ArgumentException($"PairSum takes 2 inputs of one shape, received {inputShapes.Count}.");
        return [inputShapes[0]];
    }

    protected override Tensor[] Forward(IReadOnlyList<Tensor> inputs, bool training) => [inputs[0] + inputs[1]];
}

/// <summary>A layer with two outputs (x and -x), for multi-output nodes.</summary>
public sealed class Split : Layer
{
    static Split() => LayerRegistry.Register<Split>();

    public Split(string? name = null) : base(name) { }

    public static void EnsureRegistered() { }

    public override IReadOnlyList<long[]> ComputeOutputShape(IReadOnlyList<long[]> inputShapes) => [inputShapes[0], inputShapes[0]];

    protected override Tensor[] Forward(IReadOnlyList<Tensor> inputs, bool training) => [inputs[0], -inputs[0]];
}
