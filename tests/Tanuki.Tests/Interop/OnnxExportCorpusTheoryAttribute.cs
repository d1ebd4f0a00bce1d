namespace Tanuki.Tests.Interop;

/// <summary>
/// A theory that exports the ONNX corpus and checks the files: skipped with the corpus tests' message when the corpus
/// was not generated, and saying how to install onnx.checker when python3-onnx is missing.
/// </summary>
public sealed class OnnxExportCorpusTheoryAttribute : TheoryAttribute
{
    public OnnxExportCorpusTheoryAttribute()
    {
        Skip = new OnnxCorpusTheoryAttribute().Skip;
        if (Skip is null && OnnxChecker.Missing is string why)
            Skip = $"onnx.checker cannot run: {why}. Install it with 'apt-get install python3-onnx' (.ci/run does).";
    }
}
