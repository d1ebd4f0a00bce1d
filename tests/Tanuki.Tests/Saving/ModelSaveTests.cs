using System.IO.Compression;
using System.Text.Json;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;
using Tanuki.Saving;
using Tanuki.Tests.Models;

namespace Tanuki.Tests.Saving;

/// <summary>Save → Load round trips: the same architecture, bit-identical predictions, the same flags and class names.</summary>
public class ModelSaveTests
{
    private static Model RoundTrip(Model model, TempDirectory dir)
    {
        string path = dir.File(model.Name + ".tanuki");
        model.Save(path);
        Model loaded = Model.Load(path);
        AssertSameStructure(model, loaded);
        return loaded;
    }

    /// <summary>Same layer tree (names, types, trainable flags), same weights by name, bit for bit, same per-weight flags.</summary>
    internal static void AssertSameStructure(Layer expected, Layer actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal(expected.Trainable, actual.Trainable);
        Assert.Equal(expected.Built, actual.Built);
        Assert.Equal(expected.Layers.Count, actual.Layers.Count);
        for (int i = 0; i < expected.Layers.Count; i++) AssertSameStructure(expected.Layers[i], actual.Layers[i]);
        if (expected.Layers.Count == 0)
            Assert.Equal(JsonSerializer.Serialize(expected.GetConfig()), JsonSerializer.Serialize(actual.GetConfig()));
        Assert.Equal(expected.Weights.Select(w => (w.Path, w.Trainable)), actual.Weights.Select(w => (w.Path, w.Trainable)));
        Assert.Equal(expected.TrainableWeights.Select(w => w.Path), actual.TrainableWeights.Select(w => w.Path));
        Tensor[] a = expected.GetWeights(), b = actual.GetWeights();
        for (int i = 0; i < a.Length; i++) TensorAssert.Equal(a[i], b[i]);
    }

    private static Tensor[] Predict(Model model, params Tensor[] inputs)
    {
        using var _ = torch.no_grad();
        return model.Call(inputs, training: false);
    }

    private static void AssertSamePredictions(Model a, Model b, params Tensor[] inputs)
    {
        Tensor[] ya = Predict(a, inputs), yb = Predict(b, inputs);
        Assert.Equal(ya.Length, yb.Length);
        for (int i = 0; i < ya.Length; i++) TensorAssert.Equal(ya[i], yb[i]);
    }

    [Fact]
    public void ATrainedSequentialWithFrozenLayersAndClassNamesComesBackExactly()
    {
        using var dir = new TempDirectory();
        var model = new Sequential(new Input(4), [
            new Dense(8, activation: "relu", kernelInitializer: "he_normal", name: "rt_dense"),
            new BatchNormalization(momentum: 0.9, epsilon: 1e-5, name: "rt_bn"),
            new Dropout(0.3, seed: 5, name: "rt_dropout"),
            new ReLU(maxValue: 6, negativeSlope: 0.1, name: "rt_relu"),
            new Dense(3, activation: "softmax", useBias: false, name: "rt_out")], "rt_sequential");
        model.Compile(new Adam(0.01), new SparseCategoricalCrossentropy());
        model.Fit(torch.rand(16, 4), torch.randint(0, 3, [16]), batchSize: 8, epochs: 2, verbose: 0);
        model.GetLayer("rt_dense").Trainable = false;
        ((Dense)model.GetLayer("rt_out")).Kernel!.Trainable = false;     // a weight frozen on its own
        model.ClassNames = ["cat", "dog", "tanuki"];

        Model loaded = RoundTrip(model, dir);
        Assert.IsType<Sequential>(loaded);
        Assert.Equal(["cat", "dog", "tanuki"], loaded.ClassNames);
        Assert.False(loaded.GetLayer("rt_dense").Trainable);
        Assert.False(((Dense)loaded.GetLayer("rt_out")).Kernel!.Trainable);
        Assert.Equal(model.GetSummary().Rows, loaded.GetSummary().Rows);
        AssertSamePredictions(model, loaded, torch.rand(10, 4));
        TensorAssert.Equal(model.Predict(torch.ones(3, 4)), loaded.Predict(torch.ones(3, 4)));
    }

    [Fact]
    public void ASequentialWithoutInputComesBackBuiltOrUnbuiltAsItWas()
    {
        using var dir = new TempDirectory();
        var built = new Sequential(null, [new Dense(3, name: "nb_a"), new Flatten(name: "nb_flat"), new Activation("tanh", name: "nb_act")], "nb_built");
        built.Call(torch.rand(2, 5));
        Model loaded = RoundTrip(built, dir);
        Assert.True(loaded.Built);
        AssertSamePredictions(built, loaded, torch.rand(4, 5));

        var unbuilt = new Sequential(null, [new Dense(3, name: "ub_a")], "nb_unbuilt");
        Model again = RoundTrip(unbuilt, dir);
        Assert.False(again.Built);
        Assert.Empty(again.Weights);
    }

    [Fact]
    public void AFunctionalModelWithSharedLayersSeveralInputsAndOutputsComesBackExactly()
    {
        using var dir = new TempDirectory();
        var a = new Input([3], "mf_a");
        var b = new Input([3], "mf_b");
        var shared = new Dense(4, activation: "relu", name: "mf_shared");
        var sum = new PairSum("mf_sum").Call([shared.Call(a), shared.Call(b)])[0];
        SymbolicTensor[] parts = new Split("mf_split").Call([sum]);
        var out1 = new Dense(2, name: "mf_out1").Call(parts[1]);
        var out2 = new Dropout(0.5, name: "mf_mc").Call(new BatchNormalization(name: "mf_bn").Call(parts[0]), training: true);
        var model = new Model([a, b], [out1, out2, sum], "multi_functional");

        Model loaded = RoundTrip(model, dir);
        Assert.Equal(model.Layers.Select(l => l.Name), loaded.Layers.Select(l => l.Name));
        Assert.Equal(model.GetSummary().Rows, loaded.GetSummary().Rows);    // shapes and Connected to
        Tensor xa = torch.rand(5, 3), xb = torch.rand(5, 3);
        Tensor[] ya = Predict(model, xa, xb), yb = Predict(loaded, xa, xb);
        TensorAssert.Equal(ya[0], yb[0]);
        TensorAssert.Equal(ya[2], yb[2]);
        // The Dropout call was fixed to training: true, so it still drops in inference after loading.
        Assert.True(yb[1].eq(0).any().item<bool>(), "the fixed training flag was lost");
    }

    [Fact]
    public void ANestedFrozenBaseCalledInInferenceModeStaysSoAfterLoading()
    {
        using var dir = new TempDirectory();
        var (model, baseModel, _) = FunctionalTests.GuideModel(fixInference: true);
        baseModel.Trainable = false;
        Model loaded = RoundTrip(model, dir);
        AssertSamePredictions(model, loaded, torch.rand(7, 4));

        var loadedBase = (Sequential)loaded.Layers.Single(l => l is Sequential);
        Assert.False(loadedBase.Trainable);
        loadedBase.Trainable = true;              // unfrozen: its BN would update if it ran in training mode
        var bn = (BatchNormalization)loadedBase.Layers[1];
        Tensor mean = bn.MovingMean!.Value.clone();
        loaded.Compile(new SGD(0.1), new MeanSquaredError());
        loaded.Fit(torch.rand(16, 4), torch.rand(16, 1), batchSize: 8, verbose: 0);
        TensorAssert.Equal(mean, bn.MovingMean.Value);
    }

    [Fact]
    public void FunctionalAndSequentialModelsNestBothWays()
    {
        using var dir = new TempDirectory();
        var fin = new Input([3], "nw_in");
        var innerFunctional = new Model(fin, new Dense(2, name: "nw_f_dense").Call(new Dense(3, name: "nw_f_hidden").Call(fin)), "nw_functional");
        var innerSequential = new Sequential(new Input(4), [new Dense(3, name: "nw_s_dense")], "nw_sequential");
        var seq = new Sequential(new Input(4), [innerSequential, innerFunctional, new Dense(1, name: "nw_head")], "nw_outer_seq");
        var x = new Input([4], "nw_outer_in");
        var outer = new Model(x, seq.Call(x), "nw_outer");
        Model loaded = RoundTrip(outer, dir);
        AssertSamePredictions(outer, loaded, torch.rand(6, 4));
        Assert.IsType<Sequential>(loaded.GetLayer("nw_outer_seq"));
        Assert.Equal("Functional", loaded.GetSummary(expandNested: true).Rows.Single(r => r.Name == "nw_functional").TypeName);
    }

    [Fact]
    public void AnInputSharedByAModelAndTheModelNestedInItSavesAndLoads()
    {
        using var dir = new TempDirectory();
        var x = new Input([3], "sh_in");
        var inner = new Model(x, new Dense(2, name: "sh_dense").Call(x), "sh_inner");
        var outer = new Model(x, new Dense(1, name: "sh_head").Call(inner.Call(x)), "sh_outer");
        Model loaded = RoundTrip(outer, dir);
        AssertSamePredictions(outer, loaded, torch.rand(4, 3));
    }

    [Fact]
    public void ALayerWithWeightsInsideAndOutsideANestedModelIsRefusedClearly()
    {
        using var dir = new TempDirectory();
        var x = new Input([3], "tw_in");
        var shared = new Dense(3, name: "tw_shared");
        var inner = new Model(x, shared.Call(x), "tw_inner");
        var outer = new Model(x, shared.Call(inner.Call(x)), "tw_outer");
        var e = Assert.Throws<NotSupportedException>(() => outer.Save(dir.File("tw.tanuki")));
        Assert.Contains("tw_shared", e.Message);
        Assert.Contains("tw_inner/tw_shared", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
        outer.SaveWeights(dir.File("tw.safetensors"));       // the weights alone are fine: each is saved once
        outer.LoadWeights(dir.File("tw.safetensors"));
    }

    [Fact]
    public void TheArchiveHoldsConfigWeightsAndMetadata()
    {
        using var dir = new TempDirectory();
        var model = new Sequential(new Input(2), [new Dense(3, name: "ar_dense")], "archive_model");
        model.ClassNames = ["a", "b", "c"];
        string path = dir.File("m.tanuki");
        model.Save(path);
        using ZipArchive zip = ZipFile.OpenRead(path);
        Assert.Equal(["metadata.json", "config.json", "model.safetensors"], zip.Entries.Select(e => e.FullName));
        using JsonDocument meta = JsonDocument.Parse(zip.GetEntry("metadata.json")!.Open());
        Assert.Equal(TanukiInfo.Version, meta.RootElement.GetProperty("tanuki_version").GetString());
        Assert.True(DateTime.TryParse(meta.RootElement.GetProperty("date_saved").GetString(), out _));
        Assert.Equal(["a", "b", "c"], meta.RootElement.GetProperty("class_names").EnumerateArray().Select(e => e.GetString()));
        using JsonDocument config = JsonDocument.Parse(zip.GetEntry("config.json")!.Open());
        JsonElement m = config.RootElement.GetProperty("model");
        Assert.Equal("Sequential", m.GetProperty("class_name").GetString());
        JsonElement dense = m.GetProperty("config").GetProperty("layers")[0];
        Assert.Equal("Dense", dense.GetProperty("class_name").GetString());
        Assert.Equal(3, dense.GetProperty("config").GetProperty("units").GetInt32());
        Assert.Equal("glorot_uniform", dense.GetProperty("config").GetProperty("kernel_initializer").GetString());
        var weights = new MemoryStream();
        zip.GetEntry("model.safetensors")!.Open().CopyTo(weights);
        var (header, _, _) = SafeTensorsTests.ReadIndependently(weights.ToArray());
        Assert.Equal(["ar_dense/kernel", "ar_dense/bias"], header.EnumerateObject().Select(p => p.Name).Where(n => n != "__metadata__"));
    }

    [Fact]
    public void SavingOverAnExistingFileReplacesItAndLeavesNoTemporaryFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("over.tanuki");
        File.WriteAllText(path, "old");
        var model = new Sequential(new Input(2), new Dense(1));
        model.Save(path);
        model.Save(path);
        Assert.Equal([path], Directory.GetFiles(dir.Path));
        Assert.IsType<Sequential>(Model.Load(path));
        string nested = Path.Combine(dir.Path, "new", "folder", "m.tanuki");
        model.Save(nested);                        // missing folders are made
        Assert.True(File.Exists(nested));
    }
}
