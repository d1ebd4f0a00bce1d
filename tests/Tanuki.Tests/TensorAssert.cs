namespace Tanuki.Tests;

/// <summary>Assertions on tensors: bit-identical, or close within a stated tolerance.</summary>
internal static class TensorAssert
{
    public static bool BitEqual(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        using var scope = torch.NewDisposeScope();
        return a.cpu().to_type(ScalarType.Float64).eq(b.cpu().to_type(ScalarType.Float64)).all().item<bool>();
    }

    public static void Equal(Tensor expected, Tensor actual) =>
        Assert.True(BitEqual(expected, actual), $"tensors differ: max abs diff {MaxAbsDiff(expected, actual)}");

    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        if (!a.shape.SequenceEqual(b.shape)) return double.PositiveInfinity;
        return (a.cpu().to_type(ScalarType.Float64) - b.cpu().to_type(ScalarType.Float64)).abs().max().item<double>();
    }

    /// <summary>Asserts |expected − actual| ≤ atol + rtol·|expected| everywhere.</summary>
    public static void Close(Tensor expected, Tensor actual, double atol, double rtol = 0)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var scope = torch.NewDisposeScope();
        Tensor e = expected.cpu().to_type(ScalarType.Float64), a = actual.cpu().to_type(ScalarType.Float64);
        Tensor excess = (e - a).abs() - (e.abs() * rtol + atol);
        double worst = excess.max().item<double>();
        Assert.True(worst <= 0, $"tensors differ by more than atol={atol}, rtol={rtol}: max abs diff {MaxAbsDiff(expected, actual)}");
    }

    public static void Close(float[] expected, Tensor actual, double atol, double rtol = 0) =>
        Close(torch.tensor(expected).reshape(actual.shape), actual, atol, rtol);
}
