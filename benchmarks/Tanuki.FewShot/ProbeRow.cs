using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Tanuki.FewShot;

/// <summary>
/// <c>probe</c>: a tuned linear probe on the frozen base's features (<see cref="TanukiRows.Features"/>) —
/// scikit-learn's StandardScaler + LogisticRegressionCV(Cs=10, cv=5, max_iter=5000), run by Debian's
/// <c>/usr/bin/python3</c> (<c>benchmarks/peers/sklearn_probe.py</c>) on the features written to a scratch folder.
/// </summary>
internal static class ProbeRow
{
    public const string Python = "/usr/bin/python3";

    public static RowOutcome Run(IRunData data, int size, string repo, string scratch)
    {
        var (train, test, width) = TanukiRows.Features(data, size);
        string folder = Path.Combine(scratch, "probe");
        Directory.CreateDirectory(folder);
        Write(Path.Combine(folder, "train_x.f32"), train);
        Write(Path.Combine(folder, "test_x.f32"), test);
        File.WriteAllBytes(Path.Combine(folder, "train_y.i32"), data.TrainLabels.SelectMany(BitConverter.GetBytes).ToArray());

        var start = new ProcessStartInfo(Python)
        {
            ArgumentList = { Path.Combine(repo, "benchmarks", "peers", "sklearn_probe.py"), folder, width.ToString(CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{Python} did not start");
        Task<string> errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"sklearn_probe.py failed (exit {process.ExitCode}): {errors.Result.Trim()}");
        using JsonDocument json = JsonDocument.Parse(output);
        JsonElement root = json.RootElement;
        int[] predicted = root.GetProperty("predictions").EnumerateArray().Select(p => p.GetInt32()).ToArray();
        if (predicted.Length != data.TestLabels.Length)
            throw new InvalidOperationException($"sklearn_probe.py predicted {predicted.Length} test images; there are {data.TestLabels.Length}.");
        string note = string.Create(CultureInfo.InvariantCulture,
            $"C = {root.GetProperty("C").GetDouble():g4}, {root.GetProperty("folds").GetInt32()} folds, fit {root.GetProperty("fit_seconds").GetDouble():0.0}s, scikit-learn {root.GetProperty("sklearn").GetString()}");
        return new RowOutcome(predicted, Note: note);
    }

    private static void Write(string path, float[] values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(path, bytes);
    }
}
