using System.Diagnostics.Tracing;

namespace Tanuki.Native;

/// <summary>
/// Counts the TorchSharp Scalars the finalizer frees, from the runtime's FinalizeObject events: each one is a native
/// object that some code made from a number and never disposed (see <see cref="Scalars"/>). The memory test and
/// benchmark use it to prove a training step leaves none. Events arrive on another thread, a moment later.
/// </summary>
internal sealed class FinalizedScalars : EventListener
{
    private static readonly IntPtr ScalarType = typeof(Scalar).TypeHandle.Value;
    private long _count;

    /// <summary>Scalars finalized since this listener was created (as far as their events have arrived).</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <inheritdoc />
    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);   // the GC keyword
    }

    /// <inheritdoc />
    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName != "FinalizeObject" || e.Payload is null || e.PayloadNames is null) return;
        int i = e.PayloadNames.IndexOf("TypeID");
        if (i >= 0 && e.Payload[i] is IntPtr type && type == ScalarType) Interlocked.Increment(ref _count);
    }
}
