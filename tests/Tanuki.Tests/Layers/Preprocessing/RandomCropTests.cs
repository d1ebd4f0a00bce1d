using Tanuki.Layers;

namespace Tanuki.Tests.Layers.Preprocessing;

public class RandomCropTests
{
    [Fact]
    public void TrainingCropsAWindowOfTheInputAtARandomPlacePerImage()
    {
        torch.manual_seed(2);
        Tensor x = torch.rand(32, 2, 9, 11);
        Tensor y = new RandomCrop(4, 5, seed: 1).Call(x, training: true);
        Assert.Equal(new long[] { 32, 2, 4, 5 }, y.shape);
        var offsets = new HashSet<(int, int)>();
        for (int i = 0; i < 32; i++)
        {
            (int, int)? found = null;
            for (int top = 0; top <= 5 && found is null; top++)
                for (int left = 0; left <= 6 && found is null; left++)
                    if (TensorAssert.BitEqual(x[i, TensorIndex.Colon, top..(top + 4), left..(left + 5)], y[i])) found = (top, left);
            Assert.True(found.HasValue, $"sample {i} is not a window of its input");
            offsets.Add(found!.Value);
        }
        Assert.True(offsets.Count > 5, "crop positions are not drawn per image");
    }

    [Fact]
    public void InferenceCropsTheCentreOfTheTargetAspectAndResizes()
    {
        torch.manual_seed(3);
        Tensor x = torch.rand(2, 1, 8, 12);
        // Target 4×4 from 8 high × 12 wide: the centred 8×8 window (columns 2..9), then 2×2 means (half-pixel bilinear).
        Tensor expected = torch.nn.functional.avg_pool2d(x[TensorIndex.Ellipsis, 2..10], 2);
        TensorAssert.Close(expected, new RandomCrop(4, 4).Call(x, training: false), atol: 1e-5);
        // An image smaller than the target is resized the same way in training.
        Tensor small = torch.rand(1, 1, 2, 2);
        Assert.Equal(new long[] { 1, 1, 4, 4 }, new RandomCrop(4, 4, seed: 1).Call(small, training: true).shape);
    }
}
