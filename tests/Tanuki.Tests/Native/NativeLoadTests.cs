using Tanuki.Native;

namespace Tanuki.Tests.Native;

public class NativeLoadTests
{
    [Fact]
    public void TorchSharpLoadsAndAMatmulRuns()
    {
        Backend.EnsureInitialized();
        using var a = torch.tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
        using var b = torch.tensor(new float[] { 5, 6, 7, 8 }, new long[] { 2, 2 });
        using var c = a.matmul(b);
        // [[1,2],[3,4]] x [[5,6],[7,8]] = [[19,22],[43,50]], by hand.
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c.data<float>().ToArray());
    }

    [Fact]
    public void ThreadsDefaultToTheProcessorCount()
    {
        Assert.Equal(Environment.ProcessorCount, Backend.Threads);
        Assert.Equal(Environment.ProcessorCount, torch.get_num_threads());
    }

    [Fact]
    public void TheLoadedLibraryRequiresOnlyAWeakGlibcxx332WhereTheSystemLacksIt()
    {
        if (!OperatingSystem.IsLinux()) return;
        string lib = Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories).First();
        var result = ElfVersionPatch.MakeWeak(lib, ElfVersionPatch.GlibcxxVersion, dryRun: true);
        if (ElfVersionPatch.LibStdCxxDefines(ElfVersionPatch.GlibcxxVersion))
            Assert.NotEqual(ElfPatchResult.NotElf, result);
        else
            Assert.Equal(ElfPatchResult.AlreadyWeak, result);   // the build target did its job
    }

    [Fact]
    public void PatchingIsIdempotentAndOnlyTouchesTheFlag()
    {
        if (!OperatingSystem.IsLinux()) return;
        string original = Directory.EnumerateFiles(NuGetNativeFolder(), "libLibTorchSharp.so").First();
        string dir = Directory.CreateTempSubdirectory("tanuki-elf").FullName;
        try
        {
            string copy = Path.Combine(dir, "libLibTorchSharp.so");
            File.Copy(original, copy);
            byte[] before = File.ReadAllBytes(copy);
            Assert.Equal(ElfPatchResult.Patched, ElfVersionPatch.MakeWeak(copy, ElfVersionPatch.GlibcxxVersion, dryRun: false));
            byte[] after = File.ReadAllBytes(copy);
            Assert.Equal(before.Length, after.Length);
            int[] changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
            Assert.Single(changed);                                   // one byte: the low byte of vna_flags
            Assert.Equal(0x2, after[changed[0]] ^ before[changed[0]]); // VER_FLG_WEAK
            Assert.Equal(ElfPatchResult.AlreadyWeak, ElfVersionPatch.MakeWeak(copy, ElfVersionPatch.GlibcxxVersion, dryRun: false));
            Assert.Equal(ElfPatchResult.NotRequired, ElfVersionPatch.MakeWeak(copy, "GLIBCXX_9.9.99", dryRun: false));
            File.WriteAllText(Path.Combine(dir, "text.so"), "not an ELF file");
            Assert.Equal(ElfPatchResult.NotElf, ElfVersionPatch.MakeWeak(Path.Combine(dir, "text.so"), ElfVersionPatch.GlibcxxVersion, dryRun: false));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TheStartUpCheckNamesAnUnpatchedCopyAndTheFixWithoutWritingIt()
    {
        if (!OperatingSystem.IsLinux()) return;
        string original = Directory.EnumerateFiles(NuGetNativeFolder(), "libLibTorchSharp.so").First();
        string dir = Directory.CreateTempSubdirectory("tanuki-elf-check").FullName;
        try
        {
            string copy = Path.Combine(dir, "libLibTorchSharp.so");
            File.Copy(original, copy);
            byte[] before = File.ReadAllBytes(copy);
            string? problem = NativeLoader.Check([copy]);
            Assert.NotNull(problem);
            Assert.Contains(copy, problem);
            Assert.Contains(ElfVersionPatch.GlibcxxVersion, problem);
            Assert.Contains("buildTransitive/Tanuki.targets", problem);
            Assert.Equal(before, File.ReadAllBytes(copy));   // checked, never patched at run time
            ElfVersionPatch.MakeWeak(copy, ElfVersionPatch.GlibcxxVersion, dryRun: false);   // as the build target does
            Assert.Null(NativeLoader.Check([copy]));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string NuGetNativeFolder()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native");
    }
}
