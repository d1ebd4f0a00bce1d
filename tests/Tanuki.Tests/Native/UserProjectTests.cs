using System.Diagnostics;

namespace Tanuki.Tests.Native;

/// <summary>
/// A user's project, outside this repo, gets a loadable TorchSharp: through the package's build target, with no step of
/// its own, when it references the Tanuki package; through the same target, imported by one line, when it references the
/// project by path (Tanuki never patches files at run time). Slow (two restores and builds).
/// </summary>
public class UserProjectTests
{
    private static readonly string Repo = FindRepo();

    [Fact]
    public void AProjectReferencingThePackageLoadsTorchSharpBeforeTouchingTanuki()
    {
        string root = Directory.CreateTempSubdirectory("tanuki-user-pkg").FullName;
        string version = $"0.1.0-test{DateTime.UtcNow:yyyyMMddHHmmss}{Environment.ProcessId}";
        string packages = NuGetPackages();
        try
        {
            string feed = Path.Combine(root, "feed");
            Run("dotnet", $"pack \"{Path.Combine(Repo, "src", "Tanuki", "Tanuki.csproj")}\" -o \"{feed}\" -p:Version={version} -p:TanukiVersion={version}", Repo);
            string app = Path.Combine(root, "app");
            Directory.CreateDirectory(app);
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration><packageSources><add key="local" value="{feed}" /></packageSources></configuration>
                """);
            File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><RuntimeIdentifier>linux-x64</RuntimeIdentifier><SelfContained>false</SelfContained></PropertyGroup>
                  <ItemGroup><PackageReference Include="Tanuki" Version="{version}" /></ItemGroup>
                </Project>
                """);
            // TorchSharp first, Tanuki never touched: only the build target can have made the library loadable.
            File.WriteAllText(Path.Combine(app, "Program.cs"), """
                var a = TorchSharp.torch.ones(2, 2);
                System.Console.WriteLine("sum=" + a.matmul(a).sum().item<float>());
                """);
            string output = Run("dotnet", "run", app);
            Assert.Contains("sum=8", output);
            AssertPretrainedFilesCopied(app);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
            string cached = Path.Combine(packages, "tanuki", version);
            if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
        }
    }

    [Fact]
    public void AProjectReferencingTheProjectByPathAndImportingTheTargetsLoadsTorchSharp()
    {
        if (!OperatingSystem.IsLinux()) return;
        string root = Directory.CreateTempSubdirectory("tanuki-user-proj").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "app.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><RuntimeIdentifier>linux-x64</RuntimeIdentifier><SelfContained>false</SelfContained></PropertyGroup>
                  <ItemGroup><ProjectReference Include="{Path.Combine(Repo, "src", "Tanuki", "Tanuki.csproj")}" /></ItemGroup>
                  <Import Project="{Path.Combine(Repo, "src", "Tanuki", "buildTransitive", "Tanuki.targets")}" />
                </Project>
                """);
            File.WriteAllText(Path.Combine(root, "Program.cs"), """
                Tanuki.Backend.EnsureInitialized();
                var d = new Tanuki.Layers.Dense(2);
                var y = d.Call(TorchSharp.torch.ones(3, 4));
                System.Console.WriteLine("shape=" + string.Join("x", y.shape));
                """);
            string output = Run("dotnet", "run", root);
            Assert.Contains("shape=3x2", output);
            AssertPretrainedFilesCopied(root);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The build target copied ResNet-18 and its preprocessing model beside the application.</summary>
    private static void AssertPretrainedFilesCopied(string project)
    {
        string models = Path.Combine(project, "bin", "Debug", "net10.0", "linux-x64", "tanuki-models");
        foreach (string file in new[] { "ResNet18.onnx", "ResNetPreprocess.onnx" })
            Assert.True(File.Exists(Path.Combine(models, file)), $"no {file} in {models}");
    }

    private static string Run(string file, string args, string dir)
    {
        var psi = new ProcessStartInfo(file, args) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment.Remove("MSBuildExtensionsPath");
        psi.Environment.Remove("MSBuildSDKsPath");
        psi.Environment.Remove("MSBUILD_EXE_PATH");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException($"{file} {args} took over 5 minutes"); }
        string all = stdout.Result + stderr.Result;
        Assert.True(p.ExitCode == 0, $"{file} {args} failed ({p.ExitCode}):\n{all}");
        return all;
    }

    private static string NuGetPackages() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static string FindRepo()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Tanuki.slnx"))) return d.FullName;
        throw new InvalidOperationException("could not find the repository root above " + AppContext.BaseDirectory);
    }
}
