namespace Tanuki.Tests.Reliability;

/// <summary>
/// Output paths of <c>tanuki train</c> that would destroy data: the model and the report on one file, outputs inside the
/// data folder, files tanuki did not write. Each is refused before any
/// work (exit code 2), and nothing is written or changed.
/// </summary>
[Collection(NonParallel.Name)]   // the command's Console is redirected
public class PathCases
{
    private static string[] Train(World w, string model, string report, params string[] more) =>
        ["train", w.Data, "--out", model, "--report", report, .. Tanuki.Tests.Cli.TanukiCommand.Fast, .. more];

    private static CliCase Refused(string name, Func<World, string[]> args, Action<World>? arrange, params string[] words) => new(name, args, 2, words, arrange);

    internal static readonly CliCase[] Cases =
    [
        Refused("--out and --report are the same file", w => Train(w, w.At("out/x"), w.At("out/x")), null, "--out and --report are the same file"),
        Refused("--out and --report name one file two ways", w => Train(w, w.At("out/x.tanuki"), w.At("out/../out/./x.tanuki")), null, "the same file"),
        Refused("--out and --report name one file through a link", w => Train(w, w.At("out/x.tanuki"), w.At("alias/x.tanuki")),
            w => { Directory.CreateDirectory(w.At("out")); w.Link("alias", w.At("out")); }, "the same file"),
        Refused("--out inside the data folder", w => Train(w, w.At("data/model.tanuki"), w.At("out/report.html")), null, "--out", "inside the data folder", "Write it outside"),
        Refused("--out on a training image", w => Train(w, w.At("data/circle/00.png"), w.At("out/report.html")), null, "inside the data folder", "replace a training image"),
        Refused("--out in a class folder under a new name", w => Train(w, w.At("data/circle/new.jpg"), w.At("out/report.html")), null, "inside the data folder"),
        Refused("--out inside the data folder through a link", w => Train(w, w.At("mirror/model.tanuki"), w.At("out/report.html")), w => w.Link("mirror", w.Data), "inside the data folder"),
        Refused("--report inside the data folder", w => Train(w, w.At("out/model.tanuki"), w.At("data/report.html")), null, "--report", "inside the data folder"),
        Refused("--report in a class folder", w => Train(w, w.At("out/model.tanuki"), w.At("data/square/report.html")), null, "inside the data folder"),
        Refused("--out is the data folder itself", w => Train(w, w.Data, w.At("out/report.html")), null, "is a folder"),
        Refused("--out on a file tanuki did not write", w => Train(w, w.At("notes.txt"), w.At("out/report.html")), w => w.Write("notes.txt", HostileFiles.Text()),
            "notes.txt", "is not a Tanuki model", "will not replace it"),
        Refused("--out on a photo outside the data folder", w => Train(w, w.At("photos/circle.png"), w.At("out/report.html")), null, "is not a Tanuki model"),
        Refused("--out on a zip that is not a model", w => Train(w, w.At("backup.zip"), w.At("out/report.html")),
            w => w.Write("backup.zip", HostileFiles.EditModel(File.ReadAllBytes(w.Model), e => { e.Clear(); e["a.txt"] = HostileFiles.Text(); })), "is not a Tanuki model"),
        Refused("--report on an HTML page tanuki did not write", w => Train(w, w.At("out/model.tanuki"), w.At("index.html")),
            w => w.Write("index.html", HostileFiles.Text("<!DOCTYPE html><html><head><title>My site</title></head></html>")), "index.html", "not a report tanuki wrote"),
        Refused("--report on the model", w => Train(w, w.At("out/new.tanuki"), w.Model), null, "not a report tanuki wrote"),
        Refused("--out is a folder", w => Train(w, w.Photos, w.At("out/report.html")), null, "is a folder; give a file name"),
        Refused("--out under a file", w => Train(w, w.At("notes.txt/model.tanuki"), w.At("out/report.html")), w => w.Write("notes.txt", HostileFiles.Text()), "is a file, not a folder"),
        Refused("--report under a file", w => Train(w, w.At("out/model.tanuki"), w.At("notes.txt/r.html")), w => w.Write("notes.txt", HostileFiles.Text()), "is a file, not a folder"),
        Refused("--out with a NUL character", w => Train(w, w.At("out/a\0b.tanuki"), w.At("out/report.html")), null, "--out"),
    ];

    public static TheoryData<string> Names => CliCase.Names(Cases);

    [Theory]
    [MemberData(nameof(Names))]
    public void Case(string name) => CliCase.Run(Cases, name);
}
