namespace Tanuki.Applications;

/// <summary>
/// Where ResNet-18's ONNX files are found: an explicit path, then <c>TANUKI_HOME</c> (default <c>~/.tanuki/models</c>),
/// then the application's own folder (<c>tanuki-models/</c> beside it, which the Tanuki package's build target fills at
/// build and publish time), then, last, the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 in the NuGet global
/// packages folder (a developer's machine that restored it). Nothing is downloaded at run time.
/// </summary>
internal static class ResNet18Files
{
    /// <summary>The folder beside the application that the build target (buildTransitive/Tanuki.targets) copies the files into.</summary>
    public const string AppModelsFolder = "tanuki-models";

    private static readonly AsyncLocal<string?> s_appFolder = new();

    /// <summary>
    /// The application folder whose <c>tanuki-models/</c> is searched: <see cref="AppContext.BaseDirectory"/> (right for
    /// single-file apps too), or, inside <see cref="UseAppFolder"/>, another.
    /// </summary>
    public static string AppFolder => s_appFolder.Value ?? AppContext.BaseDirectory;

    /// <summary>Tests: search <paramref name="folder"/> instead of the application folder until disposed (this async flow only).</summary>
    internal static IDisposable UseAppFolder(string folder)
    {
        string? old = s_appFolder.Value;
        s_appFolder.Value = folder;
        return new Restore(() => s_appFolder.Value = old);
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    public const string PackageId = "Microsoft.ML.DnnImageFeaturizer.ResNet18";
    public const string PackageVersion = "0.23.1";
    public const string ModelFile = "ResNet18.onnx";
    public const string ModelInPackage = "tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx";
    public const string PreprocessFile = "ResNetPreprocess.onnx";
    public const string PreprocessInPackage = "tools/DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx";

    /// <summary><c>TANUKI_HOME</c>, or <c>~/.tanuki/models</c>.</summary>
    public static string TanukiHome =>
        Environment.GetEnvironmentVariable("TANUKI_HOME") is { Length: > 0 } home
            ? home
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".tanuki", "models");

    /// <summary>The NuGet global packages folder: <c>NUGET_PACKAGES</c>, or <c>~/.nuget/packages</c>.</summary>
    public static string NuGetPackagesFolder =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    public static string FindModel(string? explicitPath) => Find(ModelFile, ModelInPackage, explicitPath, "the pretrained ResNet-18 (ResNet18.onnx)");

    public static string FindPreprocess() => Find(PreprocessFile, PreprocessInPackage, null, "ResNet-18's preprocessing model (ResNetPreprocess.onnx, which holds the mean image)");

    private static string Find(string fileName, string inPackage, string? explicitPath, string what)
    {
        if (explicitPath is not null)
        {
            if (File.Exists(explicitPath)) return explicitPath;
            throw new FileNotFoundException($"weightsPath names no file: '{explicitPath}' (full path {Path.GetFullPath(explicitPath)}). Pass the path of {ModelFile}, or leave weightsPath out to look in TANUKI_HOME and the NuGet packages folder.", explicitPath);
        }
        var looked = new List<string>();
        string home = Path.Combine(TanukiHome, fileName);
        looked.Add($"{home} (TANUKI_HOME{(Environment.GetEnvironmentVariable("TANUKI_HOME") is { Length: > 0 } ? "" : ", unset, so its default")})");
        if (File.Exists(home)) return home;

        string app = Path.Combine(AppFolder, AppModelsFolder, fileName);
        looked.Add($"{app} (the application's folder, which the Tanuki package's build target fills)");
        if (File.Exists(app)) return app;

        string packageDir = Path.Combine(NuGetPackagesFolder, PackageId.ToLowerInvariant());
        // The version Tanuki references first, then any other version that happens to be there, newest first.
        var versions = new List<string> { PackageVersion };
        if (Directory.Exists(packageDir))
            versions.AddRange(Directory.GetDirectories(packageDir).Select(Path.GetFileName).OfType<string>()
                .Where(v => v != PackageVersion).OrderByDescending(v => Version.TryParse(v, out var parsed) ? parsed : new Version()));
        foreach (string version in versions)
        {
            string candidate = Path.Combine(packageDir, version, inPackage);
            if (File.Exists(candidate)) return candidate;
        }
        looked.Add($"{Path.Combine(packageDir, PackageVersion, inPackage)} (the NuGet package {PackageId} {PackageVersion} in the NuGet global packages folder{(Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } ? ", NUGET_PACKAGES" : "")})");
        throw new FileNotFoundException(
            $"Could not find {what}. Looked in:\n  - {string.Join("\n  - ", looked)}\n" +
            "To get it, do one of:\n" +
            $"  - build or publish the application with the Tanuki package: its build target copies {fileName} into {AppModelsFolder}/ beside the application " +
            "(unless TanukiCopyPretrained is false); copy that folder along when deploying the application;\n" +
            $"  - restore the NuGet package {PackageId} {PackageVersion} (<PackageReference Include=\"{PackageId}\" Version=\"{PackageVersion}\" ExcludeAssets=\"all\" />), which brings the file into the NuGet global packages folder;\n" +
            $"  - copy {fileName} into {TanukiHome} (or set TANUKI_HOME to the folder that holds it);\n" +
            "  - pass its path: ResNet18.Create(weightsPath: \"/path/to/ResNet18.onnx\");\n" +
            "  - or use ResNet18.Create(weights: null) for the same architecture with random weights.",
            fileName);
    }
}
