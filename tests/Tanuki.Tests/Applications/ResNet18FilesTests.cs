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
        string home = EmptyDir("home"), packages = EmptyDir("packages");
        With(home, packages, () =>
        {
            var e = Assert.Throws<FileNotFoundException>(() => ResNet18.Create());
            Assert.Contains(Path.Combine(home, "ResNet18.onnx"), e.Message);
            Assert.Contains(Path.Combine(packages, "microsoft.ml.dnnimagefeaturizer.resnet18", "0.23.1"), e.Message);
            Assert.Contains("dotnet restore", e.Message);
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
        With(EmptyDir("home3"), packages, () => Assert.Equal(target, ResNet18Files.FindModel(null)));
    }
}
