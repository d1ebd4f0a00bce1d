using System.CommandLine;
using System.CommandLine.Help;

namespace Tanuki.Cli;

/// <summary>The <c>tanuki</c> command. Exit codes: 0 success, 1 failure while working, 2 bad usage or input, 130 interrupted (Ctrl+C).</summary>
public static class Program
{
    /// <summary>Exit code for success.</summary>
    public const int Ok = 0;
    /// <summary>Exit code when work failed (an exception while training, say).</summary>
    public const int Failed = 1;
    /// <summary>Exit code for bad usage or bad input (a missing folder, an unknown option).</summary>
    public const int BadInput = 2;
    /// <summary>Exit code when Ctrl+C stopped the work (128 + SIGINT, as shells report it); what was finished was kept.</summary>
    public const int Interrupted = 130;

    /// <summary>Runs the command line.</summary>
    public static int Main(string[] args) => Run(args, CancellationToken.None);

    /// <summary>Runs the command line; <paramref name="cancellationToken"/> stops <c>train</c> as Ctrl+C does.</summary>
    internal static int Run(string[] args, CancellationToken cancellationToken)
    {
        Command root = BuildCommand(cancellationToken);
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors) Console.Error.WriteLine($"tanuki: {e.Message}");
            string verb = parsed.CommandResult.Command == root ? "" : parsed.CommandResult.Command.Name + " ";
            var arguments = parsed.CommandResult.Command.Arguments;
            if (arguments.Count > 0)   // name what a missing argument is: "Required argument missing" alone does not
                Console.Error.WriteLine($"Usage: tanuki {verb}{string.Join(' ', arguments.Select(a => a.Name))} [options]");
            Console.Error.WriteLine($"Run 'tanuki {verb}--help' for usage.");
            return BadInput;
        }
        return parsed.Invoke();
    }

    /// <summary>The command tree; every verb has --help.</summary>
    public static Command BuildCommand() => BuildCommand(CancellationToken.None);

    private static Command BuildCommand(CancellationToken cancellationToken)
    {
        // Not a RootCommand: that names itself after the running executable (Tanuki.Cli, dotnet, a test host), and help's
        // "Usage:" lines should say what users type.
        var root = new Command("tanuki",
            "tanuki: transfer learning and fine-tuning for .NET. Take an ImageNet model, freeze it, add a head, train, " +
            "unfreeze and fine-tune, on a folder of images (one subfolder per class).\n\n" +
            "Exit codes: 0 success, 1 failure while working, 2 bad usage or input, 130 interrupted (Ctrl+C; train keeps the model it had finished).");
        root.Options.Add(new HelpOption());
        // Not the built-in VersionOption: it reports the entry assembly (a test host, say); Tanuki's own version is what users need.
        var version = new Option<bool>("--version") { Description = "Show Tanuki's version" };
        root.Options.Add(version);
        root.SetAction(parse =>
        {
            if (parse.GetValue(version))
            {
                Console.WriteLine(TanukiInfo.Version);
                return Ok;
            }
            Console.Error.WriteLine("tanuki: say what to do, e.g. 'tanuki demo' or 'tanuki train DATA_DIR'. Run 'tanuki --help' for usage.");
            return BadInput;
        });
        root.Subcommands.Add(Commands.TrainCommand.Create(cancellationToken));
        root.Subcommands.Add(Commands.EvaluateCommand.Create());
        root.Subcommands.Add(Commands.PredictCommand.Create());
        root.Subcommands.Add(Commands.SummaryCommand.Create());
        root.Subcommands.Add(Commands.ExportCommand.Create());
        root.Subcommands.Add(Commands.DemoCommand.Create());
        return root;
    }
}
