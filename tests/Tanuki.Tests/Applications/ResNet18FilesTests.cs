using Tanuki.Applications;

namespace Tanuki.Tests.Applications;

[CollectionDefinition("Environment variables", DisableParallelization = true)]
public sealed class EnvironmentCollection { }

/// <summary>Where the weights are looked for. These tests change TANUKI_HOME and NUGET_PACKAGES, so they run alone.</summary>
[Collection("Environment variables")]
public class ResNet18FilesTests
{
    private static void With(string? tanukiHome, string? nugetPackages, Action action)
    {
        string? oldHome = Environment.GetEnvironmentVariable("TANUKI_HOME"), oldNuGet = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        try
        {
            Environment.SetEnvironmentVariable("TANUKI_HOME", tanukiHome);
            Environment.SetEnvironmentVariable("NUGET_PACKAGES", nugetPackages);
            action();
        }
        finally
        {
            Environment.SetEnvironmentVariable("TANUKI_HOME", oldHome);
            Environment.SetEnvironmentVariable("NUGET_PACKAGES", oldNuGet);
        }
    }

    private static string EmptyDir(string name)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"tanuki-{name}-{Environment.ProcessId}");
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        return dir;
    }

    [Fact]
    public void NoFileAnywhereSaysWhereItLookedAndHowToGetIt()
    {
        string home = EmptyDir("home"), packages = EmptyDir("packages"), app = EmptyDir("app");
        using var appFolder = ResNet18Files.UseAppFolder(app);
        With(home, packages, () =>
        {
            var e = Assert.Throws<FileNotFoundException>(() => ResNet18.Create());
            Assert.Contains(Path.Combine(home, "ResNet18.onnx"), e.Message);
            Assert.Contains(Path.Combine(packages, "microsoft.ml.dnnimagefeaturizer.resnet18", "0.23.1"), e.Message);
            Assert.Contains(Path.Combine(app, "tanuki-models", "ResNet18.onnx"), e.Message);
            Assert.Contains("TanukiCopyPretrained", e.Message);
            Assert.Contains("weights: null", e.Message);
            // The architecture alone needs no file.
            Assert.Equal(new long[] { -1, 512, 2, 2 }, ResNet18.Create(weights: null, inputShape: [3, 64, 64]).Outputs[0].Shape);
        });
    }

    [Fact]
    public void TanukiHomeComesBeforeTheNuGetPackage()
    {
        string real = ResNet18Files.FindModel(null);
        string home = EmptyDir("home2");
        File.CreateSymbolicLink(Path.Combine(home, "ResNet18.onnx"), real);
        With(home, EmptyDir("packages2"), () => Assert.Equal(Path.Combine(home, "ResNet18.onnx"), ResNet18Files.FindModel(null)));
        File.Delete(Path.Combine(home, "ResNet18.onnx"));
    }

    [Fact]
    public void NuGetPackagesIsHonoured()
    {
        string real = ResNet18Files.FindModel(null);
        string packages = EmptyDir("packages3");
        string target = Path.Combine(packages, "microsoft.ml.dnnimagefeaturizer.resnet18", "0.23.1", "tools", "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.CreateSymbolicLink(target, real);
        using var appFolder = ResNet18Files.UseAppFolder(EmptyDir("app3"));
        With(EmptyDir("home3"), packages, () => Assert.Equal(target, ResNet18Files.FindModel(null)));
    }

    [Fact]
    public void TheBuildCopiedTheFilesBesideTheApplicationWhereTheyAreFoundWithoutTheNuGetCache()
    {
        // buildTransitive/Tanuki.targets copied both files into this test assembly's output folder.
        string models = Path.Combine(AppContext.BaseDirectory, "tanuki-models");
        Assert.True(File.Exists(Path.Combine(models, "ResNet18.onnx")), $"no ResNet18.onnx in {models}");
        Assert.True(File.Exists(Path.Combine(models, "ResNetPreprocess.onnx")), $"no ResNetPreprocess.onnx in {models}");
        With(EmptyDir("home4"), EmptyDir("packages4"), () =>
        {
            Assert.Equal(Path.Combine(models, "ResNet18.onnx"), ResNet18Files.FindModel(null));
            Assert.Equal(Path.Combine(models, "ResNetPreprocess.onnx"), ResNet18Files.FindPreprocess());
        });
    }

    [Fact]
    public void ASavedModelPredictsWithNoPretrainedFileAnywhere()
    {
        // A model with ResNet-18's preprocessing (the mean image read from ResNetPreprocess.onnx when built) and a head.
        var input = new Input(3, 224, 224);
        var x = new ResNet18Preprocessing().Call(input);
        x = new Tanuki.Layers.GlobalAveragePooling2D().Call(x);
        var model = new Model(input, new Tanuki.Layers.Dense(2).Call(x));
        using var images = torch.rand(2, 3, 224, 224) * 255;
        using var expected = model.Predict(images);
        string file = Path.Combine(EmptyDir("saved"), "m.tanuki");
        model.Save(file);

        using var appFolder = ResNet18Files.UseAppFolder(EmptyDir("app5"));
        With(EmptyDir("home5"), EmptyDir("packages5"), () =>
        {
            // The pretrained files are truly gone here: what needs them says so, naming where it looked...
            var e = Assert.Throws<FileNotFoundException>(() => ResNet18.Preprocess(images));
            Assert.Contains("ResNetPreprocess.onnx", e.Message);
            Assert.Contains("Looked in", e.Message);
            // ...yet the saved model loads and predicts the same: the file holds the mean image.
            Model again = Model.Load(file);
            using var predicted = again.Predict(images);
            TensorAssert.Close(expected, predicted, 1e-5);
        });
    }
}
