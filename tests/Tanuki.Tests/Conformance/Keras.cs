namespace Tanuki.Tests.Conformance;

/// <summary>
/// Keras's test assertions (<c>keras/src/testing/test_case.py</c>) with Keras's tolerances, so that ported cases keep
/// the numbers and the strictness of the originals, and small helpers to write Keras's NumPy literals as tensors.
/// </summary>
internal static class Keras
{
    /// <summary><c>assertAlmostEqual(actual, desired, decimal=3)</c>: NumPy's |desired − actual| &lt; 1.5 · 10^−decimal, everywhere.</summary>
    public static void AlmostEqual(double desired, double actual, int decimals = 3) =>
        Assert.True(Math.Abs(desired - actual) < 1.5 * Math.Pow(10, -decimals), $"expected {desired} to {decimals} decimals, got {actual}");

    /// <summary><c>assertAlmostEqual</c> on a scalar tensor.</summary>
    public static void AlmostEqual(double desired, Tensor actual, int decimals = 3)
    {
        Assert.Equal(1, actual.numel());
        AlmostEqual(desired, actual.to_type(ScalarType.Float64).item<double>(), decimals);
    }

    /// <summary><c>assertAlmostEqual</c> on arrays.</summary>
    public static void AlmostEqual(double[] desired, Tensor actual, int decimals = 3)
    {
        double[] a = actual.cpu().to_type(ScalarType.Float64).data<double>().ToArray();
        Assert.Equal(desired.Length, a.Length);
        for (int i = 0; i < a.Length; i++) AlmostEqual(desired[i], a[i], decimals);
    }

    /// <summary><c>assertAllClose(actual, desired, atol=1e-6, rtol=1e-6)</c>: |actual − desired| ≤ atol + rtol · |desired|, everywhere.</summary>
    public static void AllClose(double[] desired, Tensor actual, double atol = 1e-6, double rtol = 1e-6)
    {
        double[] a = actual.cpu().to_type(ScalarType.Float64).data<double>().ToArray();
        Assert.Equal(desired.Length, a.Length);
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(a[i] - desired[i]) <= atol + rtol * Math.Abs(desired[i]), $"element {i}: expected {desired[i]}, got {a[i]} (atol={atol}, rtol={rtol})");
    }

    /// <summary><c>assertAllClose</c> on a scalar.</summary>
    public static void AllClose(double desired, Tensor actual, double atol = 1e-6, double rtol = 1e-6) => AllClose([desired], actual, atol, rtol);

    /// <summary><c>assertAllClose</c> on plain numbers.</summary>
    public static void AllClose(double desired, double actual, double atol = 1e-6, double rtol = 1e-6) =>
        Assert.True(Math.Abs(actual - desired) <= atol + rtol * Math.Abs(desired), $"expected {desired}, got {actual} (atol={atol}, rtol={rtol})");

    /// <summary>A float32 tensor of the given shape from a NumPy-style literal (row-major values).</summary>
    public static Tensor F(long[] shape, params double[] values) => torch.tensor(values.Select(v => (float)v).ToArray(), shape);

    /// <summary>A float32 vector.</summary>
    public static Tensor F(params double[] values) => torch.tensor(values.Select(v => (float)v).ToArray());

    /// <summary>An int64 tensor of the given shape.</summary>
    public static Tensor I(long[] shape, params long[] values) => torch.tensor(values, shape);

    /// <summary>An int64 vector.</summary>
    public static Tensor I(params long[] values) => torch.tensor(values);
}
