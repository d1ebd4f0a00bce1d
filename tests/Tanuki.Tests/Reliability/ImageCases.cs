using Tanuki.Tests.Data;

namespace Tanuki.Tests.Reliability;

/// <summary>
/// Hostile images given to <c>tanuki predict</c>: damaged, truncated, not images, crafted to ask for memory, in folders with
/// loops. A bad image is named with what is wrong; with <c>--on-error skip</c> it is reported on its own line and in a
/// summary, and the others are predicted. Odd but valid images are predicted.
/// </summary>
[Collection(NonParallel.Name)]   // the command's Console is redirected
public class ImageCases
{
    private static string[] Predict(World w, string input, params string[] more) => ["predict", w.Model, input, .. more];

    private static CliCase Refused(string name, Func<World, string[]> args, Action<World>? arrange, params string[] words) => new(name, args, 2, words, arrange);

    private static byte[] Solid(int w, int h, (byte, byte, byte, byte) rgba) => ImageFiles.PngRgba(w, h, ImageFiles.Pixels(w, h, (_, _) => rgba));

    internal static readonly CliCase[] Cases =
    [
        Refused("a JPEG damaged by random bytes", w => Predict(w, w.At("photos/bad.jpg")), w => w.Write("photos/bad.jpg", HostileFiles.DamagedJpeg("random")), "bad.jpg", "damaged JPEG", "grey"),
        Refused("a JPEG whose second half is zeros", w => Predict(w, w.At("photos/bad.jpg")), w => w.Write("photos/bad.jpg", HostileFiles.DamagedJpeg("zeros")), "bad.jpg", "damaged JPEG"),
        Refused("a JPEG whose second half is 0xFF", w => Predict(w, w.At("photos/bad.jpg")), w => w.Write("photos/bad.jpg", HostileFiles.DamagedJpeg("ff")), "bad.jpg", "damaged JPEG"),
        Refused("a truncated JPEG", w => Predict(w, w.At("photos/cut.jpg")), w => w.Write("photos/cut.jpg", HostileFiles.Truncated(HostileFiles.Jpeg())), "cut.jpg", "truncated"),
        Refused("a truncated PNG", w => Predict(w, w.At("photos/cut.png")), w => w.Write("photos/cut.png", HostileFiles.Truncated(HostileFiles.Png())), "cut.png"),
        Refused("a zero-byte image", w => Predict(w, w.At("photos/empty.png")), w => w.Write("photos/empty.png", []), "empty.png", "empty (0 bytes)"),
        Refused("a text file named .jpg", w => Predict(w, w.At("photos/note.jpg")), w => w.Write("photos/note.jpg", HostileFiles.Text()), "note.jpg", "not an image"),
        Refused("a PNG declaring 30000×30000 pixels", w => Predict(w, w.At("photos/huge.png")), w => w.Write("photos/huge.png", HostileFiles.HugePng()), "huge.png", "30000×30000", "MaxImagePixels"),
        Refused("a PNG declaring 0×0 pixels", w => Predict(w, w.At("photos/zero.png")), w => w.Write("photos/zero.png", HostileFiles.HugePng(0, 0)), "zero.png"),
        Refused("a file that is not there", w => Predict(w, w.At("photos/nope.jpg")), null, "nope.jpg", "neither an image file nor a folder"),
        Refused("a symbolic link to nothing", w => Predict(w, w.At("photos/gone.png")), w => w.Link("photos/gone.png", w.At("nowhere.png")), "gone.png", "symbolic link", "nowhere.png", "does not exist"),
        Refused("a folder with no images", w => Predict(w, w.At("empty")), w => w.Write("empty/readme.txt", HostileFiles.Text()), "holds no images"),
        Refused("a folder with bad images names them all before predicting", w => Predict(w, w.Photos),
            w => { w.Write("photos/empty.png", []); w.Write("photos/note.jpg", HostileFiles.Text()); }, "2 of the 5 images cannot be read", "empty.png", "note.jpg", "--on-error skip"),
        Refused("a folder with a damaged JPEG stops there", w => Predict(w, w.Photos), w => w.Write("photos/bad.jpg", HostileFiles.DamagedJpeg("random")), "bad.jpg", "damaged JPEG", "--on-error skip"),
        new("--on-error skip predicts the rest and lists what it skipped", w => Predict(w, w.Photos, "--on-error", "skip"), 0,
            ["circle.png:", "square.png:", "stripes.png:", "bad.jpg: skipped", "empty.png: skipped", "skipped 2 of 5 images", "damaged JPEG", "empty (0 bytes)"],
            w => { w.Write("photos/bad.jpg", HostileFiles.DamagedJpeg("zeros")); w.Write("photos/empty.png", []); }),
        new("--on-error skip with --json gives an error object per skipped file", w => Predict(w, w.Photos, "--on-error", "skip", "--json"), 0,
            ["\"file\"", "\"predictions\"", "\"error\"", "note.jpg"], w => w.Write("photos/note.jpg", HostileFiles.Text())),
        Refused("--on-error skip with nothing readable", w => Predict(w, w.At("junk"), "--on-error", "skip"),
            w => { w.Write("junk/a.png", []); w.Write("junk/b.jpg", HostileFiles.Text()); }, "none of the 2 images could be read"),
        new("a folder with a link loop", w => Predict(w, w.Photos), 0, ["circle.png:", "stripes.png:"], w => w.Link("photos/loop", "..")),
        new("a folder with a link to itself", w => Predict(w, w.Photos), 0, ["square.png:"], w => w.Link("photos/self", ".")),
        new("a folder of nested folders 40 deep", w => Predict(w, w.At("deep")), 0, ["deep.png:"],
            w => w.Write(string.Join('/', Enumerable.Repeat("d", 40).Prepend("deep")) + "/deep.png", HostileFiles.Png())),
        new("a 1×1 image", w => Predict(w, w.At("photos/dot.png")), 0, ["dot.png:"], w => w.Write("photos/dot.png", Solid(1, 1, (200, 10, 10, 255)))),
        new("a 4000×3 sliver", w => Predict(w, w.At("photos/sliver.png")), 0, ["sliver.png:"], w => w.Write("photos/sliver.png", Solid(4000, 3, (10, 200, 10, 255)))),
        new("a fully transparent PNG", w => Predict(w, w.At("photos/clear.png")), 0, ["clear.png:"], w => w.Write("photos/clear.png", Solid(16, 16, (0, 0, 0, 0)))),
        new("a grayscale JPEG", w => Predict(w, w.At("photos/gray.jpg")), 0, ["gray.jpg:"],
            w => w.Write("photos/gray.jpg", ImageFiles.Encode(32, 32, ImageFiles.Pixels(32, 32, (x, y) => ((byte)(x * 8), (byte)(x * 8), (byte)(x * 8), (byte)255)), SkiaSharp.SKEncodedImageFormat.Jpeg, 80))),
        new("a 16-bit PNG", w => Predict(w, w.At("photos/deep.png")), 0, ["deep.png:"],
            w => w.Write("photos/deep.png", ImageFiles.Png(8, 8, 2, 16, ImageFiles.To16Bit(ImageFiles.Channels(ImageFiles.Pixels(8, 8, (x, y) => ((byte)x, (byte)y, (byte)9, (byte)255)), 0, 1, 2))))),
        new("a GIF", w => Predict(w, w.At("photos/anim.gif")), 0, ["anim.gif:"], w => w.Write("photos/anim.gif", ImageFiles.Gif(8, 8, ImageFiles.Pixels(8, 8, (x, y) => ((byte)(x * 30), 0, 0, (byte)255))))),
        new("a BMP", w => Predict(w, w.At("photos/old.bmp")), 0, ["old.bmp:"], w => w.Write("photos/old.bmp", ImageFiles.Bmp(8, 8, ImageFiles.Pixels(8, 8, (x, y) => (0, (byte)(y * 30), 0, (byte)255))))),
        new("a JPEG with an upper-case extension and a space in its name", w => Predict(w, w.At("photos/My Photo.JPG")), 0, ["My Photo.JPG:"], w => w.Write("photos/My Photo.JPG", HostileFiles.Jpeg())),
        new("a file name in Japanese", w => Predict(w, w.At("photos/狸.png")), 0, ["狸.png:"], w => w.Write("photos/狸.png", HostileFiles.Png())),
        new("a JPEG with a stray byte before its end marker", w => Predict(w, w.At("photos/stray.jpg")), 0, ["stray.jpg:"],
            w => { byte[] j = HostileFiles.Jpeg(); w.Write("photos/stray.jpg", [.. j[..^2], 0x00, 0xFF, 0xD9]); }),
    ];

    public static TheoryData<string> Names => CliCase.Names(Cases);

    [Theory]
    [MemberData(nameof(Names))]
    public void Case(string name) => CliCase.Run(Cases, name);
}
