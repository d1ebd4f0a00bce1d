using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Tanuki.Layers;
using Tanuki.Saving;

namespace Tanuki.Tests.Saving;

/// <summary>
/// The safetensors writer checked byte by byte against the format (8-byte little-endian header length, JSON header
/// with dtype, shape and data_offsets, space padding, raw little-endian data) through a small reader written here,
/// and Tanuki's reader checked on a file written from the specification by tools/safetensors/make_reference.py.
/// </summary>
public class SafeTensorsTests
{
    /// <summary>An independent reader: the format's rules, nothing of Tanuki's.</summary>
    internal static (JsonElement Header, byte[] Data, int HeaderLength) ReadIndependently(byte[] file)
    {
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(0, 8));
        Assert.True(8 + (long)n <= file.Length, "header length beyond the end of the file");
        string json = Encoding.UTF8.GetString(file, 8, (int)n);
        Assert.StartsWith("{", json);
        Assert.All(json[(json.LastIndexOf('}') + 1)..], c => Assert.Equal(' ', c));   // padding is spaces only
        JsonElement header = JsonDocument.Parse(json).RootElement.Clone();
        return (header, file[(8 + (int)n)..], (int)n);
    }

    internal static float[] Floats(byte[] data, JsonElement entry)
    {
        long begin = entry.GetProperty("data_offsets")[0].GetInt64(), end = entry.GetProperty("data_offsets")[1].GetInt64();
        var result = new float[(end - begin) / 4];
        for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan((int)begin + 4 * i, 4));
        return result;
    }

    [Fact]
    public void TheWrittenBytesFollowTheFormat()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.safetensors");
        var tensors = new List<KeyValuePair<string, Tensor>>
        {
            new("a", torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }).reshape(2, 3)),
            new("b", torch.tensor(new long[] { 7, -8 })),
            new("c", torch.tensor(0.5)),                                       // float64 scalar
            new("e", torch.zeros(0, 4)),
            new("f", torch.tensor(new[] { true, false, true })),
            new("t", torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }).reshape(2, 3).t()),  // not contiguous
        };
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["k"] = "v" });
        byte[] file = File.ReadAllBytes(path);
        var (header, data, n) = ReadIndependently(file);

        Assert.Equal(0, (8 + n) % 8);                                          // data starts 8-byte aligned
        Assert.Equal("v", header.GetProperty("__metadata__").GetProperty("k").GetString());
        void Entry(string name, string dtype, long[] shape, long begin, long end)
        {
            JsonElement e = header.GetProperty(name);
            Assert.Equal(dtype, e.GetProperty("dtype").GetString());
            Assert.Equal(shape, e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
            Assert.Equal(new[] { begin, end }, e.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()));
        }
        Entry("a", "F32", [2, 3], 0, 24);
        Entry("b", "I64", [2], 24, 40);
        Entry("c", "F64", [], 40, 48);
        Entry("e", "F32", [0, 4], 48, 48);
        Entry("f", "BOOL", [3], 48, 51);
        Entry("t", "F32", [3, 2], 51, 75);
        Assert.Equal(75, data.Length);                                         // nothing after the last tensor
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, Floats(data, header.GetProperty("a")));
        Assert.Equal(7L, BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(24)));
        Assert.Equal(-8L, BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(32)));
        Assert.Equal(0.5, BinaryPrimitives.ReadDoubleLittleEndian(data.AsSpan(40)));
        Assert.Equal(new byte[] { 1, 0, 1 }, data[48..51]);
        Assert.Equal(new float[] { 1, 4, 2, 5, 3, 6 }, Floats(data, header.GetProperty("t")));   // row-major of the transpose

        using SafeTensorsFile back = SafeTensors.Load(path);
        Assert.Equal("v", back.Metadata["k"]);
        Assert.Equal(["a", "b", "c", "e", "f", "t"], back.Entries.Select(e => e.Name));
        foreach (var (name, t) in tensors)
        {
            Assert.Equal(t.dtype, back[name].dtype);
            Assert.Equal(t.shape, back[name].shape);
            Assert.True(t.eq(back[name]).all().item<bool>(), $"tensor {name} differs after reading back");
        }
        Assert.Throws<KeyNotFoundException>(() => back["zz"]);
    }

    [Fact]
    public void AFileWrittenFromTheSpecificationReadsBack()
    {
        using SafeTensorsFile f = SafeTensors.Load(Fixture("reference.safetensors"));
        Assert.Equal("pt", f.Metadata["format"]);
        Assert.Equal(["ids", "scalar", "empty", "i32", "weight", "bf", "half", "bytes", "flags"], f.Entries.Select(e => e.Name));
        Assert.Equal(new float[] { -1, -0.5f, 0, 0.5f, 1, 1.5f }, f["weight"].data<float>().ToArray());
        Assert.Equal(new long[] { 2, 3 }, f["weight"].shape);
        Assert.Equal(new long[] { -3, 0, 1L << 40 }, f["ids"].data<long>().ToArray());
        Assert.Equal(new[] { -1, 2 }, f["i32"].data<int>().ToArray());
        Assert.Equal(new[] { 1.5, -2.25 }, f["half"].to_type(ScalarType.Float64).data<double>().ToArray());
        Assert.Equal(new[] { 1.0, -2.0 }, f["bf"].to_type(ScalarType.Float64).data<double>().ToArray());
        Assert.Equal(ScalarType.BFloat16, f["bf"].dtype);
        Assert.Empty(f["scalar"].shape);
        Assert.Equal(Math.PI, f["scalar"].item<double>());
        Assert.Equal(new[] { true, false, true }, f["flags"].data<bool>().ToArray());
        Assert.Equal(new byte[] { 0, 127, 255 }, f["bytes"].data<byte>().ToArray());
        Assert.Equal(new long[] { 0, 4 }, f["empty"].shape);
    }

    [Fact]
    public void SaveWeightsWritesEveryWeightByLayerPathReadableWithoutTanuki()
    {
        using var dir = new TempDirectory();
        var bn = new BatchNormalization(name: "stw_bn");
        var inner = new Sequential(new Input(3), [new Dense(2, name: "stw_inner_dense")], "stw_inner");
        var model = new Sequential(new Input(3), [inner, bn, new Dense(1, name: "stw_out")], "stw_model");
        string path = dir.File("w.safetensors");
        model.SaveWeights(path);
        var (header, data, _) = ReadIndependently(File.ReadAllBytes(path));
        string[] names =
        [
            "stw_inner/stw_inner_dense/kernel", "stw_inner/stw_inner_dense/bias",
            "stw_bn/gamma", "stw_bn/beta", "stw_bn/moving_mean", "stw_bn/moving_variance",
            "stw_out/kernel", "stw_out/bias",
        ];
        Assert.Equal(names, header.EnumerateObject().Select(p => p.Name).Where(n => n != "__metadata__"));
        Assert.Equal("tanuki", header.GetProperty("__metadata__").GetProperty("format").GetString());
        Tensor[] values = model.GetWeights();
        for (int i = 0; i < names.Length; i++)
        {
            JsonElement e = header.GetProperty(names[i]);
            Assert.Equal("F32", e.GetProperty("dtype").GetString());
            Assert.Equal(values[i].shape, e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
            Assert.Equal(values[i].data<float>().ToArray(), Floats(data, e));
        }
    }

    [Fact]
    public void UnsupportedInputToTheWriterIsRejectedBeforeAnythingIsWritten()
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad.safetensors");
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [new("x", torch.ones(1)), new("x", torch.ones(1))]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [new("__metadata__", torch.ones(1))]));
        Assert.Throws<NotSupportedException>(() => SafeTensors.Save(path, [new("c", torch.ones(2, dtype: ScalarType.ComplexFloat32))]));
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    internal static string Fixture(string name, [CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "Fixtures", name);
}
