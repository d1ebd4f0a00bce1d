using Tanuki.Interop.OnnxImport;

namespace Tanuki.Interop;

/// <summary>
/// Imports ONNX models as Tanuki models. The result is a functional <see cref="Model"/> whose nodes are ordinary
/// layers (Conv2D, BatchNormalization, Dense, ...) holding the file's weights as <see cref="Variable"/>s, so every
/// layer can be frozen, trained, summarised and saved like a hand-built one.
/// </summary>
/// <remarks>
/// <para>Operators (default domain, opsets 7–17): Conv (2-D; asymmetric pads, auto_pad, groups), BatchNormalization
/// (scale and bias trainable, mean and variance not; ONNX's momentum has Keras's meaning and carries over), Relu,
/// LeakyRelu, Sigmoid, Tanh, Clip, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, Add, Sub, Mul, Div (of two
/// tensors, or with a constant), Concat, Flatten, Reshape, Transpose (keeping the batch first), Gemm, MatMul (by a
/// constant matrix), Softmax, Pad, Identity, Dropout; Constant and shape arithmetic on constants are folded.</para>
/// <para>The first axis of every input is the batch and is free after import, whatever size the file gives it.
/// Operators that would mix samples of a batch (a Flatten or Reshape across the batch axis, a Transpose moving it)
/// are reported rather than guessed.</para>
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
