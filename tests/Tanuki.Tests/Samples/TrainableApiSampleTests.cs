namespace Tanuki.Tests.Samples;

[Collection(NonParallel.Name)]   // it redirects Console.Out
public class TrainableApiSampleTests
{
    [Fact]
    public void TheSamplePrintsTheGuidesLines()
    {
        var writer = new StringWriter();
        TextWriter old = Console.Out;
        Console.SetOut(writer);
        try { TrainableApi.Program.Main(); }
        finally { Console.SetOut(old); }
        string[] lines = writer.ToString().Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("Epoch") && !l.StartsWith("1/1")).ToArray();
        Assert.Equal(new[]
        {
            "weights: 2", "trainable_weights: 2", "non_trainable_weights: 0",
            "weights: 4", "trainable_weights: 2", "non_trainable_weights: 2",
            "weights: 2", "trainable_weights: 0", "non_trainable_weights: 2",
            "inner_model.trainable: false",
        }, lines);
    }
}
