using System.Globalization;
using Tanuki.Callbacks;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;
using static Tanuki.Tests.Callbacks.CallbackHarness;

namespace Tanuki.Tests.Callbacks;

public class CsvLoggerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tanuki-csv-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void WritesAHeaderFromTheKeysAndOneRowPerEpoch()
    {
        TanukiInfo.SetRandomSeed(5);
        var model = new Sequential(new Input(3), new Dense(3));
        model.Compile(new Adam(), new SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        string path = Path.Combine(_dir, "log.csv");
        Tensor x = torch.randn(12, 3), y = torch.randint(0, 3, 12);
        History h = model.Fit(x, y, batchSize: 4, epochs: 3, verbose: 0, callbacks: [new CsvLogger(path)], validationData: (x, y));

        string text = File.ReadAllText(path);
        Assert.EndsWith("\r\n", text);                                   // the csv module's line ending, as Keras writes
        string[] lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("epoch,accuracy,loss,val_accuracy,val_loss", lines[0]);
        Assert.Equal(4, lines.Length);
        for (int e = 0; e < 3; e++)
        {
            string[] cells = lines[e + 1].Split(',');
            Assert.Equal(e.ToString(CultureInfo.InvariantCulture), cells[0]);
            // Python's repr round-trips: the cells are exactly the History's values.
            Assert.Equal(h["accuracy"][e], double.Parse(cells[1], CultureInfo.InvariantCulture));
            Assert.Equal(h["loss"][e], double.Parse(cells[2], CultureInfo.InvariantCulture));
            Assert.Equal(h["val_loss"][e], double.Parse(cells[4], CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void RowsAreOnDiskAtEachEpochEnd()
    {
        var model = CompiledModel();
        string path = Path.Combine(_dir, "live.csv");
        var lines = new List<int>();
        var logger = new CsvLogger(path, separator: ";");
        var reader = new ReadFileAtEpochEnd(path, lines);
        Run(model, Logs("val_loss", 0.5, 0.25), logger, reader);
        Assert.Equal(new[] { 2, 3 }, lines);                             // header + 1 row, then header + 2 rows
        Assert.Equal("epoch;loss;val_loss\r\n0;1.0;0.5\r\n1;1.0;0.25\r\n", File.ReadAllText(path));
    }

    [Fact]
    public void AppendAddsRowsWithoutASecondHeaderAndMissingKeysAreNA()
    {
        var model = CompiledModel();
        string path = Path.Combine(_dir, "two-stages.csv");
        Run(model, Logs("val_loss", 0.5), new CsvLogger(path, append: true));
        var logs = new List<Dictionary<string, double>> { new() { ["loss"] = 0.125, ["val_loss"] = 1e-5 }, new() { ["loss"] = double.NaN } };
        Run(model, logs, new CsvLogger(path, append: true));
        Assert.Equal("epoch,loss,val_loss\r\n0,1.0,0.5\r\n0,0.125,1e-05\r\n1,nan,NA\r\n", File.ReadAllText(path));
        Run(model, Logs("val_loss", 0.5), new CsvLogger(path));          // without append: overwritten
        Assert.Equal("epoch,loss,val_loss\r\n0,1.0,0.5\r\n", File.ReadAllText(path));
    }

    private sealed class ReadFileAtEpochEnd(string path, List<int> lines) : Callback
    {
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) =>
            lines.Add(File.ReadAllLines(path).Length);
    }
}
