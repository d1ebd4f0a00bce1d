namespace Tanuki.Interop.OnnxImport;

/// <summary>
/// How one ONNX operator type becomes layers: <see cref="Check"/> says why a node cannot be imported (null when it
/// can) without making layers; <see cref="Convert"/> makes the layers and returns the node's outputs.
/// </summary>
internal sealed record OnnxOperator(
    string OpType,
    Func<OnnxNode, OnnxImporter, string?> Check,
    Func<OnnxNode, OnnxImporter, OnnxLayout[]> Convert);
