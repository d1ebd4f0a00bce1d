using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static TorchSharp.torch;

namespace Tanuki.Benchmarks;

/// <summary>
/// This machine's peak fp32 FLOP/s, measured two ways: (1) every core running independent chains of fused
/// multiply-adds on the widest vectors it has (AVX-512, else AVX2+FMA, else whatever .NET vectorises): the
/// arithmetic ceiling; (2) a large square sgemm through libtorch at the benchmark's thread count: what a tuned
/// BLAS kernel actually reaches, the practical ceiling for convolutions.
/// </summary>
internal static class PeakFlops
{
    public sealed record Result(double FmaFlops, string FmaKind, double SgemmFlops, int SgemmSize, int Threads, double OtherCores);

    /// <summary>The higher of each peak, and the other processes' load of the quieter measurement (for the warning).</summary>
    public static Result Best(Result a, Result b) =>
        new(Math.Max(a.FmaFlops, b.FmaFlops), a.FmaKind, Math.Max(a.SgemmFlops, b.SgemmFlops), a.SgemmSize, a.Threads, Math.Min(a.OtherCores, b.OtherCores));

    public static int RunCommand(Args args)
    {
        bool quick = args.Flag("quick");
        int threads = args.Int("threads", Environment.ProcessorCount);
        args.CheckAllRead();
        Result r = Measure(quick, threads);
        Console.WriteLine($"FMA loop ({r.FmaKind}, {r.Threads} threads): {r.FmaFlops / 1e9:0.0} GFLOP/s");
        Console.WriteLine($"libtorch sgemm {r.SgemmSize}×{r.SgemmSize} ({r.Threads} threads): {r.SgemmFlops / 1e9:0.0} GFLOP/s");
        Console.WriteLine($"other processes used {r.OtherCores:0.00} cores on average meanwhile");
        return 0;
    }

    public static Result Measure(bool quick, int threads)
    {
        CpuSnapshot start = CpuSnapshot.Take();
        // Many short rounds, the best kept: on a shared machine one of them is likely to find the cores free.
        var (fma, kind) = FmaLoop(threads, 0.2, quick ? 4 : 10);
        int n = quick ? 2048 : 4096;
        double sgemm = Sgemm(threads, n, quick ? 3 : 6);
        var (other, _) = CpuSnapshot.Take().Since(start);
        return new Result(fma, kind, sgemm, n, threads, other);
    }

    /// <summary>Best of <paramref name="rounds"/>: all threads start together and each runs about <paramref name="seconds"/>.</summary>
    private static (double Flops, string Kind) FmaLoop(int threads, double seconds, int rounds)
    {
        var (kernel, flopsPerIteration, kind) = PickKernel();
        kernel(1000);   // JIT
        long iterations = 100_000;
        var sw = Stopwatch.StartNew();
        kernel(iterations);
        iterations = Math.Max(iterations, (long)(iterations * seconds / Math.Max(sw.Elapsed.TotalSeconds, 1e-6)));

        double best = 0;
        for (int round = 0; round < rounds; round++)
        {
            using var ready = new Barrier(threads + 1);
            float sink = 0;
            var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
            {
                ready.SignalAndWait();
                float s = kernel(iterations);
                lock (ready) sink += s;
            })).ToList();
            foreach (var t in workers) t.Start();
            ready.SignalAndWait();
            var clock = Stopwatch.StartNew();
            foreach (var t in workers) t.Join();
            double wall = clock.Elapsed.TotalSeconds;
            if (float.IsNaN(sink)) throw new InvalidOperationException("FMA loop diverged.");
            best = Math.Max(best, threads * iterations * flopsPerIteration / wall);
        }
        return (best, kind);
    }

    private static (Func<long, float> Kernel, double FlopsPerIteration, string Kind) PickKernel()
    {
        if (Avx512F.IsSupported) return (Fma512, 16 * 16 * 2, "AVX-512 FMA, 16 chains");
        if (Fma.IsSupported) return (Fma256, 12 * 8 * 2, "AVX2 FMA, 12 chains");
        return (Portable, 8 * Vector<float>.Count * 2, $"Vector<float> ×{Vector<float>.Count} multiply-add (no FMA instructions)");
    }

    // a ← a·m + c converges to c / (1 − m): no overflow, no denormals, however long it runs. Sixteen independent
    // chains cover the FMA latency (4 cycles) on two FMA ports with room to spare; AVX-512 has 32 registers for them.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Fma512(long iterations)
    {
        Vector512<float> m = Vector512.Create(0.999f), c = Vector512.Create(1e-3f);
        Vector512<float> a0 = Vector512.Create(0.1f), a1 = Vector512.Create(0.2f), a2 = Vector512.Create(0.3f), a3 = Vector512.Create(0.4f);
        Vector512<float> a4 = a0 + a1, a5 = a0 + a2, a6 = a0 + a3, a7 = a1 + a2, a8 = a1 + a3, a9 = a2 + a3;
        Vector512<float> a10 = a0 * a1, a11 = a0 * a2, a12 = a0 * a3, a13 = a1 * a2, a14 = a1 * a3, a15 = a2 * a3;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Avx512F.FusedMultiplyAdd(a0, m, c); a1 = Avx512F.FusedMultiplyAdd(a1, m, c);
            a2 = Avx512F.FusedMultiplyAdd(a2, m, c); a3 = Avx512F.FusedMultiplyAdd(a3, m, c);
            a4 = Avx512F.FusedMultiplyAdd(a4, m, c); a5 = Avx512F.FusedMultiplyAdd(a5, m, c);
            a6 = Avx512F.FusedMultiplyAdd(a6, m, c); a7 = Avx512F.FusedMultiplyAdd(a7, m, c);
            a8 = Avx512F.FusedMultiplyAdd(a8, m, c); a9 = Avx512F.FusedMultiplyAdd(a9, m, c);
            a10 = Avx512F.FusedMultiplyAdd(a10, m, c); a11 = Avx512F.FusedMultiplyAdd(a11, m, c);
            a12 = Avx512F.FusedMultiplyAdd(a12, m, c); a13 = Avx512F.FusedMultiplyAdd(a13, m, c);
            a14 = Avx512F.FusedMultiplyAdd(a14, m, c); a15 = Avx512F.FusedMultiplyAdd(a15, m, c);
        }
        Vector512<float> s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 + a13 + a14 + a15;
        return Vector512.Sum(s);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Fma256(long iterations)
    {
        Vector256<float> m = Vector256.Create(0.999f), c = Vector256.Create(1e-3f);
        Vector256<float> a0 = Vector256.Create(0.1f), a1 = Vector256.Create(0.2f), a2 = Vector256.Create(0.3f), a3 = Vector256.Create(0.4f);
        Vector256<float> a4 = a0 + a1, a5 = a0 + a2, a6 = a0 + a3, a7 = a1 + a2, a8 = a1 + a3, a9 = a2 + a3, a10 = a0 * a1, a11 = a0 * a2;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Fma.MultiplyAdd(a0, m, c); a1 = Fma.MultiplyAdd(a1, m, c); a2 = Fma.MultiplyAdd(a2, m, c);
            a3 = Fma.MultiplyAdd(a3, m, c); a4 = Fma.MultiplyAdd(a4, m, c); a5 = Fma.MultiplyAdd(a5, m, c);
            a6 = Fma.MultiplyAdd(a6, m, c); a7 = Fma.MultiplyAdd(a7, m, c); a8 = Fma.MultiplyAdd(a8, m, c);
            a9 = Fma.MultiplyAdd(a9, m, c); a10 = Fma.MultiplyAdd(a10, m, c); a11 = Fma.MultiplyAdd(a11, m, c);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Portable(long iterations)
    {
        Vector<float> m = new(0.999f), c = new(1e-3f);
        Vector<float> a0 = new(0.1f), a1 = new(0.2f), a2 = new(0.3f), a3 = new(0.4f), a4 = new(0.5f), a5 = new(0.6f), a6 = new(0.7f), a7 = new(0.8f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = a0 * m + c; a1 = a1 * m + c; a2 = a2 * m + c; a3 = a3 * m + c;
            a4 = a4 * m + c; a5 = a5 * m + c; a6 = a6 * m + c; a7 = a7 * m + c;
        }
        return Vector.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7);
    }

    /// <summary>Best of <paramref name="reps"/> n×n by n×n float32 products (2n³ FLOPs each) after one warm-up.</summary>
    private static double Sgemm(int threads, int n, int reps)
    {
        torch.set_num_threads(threads);
        using var scope = NewDisposeScope();
        var generator = new Generator(0);
        Tensor a = torch.rand(n, n, generator: generator), b = torch.rand(n, n, generator: generator);
        torch.mm(a, b).Dispose();
        double best = double.MaxValue;
        for (int i = 0; i < reps; i++)
        {
            var clock = Stopwatch.StartNew();
            torch.mm(a, b).Dispose();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return 2.0 * n * n * n / best;
    }
}
