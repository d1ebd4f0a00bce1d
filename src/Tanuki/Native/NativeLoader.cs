using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tanuki.Native;

/// <summary>
/// Start-up check for the build-time fix in buildTransitive/Tanuki.targets: on a Linux whose libstdc++ lacks
/// GLIBCXX_3.4.32, finds whether the copy of libLibTorchSharp.so that TorchSharp will load (the one in the application's
/// folder) was made loadable at build or publish time, and if not, says exactly what is wrong and how to fix it. It never
/// writes a file: an application may run from a read-only folder, and a running program should not edit itself.
/// </summary>
internal static class NativeLoader
{
    /// <summary>What the start-up check found wrong, if anything; reported when TorchSharp fails to load.</summary>
    internal static string? Problem { get; private set; }

#pragma warning disable CA2255 // a module initializer is the only hook that runs before user code can touch torch through Tanuki
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            if (ElfVersionPatch.LibStdCxxDefines(ElfVersionPatch.GlibcxxVersion)) return;
            Problem = Check(Candidates());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Problem = "Tanuki could not check libstdc++: " + e.Message;
        }
    }

    /// <summary>
    /// On a system without GLIBCXX_3.4.32: the problem with the first of <paramref name="libraries"/> that still requires
    /// it, or null when none does.
    /// </summary>
    internal static string? Check(IEnumerable<string> libraries)
    {
        foreach (string path in libraries)
        {
            if (ElfVersionPatch.MakeWeak(path, ElfVersionPatch.GlibcxxVersion, dryRun: true) != ElfPatchResult.Patched) continue;
            return $"{path} requires {ElfVersionPatch.GlibcxxVersion} (libstdc++ of GCC 13), which this system's libstdc++ lacks. " +
                   "Tanuki's build target makes that copy loadable when the application is built or published (it patches the files " +
                   "in the output and publish folders, never at run time): reference Tanuki as a package (its buildTransitive/Tanuki.targets " +
                   "runs by itself), or, referencing the Tanuki project by path, add <Import Project=\"PATH/TO/src/Tanuki/buildTransitive/Tanuki.targets\" /> " +
                   "to the application's project file; then build or publish again. Or install a libstdc++ from GCC 13 or later.";
        }
        return null;
    }

    /// <summary>
    /// The copies TorchSharp tries: beside the application (its assemblies, in a single-file app too), then the
    /// runtimes/RID/native folder.
    /// </summary>
    private static IEnumerable<string> Candidates()
    {
        string rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        string dir = AppContext.BaseDirectory;
        foreach (string p in new[] { Path.Combine(dir, "libLibTorchSharp.so"), Path.Combine(dir, "runtimes", rid, "native", "libLibTorchSharp.so") })
            if (File.Exists(p)) yield return p;
    }
}
