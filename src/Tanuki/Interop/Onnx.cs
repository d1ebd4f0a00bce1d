using Tanuki.Interop.OnnxImport;

namespace Tanuki.Interop;

/// <summary>
/// Imports ONNX models as Tanuki models. The result is a functional <see cref="Model"/> whose nodes are ordinary
/// layers (Conv2D, BatchNormalization, Dense, ...) holding the file's weights as <see cref="Variable"/>s, so every
/// layer can be frozen, trained, summarised and saved like a hand-built one.
/// </summary>
/// <remarks>
/// <para>Operators (default domain, opsets 7–21): Conv (2-D; asymmetric pads, auto_pad, groups), BatchNormalization
/// (scale and bias trainable, mean and variance not; ONNX's momentum has Keras's meaning and carries over),
/// LayerNormalization (scale and bias trainable), Relu, LeakyRelu, Sigmoid, Tanh, HardSigmoid, HardSwish, Gelu, Clip,
/// MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, ReduceMean (over the spatial axes), Add, Sub, Mul, Div (of
/// two tensors, or with a constant), Concat (of tensors, or with a constant such as ViT's class token), Flatten,
/// Reshape, Transpose, Squeeze, Unsqueeze, Slice, Split, Gather (of constant indices), Expand, Gemm, MatMul (by a
/// constant matrix, or of two computed tensors as in attention), Softmax (over any sample axis), Pad, Identity,
/// Dropout. Keras layers that exporters take apart are put back together: LayerNormalization (ReduceMean, Sub, Pow,
/// ReduceMean, Add, Sqrt, Div, Mul, Add), GELU (Div, Erf, Add, Mul, Mul), SiLU (Sigmoid, Mul) and hard swish
/// (HardSigmoid, Mul). Constants, and shape arithmetic (Shape, Gather, Unsqueeze, Concat, Slice, Cast, Div, Mul,
/// Equal, Where, ConstantOfShape, Expand of constants) that depends on the sizes of a sample only, are computed at
/// import and make no layers.</para>
/// <para>The first axis of every input is the batch and is free after import, whatever size the file gives it. Inside
/// the graph the batch may move or be merged with another axis, as PyTorch's attention does ((L, N·H, d) views):
/// Transpose and Reshape only regroup axes, and every layer still takes the batch first; a Permute or Reshape layer is
/// made where an operator needs the axes in another order. Operators that would mix samples of a batch (a softmax or
/// concatenation over the batch, a reshape that splits it, a Gemm with the batch as features, an output with the
/// batch off axis 0) are reported rather than guessed.</para>
/// <para>Before making any layer, the importer checks every node the outputs need and throws one
/// <see cref="NotSupportedException"/> listing all operator types it does not import, with the node names, and every
/// node whose attributes it cannot express.</para>
/// </remarks>
public static class Onnx
{
    /// <summary>Imports the ONNX model at <paramref name="path"/>.</summary>
    /// <param name="path">A <c>.onnx</c> file.</param>
    /// <param name="options">Input shapes, outputs to cut at, layer names, constants; all optional.</param>
    /// <returns>A built functional model; its weights hold the file's values.</returns>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model, or is damaged or truncated.</exception>
    /// <exception cref="NotSupportedException">The model uses operators or attributes Tanuki does not import (all are listed).</exception>
    public static Model Import(string path, OnnxImportOptions? options = null)
    {
        Backend.EnsureInitialized();
        OnnxGraph graph = OnnxGraph.Read(path);
        return new OnnxImporter(graph, options).Import();
    }
}
