using Microsoft.Extensions.Logging;

namespace Tanuki.Tests.Training;

/// <summary>Collects progress reports on the calling thread (Progress&lt;T&gt; would post them elsewhere).</summary>
internal sealed class Collect<T> : IProgress<T>
{
    public List<T> Items { get; } = new();
    public void Report(T value) => Items.Add(value);
}

/// <summary>Keeps every log entry: its level, its formatted message and its structured state.</summary>
internal sealed class ListLogger : ILogger
{
    public List<(LogLevel Level, string Message, IReadOnlyList<KeyValuePair<string, object?>>? State)> Entries { get; } = new();

    /// <summary>The formatted messages, in order.</summary>
    public IEnumerable<string> Messages => Entries.Select(e => e.Message);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Add((logLevel, formatter(state, exception), state as IReadOnlyList<KeyValuePair<string, object?>>));
}
