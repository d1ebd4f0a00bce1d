using Tanuki.Data;

namespace Tanuki.Cli.Commands;

/// <summary>
/// Runs a verb and turns failures into exit codes: 2 with the message for bad usage or input, 130 when cancelled (Ctrl+C),
/// 1 for anything else.
/// </summary>
internal static class CommandRunner
{
    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (CliException e)
        {
            Console.Error.WriteLine($"tanuki: {e.Message}");
            return Program.BadInput;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("tanuki: interrupted");
            return Program.Interrupted;
        }
        catch (Exception e) when (InputProblem(e) is Exception input)
        {
            Console.Error.WriteLine($"tanuki: {input.Message}");
            return Program.BadInput;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"tanuki: failed: {e.Message}");
            if (Environment.GetEnvironmentVariable("TANUKI_DEBUG") == "1") Console.Error.WriteLine(e);
            return Program.Failed;
        }
    }

    /// <summary>An unreadable image or model file found while working is the user's input, not a bug.</summary>
    private static Exception? InputProblem(Exception e) => e switch
    {
        InvalidDataException => Cli(e),
        Saving.ModelFileException => e,
        DatasetException { InnerException: InvalidDataException inner } => Cli(inner),
        _ => null,
    };

    /// <summary>The library's advice in the command's words: its <c>onError: "skip"</c> is the option <c>--on-error skip</c>.</summary>
    private static Exception Cli(Exception e) =>
        e.Message.Contains("onError: \"skip\"", StringComparison.Ordinal) ? new CliException(e.Message.Replace("onError: \"skip\"", "--on-error skip", StringComparison.Ordinal)) : e;
}
