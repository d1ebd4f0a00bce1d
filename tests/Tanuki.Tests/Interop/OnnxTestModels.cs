using Google.Protobuf;
using Tanuki.Interop.OnnxImport.Protos;

namespace Tanuki.Tests.Interop;

/// <summary>Builds and edits small ONNX models for tests, with the importer's own schema classes.</summary>
internal static class OnnxTestModels
{
    private static readonly string s_dir = Path.Combine(Path.GetTempPath(), "tanuki-onnx-tests-" + Environment.ProcessId);

    /// <summary>A copy of a model whose input and outputs are declared float (for integer test data through data-movement operators).</summary>
    public static string WithFloatData(string path, string input, IEnumerable<string> outputs)
    {
        ModelProto model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var names = new HashSet<string>(outputs) { input };
        foreach (ValueInfoProto v in model.Graph.Input.Concat(model.Graph.Output))
            if (names.Contains(v.Name) && v.Type?.TensorType is { } t) t.ElemType = (int)TensorProto.Types.DataType.Float;
        return Save(model, Path.GetFileName(Path.GetDirectoryName(path)!) + "_float.onnx");
    }

    public static string Save(ModelProto model, string fileName)
    {
        Directory.CreateDirectory(s_dir);
        string path = Path.Combine(s_dir, fileName);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }
}
