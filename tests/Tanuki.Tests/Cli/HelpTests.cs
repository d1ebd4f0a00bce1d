using System.CommandLine;
using Tanuki.Cli;

namespace Tanuki.Tests.Cli;

/// <summary><c>--help</c> on every verb: usage under the name users type, and every option with its description.</summary>
[Collection(NonParallel.Name)]   // redirects Console
public class HelpTests
{
    public static TheoryData<string> Verbs => new(Program.BuildCommand().Subcommands.Select(c => c.Name));

    [Fact]
    public void TheVerbsAreThoseTheIssueAsksFor() =>
        Assert.Equal(["train", "evaluate", "predict", "summary", "export", "demo"], Program.BuildCommand().Subcommands.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Verbs))]
    public void HelpOnAVerbListsItsArgumentsAndOptions(string verb)
    {
        Command command = Program.BuildCommand().Subcommands.Single(c => c.Name == verb);
        foreach (string flag in new[] { "--help", "-h" })
        {
            CliResult r = TanukiCommand.Run(verb, flag);
            Assert.True(r.Code == Program.Ok, r.ToString());
            Assert.Contains(command.Description!, r.Out);
            Assert.Contains($"Usage:\n  tanuki {verb}", r.Out.Replace("\r\n", "\n"));
            foreach (Argument a in command.Arguments) Assert.Contains($"<{a.Name}>", r.Out);
            Assert.Contains(command.Options, o => o is not System.CommandLine.Help.HelpOption);
            foreach (Option o in command.Options)
            {
                Assert.Contains(o.Name, r.Out);
                if (o.Description is string d) Assert.Contains(d, r.Out);
            }
            Assert.Equal("", r.Err);
        }
    }

    [Fact]
    public void HelpOnTheToolListsTheVerbs()
    {
        CliResult r = TanukiCommand.Run("--help");
        Assert.Contains("Usage:\n  tanuki [command] [options]", r.Out.Replace("\r\n", "\n"));
        foreach (Command c in Program.BuildCommand().Subcommands) Assert.Contains(c.Name, r.Out);
    }

    [Fact]
    public void TrainHelpShowsTheDefaults()
    {
        string help = TanukiCommand.Run("train", "--help").Out;
        foreach (string d in new[] { "[default: resnet18]", "[default: the base's native size, 224 for resnet18]", "[default: pad]", "[default: 8; 0 with --base scratch]", "[default: balanced]", "[default: auto]", "[default: model.tanuki]", "[default: report.html]" })
            Assert.Contains(d, help);
    }
}
