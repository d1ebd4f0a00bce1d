using Tanuki.Layers;
using Tanuki.Saving;

namespace Tanuki.Tests.Saving;

/// <summary>SaveWeights / LoadWeights: matching by name, and errors that list every difference without changing anything.</summary>
public class WeightsFileTests
{
    private static Sequential Build(int hidden = 5, string prefix = "wf") => new(new Input(3), [
        new Dense(hidden, activation: "relu", name: $"{prefix}_hidden"),
        new BatchNormalization(name: $"{prefix}_bn"),
        new Dense(2, name: $"{prefix}_out")], $"{prefix}_model");

    [Fact]
    public void WeightsLoadIntoAnotherModelOfTheSameArchitecture()
    {
        using var dir = new TempDirectory();
        var source = Build();
        ((BatchNormalization)source.GetLayer("wf_bn")).MovingMean!.Assign(torch.rand(5));
        string path = dir.File("w.safetensors");
        source.SaveWeights(path);
        var target = Build();
        target.LoadWeights(path);
        Tensor[] a = source.GetWeights(), b = target.GetWeights();
        for (int i = 0; i < a.Length; i++) TensorAssert.Equal(a[i], b[i]);
        Tensor x = torch.rand(4, 3);
        TensorAssert.Equal(source.Predict(x), target.Predict(x));

        string whole = dir.File("whole.tanuki");
        source.Save(whole);
        var third = Build();
        third.LoadWeights(whole);                   // the weights of a .tanuki file load too
        TensorAssert.Equal(source.Predict(x), third.Predict(x));
    }

    [Fact]
    public void AMismatchListsMissingUnexpectedAndShapesAndChangesNothing()
    {
        using var dir = new TempDirectory();
        string path = dir.File("w.safetensors");
        Build().SaveWeights(path);

        var wider = Build(hidden: 7);
        Tensor[] before = wider.GetWeights();
        var e = Assert.Throws<ModelFileException>(() => wider.LoadWeights(path));
        Assert.Contains("shape mismatches (7)", e.Message);
        Assert.Contains("\"wf_hidden/kernel\": the model's weight has shape (3, 7), the file's tensor (3, 5)", e.Message);
        Assert.Contains("No weight was changed", e.Message);
        Tensor[] after = wider.GetWeights();
        for (int i = 0; i < before.Length; i++) TensorAssert.Equal(before[i], after[i]);

        var renamed = Build(prefix: "other");
        var e2 = Assert.Throws<ModelFileException>(() => renamed.LoadWeights(path));
        Assert.Contains("missing from the file (8): other_hidden/kernel, other_hidden/bias", e2.Message);
        Assert.Contains("in the file but not in the model (8): wf_hidden/kernel", e2.Message);
        Assert.Contains("explicit names", e2.Message);

        var shorter = new Sequential(new Input(3), [new Dense(5, activation: "relu", name: "wf_hidden")], "short");
        var e3 = Assert.Throws<ModelFileException>(() => shorter.LoadWeights(path));
        Assert.Contains("in the file but not in the model (6)", e3.Message);
        Assert.DoesNotContain("missing from the file", e3.Message);
    }

    [Fact]
    public void TheExtensionsOfTheTwoFormatsAreNotMixedUp()
    {
        using var dir = new TempDirectory();
        var model = Build(prefix: "ext");
        Assert.Contains("SaveWeights", Assert.Throws<ArgumentException>(() => model.Save(dir.File("m.safetensors"))).Message);
        Assert.Contains("Save(path)", Assert.Throws<ArgumentException>(() => model.SaveWeights(dir.File("m.tanuki"))).Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
