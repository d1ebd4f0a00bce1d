namespace Tanuki.Data;

/// <summary>Deterministic seed derivation (HashCode is randomised per process, so it cannot be used for this).</summary>
internal static class Seeds
{
    /// <summary>A seed for stream <paramref name="stream"/> of a user seed: SplitMix64 of both, stable across runs and platforms.</summary>
    public static int Derive(int seed, long stream)
    {
        ulong z = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)stream + 0x632BE59BD9B4E019UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }
}
