namespace Tanuki.Data;

/// <summary>Counts the pipeline's background threads that are running (tests check that stopped enumerations leave none).</summary>
internal static class PipelineThreads
{
    private static int s_live;

    public static int Live => Volatile.Read(ref s_live);

    /// <summary>Runs <paramref name="body"/> counted as a live pipeline thread.</summary>
    public static ThreadStart Counted(ThreadStart body) => () =>
    {
        Interlocked.Increment(ref s_live);
        try { body(); }
        finally { Interlocked.Decrement(ref s_live); }
    };
}
