namespace Tanuki.Tests.Reliability;

/// <summary>Hostile options: out of range, not numbers, infinite, unknown. Each is refused before any work (exit code 2) with a message that names the option and what it takes.</summary>
[Collection(NonParallel.Name)]   // the command's Console is redirected
public class OptionCases
{
    /// <summary><c>tanuki train</c> without the fast options (so that the case's own sizes are the only ones).</summary>
    private static string[] TrainOnly(World w, params string[] more) => ["train", w.Data, "--out", w.At("out/model.tanuki"), "--report", w.At("out/report.html"), .. more];

    private static CliCase Refused(string name, Func<World, string[]> args, params string[] words) => new(name, args, 2, words);

    internal static readonly CliCase[] Cases =
    [
        Refused("--image-size 0", w => TrainOnly(w, "--image-size", "0"), "--image-size 0", "at least 32"),
        Refused("--image-size -32", w => TrainOnly(w, "--image-size", "-32"), "--image-size -32", "at least 32"),
        Refused("--image-size 31", w => TrainOnly(w, "--image-size", "31"), "--image-size 31", "at least 32"),
        Refused("--image-size 33", w => TrainOnly(w, "--image-size", "33"), "--image-size 33", "multiple of 32"),
        Refused("--image-size 100000", w => TrainOnly(w, "--image-size", "100000"), "--image-size 100000", "megapixels", "MaxImagePixels"),
        Refused("--image-size 2147483647", w => TrainOnly(w, "--image-size", "2147483647"), "--image-size 2147483647", "multiple of 32"),
        Refused("--image-size 2147483616", w => TrainOnly(w, "--image-size", "2147483616"), "--image-size 2147483616", "MaxImagePixels"),
        Refused("--image-size 8192 at batch 64 does not fit in memory", w => TrainOnly(w, "--image-size", "8192", "--batch-size", "64"), "needs about", "free", "--image-size"),
        Refused("--image-size 1024 at batch 4096 does not fit in memory", w => TrainOnly(w, "--image-size", "1024", "--batch-size", "4096"), "needs about", "Use --batch-size"),
        Refused("--image-size abc", w => TrainOnly(w, "--image-size", "abc"), "abc", "--image-size"),
        Refused("--image-size 1e3", w => TrainOnly(w, "--image-size", "1e3"), "1e3"),
        Refused("--epochs 0", w => TrainOnly(w, "--epochs", "0"), "--epochs", "at least 1"),
        Refused("--epochs -5", w => TrainOnly(w, "--epochs", "-5"), "--epochs", "at least 1"),
        Refused("--epochs 2.5", w => TrainOnly(w, "--epochs", "2.5"), "2.5"),
        Refused("--fine-tune-epochs -1", w => TrainOnly(w, "--fine-tune-epochs", "-1"), "--fine-tune-epochs", "cannot be negative"),
        Refused("--fine-tune-epochs with --base scratch", w => TrainOnly(w, "--base", "scratch", "--fine-tune-epochs", "2"), "--fine-tune-epochs", "scratch"),
        Refused("--base vgg16", w => TrainOnly(w, "--base", "vgg16"), "unknown base 'vgg16'", "resnet18, scratch"),
        Refused("--base empty", w => TrainOnly(w, "--base", ""), "unknown base ''"),
        Refused("--lr 0", w => TrainOnly(w, "--lr", "0"), "--lr must be a positive number up to 10", "Received: 0"),
        Refused("--lr -0.001", w => TrainOnly(w, "--lr", "-0.001"), "--lr must be a positive number up to 10", "-0.001"),
        Refused("--lr 1e300", w => TrainOnly(w, "--lr", "1e300"), "--lr must be a positive number up to 10", "1E+300"),
        Refused("--lr Infinity", w => TrainOnly(w, "--lr", "Infinity"), "--lr must be a positive number up to 10", "Infinity"),
        Refused("--lr NaN", w => TrainOnly(w, "--lr", "NaN"), "--lr must be a positive number up to 10", "NaN"),
        Refused("--lr 11", w => TrainOnly(w, "--lr", "11"), "--lr must be a positive number up to 10", "Received: 11"),
        Refused("--lr one", w => TrainOnly(w, "--lr", "one"), "one"),
        Refused("--fine-tune-lr 1e300", w => TrainOnly(w, "--fine-tune-lr", "1e300"), "--fine-tune-lr must be a positive number up to 10"),
        Refused("--fine-tune-lr -Infinity", w => TrainOnly(w, "--fine-tune-lr", "-Infinity"), "--fine-tune-lr must be a positive number up to 10"),
        Refused("--fine-tune-lr NaN", w => TrainOnly(w, "--fine-tune-lr", "NaN"), "--fine-tune-lr must be a positive number up to 10"),
        Refused("--fine-tune-lr 0", w => TrainOnly(w, "--fine-tune-lr", "0"), "--fine-tune-lr must be a positive number up to 10"),
        Refused("--batch-size 0", w => TrainOnly(w, "--batch-size", "0"), "--batch-size must be at least 1"),
        Refused("--batch-size -8", w => TrainOnly(w, "--batch-size", "-8"), "--batch-size must be at least 1"),
        Refused("--batch-size 99999999999", w => TrainOnly(w, "--batch-size", "99999999999"), "99999999999"),
        Refused("--validation-split 1", w => TrainOnly(w, "--validation-split", "1"), "--validation-split must be in [0, 1)"),
        Refused("--validation-split -0.2", w => TrainOnly(w, "--validation-split", "-0.2"), "--validation-split must be in [0, 1)"),
        Refused("--validation-split NaN", w => TrainOnly(w, "--validation-split", "NaN"), "--validation-split must be in [0, 1)"),
        Refused("--validation-split 20%", w => TrainOnly(w, "--validation-split", "20%"), "20%"),
        Refused("--augment shear", w => TrainOnly(w, "--augment", "shear"), "unknown augmentation 'shear'", "flip"),
        Refused("--augment flip,,bogus", w => TrainOnly(w, "--augment", "flip,,bogus"), "unknown augmentation 'bogus'"),
        Refused("--patience -1", w => TrainOnly(w, "--patience", "-1"), "--patience cannot be negative"),
        Refused("--unfreeze 0", w => TrainOnly(w, "--unfreeze", "0"), "--unfreeze 0", "(0, 1]"),
        Refused("--unfreeze 1.5", w => TrainOnly(w, "--unfreeze", "1.5"), "--unfreeze 1.5", "(0, 1]"),
        Refused("--unfreeze -0.3", w => TrainOnly(w, "--unfreeze", "-0.3"), "--unfreeze -0.3", "(0, 1]"),
        Refused("--unfreeze NaN", w => TrainOnly(w, "--unfreeze", "NaN"), "--unfreeze NaN", "(0, 1]"),
        Refused("--unfreeze bogus", w => TrainOnly(w, "--unfreeze", "bogus"), "--unfreeze bogus: no layer of the base is named so", "stage4"),
        Refused("--unfreeze stage9", w => TrainOnly(w, "--unfreeze", "stage9"), "--unfreeze stage9", "stage5"),
        Refused("--seed x", w => TrainOnly(w, "--seed", "x"), "x"),
        Refused("--resize fit", w => TrainOnly(w, "--resize", "fit"), "--resize 'fit' is not understood", "pad"),
        Refused("--tta maybe", w => TrainOnly(w, "--tta", "maybe"), "--tta 'maybe' is not understood"),
        Refused("--class-weight auto", w => TrainOnly(w, "--class-weight", "auto"), "--class-weight 'auto' is not understood", "balanced"),
        Refused("--keep-fine-tuning sometimes", w => TrainOnly(w, "--keep-fine-tuning", "sometimes"), "--keep-fine-tuning"),
        Refused("--on-error sometimes", w => TrainOnly(w, "--on-error", "sometimes"), "--on-error must be 'fail' or 'skip'"),
        Refused("an unknown option", w => TrainOnly(w, "--learning-rate", "0.1"), "--learning-rate"),
        Refused("train without DATA_DIR", _ => ["train"], "DATA_DIR"),
        Refused("no verb", _ => [], "say what to do", "--help"),
        Refused("an unknown verb", _ => ["fit", "photos"], "fit"),
        Refused("predict --top 0", w => ["predict", w.Model, w.Photos, "--top", "0"], "--top must be at least 1"),
        Refused("predict --top -3", w => ["predict", w.Model, w.Photos, "--top", "-3"], "--top must be at least 1"),
        new("predict --top 1000 shows every class", w => ["predict", w.Model, w.At("photos/circle.png"), "--top", "1000"], 0, ["circle", "square", "stripes"]),
        Refused("predict --on-error maybe", w => ["predict", w.Model, w.Photos, "--on-error", "maybe"], "--on-error must be 'fail' or 'skip'"),
        Refused("predict without IMAGE", w => ["predict", w.Model], "IMAGE"),
        Refused("evaluate --batch-size 0", w => ["evaluate", w.Model, w.Data, "--batch-size", "0"], "--batch-size must be at least 1"),
        Refused("evaluate --batch-size of a billion", w => ["evaluate", w.Model, w.Data, "--batch-size", "1000000000"], "needs about", "free", "--batch-size"),
        Refused("summary without MODEL", _ => ["summary"], "MODEL"),
    ];

    public static TheoryData<string> Names => CliCase.Names(Cases);

    [Theory]
    [MemberData(nameof(Names))]
    public void Case(string name) => CliCase.Run(Cases, name);
}
