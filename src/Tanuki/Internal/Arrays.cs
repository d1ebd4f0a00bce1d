using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki;

/// <summary>Turns .NET arrays into tensors the way Keras treats NumPy arrays: floats as float32, integers as int64.</summary>
internal static class Arrays
{
    public static Tensor ToTensor(Array array)
    {
        ArgumentNullException.ThrowIfNull(array);
        long[] shape = Enumerable.Range(0, array.Rank).Select(d => (long)array.GetLength(d)).ToArray();
        Type t = array.GetType().GetElementType()!;
        if (t == typeof(float)) return torch.tensor(Flatten<float>(array), shape, ScalarType.Float32);
        if (t == typeof(double)) return torch.tensor(Flatten<double>(array).Select(v => (float)v).ToArray(), shape, ScalarType.Float32);
        if (t == typeof(int)) return torch.tensor(Flatten<int>(array).Select(v => (long)v).ToArray(), shape, ScalarType.Int64);
        if (t == typeof(long)) return torch.tensor(Flatten<long>(array), shape, ScalarType.Int64);
        if (t == typeof(byte)) return torch.tensor(Flatten<byte>(array).Select(v => (float)v).ToArray(), shape, ScalarType.Float32);
        if (t == typeof(bool)) return torch.tensor(Flatten<bool>(array).Select(v => v ? 1f : 0f).ToArray(), shape, ScalarType.Float32);
        throw new ArgumentException($"Arrays of {t.Name} are not supported; use float, double, int, long, byte or bool arrays, or a Tensor.", nameof(array));
    }

    private static T[] Flatten<T>(Array array)
    {
        var result = new T[array.Length];
        int i = 0;
        foreach (T v in array) result[i++] = v;
        return result;
    }
}
