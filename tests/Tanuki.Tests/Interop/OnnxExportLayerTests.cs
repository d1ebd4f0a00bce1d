using System.Reflection;
using Tanuki.Interop;
using Tanuki.Interop.OnnxExport;

namespace Tanuki.Tests.Interop;

/// <summary>
/// Every exported layer type, in each configuration that changes what is written: the exported file, run by ONNX
/// Runtime at a batch size of 3 (the file's batch axis is free), gives what Tanuki's Predict gives, to 1e-4 of the
/// output's scale.
/// </summary>
public class OnnxExportLayerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Cases() => OnnxExportCases.All();

    [Theory]
    [MemberData(nameof(Cases))]
    public void OnnxRuntimeMatchesPredict(string name)
    {
        OnnxExportCases.Case c = OnnxExportCases.Get(name);
        OnnxExportRunner.ExportAndCompare(c.Model, c.Inputs, _dir.File(name + ".onnx"), name);
    }

    /// <summary>The cases whose export depends on the opset: what opsets 13–16 lack is written from older operators.</summary>
    public static TheoryData<string, int> OpsetDependentCases()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in OnnxExportCases.OpsetDependent)
            foreach (int opset in new[] { 13, 16 }) data.Add(name, opset);
        return data;
    }

    [Theory]
    [MemberData(nameof(OpsetDependentCases))]
    public void OlderOpsetsMatchToo(string name, int opset)
    {
        OnnxExportCases.Case c = OnnxExportCases.Get(name);
        OnnxExportRunner.ExportAndCompare(c.Model, c.Inputs, _dir.File($"{name}_{opset}.onnx"), $"{name} at opset {opset}", new OnnxExportOptions { Opset = opset });
    }

    /// <summary>
    /// Every public layer type of Tanuki is exportable (or a model, which is inlined), and every exportable type is in a
    /// case above, so a layer added to Tanuki without an export, or an export without a test, fails here by name.
    /// </summary>
    [Fact]
    public void EveryBuiltInLayerTypeIsExportedAndTested()
    {
        Type[] builtIn = typeof(Layer).Assembly.GetExportedTypes()
            .Where(t => !t.IsAbstract && typeof(Layer).IsAssignableFrom(t) && !typeof(Model).IsAssignableFrom(t)).ToArray();
        Assert.NotEmpty(builtIn);
        var missing = builtIn.Where(t => !LayerExporters.Types.Contains(t)).Select(t => t.Name).ToArray();
        Assert.True(missing.Length == 0, $"layer types without an ONNX export: {string.Join(", ", missing)}");

        var tested = new HashSet<Type>();
        void Collect(Layer l)
        {
            tested.Add(l.GetType());
            foreach (Layer sub in l.Layers) Collect(sub);
        }
        foreach (string name in OnnxExportCases.Names) Collect(OnnxExportCases.Get(name).Model);
        var untested = LayerExporters.Types.Where(t => !tested.Contains(t)).Select(t => t.Name).ToArray();
        Assert.True(untested.Length == 0, $"exported layer types no case tests: {string.Join(", ", untested)}");
    }

    /// <summary>Every activation of <see cref="Activations"/> has a case of its own (an Activation layer), so a new one without an export fails here.</summary>
    [Fact]
    public void EveryActivationIsExportedAndTested()
    {
        string[] activations = typeof(Activations).GetProperties(BindingFlags.Public | BindingFlags.Static)
            .Where(p => p.PropertyType == typeof(ActivationFunction)).Select(p => ((ActivationFunction)p.GetValue(null)!).Name).ToArray();
        Assert.True(activations.Length >= 16, $"found only {activations.Length} activations");
        string[] untested = activations.Where(a => !OnnxExportCases.Names.Contains($"Activation_{a}")).ToArray();
        Assert.True(untested.Length == 0, $"activations no case tests: {string.Join(", ", untested)}");
    }
}
