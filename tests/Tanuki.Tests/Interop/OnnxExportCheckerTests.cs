using Tanuki.Interop;

namespace Tanuki.Tests.Interop;

/// <summary>
/// ONNX's validator (onnx.checker with full_check: operator schemas, strict shape and type inference) accepts every file
/// the export tests write: every layer case, the ResNet-18 workflow's model with each option, and the oldest opset
/// (with the decompositions it needs).
/// </summary>
public class OnnxExportCheckerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [OnnxCheckerFact]
    public void OnnxCheckerAcceptsEveryExportedFile()
    {
        var files = new List<string>();
        foreach (string name in OnnxExportCases.Names)
        {
            string path = _dir.File(name + ".onnx");
            OnnxExportCases.Get(name).Model.ExportOnnx(path);
            files.Add(path);
        }
        foreach (string name in OnnxExportCases.OpsetDependent)
        {
            string path = _dir.File(name + "_opset13.onnx");
            OnnxExportCases.Get(name).Model.ExportOnnx(path, new OnnxExportOptions { Opset = 13 });
            files.Add(path);
        }
        Model workflow = OnnxExportWorkflowModel.Create(64, classes: 3);
        foreach (var (name, options) in new (string, OnnxExportOptions)[]
        {
            ("workflow", new()),
            ("workflow_softmax", new() { IncludeSoftmax = true }),
            ("workflow_no_preprocessing", new() { IncludePreprocessing = false }),
            ("workflow_opset13", new() { Opset = 13 }),
        })
        {
            string path = _dir.File(name + ".onnx");
            workflow.ExportOnnx(path, options);
            files.Add(path);
        }
        Dictionary<string, string> problems = OnnxChecker.Check(files);
        Assert.True(problems.Count == 0, $"onnx.checker rejects {problems.Count} of {files.Count} files:\n" +
                                         string.Join("\n", problems.Select(p => $"{Path.GetFileName(p.Key)}: {p.Value}")));
    }
}
