namespace Tanuki.Benchmarks;

/// <summary>
/// A child process that measures one task of one peer at one size and prints the <see cref="Measurement"/> as a JSON
/// line. Each measurement gets a fresh process: no peer inherits another's allocator state, thread pools or
/// memory tuning (Tanuki's mallopt applies to its own process only), and no task the fragmentation of the one before.
/// </summary>
internal static class PeerProcess
{
    public static readonly string[] Tasks = ["inference", "predict", "train_full", "train_finetune", "train_frozen_base"];

    /// <summary>The tasks that are inference (where the inference engine matters, and ONNX Runtime is a peer).</summary>
    public static bool IsInference(string task) => task is "inference" or "predict";

    /// <summary>
    /// The intra-op threads every peer uses: <c>run --threads</c>, which reaches the .NET peers as <c>TANUKI_THREADS</c>
    /// (Tanuki's own default too); else as many as the machine has cores.
    /// </summary>
    public static int Threads =>
        int.TryParse(Environment.GetEnvironmentVariable("TANUKI_THREADS"), out int n) && n > 0 ? n : Environment.ProcessorCount;

    public static int Run(Args args)
    {
        string peer = args.String("peer") ?? throw new ArgumentException("peer needs --peer.");
        string task = args.String("task") ?? throw new ArgumentException("peer needs --task.");
        int size = args.Int("size", 96), batch = args.Int("batch", 32), reps = args.Int("reps", 7), warmup = args.Int("warmup", 2);
        args.CheckAllRead();
        if (!Tasks.Contains(task)) throw new ArgumentException($"unknown task '{task}'; the tasks are {string.Join(", ", Tasks)}.");

        Measurement m = peer switch
        {
            "tanuki" => TanukiPeer.Measure(task, size, batch, warmup, reps, fusion: true, InferenceEngine.Auto),
            "tanuki-libtorch" => TanukiPeer.Measure(task, size, batch, warmup, reps, fusion: true, InferenceEngine.LibTorch),
            "tanuki-nofusion" => TanukiPeer.Measure(task, size, batch, warmup, reps, fusion: false, InferenceEngine.LibTorch),
            "tanuki-bf16" => TanukiPeer.Measure(task, size, batch, warmup, reps, fusion: true, InferenceEngine.Auto, TrainingPrecision.MixedBFloat16),
            "torchsharp" => TorchSharpPeer.Measure(task, size, batch, warmup, reps),
            "ort" => OrtPeer.Measure(task, size, batch, warmup, reps),
            "ort-nospin" => OrtPeer.Measure(task, size, batch, warmup, reps, spinning: false),
            _ => throw new ArgumentException($"unknown peer '{peer}'."),
        };
        Console.WriteLine((m with { Peer = peer }).ToJson());
        return 0;
    }
}
