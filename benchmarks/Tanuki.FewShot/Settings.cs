using System.Globalization;
using Tanuki.Applications;

namespace Tanuki.FewShot;

/// <summary>The command line.</summary>
internal sealed record Settings
{
    public static readonly string[] AllRows = ["tanuki", "tanuki-frozen", "probe", "mlnet"];
    public static readonly string[] AllRegimes = ["balanced", "imbalanced", "user"];

    public IReadOnlyList<string> Data { get; init; } = ["fashion", "photos"];
    public IReadOnlyList<int> Sizes { get; init; } = [5, 10, 20, 50];
    public int Seeds { get; init; } = 3;
    /// <summary>Fashion-MNIST's fixed test images per class (the first of each class in the test split).</summary>
    public int TestPerClass { get; init; } = 100;
    public IReadOnlyList<string> Rows { get; init; } = AllRows;
    public IReadOnlyList<string> RegimeKinds { get; init; } = AllRegimes;
    /// <summary>The recipe's default: the base's native size.</summary>
    public int ImageSize { get; init; } = ImageBase.ResNet18.NativeSize;
    /// <summary>The tanuki rows' training precision (<c>--training-precision float32|mixed_bfloat16</c>): set on <see cref="ExecutionOptions.Default"/>.</summary>
    public TrainingPrecision TrainingPrecision { get; init; } = TrainingPrecision.Float32;
    public string Out { get; init; } = "";
    public string Cache { get; init; } = "";
    public string Repo { get; init; } = "";

    /// <summary>The regimes for a data set, in the order they run: each size balanced, then imbalanced; then the photos' user case.</summary>
    public IEnumerable<Regime> RegimesFor(string data)
    {
        foreach (int n in Sizes)
        {
            if (RegimeKinds.Contains("balanced")) yield return new Regime(RegimeKind.Balanced, n);
            if (RegimeKinds.Contains("imbalanced")) yield return new Regime(RegimeKind.Imbalanced, n);
        }
        if (data == "photos" && RegimeKinds.Contains("user")) yield return new Regime(RegimeKind.Split, 0);
    }

    public static Settings Parse(string[] args)
    {
        var s = new Settings();
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            IReadOnlyList<string> List(IReadOnlyList<string> allowed)
            {
                string option = args[i];
                string[] items = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                foreach (string item in items)
                    if (!allowed.Contains(item)) throw new ArgumentException($"{option}: unknown '{item}'. Expected some of: {string.Join(", ", allowed)}.");
                return items.Length > 0 ? items : throw new ArgumentException($"{option} needs at least one of: {string.Join(", ", allowed)}.");
            }
            s = args[i] switch
            {
                "--data" => s with { Data = Value() switch { "both" => ["fashion", "photos"], "fashion" => ["fashion"], "photos" => ["photos"], var d => throw new ArgumentException($"--data {d}: expected fashion, photos or both.") } },
                "--sizes" => s with { Sizes = Value().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => Positive("--sizes", v)).ToArray() },
                "--seeds" => s with { Seeds = Positive("--seeds", Value()) },
                "--rows" => s with { Rows = List(AllRows) },
                "--regimes" => s with { RegimeKinds = List(AllRegimes) },
                "--test-per-class" => s with { TestPerClass = Positive("--test-per-class", Value()) },
                "--image-size" => s with { ImageSize = Positive("--image-size", Value()) },
                "--training-precision" => s with { TrainingPrecision = Value() switch { "float32" => TrainingPrecision.Float32, "mixed_bfloat16" => TrainingPrecision.MixedBFloat16, var p => throw new ArgumentException($"--training-precision {p}: expected float32 or mixed_bfloat16.") } },
                "--out" => s with { Out = Value() },
                "--cache" => s with { Cache = Value() },
                "--repo" => s with { Repo = Value() },
                var other => throw new ArgumentException($"unknown option {other}. Options: --data fashion|photos|both, --sizes 5,10,20,50, --seeds 3, " +
                                                         $"--rows {string.Join(",", AllRows)}, --regimes {string.Join(",", AllRegimes)}, --image-size 224, --test-per-class 100, --training-precision float32|mixed_bfloat16, --out FILE.json, --cache DIR"),
            };
        }
        if (ImageBase.ResNet18.CheckSize(s.ImageSize) is string problem) throw new ArgumentException($"--image-size: {problem}");
        string repo = s.Repo.Length > 0 ? s.Repo : FindRepo();
        string results = Path.Combine(repo, "benchmarks", "results");
        return s with
        {
            Repo = repo,
            Cache = s.Cache.Length > 0 ? s.Cache : Path.Combine(results, "fewshot-cache"),
            Out = s.Out.Length > 0 ? s.Out : Path.Combine(results, DateTime.Now.ToString("yyyy-MM-dd_HHmmss", CultureInfo.InvariantCulture) + "_fewshot.json"),
        };
    }

    private static int Positive(string option, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0 ? v
            : throw new ArgumentException($"{option} expects positive integers. Received: {text}");

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Tanuki.slnx"))) return dir.FullName;
        throw new ArgumentException("The repository was not found above the program; pass --repo DIR.");
    }
}
