using Tanuki.Tests.Data;

namespace Tanuki.Tests.Reliability;

/// <summary>Hostile data folders given to <c>tanuki train</c> and <c>tanuki evaluate</c>: each refused before any training with exit code 2 and a message that names the problem and the fix, or handled correctly.</summary>
[Collection(NonParallel.Name)]   // the command's Console is redirected
public class DataFolderCases
{
    private static string[] Train(World w, string data, params string[] more) => CliCase.Train(w, data, more);

    private static string[] Evaluate(World w, string data, params string[] more) => ["evaluate", w.Model, data, .. more];

    internal static readonly CliCase[] Cases =
    [
        new("train: a data folder that does not exist", w => Train(w, w.At("nope")), 2, ["does not exist", "one subfolder of images per class"]),
        new("train: the data folder is a file", w => Train(w, w.Model), 2, ["is a file, not a folder", "one subfolder of images per class"]),
        new("train: the data folder is an image", w => Train(w, w.At("data/circle/00.png")), 2, ["is a file, not a folder", "This is an image", "data"]),
        new("train: an empty data folder", w => Train(w, w.At("empty")), 2, ["No images found", "one subfolder per class"],
            w => Directory.CreateDirectory(w.At("empty"))),
        new("train: a single class", w => Train(w, w.At("one")), 2, ["single class subfolder", "at least two classes"],
            w => { Directory.CreateDirectory(w.At("one/cats")); File.Copy(w.At("data/circle/00.png"), w.At("one/cats/a.png")); }),
        new("train: images but no class folders", w => Train(w, w.Photos), 2, ["no class subfolders", "own subfolder"]),
        new("train: an empty class folder", w => Train(w, w.Data), 2, ["has no images", "add its images, or move the folder out"],
            w => Directory.CreateDirectory(w.At("data/dogs"))),
        new("train: a class folder of text files only", w => Train(w, w.Data), 2, ["has no images"],
            w => w.Write("data/notes/readme.txt", HostileFiles.Text())),
        new("train: a zero-byte image", w => Train(w, w.Data), 2, ["empty.jpg", "empty (0 bytes)", "--on-error skip"],
            w => w.Write("data/circle/empty.jpg", [])),
        new("train: a text file named .jpg", w => Train(w, w.Data), 2, ["note.jpg", "not an image", "starts with the text"],
            w => w.Write("data/square/note.jpg", HostileFiles.Text())),
        new("train: an HTML page saved as .png", w => Train(w, w.Data), 2, ["page.png", "not an image", "<!DOCTYPE"],
            w => w.Write("data/square/page.png", HostileFiles.Text("<!DOCTYPE html><html><body>404 Not Found</body></html>"))),
        new("train: a PNG declaring 30000×30000 pixels", w => Train(w, w.Data), 2, ["huge.png", "30000×30000", "MaxImagePixels", "before decoding"],
            w => w.Write("data/circle/huge.png", HostileFiles.HugePng())),
        new("train: several unreadable files are counted", w => Train(w, w.Data), 2, ["bad1.png", "more files have problems too", "--on-error skip"],
            w => { w.Write("data/circle/bad1.png", []); w.Write("data/circle/bad2.png", []); w.Write("data/square/bad3.jpg", HostileFiles.Text()); }),
        // The loop made indexing endless; now the images are indexed, the model built, and the run refused by the memory check (8192², batch 64).
        new("train: a link loop inside a class folder is not followed", w => ["train", w.Data, "--out", w.At("out/m.tanuki"), "--report", w.At("out/r.html"),
            "--image-size", "8192", "--batch-size", "64"], 2, ["needs about", "free", "--image-size"], w => w.Link("data/circle/loop", "..")),
        new("train: every class file skipped leaves an empty class", w => Train(w, w.Data, "--on-error", "skip"), 2, ["None of the", "can be read"],
            w => { foreach (string c in new[] { "circle", "square", "stripes" }) foreach (string f in Directory.GetFiles(w.At("data/" + c))) File.WriteAllBytes(f, []); }),
        new("train: a validation split that leaves no validation image", w => Train(w, w.At("tiny"), "--validation-split", "0.1"), 2, ["--validation-split 0.1", "leaves no validation"],
            w => { foreach (string c in new[] { "a", "b" }) { Directory.CreateDirectory(w.At("tiny/" + c)); File.Copy(w.At("data/circle/00.png"), w.At($"tiny/{c}/x.png")); } }),
        new("evaluate: a data folder that does not exist", w => Evaluate(w, w.At("nope")), 2, ["does not exist"]),
        new("evaluate: the data folder is a file", w => Evaluate(w, w.Model), 2, ["is a file, not a folder"]),
        new("evaluate: an empty data folder", w => Evaluate(w, w.At("empty")), 2, ["No images found"], w => Directory.CreateDirectory(w.At("empty"))),
        new("evaluate: a class the model does not know", w => Evaluate(w, w.At("other")), 2, ["'dogs'", "not among the model's", "circle, square, stripes"],
            w => { Directory.CreateDirectory(w.At("other/circle")); Directory.CreateDirectory(w.At("other/dogs"));
                   File.Copy(w.At("data/circle/00.png"), w.At("other/circle/a.png")); File.Copy(w.At("data/square/00.png"), w.At("other/dogs/b.png")); }),
        new("evaluate: a subset of the model's classes", w => Evaluate(w, w.At("subset")), 0, ["accuracy:", "(8 images of 2 of the model's 3 classes)", "stripes"],
            w => { foreach (string c in new[] { "square", "stripes" }) { Directory.CreateDirectory(w.At("subset/" + c)); foreach (string f in Directory.GetFiles(w.At("data/" + c))) File.Copy(f, w.At($"subset/{c}/{Path.GetFileName(f)}")); } }),
        new("evaluate: a damaged JPEG fails naming it", w => Evaluate(w, w.Data), 2, ["broken.jpg", "damaged JPEG", "Copy the file again"],
            w => w.Write("data/circle/broken.jpg", HostileFiles.DamagedJpeg("random"))),
        new("evaluate: a damaged JPEG with --on-error skip", w => Evaluate(w, w.Data, "--on-error", "skip"), 0, ["accuracy:", "(12 images)", "skipped 1 image", "broken.jpg", "damaged JPEG"],
            w => w.Write("data/circle/broken.jpg", HostileFiles.DamagedJpeg("zeros"))),
        new("evaluate: a truncated PNG with --on-error skip", w => Evaluate(w, w.Data, "--on-error", "skip"), 0, ["(12 images)", "skipped 1 image", "cut.png", "truncated"],
            w => w.Write("data/square/cut.png", HostileFiles.Truncated(HostileFiles.Png()))),
        new("evaluate: zero-byte and text files with --on-error skip", w => Evaluate(w, w.Data, "--on-error", "skip"), 0, ["(12 images)", "skipped 2 images", "empty.png", "note.jpg"],
            w => { w.Write("data/circle/empty.png", []); w.Write("data/stripes/note.jpg", HostileFiles.Text()); }),
        new("evaluate: a link loop inside a class folder", w => Evaluate(w, w.Data), 0, ["accuracy:", "(12 images)"], w => w.Link("data/square/loop", "..")),
        new("evaluate: a link to another class's folder is not followed", w => Evaluate(w, w.Data), 0, ["(12 images)"], w => w.Link("data/square/others", "../circle")),
        new("evaluate: a linked class folder is a class", w => Evaluate(w, w.At("linked")), 0, ["(8 images of 2 of the model's 3 classes)"],
            w => { Directory.CreateDirectory(w.At("linked")); w.Link("linked/circle", w.At("data/circle")); w.Link("linked/square", w.At("data/square")); }),
        new("evaluate: a broken link in a class folder", w => Evaluate(w, w.Data), 2, ["gone.png", "symbolic link", "does not exist"], w => w.Link("data/circle/gone.png", w.At("nowhere.png"))),
        new("evaluate: hidden folders are ignored", w => Evaluate(w, w.Data), 0, ["(12 images)"],
            w => { w.Write("data/.ipynb_checkpoints/x.png", HostileFiles.Png()); w.Write("data/circle/.thumbs/y.png", HostileFiles.Png()); }),
        new("evaluate: --on-error takes only skip or fail", w => Evaluate(w, w.Data, "--on-error", "ignore"), 2, ["--on-error must be 'fail' or 'skip'", "ignore"]),
    ];

    public static TheoryData<string> Names => CliCase.Names(Cases);

    [Theory]
    [MemberData(nameof(Names))]
    public void Case(string name) => CliCase.Run(Cases, name);
}
