using System.Text.Json;
using Tanuki.Inference;
using Tanuki.Layers;

namespace Tanuki.Tests.Cli;

/// <summary>
/// <c>tanuki predict</c> and <c>tanuki evaluate</c> run on the model's inference engine: on ONNX Runtime they print what
/// they print on libtorch (probabilities to 1e-4, the same accuracy).
/// </summary>
[Collection(NonParallel.Name)]   // redirects Console, changes the process's default engine
public sealed class InferenceEngineCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string SmallModel()
    {
        TanukiInfo.SetRandomSeed(3);
        var input = new Input([3, 32, 32], "image");
        SymbolicTensor x = new Rescaling(1 / 255.0).Call(input);
        x = new MaxPooling2D(2).Call(new Conv2D(8, 3, padding: "same", activation: "relu").Call(x));
        x = new GlobalAveragePooling2D().Call(new Conv2D(16, 3, activation: "relu").Call(x));
        var model = new Model(input, new Dense(3, name: "predictions").Call(x)) { ClassNames = ShapeImages.Classes };
        string path = _dir.File("shapes.tanuki");
        model.Save(path);
        return path;
    }

    private static CliResult RunOn(InferenceEngine engine, params string[] args)
    {
        InferenceEngine saved = ExecutionOptions.Default.InferenceEngine;
        ExecutionOptions.Default.InferenceEngine = engine;
        try
        {
            CliResult r = TanukiCommand.Run(args);
            Assert.True(r.Code == 0, r.ToString());
            return r;
        }
        finally
        {
            ExecutionOptions.Default.InferenceEngine = saved;
        }
    }

    private static Dictionary<string, Dictionary<string, double>> Parse(string json) =>
        json.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToDictionary(
            e => e.GetProperty("file").GetString()!,
            e => e.GetProperty("predictions").EnumerateArray().ToDictionary(p => p.GetProperty("class").GetString()!, p => p.GetProperty("probability").GetDouble()));

    [Fact]
    public void PredictOnOnnxRuntimePrintsLibTorchsProbabilities()
    {
        string model = SmallModel();
        string data = ShapeImages.Write(_dir.File("shapes"), perClass: 2);
        var onTorch = Parse(RunOn(InferenceEngine.LibTorch, "predict", model, data, "--json").Out);
        long built = OrtSession.Created;
        var onOrt = Parse(RunOn(InferenceEngine.OnnxRuntime, "predict", model, data, "--json").Out);
        Assert.Equal(built + 1, OrtSession.Created);      // one session for the six images
        Assert.Equal(6, onOrt.Count);
        Assert.Equal(onTorch.Keys, onOrt.Keys);
        foreach (var (file, probabilities) in onTorch)
            foreach (var (name, p) in probabilities)
                Assert.True(Math.Abs(p - onOrt[file][name]) <= 1e-4, $"{file} {name}: {onOrt[file][name]} on ONNX Runtime, {p} on libtorch");
    }

    [Fact]
    public void EvaluateOnOnnxRuntimePrintsLibTorchsAccuracy()
    {
        string model = SmallModel();
        string data = ShapeImages.Write(_dir.File("shapes"), perClass: 3);
        string onTorch = RunOn(InferenceEngine.LibTorch, "evaluate", model, data).Out;
        long built = OrtSession.Created;
        string onOrt = RunOn(InferenceEngine.OnnxRuntime, "evaluate", model, data).Out;
        Assert.Equal(built + 1, OrtSession.Created);
        Assert.Contains("ccuracy", onOrt);
        Assert.Equal(onTorch, onOrt);
    }
}
