namespace Tanuki.Cli;

/// <summary>Bad usage or input: the message says what is wrong and how to fix it; the command exits with 2.</summary>
internal sealed class CliException(string message) : Exception(message);
