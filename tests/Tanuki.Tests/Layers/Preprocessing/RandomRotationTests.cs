using Tanuki.Layers;

namespace Tanuki.Tests.Layers.Preprocessing;

public class RandomRotationTests
{
    [Fact]
    public void AnglesAreUniformWithinTheFactor()
    {
        var layer = new RandomRotation(0.1, seed: 1);
        double[] angles = layer.DrawAngles(4000).to_type(ScalarType.Float64).data<double>().ToArray();
        Assert.All(angles, a => Assert.InRange(a, -36.0, 36.0));                 // 0.1 of a turn
        Assert.InRange(angles.Average(), -1.5, 1.5);                              // uniform on [−36, 36]: mean 0, sd of the mean 0.33
        double variance = angles.Select(a => a * a).Average();
        Assert.InRange(variance, 432 * 0.9, 432 * 1.1);                           // 72² / 12 = 432
        Assert.True(angles.Min() < -34 && angles.Max() > 34, "the draws do not reach the ends of the range");
        var shifted = new RandomRotation((0.25, 0.5), seed: 1).DrawAngles(1000).to_type(ScalarType.Float64).data<double>().ToArray();
        Assert.All(shifted, a => Assert.InRange(a, 90.0, 180.0));
    }

    [Fact]
    public void PositiveAnglesTurnCounterClockwise()
    {
        // A quarter turn of a square image samples exact pixels: it must equal rot90 (counter-clockwise) to rounding.
        torch.manual_seed(1);
        Tensor x = torch.rand(1, 1, 6, 6);
        var layer = new RandomRotation(0.3);
        TensorAssert.Close(x.rot90(1, (2, 3)), layer.Rotate(x, torch.tensor(new float[] { 90 })), atol: 1e-5);
        TensorAssert.Close(x.rot90(-1, (2, 3)), layer.Rotate(x, torch.tensor(new float[] { -90 })), atol: 1e-5);
    }

    [Fact]
    public void TrainingRotationsStayWithinTheFactor()
    {
        // A bright pixel at (row 10, col 18) of a 21×21 image, 8 pixels right of the centre: after a rotation its
        // centroid lies at the rotation angle from the centre, which must stay within ±0.05 turns (±18°).
        Tensor x = torch.zeros(200, 1, 21, 21);
        x[TensorIndex.Colon, 0, 10, 18] = torch.tensor(1f);
        Tensor y = new RandomRotation(0.05, fillMode: "constant", seed: 9).Call(x, training: true);
        Tensor rows = torch.arange(21, dtype: ScalarType.Float32).reshape(1, 21, 1), cols = torch.arange(21, dtype: ScalarType.Float32).reshape(1, 1, 21);
        Tensor mass = y[TensorIndex.Colon, 0].sum([1, 2]);
        double[] r = ((y[TensorIndex.Colon, 0] * rows).sum([1, 2]) / mass).to_type(ScalarType.Float64).data<double>().ToArray();
        double[] c = ((y[TensorIndex.Colon, 0] * cols).sum([1, 2]) / mass).to_type(ScalarType.Float64).data<double>().ToArray();
        double[] degrees = r.Zip(c, (ri, ci) => Math.Atan2(-(ri - 10), ci - 10) * 180 / Math.PI).ToArray();   // up is counter-clockwise
        Assert.All(degrees, d => Assert.InRange(d, -18.5, 18.5));
        Assert.True(degrees.Min() < -12 && degrees.Max() > 12, "the angles do not spread over the range");
    }
}
