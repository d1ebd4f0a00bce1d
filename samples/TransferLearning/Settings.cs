using System.Globalization;

namespace TransferLearning;

/// <summary>The example's command-line options (see the top of Program.cs).</summary>
internal sealed record Settings
{
    public int TrainPerClass { get; private init; } = 10;
    public int ValidationPerClass { get; private init; } = 5;
    public int TestPerClass { get; private init; } = 20;
    public int ImageSize { get; private init; } = 96;
    public int Epochs { get; private init; } = 20;
    public int FineTuneEpochs { get; private init; } = 1;
    public int BatchSize { get; private init; } = 16;
    public bool Augment { get; private init; }
    public string Data { get; private init; } = "auto";

    /// <summary>Reads <c>--name value</c> pairs; throws <see cref="ArgumentException"/> saying what is wrong.</summary>
    public static Settings Parse(string[] args)
    {
        var s = new Settings();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name == "--augment")
            {
                s = s with { Augment = true };
                continue;
            }
            if (i + 1 >= args.Length) throw new ArgumentException($"{name} needs a value.");
            string value = args[++i];
            int Count(int min)
            {
                if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < min)
                    throw new ArgumentException($"{name} expected an integer of at least {min}. Received: {value}");
                return n;
            }
            s = name switch
            {
                "--train-per-class" => s with { TrainPerClass = Count(1) },
                "--validation-per-class" => s with { ValidationPerClass = Count(1) },
                "--test-per-class" => s with { TestPerClass = Count(1) },
                "--image-size" => s with { ImageSize = Count(32) % 32 == 0 ? Count(32) : throw new ArgumentException($"--image-size must be a multiple of 32. Received: {value}") },
                "--epochs" => s with { Epochs = Count(1) },
                "--fine-tune-epochs" => s with { FineTuneEpochs = Count(1) },
                "--batch-size" => s with { BatchSize = Count(1) },
                "--data" => value is "auto" or "full" or "sample" ? s with { Data = value } : throw new ArgumentException($"--data expected auto, full or sample. Received: {value}"),
                _ => throw new ArgumentException($"Unknown option {name}. The options are listed at the top of samples/TransferLearning/Program.cs."),
            };
        }
        return s;
    }
}
