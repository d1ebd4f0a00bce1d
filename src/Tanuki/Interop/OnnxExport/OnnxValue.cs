namespace Tanuki.Interop.OnnxExport;

/// <summary>A tensor of the graph being written: its ONNX name and its shape (batch first, -1 where free).</summary>
internal sealed record OnnxValue(string Name, long[] Shape)
{
    public int Rank => Shape.Length;
}
