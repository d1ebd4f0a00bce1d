using Tanuki.Cli;

namespace Tanuki.Tests.Cli;

/// <summary>What one run of the <c>tanuki</c> command gave: its exit code and what it wrote to stdout and stderr.</summary>
internal sealed record CliResult(int Code, string Out, string Err)
{
    /// <summary>Both streams, for assertion messages.</summary>
    public override string ToString() => $"exit code {Code}\n--- stdout:\n{Out}\n--- stderr:\n{Err}";
}

/// <summary>Runs the <c>tanuki</c> command in this process, as a user's shell would run it, with Console captured.</summary>
internal static class TanukiCommand
{
    /// <summary>Only for test classes in the <see cref="NonParallel"/> collection: it swaps Console.Out and Console.Error.</summary>
    public static CliResult Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        TextWriter oldOut = Console.Out, oldErr = Console.Error;
        Console.SetOut(output);
        Console.SetError(error);
        try { return new CliResult(Program.Main(args), output.ToString(), error.ToString()); }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
    }

    /// <summary>The options that keep <c>tanuki train</c> fast in tests.</summary>
    public static readonly string[] Fast = ["--image-size", "32", "--epochs", "2", "--fine-tune-epochs", "1", "--batch-size", "8"];
}
