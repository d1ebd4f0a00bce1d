using Tanuki.Layers;

namespace Tanuki.Tests.Layers.Preprocessing;

public class RandomFlipTests
{
    [Theory]
    [InlineData("horizontal")]
    [InlineData("vertical")]
    [InlineData("horizontal_and_vertical")]
    public void EachOutputIsExactlyTheImageOrOneOfItsFlips(string mode)
    {
        torch.manual_seed(0);
        Tensor x = torch.rand(64, 2, 5, 7);
        Tensor y = new RandomFlip(mode, seed: 3).Call(x, training: true);
        var outcomes = new int[4];
        for (int i = 0; i < 64; i++)
        {
            Tensor xi = x[i];
            Tensor[] candidates = [xi, xi.flip(2), xi.flip(1), xi.flip(1, 2)];   // none, left–right, upside down, both
            int match = Array.FindIndex(candidates, c => TensorAssert.BitEqual(c, y[i]));
            Assert.True(match >= 0, $"sample {i} is not an exact flip of its input");
            outcomes[match]++;
        }
        int[] allowed = mode switch { "horizontal" => [0, 1], "vertical" => [0, 2], _ => [0, 1, 2, 3] };
        for (int k = 0; k < 4; k++)
            if (allowed.Contains(k)) Assert.True(outcomes[k] > 0, $"{mode}: outcome {k} never happened in 64 draws ({string.Join(",", outcomes)})");
            else Assert.Equal(0, outcomes[k]);
    }
}
