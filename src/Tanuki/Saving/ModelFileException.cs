namespace Tanuki.Saving;

/// <summary>
/// A model or weights file cannot be read or does not fit the model: not a <c>.tanuki</c> zip, truncated, corrupt,
/// a layer type nobody registered, weights that are missing, unexpected or of the wrong shape. The message names the
/// file and the problem.
/// </summary>
public sealed class ModelFileException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file.</param>
    /// <param name="problem">What is wrong with it, and what to do about it if anything can be done.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public ModelFileException(string path, string problem, Exception? inner = null)
        : base($"'{path}': {problem}", inner)
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The file the problem is in.</summary>
    public string FilePath { get; }

    /// <summary>The problem alone, without the file name.</summary>
    public string Problem { get; }
}
