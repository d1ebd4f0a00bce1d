using Tanuki.Layers;
using Tanuki.Saving;

namespace Tanuki.Tests.Saving;

/// <summary>Layers rebuilt from their configs: by reflection for built-in and conventional layers, or by a registered factory.</summary>
public class LayerRegistryTests
{
    private static Layer ThroughJson(Layer layer) => LayerConfigAssert.RoundTrip(layer);

    [Fact]
    public void EveryBuiltInLayerComesBackFromItsConfig()
    {
        ThroughJson(new Dense(7, activation: "gelu", useBias: false, kernelInitializer: "lecun_normal", name: "reg_dense"));
        ThroughJson(new BatchNormalization(axis: -1, momentum: 0.9, epsilon: 1.1e-5, center: false, name: "reg_bn"));
        ThroughJson(new Dropout(0.25, seed: 42, name: "reg_dropout"));
        ThroughJson(new Dropout(0.0, name: "reg_dropout0"));
        ThroughJson(new Flatten(name: "reg_flatten"));
        ThroughJson(new Activation("swish", name: "reg_activation"));
        ThroughJson(new ReLU(maxValue: 6, negativeSlope: 0.125, threshold: -1, name: "reg_relu"));
        var frozen = new ReLU(name: "reg_relu_frozen") { Trainable = false };
        Assert.False(ThroughJson(frozen).Trainable);
        var d = (Dense)ThroughJson(new Dense(3, biasInitializer: Initializers.Constant(0.5), name: "reg_const"));
        Assert.Equal("constant", d.BiasInitializer.Name);   // kept by name; the saved weights carry the values
    }

    public enum Mode { Nearest, BilinearFast }

    /// <summary>A custom layer following the convention: tuples as arrays, enums and arrays, nullable numbers.</summary>
    public sealed class Conventional(int units, (int Height, int Width) kernelSize, long[] sizes, Mode mode = Mode.Nearest,
                                     double? scale = null, (int, int, int, int) pads = default, string? name = null) : Layer(name)
    {
        public int Units { get; } = units;
        public (int, int) KernelSize { get; } = kernelSize;
        public long[] Sizes { get; } = sizes;
        public Mode Mode { get; } = mode;
        public double? Scale { get; } = scale;
        public (int, int, int, int) Pads { get; } = pads;

        protected override Tensor Forward(Tensor inputs, bool training) => inputs;

        public override Dictionary<string, object?> GetConfig()
        {
            var c = base.GetConfig();
            c["units"] = Units;
            c["kernel_size"] = new[] { KernelSize.Item1, KernelSize.Item2 };
            c["sizes"] = Sizes;
            c["mode"] = Mode;
            c["scale"] = Scale;
            c["pads"] = new[] { Pads.Item1, Pads.Item2, Pads.Item3, Pads.Item4 };
            return c;
        }
    }

    [Fact]
    public void ACustomLayerFollowingTheConventionRegistersWithoutAFactory()
    {
        LayerRegistry.Register<Conventional>();
        Assert.True(LayerRegistry.IsRegistered("Conventional"));
        var layer = (Conventional)ThroughJson(new Conventional(3, (5, 7), [1, 2], Mode.BilinearFast, 0.5, (1, 2, 3, 4), "conv_like"));
        Assert.Equal((5, 7), layer.KernelSize);
        Assert.Equal((1, 2, 3, 4), layer.Pads);
        Assert.Equal(Mode.BilinearFast, layer.Mode);
        Assert.Equal(0.5, layer.Scale);
        Assert.Equal("conv_like", layer.Name);
        var fromSnake = (Conventional)LayerRegistry.FromConfig("Conventional", new Dictionary<string, object?>
        {
            ["name"] = "c2", ["units"] = 2L, ["kernel_size"] = new object?[] { 1L, 1L }, ["sizes"] = Array.Empty<object?>(), ["mode"] = "bilinear_fast",
        });
        Assert.Equal(Mode.BilinearFast, fromSnake.Mode);
        Assert.Null(fromSnake.Scale);
    }

    public sealed class Scaled(double factor, string? name = null) : Layer(name)
    {
        public double Factor { get; } = factor;
        protected override Tensor Forward(Tensor inputs, bool training) => inputs * Factor;
        public override Dictionary<string, object?> GetConfig()
        {
            var c = base.GetConfig();
            c["factor_value"] = Factor;                     // not the parameter's name: needs a factory
            return c;
        }
    }

    [Fact]
    public void ACustomLayerWithAFactorySavesAndLoadsInsideAModel()
    {
        LayerRegistry.Register<Scaled>("MyScaled", c => new Scaled((double)c["factor_value"]!, (string?)c["name"]));
        using var dir = new TempDirectory();
        var model = new Sequential(new Input(2), [new Dense(2, name: "sc_dense"), new Scaled(2.5, "sc_scaled")], "scaled_model");
        string path = dir.File("s.tanuki");
        model.Save(path);
        Model loaded = Model.Load(path);
        var scaled = Assert.IsType<Scaled>(loaded.GetLayer("sc_scaled"));
        Assert.Equal(2.5, scaled.Factor);
        Tensor x = torch.rand(3, 2);
        TensorAssert.Equal(model.Predict(x), loaded.Predict(x));
        Assert.Equal("MyScaled", LayerRegistry.GetTypeName(scaled));
    }

    [Fact]
    public void ConfigsThatDoNotFitTheConstructorSayWhy()
    {
        var missing = Assert.Throws<ArgumentException>(() => LayerRegistry.FromConfig("Dense", new Dictionary<string, object?> { ["name"] = "x" }));
        Assert.Contains("\"units\"", missing.Message);
        var extra = Assert.Throws<ArgumentException>(() => LayerRegistry.FromConfig("Dense", new Dictionary<string, object?> { ["units"] = 2L, ["colour"] = "red" }));
        Assert.Contains("\"colour\"", extra.Message);
        var wrongType = Assert.Throws<ArgumentException>(() => LayerRegistry.FromConfig("Dense", new Dictionary<string, object?> { ["units"] = 2.5 }));
        Assert.Contains("units", wrongType.Message);
        var rejected = Assert.Throws<ArgumentException>(() => LayerRegistry.FromConfig("Dense", new Dictionary<string, object?> { ["units"] = 0L }));
        Assert.Contains("units=0", rejected.Message);
        var unknown = Assert.Throws<ArgumentException>(() => LayerRegistry.FromConfig("Nope", new Dictionary<string, object?>()));
        Assert.Contains("LayerRegistry.Register<Nope>", unknown.Message);
        Assert.Throws<ArgumentException>(() => LayerRegistry.Register<Scaled>("Dense", c => new Scaled(1)));
        Assert.Throws<ArgumentException>(() => LayerRegistry.Register<Scaled>("Sequential", c => new Scaled(1)));
        Assert.Throws<ArgumentException>(() => LayerRegistry.Register<Conventional>("MyScaled"));
        var badFactory = Assert.Throws<ArgumentException>(() =>
        {
            LayerRegistry.Register<Scaled>("Renaming", c => new Scaled(1, "fixed"));
            LayerRegistry.FromConfig("Renaming", new Dictionary<string, object?> { ["name"] = "wanted" });
        });
        Assert.Contains("config[\"name\"]", badFactory.Message);
    }

    [Fact]
    public void AConfigValueThatIsNotPlainJsonIsRefusedAtSave()
    {
        using var dir = new TempDirectory();
        LayerRegistry.Register<HoldsATensor>();
        var model = new Sequential(new Input(2), [new HoldsATensor("holder")]);
        var e = Assert.Throws<NotSupportedException>(() => model.Save(dir.File("t.tanuki")));
        Assert.Contains("holder", e.Message);
        Assert.Contains("non-trainable weight", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void AConfigThatBreaksTheConventionIsRefusedAtSaveNotAtLoad()
    {
        using var dir = new TempDirectory();
        LayerRegistry.Register<Misnamed>();
        var model = new Sequential(new Input(2), [new Misnamed(2, "misnamed")]);
        var e = Assert.Throws<NotSupportedException>(() => model.Save(dir.File("m.tanuki")));
        Assert.Contains("misnamed", e.Message);
        Assert.Contains("\"factor_value\"", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    public sealed class Misnamed(double factor, string? name = null) : Layer(name)
    {
        protected override Tensor Forward(Tensor inputs, bool training) => inputs * factor;
        public override Dictionary<string, object?> GetConfig()
        {
            var c = base.GetConfig();
            c["factor_value"] = factor;
            return c;
        }
    }

    public sealed class HoldsATensor(string? name = null) : Layer(name)
    {
        protected override Tensor Forward(Tensor inputs, bool training) => inputs;
        public override Dictionary<string, object?> GetConfig()
        {
            var c = base.GetConfig();
            c["state"] = new object();
            return c;
        }
    }
}
