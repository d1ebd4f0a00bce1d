using Tanuki.Cli;

namespace Tanuki.Tests.Cli;

[Collection(NonParallel.Name)]   // redirects Console
public class ProgramTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        CliResult r = TanukiCommand.Run(args);
        return (r.Code, r.Out, r.Err);
    }

    [Fact]
    public void VersionPrintsTheLibraryVersion()
    {
        var (code, output, _) = Run("--version");
        Assert.Equal(Program.Ok, code);
        Assert.Equal(TanukiInfo.Version, output.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+$", output.Trim());
    }

    [Fact]
    public void HelpDescribesTheToolAndItsExitCodes()
    {
        var (code, output, _) = Run("--help");
        Assert.Equal(Program.Ok, code);
        Assert.Contains("transfer learning", output);
        Assert.Contains("Exit codes: 0 success, 1 failure while working, 2 bad usage or input", output);
    }

    [Fact]
    public void AnUnknownVerbIsBadUsage()
    {
        var (code, _, err) = Run("frobnicate");
        Assert.Equal(Program.BadInput, code);
        Assert.Contains("frobnicate", err);
        Assert.Contains("tanuki --help", err);
    }
}
