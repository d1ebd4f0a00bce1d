using System.CommandLine;
using System.Globalization;
using Tanuki.Interop;
using Tanuki.Interop.OnnxImport.Protos;

namespace Tanuki.Cli.Commands;

/// <summary><c>tanuki export MODEL --out FILE.onnx</c>: the model as an ONNX file, to run with ONNX Runtime without Tanuki.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "A .tanuki model file written by 'tanuki train' (or Model.Save)." };
        var output = new Option<string?>("--out") { Description = "The ONNX file to write. [default: MODEL with the extension .onnx]", HelpName = "FILE.onnx" };
        var softmax = new Option<bool>("--softmax") { Description = "Add a softmax, so that the file gives class probabilities instead of logits." };
        var noPreprocessing = new Option<bool>("--no-preprocessing")
        {
            Description = "Leave out the preprocessing layers at the start (ResNet-18's colour order and mean, rescaling, normalization, resizing): the file then takes preprocessed images.",
        };
        var opset = new Option<int>("--opset") { Description = "The ONNX operator set to write (13 to 17).", DefaultValueFactory = _ => 17 };
        var cmd = new Command("export",
            "Export a model to ONNX, to run with ONNX Runtime (C#, Python, C++, JavaScript, mobile) without Tanuki or libtorch. The file takes " +
            "what the model takes (for 'tanuki train' models: RGB images in 0–255, channels first, N×3×H×W with any batch size) and gives its " +
            "class scores; the class names are in the file's metadata.")
        {
            model, output, softmax, noPreprocessing, opset,
        };
        cmd.SetAction(parse => CommandRunner.Run(() => Execute(parse.GetValue(model)!, parse.GetValue(output), parse.GetValue(softmax),
                                                               !parse.GetValue(noPreprocessing), parse.GetValue(opset))));
        return cmd;
    }

    private static int Execute(string modelPath, string? outPath, bool softmax, bool preprocessing, int opset)
    {
        if (opset is < 13 or > 17) throw new CliException($"--opset must be 13 to 17 (17 is read by ONNX Runtime 1.13 and later). Received: {opset}");
        ModelFiles.Check(modelPath);
        outPath ??= Path.ChangeExtension(modelPath, ".onnx");
        if (Directory.Exists(outPath))
            throw new CliException($"--out '{outPath}' is a folder; give a file name, e.g. {Path.Combine(outPath, Path.GetFileNameWithoutExtension(modelPath) + ".onnx")}.");
        string full = OutputPaths.CheckWritable(outPath, "--out");
        if (full == Path.GetFullPath(modelPath)) throw new CliException($"--out '{outPath}' is the model file itself; give another file name, e.g. model.onnx.");

        Model m = ModelFiles.Load(modelPath);
        try
        {
            m.ExportOnnx(full, new OnnxExportOptions { IncludeSoftmax = softmax, IncludePreprocessing = preprocessing, Opset = opset });
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException)
        {
            // The model, not Tanuki, is what cannot be exported: bad input, with the exporter's list of layers.
            throw new CliException(e.Message);
        }
        Describe(full);
        return Program.Ok;
    }

    /// <summary>What was written, read back from the file: inputs, outputs, class names.</summary>
    private static void Describe(string path)
    {
        ModelProto proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        static string Value(ValueInfoProto v) =>
            $"{v.Name} ({string.Join(", ", v.Type.TensorType.Shape.Dim.Select(d => d.HasDimValue ? d.DimValue.ToString(CultureInfo.InvariantCulture) : d.DimParam is { Length: > 0 } p ? p : "?"))})";
        long bytes = new FileInfo(path).Length;
        Console.WriteLine($"Wrote {path} ({bytes / 1e6:0.0} MB, ONNX opset {proto.OpsetImport[0].Version})");
        Console.WriteLine($"  input:  {string.Join(", ", proto.Graph.Input.Select(Value))}");
        Console.WriteLine($"  output: {string.Join(", ", proto.Graph.Output.Select(Value))}");
        if (proto.MetadataProps.FirstOrDefault(p => p.Key == Tanuki.Interop.OnnxExport.MetadataKeys.ClassNames) is { } names)
            Console.WriteLine($"  classes: {string.Join(", ", System.Text.Json.Nodes.JsonNode.Parse(names.Value)!.AsArray().Select(n => n!.GetValue<string>()))}");
    }
}
