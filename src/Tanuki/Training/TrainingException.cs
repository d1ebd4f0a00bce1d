namespace Tanuki;

/// <summary>Training cannot go on (a NaN loss, say); the message says where it happened and what to try.</summary>
public sealed class TrainingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainingException(string message, int epoch, int step) : base(message)
    {
        Epoch = epoch;
        Step = step;
    }

    /// <summary>The 1-based epoch where training stopped.</summary>
    public int Epoch { get; }

    /// <summary>The 1-based step within the epoch.</summary>
    public int Step { get; }
}
