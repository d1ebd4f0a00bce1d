using Tanuki.Layers;

namespace Tanuki.Tests.Models;

/// <summary>Walking a model's layers, nested models included, and setting its normalizations for fold tests.</summary>
internal static class LayerTree
{
    /// <summary>Every layer inside <paramref name="layer"/>, depth first, nested models and their layers included.</summary>
    public static IEnumerable<Layer> All(Layer layer) => layer.Layers.SelectMany(l => new[] { l }.Concat(All(l)));

    /// <summary>
    /// Every BatchNormalization's statistics and affine weights far from the identity, so that a wrong fold shows; drawn
    /// from <paramref name="generator"/>, or the global generator when none is given.
    /// </summary>
    public static void RandomizeNormalizations(Layer model, torch.Generator? generator = null)
    {
        foreach (BatchNormalization bn in All(model).OfType<BatchNormalization>())
        {
            long c = bn.Gamma!.Shape[0];
            bn.SetWeights([torch.rand([c], generator: generator) + 0.5, torch.randn([c], generator: generator) * 0.2,
                           torch.randn([c], generator: generator) * 0.2, torch.rand([c], generator: generator) + 0.5]);
        }
    }
}
