using System.Runtime.InteropServices;
using Tanuki.Data;
using Tanuki.Layers;
using static TorchSharp.torch;

namespace Tanuki.Benchmarks;

/// <summary>
/// The frozen stage's data: the first <c>perClass</c> training images of each Fashion-MNIST class, resized to
/// size² (bilinear) and repeated to three channels (RGB, 0–255), in one fixed shuffled order (seed 0), so that
/// Tanuki and the PyTorch script see the same batches in the same order without shuffling anything themselves.
/// </summary>
internal sealed record FrozenStageData(Tensor X, Tensor Y, string Source)
{
    public static FrozenStageData Load(int perClass, int size)
    {
        FashionMnist mnist;
        string source;
        try
        {
            mnist = FashionMnist.Load();
            source = $"Fashion-MNIST from {FashionMnist.DebianFolder}";
        }
        catch (FileNotFoundException)
        {
            mnist = FashionMnist.LoadSample();
            source = "Fashion-MNIST sample embedded in Tanuki (the Debian package dataset-fashion-mnist is not installed)";
        }
        using (mnist)
        using (var scope = NewDisposeScope())
        {
            var (x, y) = mnist.Train;
            long[] labels = y.data<long>().ToArray();
            var picked = new List<long>();
            for (int c = 0; c < 10; c++)
            {
                var ofClass = Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).Take(perClass).Select(i => (long)i).ToList();
                if (ofClass.Count < perClass) throw new ArgumentException($"{source} has only {ofClass.Count} training images of class {c}; --per-class {perClass} asks for more.");
                picked.AddRange(ofClass);
            }
            Tensor order = torch.randperm(picked.Count, generator: new Generator(0));
            Tensor index = torch.tensor(picked.ToArray()).index_select(0, order);
            Tensor images = new Resizing(size, size).Call(x.index_select(0, index)).expand(-1, 3, -1, -1).contiguous();
            Tensor targets = y.index_select(0, index);
            return new FrozenStageData(images.DetachFromDisposeScope(), targets.DetachFromDisposeScope(), source);
        }
    }

    public long Count => X.shape[0];

    /// <summary>Writes x.f32 (N×3×S×S) and y.i64 (N) raw, for the PyTorch script.</summary>
    public void Write(string dir)
    {
        WriteRaw(Path.Combine(dir, "x.f32"), X.data<float>().ToArray());
        WriteRaw(Path.Combine(dir, "y.i64"), Y.data<long>().ToArray());
    }

    public static void WriteRaw<T>(string path, T[] values) where T : unmanaged =>
        File.WriteAllBytes(path, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public static float[] ReadFloats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();
}
