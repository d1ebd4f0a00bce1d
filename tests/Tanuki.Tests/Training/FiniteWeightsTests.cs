using Tanuki.Layers;

namespace Tanuki.Tests.Training;

/// <summary>
/// The after-step check that no weight the step changed went NaN or infinite: it looks at changed weights only, names
/// the first bad one and its kind, and is not fooled by a weight whose values are finite but whose sum overflows (the
/// fast test it runs first).
/// </summary>
public class FiniteWeightsTests
{
    private static (Dense Layer, FiniteWeights Check) Watched()
    {
        var dense = new Dense(3, name: "d");
        dense.Build([1, 4]);
        var check = new FiniteWeights(dense.Weights);
        check.Snapshot();
        return (dense, check);
    }

    private static Tensor Kernel(params (int Row, int Col, float Value)[] cells)
    {
        Tensor k = torch.ones(4, 3);
        foreach (var (r, c, v) in cells) k[r, c] = torch.tensor(v);
        return k;
    }

    [Fact]
    public void FiniteWeightsWhoseSumOverflowsAreNotReported()
    {
        var (dense, check) = Watched();
        dense.Kernel!.Assign(Kernel((0, 0, 3e38f), (1, 0, 3e38f), (2, 0, 3e38f)));   // sum: +∞ in float32
        Assert.False(float.IsFinite(dense.Kernel.Value.sum().item<float>()));
        Assert.Null(check.FirstNonFinite());
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "infinite")]
    [InlineData(float.NegativeInfinity, "infinite")]
    public void AChangedWeightHoldingANonFiniteValueIsNamedWithItsKind(float value, string kind)
    {
        var (dense, check) = Watched();
        dense.Kernel!.Assign(Kernel((3, 2, value)));
        var found = check.FirstNonFinite();
        Assert.NotNull(found);
        Assert.Same(dense.Kernel, found.Value.Weight);
        Assert.Equal(kind, found.Value.Kind);
    }

    [Fact]
    public void InfinitiesOfBothSignsAreFoundThoughTheyCancelToNaNInTheSum()
    {
        var (dense, check) = Watched();
        dense.Bias!.Assign(torch.tensor(new[] { float.PositiveInfinity, float.NegativeInfinity, 0f }));
        var found = check.FirstNonFinite();
        Assert.Same(dense.Bias, found!.Value.Weight);
        Assert.Equal("infinite", found.Value.Kind);
    }

    [Fact]
    public void AWeightTheStepDidNotChangeIsNotLookedAt()
    {
        var (dense, check) = Watched();
        dense.Kernel!.Value.detach()[0, 0] = torch.tensor(float.NaN);   // in place, behind the variable's back: no new version
        Assert.Null(check.FirstNonFinite());
        dense.Kernel.Touch();
        Assert.Equal("NaN", check.FirstNonFinite()!.Value.Kind);
    }
}
