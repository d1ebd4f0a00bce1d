using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tanuki.Native;

/// <summary>
/// Start-up check for the build-time fix in buildTransitive/Tanuki.targets: when Tanuki is loaded
/// before TorchSharp has touched its native library, it makes the copy of libLibTorchSharp.so that
/// TorchSharp will load (the one in the application's folder) loadable on an older libstdc++.
/// A project that references Tanuki by path (no package, no build target) is covered by this.
/// </summary>
internal static class NativeLoader
{
    /// <summary>What the start-up check found wrong, if anything; reported when TorchSharp fails to load.</summary>
    internal static string? Problem { get; private set; }

    /// <summary>The files the start-up check patched in this process.</summary>
    internal static IReadOnlyList<string> Patched => s_patched;

    private static readonly List<string> s_patched = new();

#pragma warning disable CA2255 // a module initializer is the only hook that runs before user code can touch torch through Tanuki
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            if (ElfVersionPatch.LibStdCxxDefines(ElfVersionPatch.GlibcxxVersion)) return;
            foreach (string path in Candidates())
            {
                try
                {
                    if (ElfVersionPatch.MakeWeak(path, ElfVersionPatch.GlibcxxVersion, dryRun: false) == ElfPatchResult.Patched)
                        s_patched.Add(path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Problem = $"{path} requires {ElfVersionPatch.GlibcxxVersion} (libstdc++ of GCC 13), which this system's libstdc++ lacks, " +
                              $"and Tanuki could not fix that copy ({e.Message}). Make the file writable, or build the application " +
                              "with the Tanuki package (its build target patches the output folder), or install a libstdc++ from GCC 13 or later.";
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Problem = "Tanuki could not check libstdc++: " + e.Message;
        }
    }

    /// <summary>The copies TorchSharp tries: beside TorchSharp.dll, then the runtimes/RID/native folder.</summary>
    private static IEnumerable<string> Candidates()
    {
        string rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        var dirs = new List<string> { AppContext.BaseDirectory };
        string? torchDir = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location);
        if (!string.IsNullOrEmpty(torchDir) && torchDir != AppContext.BaseDirectory.TrimEnd('/')) dirs.Add(torchDir);
        foreach (string dir in dirs)
        {
            foreach (string p in new[] { Path.Combine(dir, "libLibTorchSharp.so"), Path.Combine(dir, "runtimes", rid, "native", "libLibTorchSharp.so") })
                if (File.Exists(p)) yield return p;
        }
    }
}
