using Tanuki.Native;

namespace Tanuki.Tests.Native;

/// <summary>Reading bfloat16 support from a /proc/cpuinfo flags line, whole words only.</summary>
public class CpuFeaturesTests
{
    [Theory]
    [InlineData(" fpu avx2 avx512f avx512_bf16 avx512_vnni", true)]     // AMD Zen 4, Intel Cooper Lake and later
    [InlineData(" fpu avx512f amx_bf16 amx_tile amx_int8", true)]        // Intel Sapphire Rapids
    [InlineData(" fpu sse4_2 avx avx2 fma avx512f avx512_vnni", false)]  // AVX-512 without BF16
    [InlineData(" fpu avx2\tavx512_bf16x", false)]                      // a longer name is not the flag
    [InlineData("", false)]
    public void BFloat16IsReadFromTheFlags(string flags, bool expected) => Assert.Equal(expected, CpuFeatures.HasBFloat16(flags));

    [Fact]
    public void ThisMachinesAnswerMatchesItsCpuinfo()
    {
        if (!OperatingSystem.IsLinux()) { Assert.Null(CpuFeatures.BFloat16); return; }
        string flags = File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith("flags", StringComparison.Ordinal));
        Assert.Equal(flags.Contains(" avx512_bf16", StringComparison.Ordinal) || flags.Contains(" amx_bf16", StringComparison.Ordinal), CpuFeatures.BFloat16);
    }
}
