using Microsoft.Extensions.Logging;

namespace Tanuki;

/// <summary>
/// Where <c>Fit</c> reports, beyond its return value: the text it prints, an <see cref="ILogger"/>, and structured
/// progress. The defaults print a Keras-style progress bar to the console (as <c>verbose</c> asks) and nothing else.
/// </summary>
public sealed class FitOptions
{
    /// <summary>
    /// Where the progress bar and <c>Fit</c>'s messages (the frozen-feature cache's, say) go instead of
    /// <see cref="Console.Out"/>; written one plain line per epoch (never redrawn in place). <c>verbose</c> still decides
    /// how much: 0 writes nothing.
    /// </summary>
    public TextWriter? Output { get; init; }

    /// <summary>
    /// Receives, whatever <c>verbose</c> is, one <see cref="LogLevel.Information"/> entry per epoch
    /// (<c>"Epoch 1/5: 32 steps - loss: 0.4012 - ..."</c>, with the epoch, steps and each log value as structured state)
    /// and <c>Fit</c>'s messages; cancellation is logged as a <see cref="LogLevel.Warning"/>.
    /// </summary>
    public ILogger? Logger { get; init; }

    /// <summary>
    /// Receives a <see cref="FitProgress"/> after every step and at the end of every epoch, on the training thread
    /// (a <see cref="Progress{T}"/> posts them on to its own synchronization context).
    /// </summary>
    public IProgress<FitProgress>? Progress { get; init; }

    /// <summary>A label copied into every <see cref="FitProgress.Stage"/> (the recipe names its stages with it).</summary>
    public string? Stage { get; init; }
}
