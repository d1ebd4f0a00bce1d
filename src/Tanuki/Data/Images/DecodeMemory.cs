namespace Tanuki.Data;

/// <summary>
/// Caps the pixels being decoded at once across all threads: a decode reserves its image's pixel count and waits
/// while other decodes hold too much of the capacity (<see cref="ImageDataset.MaxImagePixels"/>), so that two
/// decoding threads on 100-megapixel images do not double the peak memory, while small images still decode in
/// parallel. One image is always let through, however large, so nothing waits forever.
/// </summary>
internal static class DecodeMemory
{
    private static readonly object s_lock = new();
    private static long s_inUse;

    /// <summary>Waits until <paramref name="pixels"/> fit next to the decodes running now; dispose to give them back.</summary>
    public static IDisposable Reserve(long pixels, long capacity)
    {
        lock (s_lock)
        {
            while (s_inUse > 0 && s_inUse + pixels > capacity) Monitor.Wait(s_lock);
            s_inUse += pixels;
        }
        return new Reservation(pixels);
    }

    /// <summary>The pixels reserved now (tests).</summary>
    internal static long InUse
    {
        get { lock (s_lock) return s_inUse; }
    }

    private sealed class Reservation(long pixels) : IDisposable
    {
        private long _pixels = pixels;

        public void Dispose()
        {
            long pixels = Interlocked.Exchange(ref _pixels, 0);
            if (pixels == 0) return;
            lock (s_lock)
            {
                s_inUse -= pixels;
                Monitor.PulseAll(s_lock);
            }
        }
    }
}
