namespace Tanuki.Data;

/// <summary>
/// An error raised while a <see cref="Dataset"/> produced an element: in a <c>Map</c> function, while decoding an
/// image, or in a background worker. It surfaces on the thread that enumerates the dataset; its message says which
/// stage and element failed, and <see cref="Exception.InnerException"/> holds the original error.
/// </summary>
public sealed class DatasetException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DatasetException(string message, Exception? innerException = null) : base(message, innerException) { }
}
