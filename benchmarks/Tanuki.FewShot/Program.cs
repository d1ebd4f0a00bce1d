// benchmarks/fewshot (issue 11): how well the transfer-learning recipe does with 5 to 50 images per class, against a
// tuned linear probe on the same features and ML.NET's standard pipeline, in the same run.
//
// Data, assembled by this program from Debian packages (nothing is downloaded):
//   fashion - Fashion-MNIST, dataset-fashion-mnist (Zalando Research, MIT licence). Training images drawn per run
//             from the training split; test: the first 100 images of each class in the test split (1,000;
//             --test-per-class).
//   photos  - photographs cut out on transparent backgrounds (PNG), tuxpaint-stamps-default (Tux Paint's stamps,
//             GPL-2, Bill Kendrick and the Tux Paint contributors), /usr/share/tuxpaint/stamps: birds, fish, flowers,
//             fruit, insects, mammals, vegetables (drawings, under "cartoon" and "toys", left out). Test: every image
//             of the regime's classes that is not drawn for training.
// Regimes: n per class balanced, and imbalanced (largest class 10x the smallest), for each n of --sizes; on the photos
// also "user 50/50" (half of every class, the issue's user case). Each seed draws other training images.
// Rows: tanuki (Model.FineTune with its defaults, as `tanuki train` runs it), tanuki-frozen (FineTuneEpochs = 0),
// probe (scikit-learn's tuned logistic regression on the frozen base's features), mlnet (ML.NET's DnnImageFeaturizer
// ResNet-18 + LbfgsMaximumEntropy).
// Run: benchmarks/fewshot [--data fashion|photos|both] [--sizes 5,10,20,50] [--seeds 3] [--rows ...]
//                         [--regimes balanced,imbalanced,user] [--image-size 224] [--test-per-class 100]
//                         [--training-precision float32|mixed_bfloat16] [--out FILE.json] [--cache DIR]
//      benchmarks/fewshot --tables FILE.json   (the tables of an earlier run's file)
using System.Diagnostics;
using System.Globalization;
using Tanuki;
using Tanuki.Applications;
using Tanuki.FewShot;

Settings settings;
try
{
    if (args.SkipWhile(a => a != "--tables").ToArray() is ["--tables", string path])
    {
        Console.Write(Report.Tables(path));
        return 0;
    }
    settings = Settings.Parse(args);
    ExecutionOptions.Default.TrainingPrecision = settings.TrainingPrecision;   // the tanuki rows' models follow the default
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
Backend.EnsureInitialized();
string loadStart = LoadAverage();
Console.WriteLine($"fewshot: data {string.Join(",", settings.Data)}, sizes {string.Join(",", settings.Sizes)}, {settings.Seeds} seeds, rows {string.Join(",", settings.Rows)}, " +
                  $"image size {settings.ImageSize}, training precision {settings.TrainingPrecision}; {Environment.ProcessorCount} cores, libtorch threads {Backend.Threads}; load average {loadStart}");
string scratch = Directory.CreateTempSubdirectory("tanuki-fewshot-").FullName;
var runs = new List<RunRecord>();
var impossible = new List<ImpossibleRegime>();
try
{
    foreach (string data in settings.Data)
    {
        var clock = Stopwatch.StartNew();
        if (data == "fashion")
        {
            using FashionSet fashion = FashionSet.Load(settings.Cache, settings.ImageSize, settings.TestPerClass);
            Console.WriteLine($"\nfashion: {fashion.TestLabels.Length} test images ({settings.TestPerClass} per class), training images drawn from {fashion.Available.Sum():N0}; ready in {clock.Elapsed.TotalSeconds:0}s");
            RunAll("fashion", fashion.ClassNames, fashion.Available, minimumTest: 0, (plan, draw) => fashion.Run(plan, draw));
        }
        else
        {
            PhotoSet photos = PhotoSet.Build(settings.Cache);
            Console.WriteLine($"\nphotos: {photos.Available.Sum()} images in {photos.Root}: " +
                              string.Join(", ", photos.ClassNames.Select((n, c) => $"{n} {photos.Available[c]}")));
            RunAll("photos", photos.ClassNames, photos.Available, minimumTest: 4, (plan, draw) => new PhotoRun(photos, plan, draw, settings.ImageSize, scratch));
        }
    }
}
finally
{
    Directory.Delete(scratch, recursive: true);
}

string loadEnd = LoadAverage();
Console.WriteLine();
File.WriteAllText(settings.Out, Report.Json(settings, runs, impossible, loadStart, loadEnd));
Console.Write(Report.Tables(settings.Out));
Console.WriteLine($"every run: {settings.Out}");
return 0;

void RunAll(string data, IReadOnlyList<string> classNames, int[] available, int minimumTest, Func<RegimePlan, int[][], IRunData> open)
{
    foreach (Regime regime in settings.RegimesFor(data))
    {
        RegimePlan plan = Regimes.Plan(regime, available, minimumTest);
        if (plan.Impossible is not null)
        {
            impossible.Add(new ImpossibleRegime(data, regime.Name, plan.Impossible));
            Console.WriteLine($"[{data} {regime.Name}] impossible: {plan.Impossible}");
            continue;
        }
        Console.WriteLine($"[{data} {regime.Name}] training images per class: " +
                          string.Join(", ", plan.Classes.Select(c => $"{classNames[c]} {plan.Counts[c]}")));
        for (int seed = 1; seed <= settings.Seeds; seed++)
        {
            using IRunData run = open(plan, Regimes.Draw(plan, available, seed));
            foreach (string row in settings.Rows)
            {
                RunRecord record = Measure(data, plan, seed, row, run);
                runs.Add(record);
                string fineTuning = record.Choices?.FirstOrDefault(c => c.StartsWith("fine-tuning:", StringComparison.Ordinal)) is string c ? "; " + c : "";
                Console.WriteLine($"[{data} {regime.Name} seed {seed}] {row,-14} " +
                                  (record.Error is null ? $"{record.Accuracy:0.0000} (balanced {record.BalancedAccuracy:0.0000})" : "FAILED " + record.Error) +
                                  $" {record.Seconds,6:0.0}s load {record.LoadAverageStart:0.0}→{record.LoadAverageEnd:0.0}" +
                                  (record.Note is null ? "" : $"; {record.Note}") + fineTuning);
            }
            File.WriteAllText(settings.Out, Report.Json(settings, runs, impossible, loadStart, "(running)"));
        }
    }
}

RunRecord Measure(string data, RegimePlan plan, int seed, string row, IRunData run)
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    double loadBefore = OneMinuteLoad();
    var clock = Stopwatch.StartNew();
    RowOutcome? outcome = null;
    string? error = null;
    try
    {
        outcome = row switch
        {
            "tanuki" => TanukiRows.Recipe(run, settings.ImageSize, frozen: false),
            "tanuki-frozen" => TanukiRows.Recipe(run, settings.ImageSize, frozen: true),
            "probe" => ProbeRow.Run(run, settings.ImageSize, settings.Repo, scratch),
            "mlnet" => MlNetRow.Run(run),
            _ => throw new UnreachableException(row),
        };
    }
    catch (Exception e) when (e is not OutOfMemoryException)
    {
        Exception inner = e.GetBaseException();
        error = $"{inner.GetType().Name}: {inner.Message}";
        Console.Error.WriteLine(e);
    }
    double seconds = clock.Elapsed.TotalSeconds;
    int[] truth = run.TestLabels;
    return new RunRecord
    {
        Data = data, Regime = plan.Regime.Name, Kind = plan.Regime.Kind.ToString().ToLowerInvariant(), PerClass = plan.Regime.PerClass, Seed = seed,
        Row = row, Seconds = seconds, LoadAverageStart = loadBefore, LoadAverageEnd = OneMinuteLoad(),
        Accuracy = outcome is null ? double.NaN : Scores.Accuracy(outcome.Predicted, truth),
        BalancedAccuracy = outcome is null ? double.NaN : Scores.BalancedAccuracy(outcome.Predicted, truth),
        Classes = [.. run.ClassNames], TrainCounts = plan.Classes.Select(c => plan.Counts[c]).ToArray(), TestImages = truth.Length,
        Choices = outcome?.Choices, FineTuningKept = outcome?.FineTuningKept, Note = outcome?.Note, Error = error,
    };
}

static string LoadAverage() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

static double OneMinuteLoad() => double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
