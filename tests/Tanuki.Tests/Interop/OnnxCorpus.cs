using System.Text.Json;

namespace Tanuki.Tests.Interop;

/// <summary>
/// The ONNX import corpus tools/make_onnx_corpus.py writes (16 torchvision architectures at opsets 11, 13, 17): where
/// it is (TANUKI_ONNX_CORPUS, else artifacts/onnx-corpus at the repository root) and what its manifest lists. The
/// files are large and never committed; .ci/run makes them.
/// </summary>
internal static class OnnxCorpus
{
    /// <summary>The architectures and opsets the script makes, as it names them (the tests expect every one).</summary>
    public static readonly string[] Architectures =
    [
        "resnet50", "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large", "efficientnet_b0", "squeezenet1_0",
        "densenet121", "regnet_y_400mf", "googlenet", "inception_v3", "vgg11_bn", "alexnet", "mnasnet1_0",
        "convnext_tiny", "shufflenet_v2_x1_0", "vit_b_16",
    ];

    public static readonly int[] Opsets = [11, 13, 17];

    public sealed record Entry(string File, string Architecture, string Title, int Opset, string Input, string Output, long[] InputShape);

    internal static string Directory
    {
        get
        {
            if (Environment.GetEnvironmentVariable("TANUKI_ONNX_CORPUS") is { Length: > 0 } given) return given;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Tanuki.slnx"))) return Path.Combine(dir.FullName, "artifacts", "onnx-corpus");
            return Path.Combine(AppContext.BaseDirectory, "onnx-corpus");
        }
    }

    private static readonly Lazy<Dictionary<string, Entry>?> s_manifest = new(Read);

    /// <summary>Null when the corpus was not generated.</summary>
    public static IReadOnlyDictionary<string, Entry>? Manifest => s_manifest.Value;

    private static Dictionary<string, Entry>? Read()
    {
        string path = Path.Combine(Directory, "manifest.json");
        if (!File.Exists(path)) return null;
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("models").EnumerateArray().Select(m => new Entry(
                m.GetProperty("file").GetString()!, m.GetProperty("architecture").GetString()!, m.GetProperty("title").GetString()!,
                m.GetProperty("opset").GetInt32(), m.GetProperty("input").GetString()!, m.GetProperty("output").GetString()!,
                m.GetProperty("input_shape").EnumerateArray().Select(d => d.GetInt64()).ToArray()))
            .ToDictionary(e => e.File);
    }

    public static string FileName(string architecture, int opset) => $"{architecture}_opset{opset}.onnx";

    /// <summary>The entry for a model (tests that read the corpus are <see cref="OnnxCorpusTheoryAttribute"/>s, skipped without it).</summary>
    public static Entry Require(string architecture, int opset)
    {
        string file = FileName(architecture, opset);
        Entry? entry = null;
        Assert.True(Manifest is not null && Manifest.TryGetValue(file, out entry) && File.Exists(Path.Combine(Directory, file)),
            $"The ONNX corpus in {Directory} has no {file}: it is incomplete or stale. Run /usr/bin/python3 tools/make_onnx_corpus.py again.");
        return entry!;
    }
}
