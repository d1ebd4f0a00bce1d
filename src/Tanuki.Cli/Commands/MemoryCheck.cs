using System.Globalization;

namespace Tanuki.Cli.Commands;

/// <summary>
/// Checks, before any work, that a model at a given image size and batch fits in the memory this machine has free:
/// an image size of 1024 used to pass the head stage and be killed in fine-tuning with nothing saved, and 100000 ended
/// in a libtorch stack trace. The estimate comes from the model's own layers (every layer's output, kept for the
/// backward pass when training; the largest, a few at a time, in inference), plus the weights with their gradients
/// and Adam's two moments. It is a floor: a run it lets through may still need somewhat more.
/// </summary>
internal static class MemoryCheck
{
    /// <summary>Bytes kept per activation scalar in training: the output and, for most layers, what the backward pass saves beside it.</summary>
    private const double TrainingFactor = 2 * sizeof(float);

    /// <summary>Bytes per activation scalar alive at once in inference: a layer's input, its output and a temporary.</summary>
    private const double InferenceFactor = 3 * sizeof(float);

    /// <summary>Memory the process may still take: the smaller of the system's available memory and the runtime's limit (a container's).</summary>
    public static long Available()
    {
        long limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        try
        {
            foreach (string line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                    return Math.Min(limit, long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return limit;
    }

    /// <summary>Bytes a training step (forward, backward, Adam) of <paramref name="model"/> on one batch takes, about.</summary>
    public static double Training(Model model, long batch)
    {
        var (total, _) = Activations(model);
        long weights = model.Weights.Sum(w => w.Count);
        return batch * (double)total * TrainingFactor + weights * 4.0 * sizeof(float);
    }

    /// <summary>Bytes inference of <paramref name="model"/> on one batch takes, about.</summary>
    public static double Inference(Model model, long batch)
    {
        var (_, largest) = Activations(model);
        return batch * (double)largest * InferenceFactor + model.Weights.Sum(w => w.Count) * (double)sizeof(float);
    }

    private static (long Total, long Largest) Activations(Model model)
    {
        if (model.FunctionalGraph is not Graph graph) return (0, 0);
        return graph.ActivationElements(model.Inputs.Select(i => i.Shape).ToArray());
    }

    /// <summary>Throws a <see cref="CliException"/> naming the need, what is free, and what would fit, when <paramref name="needed"/> does not fit.</summary>
    public static void Require(double needed, string work, Func<double, string> advice)
    {
        long available = Available();
        if (needed <= available) return;
        throw new CliException($"{work} needs about {Format(needed)} of memory, but this machine has {Format(available)} free. {advice(needed / available)} " +
                               "The estimate counts the model's layers at this size; it was made before any work, so nothing was written.");
    }

    /// <summary><c>tanuki train</c>'s check, once the model is built: all of it trained (fine-tuning, or a base from scratch), or the frozen base run.</summary>
    public static void RequireForTraining(Model model, bool trainsAll, int size, int batch) =>
        Require(trainsAll ? Training(model, batch) : Inference(model, batch),
                $"{(trainsAll ? "training all of the model" : "running the base")} at {size}x{size} on batches of {batch}",
                ratio => batch > 1 && batch / ratio >= 1
                    ? $"Use --batch-size {Math.Max(1, (int)(batch / ratio))} or less, or a smaller --image-size."
                    : $"Use a smaller --image-size (at most about {Math.Max(32, (int)(size / Math.Sqrt(ratio)) / 32 * 32)}).");

    public static string Format(double bytes) => bytes >= 1e12 ? $"{bytes / 1e12:0.#} TB" : bytes >= 1e9 ? $"{bytes / 1e9:0.#} GB" : $"{bytes / 1e6:0} MB";
}
