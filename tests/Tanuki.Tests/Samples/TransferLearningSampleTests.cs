using System.Globalization;
using System.Text.RegularExpressions;

namespace Tanuki.Tests.Samples;

[Collection(NonParallel.Name)]   // it redirects Console
public class TransferLearningSampleTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        TextWriter oldOut = Console.Out, oldErr = Console.Error;
        Console.SetOut(o);
        Console.SetError(e);
        try { return (TransferLearning.Program.Main(args), o.ToString(), e.ToString()); }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
    }

    private static double Accuracy(string output, string label)
    {
        Match m = Regex.Match(output, Regex.Escape(label) + @"\s+(\d\.\d{4})");
        Assert.True(m.Success, $"no line '{label} ...' in:\n{output}");
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [Fact]
    public void RunsBothStagesAndPrintsTheirTestAccuracies()
    {
        var (code, output, err) = Run("--data", "sample", "--train-per-class", "2", "--validation-per-class", "1", "--test-per-class", "2",
                                      "--image-size", "32", "--epochs", "2", "--fine-tune-epochs", "1", "--batch-size", "8");
        Assert.True(code == 0, err);
        Assert.Contains("20 training, 10 validation and 20 test images", output);
        // The summaries show the freeze: only the head's Dense(10) trains (512·10 + 10), then everything but the
        // BatchNormalization statistics and the preprocessing's mean.
        Assert.Contains("Trainable params: 5,130 ", output);
        Assert.Contains("Trainable params: 15,902,282 ", output);
        Assert.True(output.IndexOf("Fitting the top layer", StringComparison.Ordinal) < output.IndexOf("Fitting the end-to-end model", StringComparison.Ordinal));
        Assert.Matches(@"Frozen-feature cache: 'resnet18(_\d+)?' \([0-9,]+ frozen parameters\) ran once per sample", output);   // stage 1 ran the base once per image
        // The last section: the same workflow in one call to the library's recipe, which prints its choices.
        Assert.Contains("head: logistic regression, L2 = ", output);
        Assert.Contains("fine-tuning: skipped — 10 validation images are fewer than 30", output);
        foreach (string label in new[] { "Test accuracy with the frozen base:", "Test accuracy after fine-tuning:", "Test accuracy with Model.FineTune:" })
        {
            double accuracy = Accuracy(output, label);
            Assert.InRange(accuracy * 20, 0, 20);
            Assert.Equal(Math.Round(accuracy * 20), accuracy * 20, 6);   // a count of the 20 test images
        }
    }

    [Theory]
    [InlineData("--image-size 48", "multiple of 32")]
    [InlineData("--epochs 0", "--epochs expected an integer of at least 1. Received: 0")]
    [InlineData("--data web", "--data expected auto, full or sample")]
    [InlineData("--bogus 1", "Unknown option --bogus")]
    [InlineData("--data sample --test-per-class 101", "ask for fewer")]
    public void ABadArgumentExitsWithTwoAndSaysWhy(string args, string message)
    {
        var (code, _, err) = Run(args.Split(' '));
        Assert.Equal(2, code);
        Assert.Contains(message, err);
    }
}
