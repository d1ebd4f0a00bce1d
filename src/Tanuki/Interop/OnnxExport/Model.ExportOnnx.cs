using Google.Protobuf;
using Tanuki.Interop;
using Tanuki.Interop.OnnxExport;
using Tanuki.Saving;

namespace Tanuki;

public partial class Model
{
    /// <summary>
    /// Writes the model as an ONNX file, for ONNX Runtime and other runtimes that need neither Tanuki nor libtorch: the
    /// model in inference mode (Dropout and augmentation are the identity, BatchNormalization uses its moving statistics),
    /// opset 17 by default, the batch axis free, the weights as initializers, the class names in the metadata. Nested
    /// models are written inline, their layers' names prefixed by the model's (<c>base/conv1</c>).
    /// </summary>
    /// <remarks>
    /// Every layer is checked before anything is written, and a model with layers that cannot be exported (a custom
    /// layer, a configuration ONNX cannot express) fails with one error that names each of them. The file is written to a
    /// temporary file and then renamed, so it is never left half-written. Input and output names are the model's
    /// (its Input layers' and its output layers' names); the exported graph computes what <see cref="Predict(TorchSharp.torch.Tensor, int, int, CancellationToken)"/> does.
    /// </remarks>
    /// <param name="path">The file to write, usually ending in <c>.onnx</c>.</param>
    /// <param name="options">Opset, preprocessing, softmax, class names, outputs to end at; all optional.</param>
    /// <exception cref="NotSupportedException">Some layers cannot be exported (all are listed), or the model is a subclass with its own forward pass.</exception>
    /// <exception cref="ArgumentException">An option is invalid: an opset outside 13–17, outputs that are not the model's tensors, a softmax on a softmax.</exception>
    public void ExportOnnx(string path, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path))
            throw new ArgumentException($"'{path}' is a folder; give the path of the file to write, e.g. {Path.Combine(path, Name + ".onnx")}.", nameof(path));
        Backend.EnsureInitialized();
        // Built whole in memory first: a layer that cannot be exported fails here, before the file is touched.
        var proto = OnnxExporter.Export(this, options ?? new OnnxExportOptions());
        AtomicFile.Write(path, stream => proto.WriteTo(stream));
    }
}
