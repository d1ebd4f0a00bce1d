namespace Tanuki.Saving;

/// <summary>One tensor's entry in a safetensors header.</summary>
/// <param name="Name">The tensor's name (its key in the header).</param>
/// <param name="DType">The safetensors dtype: <c>F32</c>, <c>F64</c>, <c>F16</c>, <c>BF16</c>, <c>I64</c>, <c>I32</c>,
/// <c>I16</c>, <c>I8</c>, <c>U8</c>, <c>BOOL</c>.</param>
/// <param name="Shape">The shape (empty for a scalar).</param>
/// <param name="Begin">Offset of its first byte, counted from the end of the header.</param>
/// <param name="End">Offset just past its last byte.</param>
public sealed record SafeTensorInfo(string Name, string DType, long[] Shape, long Begin, long End);
