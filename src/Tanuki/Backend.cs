using Tanuki.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki;

/// <summary>
/// The tensor engine under Tanuki (TorchSharp over libtorch): which device computations run on, how many
/// threads libtorch uses, and a clear error when the native library cannot load.
/// </summary>
public static class Backend
{
    private static readonly object s_lock = new();
    private static bool s_initialized;

    /// <summary>Whether libtorch is loaded (its process-wide settings are fixed from then on).</summary>
    internal static bool Initialized => s_initialized;
    private static Device? s_device;
    private static int s_threads;

    /// <summary>
    /// The device Tanuki puts new weights and batches on: CUDA when TorchSharp's CUDA package is referenced and
    /// a GPU is visible, otherwise the CPU. Settable before a model is built.
    /// </summary>
    public static Device Device
    {
        get { EnsureInitialized(); return s_device!; }
        set { EnsureInitialized(); s_device = value; }
    }

    /// <summary>
    /// Intra-op threads libtorch uses. Defaults to <c>TANUKI_THREADS</c>, else <c>OMP_NUM_THREADS</c>, else the machine's
    /// processor count.
    /// </summary>
    public static int Threads
    {
        get { EnsureInitialized(); return s_threads; }
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, $"Backend.Threads expected a positive integer. Received: {value}");
            EnsureInitialized();
            torch.set_num_threads(value);
            s_threads = value;
        }
    }

    private static int DefaultThreads()
    {
        foreach (string name in new[] { "TANUKI_THREADS", "OMP_NUM_THREADS" })
            if (int.TryParse(Environment.GetEnvironmentVariable(name), out int n) && n > 0) return n;
        return Environment.ProcessorCount;
    }

    /// <summary>
    /// Loads libtorch once, sets the thread count, picks the device. Every Tanuki entry point calls this; call it
    /// yourself to get a clear error early. Throws <see cref="InvalidOperationException"/> saying what is wrong
    /// when the native library cannot load.
    /// </summary>
    public static void EnsureInitialized()
    {
        if (s_initialized) return;
        lock (s_lock)
        {
            if (s_initialized) return;
            Native.ThreadWaitPolicy.Apply(ExecutionOptions.Default.IdleThreadsSpin);   // OpenMP reads it as libtorch loads
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException(
                    "TorchSharp's native library (libtorch) could not be loaded. " +
                    (NativeLoader.Problem ?? "Check that the project references a libtorch package for this platform " +
                    "(Tanuki brings libtorch-cpu-linux-x64, -win-x64 and -osx-arm64) and that the output folder holds its native files.") +
                    " Inner error: " + e.Message, e);
            }
            s_threads = DefaultThreads();
            torch.set_num_threads(s_threads);
            s_device = torch.cuda.is_available() ? torch.CUDA : torch.CPU;
            MemoryTuning.Apply();
            s_initialized = true;
        }
    }
}
