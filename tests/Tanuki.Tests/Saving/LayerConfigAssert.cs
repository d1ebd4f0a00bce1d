using System.Text.Json.Nodes;
using Tanuki.Saving;

namespace Tanuki.Tests.Saving;

/// <summary>
/// The config round trip every layer must pass for Model.Save and Model.Load to work: GetConfig → JSON text →
/// plain values → LayerRegistry.FromConfig gives a layer of the same type whose GetConfig writes the same JSON.
/// For the shared layer-test helper.
/// </summary>
internal static class LayerConfigAssert
{
    public static Layer RoundTrip(Layer layer)
    {
        string type = LayerRegistry.GetTypeName(layer);
        string json = ConfigJson.ToJson(layer.GetConfig(), type).ToJsonString();
        Layer again = LayerRegistry.FromConfig(type, ConfigJson.FromJson(JsonNode.Parse(json)!.AsObject()));
        Assert.IsType(layer.GetType(), again);
        Assert.Equal(layer.Name, again.Name);
        Assert.Equal(layer.Trainable, again.Trainable);
        Assert.Equal(json, ConfigJson.ToJson(again.GetConfig(), type).ToJsonString());
        return again;
    }
}
