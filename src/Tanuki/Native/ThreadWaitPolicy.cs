using System.Runtime.InteropServices;

namespace Tanuki.Native;

/// <summary>
/// libtorch's OpenMP threads spin between parallel regions by default, waiting for the next one; on a machine where
/// other work holds cores (a laptop, a shared server) they burn the time the working threads need, and every step
/// waits for the slowest. <c>OMP_WAIT_POLICY=PASSIVE</c> makes them sleep at once. OpenMP reads it when libtorch
/// loads, so it is set in the process's environment just before (unless the user set it): measured with
/// <c>benchmarks/run</c> at 96² with one core kept busy, libtorch's inference ran 3.0× and its training step 3.5× the
/// images/s of the spinning default (see benchmarks/README.md).
/// </summary>
internal static partial class ThreadWaitPolicy
{
    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);

    /// <summary>The policy the process's OpenMP runtime reads (null: unset, its default), as the C library sees it.</summary>
    internal static string? Current
    {
        get
        {
            if (OperatingSystem.IsWindows()) return Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
            try
            {
                return Marshal.PtrToStringUTF8(GetEnv("OMP_WAIT_POLICY"));
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Before libtorch loads: makes its idle threads sleep unless <paramref name="spin"/>, or the user chose a policy
    /// (<c>OMP_WAIT_POLICY</c> in the environment). Linux and macOS; on Windows the policy is left to the environment.
    /// </summary>
    internal static void Apply(bool spin)
    {
        if (spin || OperatingSystem.IsWindows() || !string.IsNullOrEmpty(Current)) return;
        try
        {
            SetEnv("OMP_WAIT_POLICY", "PASSIVE", 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // another C library: the environment decides
        }
    }
}
