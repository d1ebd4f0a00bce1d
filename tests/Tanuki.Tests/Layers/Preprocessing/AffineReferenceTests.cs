using System.Runtime.CompilerServices;
using System.Text.Json;
using Tanuki.Layers;

namespace Tanuki.Tests.Layers.Preprocessing;

/// <summary>Rotation, zoom and translation at fixed parameters against scipy.ndimage (tools/make_affine_reference.py).</summary>
public class AffineReferenceTests
{
    private static JsonElement Reference([CallerFilePath] string here = "") =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(here)!, "affine_reference.json"))).RootElement;

    private static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    [Fact]
    public void EveryFillModeAndInterpolationMatchesScipy()
    {
        JsonElement reference = Reference();
        long[] shape = reference.GetProperty("shape").EnumerateArray().Select(v => v.GetInt64()).ToArray();
        Tensor input = torch.tensor(Floats(reference.GetProperty("input"))).reshape(shape);
        double fill = reference.GetProperty("fill_value").GetDouble();
        int checkedCases = 0;
        foreach (JsonElement c in reference.GetProperty("cases").EnumerateArray())
        {
            float[] p = Floats(c.GetProperty("params"));
            string interpolation = c.GetProperty("interpolation").GetString()!, fillMode = c.GetProperty("fill_mode").GetString()!;
            Tensor matrix = c.GetProperty("kind").GetString() switch
            {
                "rotation" => RandomRotation.RotationMatrix(torch.tensor(p[..1]), shape[2], shape[3]),
                "zoom" => RandomZoom.ZoomMatrix(torch.tensor(p[..1]), torch.tensor(p[1..]), shape[2], shape[3]),
                _ => RandomTranslation.TranslationMatrix(torch.tensor(p[..1]), torch.tensor(p[1..])),
            };
            Tensor output = AffineSampler.Transform(input, matrix, interpolation, fillMode, fill);
            Tensor expected = torch.tensor(Floats(c.GetProperty("output"))).reshape(shape);
            double diff = TensorAssert.MaxAbsDiff(expected, output);
            Assert.True(diff <= 1e-3, $"{c.GetProperty("kind")} {string.Join(",", p)} {interpolation} {fillMode}: max abs diff {diff}");
            checkedCases++;
        }
        Assert.Equal(32, checkedCases);
    }
}
