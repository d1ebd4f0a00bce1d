using Tanuki.Tests.Cli;

namespace Tanuki.Tests.Reliability;

/// <summary>
/// One hostile input to the <c>tanuki</c> command: what to add to a fresh <see cref="World"/>, the command line, and
/// what must come back — the exit code, words the message must hold, and which new files (if any) the run may
/// create. Everything the user had before must be unchanged; a run that fails must create nothing; a run that takes
/// longer than <see cref="Timeout"/> counts as a hang.
/// </summary>
internal sealed record CliCase(string Name, Func<World, string[]> Args, int Code, string[] Words, Action<World>? Arrange = null, string[]? Creates = null)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public override string ToString() => Name;

    /// <summary>The cases' names, for a [Theory]'s MemberData (names, so that test explorers list each case).</summary>
    public static TheoryData<string> Names(IEnumerable<CliCase> cases)
    {
        var data = new TheoryData<string>();
        foreach (CliCase c in cases) data.Add(c.Name);
        return data;
    }

    public static void Run(IEnumerable<CliCase> cases, string name)
    {
        CliCase c = cases.Single(x => x.Name == name);
        using var world = new World();
        c.Arrange?.Invoke(world);
        Dictionary<string, string> before = world.Snapshot();
        string[] args = c.Args(world);
        CliResult r = RunWithin(args, Timeout);
        Assert.True(r.Code == c.Code, $"{c.Name}: expected exit code {c.Code}\n{r}");
        string text = c.Code == 0 ? r.Out + r.Err : r.Err;
        if (c.Code != 0) Assert.True(r.Err.Split('\n').Any(l => l.StartsWith("tanuki: ", StringComparison.Ordinal)), $"{c.Name}: no line of the error starts with 'tanuki: '\n{r}");
        foreach (string word in c.Words)
            Assert.True(text.Contains(word, StringComparison.OrdinalIgnoreCase), $"{c.Name}: the message lacks \"{word}\"\n{r}");
        Assert.DoesNotContain("   at ", r.Err);                      // no stack trace
        world.AssertUnchanged(before, c.Code == 0 || c.Creates is not null ? c.Creates ?? [] : []);
    }

    private static CliResult RunWithin(string[] args, TimeSpan timeout)
    {
        CliResult? result = null;
        var thread = new Thread(() => result = TanukiCommand.Run(args), 64 << 20) { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(timeout), $"tanuki {string.Join(' ', args)} did not finish within {timeout.TotalMinutes} minutes (a hang)");
        return result!;
    }

    /// <summary><c>tanuki train DATA --out out/model.tanuki --report out/report.html</c> with the fast options, then <paramref name="more"/>.</summary>
    public static string[] Train(World w, string data, params string[] more) =>
        ["train", data, "--out", w.At("out/model.tanuki"), "--report", w.At("out/report.html"), .. TanukiCommand.Fast, .. more];
}
