using System.Runtime.InteropServices;
using System.Text;
using Tanuki.Applications;
using Tanuki.Cli;
using Tanuki.Cli.Commands;
using Tanuki.FineTuning;

namespace Tanuki.Tests.Cli;

/// <summary>
/// Ctrl+C during <c>tanuki train</c>, in process: the token the command runs with is cancelled when its output reaches a
/// given line (as a user pressing Ctrl+C then would), and the SIGINT handler is checked to cancel that token.
/// </summary>
[Collection(NonParallel.Name)]   // redirects Console
public sealed class TrainInterruptTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Standard output that cancels a token when a line starting with <paramref name="trigger"/> is written.</summary>
    private sealed class TriggerWriter(string trigger, CancellationTokenSource cancel) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value is not null && value.StartsWith(trigger, StringComparison.Ordinal)) cancel.Cancel();
        }
    }

    private CliResult TrainUntil(string trigger, string[] more, out string modelPath, out string reportPath)
    {
        string data = ShapeImages.Write(_dir.File("shapes"), 50);   // 30 held out to judge stage 2, the fewest that run it
        modelPath = _dir.File("out/model.tanuki");
        reportPath = _dir.File("out/report.html");
        using var cancel = new CancellationTokenSource();
        var output = new TriggerWriter(trigger, cancel);
        var error = new StringWriter();
        TextWriter oldOut = Console.Out, oldErr = Console.Error;
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            int code = Program.Run(["train", data, "--out", modelPath, "--report", reportPath, "--seed", "3", .. more], cancel.Token);
            return new CliResult(code, output.ToString(), error.ToString());
        }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
    }

    [Fact]
    public void InterruptedInStage2TheStage1ModelIsWrittenAndTheExitCodeSaysSo()
    {
        // The progress bar's "Epoch 1/..." line is stage 2's first (stage 1 is a logistic regression, not Fit): one step runs.
        CliResult r = TrainUntil("Epoch 1/", TanukiCommand.Fast, out string modelPath, out string reportPath);
        Assert.True(r.Code == Program.Interrupted, r.ToString());
        Assert.Contains("Stage 2/2: fine-tuning", r.Out);
        Assert.Contains($"Wrote the model to {modelPath}", r.Out);
        Assert.Contains($"tanuki: interrupted during fine-tuning (stage 2): wrote the frozen-base model of stage 1 to {modelPath}; no report was written.", r.Err);
        Assert.False(File.Exists(reportPath));
        Assert.Equal([modelPath], Directory.GetFiles(Path.GetDirectoryName(modelPath)!));   // no temporary file left behind

        // The written model is stage 1's: the base exactly as pretrained (stage 2's step was undone), and it predicts.
        Model loaded = Model.Load(modelPath);
        TransferModel reference = TransferModel.Create(ImageBase.ResNet18, 3, 32);
        Layer loadedBase = loaded.Layers.Single(l => l.Name == reference.Base.Name);
        Tensor[] expected = reference.Base.GetWeights(), actual = loadedBase.GetWeights();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) TensorAssert.Equal(expected[i], actual[i]);
        Assert.Equal(ShapeImages.Classes, loaded.ClassNames);
        Assert.All(loaded.Weights, v => Assert.True(v.Value.isfinite().all().item<bool>()));
    }

    [Fact]
    public void InterruptedBeforeStage1FinishedNothingIsWritten()
    {
        CliResult r = TrainUntil("Model: ", TanukiCommand.Fast, out string modelPath, out _);
        Assert.True(r.Code == Program.Interrupted, r.ToString());
        Assert.Contains("tanuki: interrupted before stage 1 (the head on the frozen base) finished; no model was written.", r.Err);
        Assert.False(Directory.Exists(Path.GetDirectoryName(modelPath)), "an interrupted run created the output folder");
    }

    [Fact]
    public void CtrlCCancelsTheCommandsTokenOnceAndKeepsTheProcessAlive()
    {
        using var external = new CancellationTokenSource();
        var error = new StringWriter();
        TextWriter oldErr = Console.Error;
        Console.SetError(error);
        try
        {
            using var interrupt = new Interrupt(external.Token);
            Assert.False(interrupt.Token.IsCancellationRequested);
            var first = new PosixSignalContext(PosixSignal.SIGINT);
            interrupt.OnSignal(first);
            Assert.True(interrupt.Token.IsCancellationRequested);
            Assert.True(first.Cancel);                       // the process is not terminated: training stops at the next step
            var second = new PosixSignalContext(PosixSignal.SIGINT);
            interrupt.OnSignal(second);
            Assert.False(second.Cancel);                     // a second Ctrl+C ends the process at once
        }
        finally { Console.SetError(oldErr); }
        Assert.Contains("tanuki: interrupted; stopping after the current step", error.ToString());
        using (var linked = new Interrupt(external.Token))
        {
            external.Cancel();                               // the token given to the command cancels it too
            Assert.True(linked.Token.IsCancellationRequested);
        }
    }
}
