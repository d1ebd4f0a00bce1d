using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tanuki.Benchmarks;

/// <summary>
/// One measured task of one peer: the seconds each timed step took (after the warm-up steps) and how busy the rest
/// of the machine was meanwhile. Children print it as one JSON line; the PyTorch script prints the same fields.
/// </summary>
internal sealed record Measurement
{
    [JsonPropertyName("peer")] public required string Peer { get; init; }
    [JsonPropertyName("task")] public required string Task { get; init; }
    [JsonPropertyName("size")] public required int Size { get; init; }
    [JsonPropertyName("batch")] public required int Batch { get; init; }
    [JsonPropertyName("times")] public required double[] Times { get; init; }
    /// <summary>Average number of cores other processes used during the timed steps.</summary>
    [JsonPropertyName("other_cores")] public double OtherCores { get; init; }
    /// <summary>Average number of cores the hypervisor took away (steal time) during the timed steps.</summary>
    [JsonPropertyName("steal_cores")] public double StealCores { get; init; }
    /// <summary>Free text: versions, threads, notes.</summary>
    [JsonPropertyName("info")] public string? Info { get; init; }

    [JsonIgnore] public double Median => Stats.Median(Times);
    [JsonIgnore] public double Best => Times.Min();
    [JsonIgnore] public double MedianImagesPerSecond => Batch / Median;
    [JsonIgnore] public double BestImagesPerSecond => Batch / Best;

    public static Measurement Time(string peer, string task, int size, int batch, Action step, int warmup, int reps, string? info = null)
    {
        for (int i = 0; i < warmup; i++) step();
        var times = new double[reps];
        int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        TimeSpan paused = GC.GetTotalPauseDuration();
        CpuSnapshot start = CpuSnapshot.Take();
        for (int i = 0; i < reps; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            step();
            times[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        var (other, steal) = CpuSnapshot.Take().Since(start);
        // .NET's garbage collector pauses every thread; a peer that allocates much managed memory per step pays for it here.
        string gc = $".NET GC during the timed steps: {GC.CollectionCount(0) - collections[0]} gen0, {GC.CollectionCount(1) - collections[1]} gen1, " +
                    $"{GC.CollectionCount(2) - collections[2]} gen2 collections, {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:0} ms paused";
        return new Measurement
        {
            Peer = peer, Task = task, Size = size, Batch = batch, Times = times, OtherCores = other, StealCores = steal,
            Info = info is null ? gc : $"{info}; {gc}",
        };
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static Measurement? FromJson(string line)
    {
        try
        {
            var m = JsonSerializer.Deserialize<Measurement>(line, JsonOptions);
            return m is { Times.Length: > 0 } ? m : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}

internal static class Stats
{
    public static double Median(IReadOnlyList<double> values)
    {
        double[] t = values.Order().ToArray();
        return t.Length % 2 == 1 ? t[t.Length / 2] : (t[t.Length / 2 - 1] + t[t.Length / 2]) / 2;
    }
}
