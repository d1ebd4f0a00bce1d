namespace Tanuki.Native;

/// <summary>
/// What the CPU can do that decides a speed-up: whether it has bfloat16 instructions, which
/// <see cref="TrainingPrecision.MixedBFloat16"/> needs to be faster than float32 (without them libtorch emulates
/// bfloat16 and is slower).
/// </summary>
internal static class CpuFeatures
{
    private static readonly Lazy<bool?> s_bfloat16 = new(() => ReadFlags() is string flags ? HasBFloat16(flags) : null);

    /// <summary>True or false where the CPU's flags can be read (Linux), null where they cannot.</summary>
    public static bool? BFloat16 => s_bfloat16.Value;

    /// <summary>Whether a <c>/proc/cpuinfo</c> flags line names AVX-512 BF16 or AMX BF16.</summary>
    public static bool HasBFloat16(string flags) =>
        flags.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Any(f => f is "avx512_bf16" or "amx_bf16");

    private static string? ReadFlags()
    {
        try
        {
            if (!OperatingSystem.IsLinux() || !File.Exists("/proc/cpuinfo")) return null;
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
            return line?.Split(':', 2) is [_, string flags] ? flags : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
