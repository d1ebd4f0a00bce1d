using Microsoft.Extensions.Logging;

namespace Tanuki;

/// <summary>
/// Where one <c>Fit</c>'s messages go: the console or <see cref="FitOptions.Output"/> as <c>verbose</c> asks, and
/// <see cref="FitOptions.Logger"/> always.
/// </summary>
internal sealed class FitLog(int verbose, FitOptions? options)
{
    public int Verbose { get; } = verbose;

    public FitOptions? Options { get; } = options;

    /// <summary>The writer of the progress bar and messages (the console unless <see cref="FitOptions.Output"/> is set).</summary>
    public TextWriter Output => Options?.Output ?? Console.Out;

    public void Say(string message)
    {
        if (Verbose >= 1) Output.WriteLine(message);
        Options?.Logger?.LogInformation("{Message}", message);
    }

    public void Warn(string message)
    {
        if (Verbose >= 1) Output.WriteLine(message);
        Options?.Logger?.LogWarning("{Message}", message);
    }
}
