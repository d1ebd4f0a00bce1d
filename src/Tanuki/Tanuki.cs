namespace Tanuki;

/// <summary>Library-wide facts.</summary>
public static class TanukiInfo
{
    /// <summary>The library version.</summary>
    public static string Version { get; } =
        typeof(TanukiInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>Seeds every random generator Tanuki uses (initializers, shuffling, dropout without its own seed), as
    /// <c>keras.utils.set_random_seed</c> does.</summary>
    public static void SetRandomSeed(int seed)
    {
        Backend.EnsureInitialized();
        TorchSharp.torch.manual_seed(seed);
    }
}
