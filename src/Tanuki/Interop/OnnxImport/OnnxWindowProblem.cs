namespace Tanuki.Interop.OnnxImport;

/// <summary>Why a window's attributes cannot be imported.</summary>
/// <param name="Message">What is wrong and how to fix it, for the error.</param>
/// <param name="NeedsFixedInputSize">
/// Whether the attributes are fine but depend on an input size the graph leaves free: the pre-import check lets the node
/// through, and the import fails only if the size is still free when the node is built.
/// </param>
internal sealed record OnnxWindowProblem(string Message, bool NeedsFixedInputSize);
