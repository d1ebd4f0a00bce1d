namespace Tanuki.Tests.Interop;

/// <summary>A theory over the ONNX corpus: skipped, saying how to make it, when the corpus was not generated.</summary>
public sealed class OnnxCorpusTheoryAttribute : TheoryAttribute
{
    public OnnxCorpusTheoryAttribute()
    {
        if (OnnxCorpus.Manifest is null)
            Skip = $"The ONNX corpus was not generated ({Path.Combine(OnnxCorpus.Directory, "manifest.json")} is missing). Make it with " +
                   "/usr/bin/python3 tools/make_onnx_corpus.py (needs apt-get install python3-torch python3-torchvision python3-onnx; .ci/run does both).";
    }
}
