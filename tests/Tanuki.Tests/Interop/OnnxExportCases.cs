using Tanuki.Applications;
using Tanuki.Layers;

namespace Tanuki.Tests.Interop;

/// <summary>
/// One small model per exported layer type and configuration, with inputs to run it on: the cases every export test
/// (ONNX Runtime against Predict, onnx.checker, the coverage check) runs through. Weights are random, not the layers'
/// initial zeros and ones, so that every weight matters to the output.
/// </summary>
internal static class OnnxExportCases
{
    /// <summary>A case: a name, the model, and its inputs (batch 3).</summary>
    public sealed record Case(string Name, Model Model, Tensor[] Inputs);

    private static readonly Dictionary<string, Func<Case>> s_cases = new();

    static OnnxExportCases()
    {
        foreach (string a in new[] { "linear", "relu", "relu6", "sigmoid", "tanh", "softmax", "log_softmax", "silu", "gelu", "elu", "selu", "softplus", "leaky_relu", "exponential", "hard_sigmoid", "hard_silu" })
            Single($"Activation_{a}", [6], new Activation(a), scale: 2);
        Single("ReLU", [6], new ReLU(), scale: 2);
        Single("ReLU_max", [6], new ReLU(maxValue: 1.5), scale: 2);
        Single("ReLU_slope", [6], new ReLU(negativeSlope: 0.1), scale: 2);
        Single("ReLU_threshold", [6], new ReLU(maxValue: 2, negativeSlope: 0.2, threshold: 0.5), scale: 2);
        Single("LeakyReLU", [6], new LeakyReLU(0.3), scale: 2);
        Single("Clip", [6], new Clip(-0.5, 1), scale: 2);
        Single("Clip_max_only", [6], new Clip(maxValue: 0.3), scale: 2);
        Single("Softmax_last", [7], new Softmax());
        Single("Softmax_channels", [4, 3, 5], new Softmax(axis: 1));
        Single("Dense", [5], new Dense(4, activation: "tanh"));
        Single("Dense_rank3_no_bias", [3, 5], new Dense(4, useBias: false));
        Single("Conv2D_valid_strided_dilated", [3, 11, 12], new Conv2D(4, (3, 2), strides: (2, 1), dilationRate: (1, 2), activation: "relu"));
        Single("Conv2D_same_stride2", [3, 9, 10], new Conv2D(4, 3, strides: 2, padding: "same", useBias: false));
        Single("Conv2D_groups_explicit_pads", [4, 8, 8], new Conv2D(6, (3, 3), groups: 2, explicitPadding: (2, 0, 1, 3), activation: "sigmoid"));
        Add("Conv2D_same_free_size", () => Functional([3, -1, -1], x => new GlobalAveragePooling2D().Call(new Conv2D(5, 3, strides: 2, padding: "same").Call(x)), [3, 3, 13, 9]));
        Single("DepthwiseConv2D", [3, 9, 9], new DepthwiseConv2D(3, strides: 2, padding: "same", depthMultiplier: 2));
        Single("DepthwiseConv2D_explicit", [4, 7, 7], new DepthwiseConv2D((3, 3), explicitPadding: (1, 0, 0, 1), activation: "relu6"));
        Single("BatchNormalization", [4, 5, 5], new BatchNormalization(epsilon: 1e-3));
        Single("BatchNormalization_features", [6], new BatchNormalization(momentum: 0.9));
        Single("BatchNormalization_last_axis", [3, 5], new BatchNormalization(axis: -1, center: false));
        Single("BatchNormalization_no_scale", [4, 5, 5], new BatchNormalization(scale: false));
        Single("LayerNormalization", [4, 6], new LayerNormalization(epsilon: 1e-5));
        Single("LayerNormalization_channels", [4, 5, 5], new LayerNormalization(axis: [1], epsilon: 1e-6));
        Single("LayerNormalization_two_axes_no_center", [3, 4, 5], new LayerNormalization(axis: [-1, 1], center: false));
        Single("LayerNormalization_no_scale_no_center", [4, 6], new LayerNormalization(center: false, scale: false));
        Single("MaxPooling2D", [3, 8, 9], new MaxPooling2D(2));
        Single("MaxPooling2D_same", [3, 9, 10], new MaxPooling2D(3, strides: 2, padding: "same"));
        Single("MaxPooling2D_pads_ceil", [3, 10, 9], new MaxPooling2D((3, 3), strides: (2, 2), explicitPadding: (1, 0, 1, 0), ceilMode: true));
        Single("AveragePooling2D", [3, 8, 9], new AveragePooling2D(2));
        Single("AveragePooling2D_same", [3, 9, 10], new AveragePooling2D(3, strides: 2, padding: "same"));
        Single("AveragePooling2D_pads_include", [3, 9, 9], new AveragePooling2D((3, 3), strides: (2, 2), explicitPadding: (1, 1, 1, 1), countIncludePad: true));
        Single("AveragePooling2D_pads_ceil", [3, 10, 9], new AveragePooling2D((3, 3), strides: (2, 2), explicitPadding: (1, 0, 0, 1), ceilMode: true));
        Single("GlobalAveragePooling2D", [4, 5, 6], new GlobalAveragePooling2D());
        Single("GlobalAveragePooling2D_keep", [4, 5, 6], new GlobalAveragePooling2D(keepDims: true));
        Single("GlobalMaxPooling2D", [4, 5, 6], new GlobalMaxPooling2D());
        Merge("Add", new Add(), [4, 5], [4, 5], [4, 5]);
        Merge("Subtract", new Subtract(), [4, 5], [4, 5]);
        Merge("Multiply_ranks", new Multiply(), [4, 5, 6], [6]);
        Merge("Divide", new Divide(), [4, 5], [4, 5]);
        Merge("MatMul", new MatMul(), [2, 4, 5], [2, 5, 3]);
        Merge("MatMul_broadcast", new MatMul(), [2, 4, 5], [1, 5, 3]);
        Merge("Concatenate", new Concatenate(), [2, 5, 5], [3, 5, 5]);
        Merge("Concatenate_last", new Concatenate(axis: -1), [2, 5, 4], [2, 5, 3]);
        Single("ConstantArithmetic_add", [4, 5, 5], new ConstantArithmetic("add", [1, 4, 1, 1]));
        Single("ConstantArithmetic_subtract_first", [4, 5], new ConstantArithmetic("subtract", [5], constantFirst: true));
        Single("ConstantArithmetic_divide_first", [4, 5], new ConstantArithmetic("divide", [], constantFirst: true), positive: true);
        Single("ConstantConcatenate_class_token", [4, 6], new ConstantConcatenate(1, [1, 6], constantFirst: true));
        Single("ConstantConcatenate_last_axis", [3, 4, 5], new ConstantConcatenate(-1, [3, 4, 2]));
        Single("Flatten", [3, 4, 5], new Flatten());
        Single("Reshape", [3, 4, 5], new Reshape([-1, 4]));
        Single("Permute", [3, 4, 5], new Permute([2, 3, 1]));
        Single("Slice", [6, 4], new Slice(1, 1, 5));
        Single("Slice_from_the_end_strided", [3, 9], new Slice(-1, -7, long.MaxValue, step: 3));
        Single("Pad_constant", [3, 4, 5], new Pad([0, 0, 1, 2, -1, 1], constantValue: 1.5));
        Single("Pad_reflect", [3, 4, 5], new Pad([0, 0, 2, 1, 1, 2], mode: "reflect"));
        Single("Pad_edge", [3, 4, 5], new Pad([0, 0, 2, 0, 0, 3], mode: "edge"));
        Single("ZeroPadding2D", [3, 4, 5], new ZeroPadding2D((1, 2, 0, 3)));
        Single("Dropout", [6], new Dropout(0.4));
        Single("Rescaling", [3, 4, 4], new Rescaling(1 / 127.5, offset: -1), scale: 255, positive: true);
        Add("Normalization_adapted", AdaptedNormalization);
        Single("Normalization_fixed", [3, 4, 4], new Normalization(mean: [0.5, -1, 2], variance: [4, 0.25, 1]));
        Single("Normalization_invert_scalar", [3, 4, 4], new Normalization(axis: null, mean: [3], variance: [9], invert: true));
        Single("Resizing_bilinear_up", [3, 5, 6], new Resizing(9, 11));
        Single("Resizing_bilinear_down", [3, 12, 10], new Resizing(5, 7));
        Single("Resizing_bicubic", [3, 6, 7], new Resizing(11, 9, interpolation: "bicubic"));
        Single("Resizing_nearest", [3, 6, 7], new Resizing(11, 5, interpolation: "nearest"));
        Single("Resizing_area", [3, 12, 10], new Resizing(5, 4, interpolation: "area"));
        Single("Resizing_antialias", [3, 16, 13], new Resizing(5, 6, antialias: true));
        Single("Resizing_crop", [3, 12, 7], new Resizing(6, 6, cropToAspectRatio: true));
        Add("Resizing_free_size", () => Functional([3, -1, -1], x => new Resizing(6, 7, interpolation: "bicubic").Call(x), [3, 3, 11, 5]));
        Single("RandomCrop", [3, 12, 9], new RandomCrop(6, 6, seed: 1));
        Add("Augmentation", () => Functional([3, 8, 8], x =>
        {
            foreach (Layer a in new Layer[] { new RandomFlip(seed: 1), new RandomRotation(0.1, seed: 2), new RandomZoom(0.1, seed: 3),
                                              new RandomTranslation(0.1, 0.1, seed: 4), new RandomContrast(0.2, seed: 5), new RandomBrightness(0.2, seed: 6) })
                x = a.Call(x);
            return new Conv2D(2, 3).Call(x);
        }, [3, 3, 8, 8], scale: 255, positive: true));
        Add("ResNet18Preprocessing_224", () => Functional([3, 224, 224], x => new ResNet18Preprocessing().Call(x), [2, 3, 224, 224], scale: 255, positive: true));
        Add("ResNet18Preprocessing_64", () => Functional([3, 64, 48], x => new ResNet18Preprocessing().Call(x), [3, 3, 64, 48], scale: 255, positive: true));
        Add("Sequential", () => (new Sequential(new Input(4), new Dense(5, activation: "relu"), new Dropout(0.2), new Dense(3)), [Random([3, 4], 1, false)]));
        Add("Sequential_built_by_a_call", SequentialBuiltByACall);
        Add("Nested_and_shared", NestedAndShared);
    }

    public static IEnumerable<string> Names => s_cases.Keys;

    /// <summary>The cases written differently below some opset: with HardSwish from 14 on, with LayerNormalization at 17.</summary>
    public static IEnumerable<string> OpsetDependent => Names.Where(n => n.StartsWith("LayerNormalization", StringComparison.Ordinal) || n == "Activation_hard_silu");

    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (string n in s_cases.Keys) data.Add(n);
        return data;
    }

    /// <summary>A fresh model (new layers, new random weights) for the case.</summary>
    public static Case Get(string name) => s_cases[name]();

    private static void Add(string name, Func<(Model Model, Tensor[] Inputs)> build) =>
        s_cases.Add(name, () =>
        {
            var (model, inputs) = build();
            Randomize(model, name.GetHashCode(StringComparison.Ordinal));
            return new Case(name, model, inputs);
        });

    /// <summary>Input(sampleShape) → layer; inputs of batch 3, normal with the given scale (or uniform in (0.5, 1.5)·scale when positive).</summary>
    private static void Single(string name, long[] sampleShape, Layer layer, double scale = 1, bool positive = false) =>
        Add(name, () => Functional(sampleShape, x => layer.Call(x), [3, .. sampleShape], scale, positive));

    private static void Merge(string name, Merge layer, params long[][] sampleShapes) =>
        Add(name, () =>
        {
            Input[] inputs = sampleShapes.Select((s, i) => new Input(s, $"in{i}")).ToArray();
            var model = new Model(inputs, layer.Call(inputs, training: null));
            return (model, sampleShapes.Select((s, i) => Random([3, .. s], i + 1, positive: layer is Divide)).ToArray());
        });

    private static (Model, Tensor[]) Functional(long[] sampleShape, Func<SymbolicTensor, SymbolicTensor> body, long[] inputShape, double scale = 1, bool positive = false)
    {
        var input = new Input(sampleShape, "x");
        return (new Model(input, body(input)), [Random(inputShape, 7, positive) * scale]);
    }

    private static Tensor Random(long[] shape, int seed, bool positive)
    {
        var g = new torch.Generator((ulong)seed);
        return positive ? torch.rand(shape, generator: g) + 0.5 : torch.randn(shape, generator: g);
    }

    private static (Model, Tensor[]) AdaptedNormalization()
    {
        var norm = new Normalization(axis: 1);
        norm.Adapt(Random([20, 3, 4, 4], 3, false) * 5 + 2);
        return Functional([3, 4, 4], x => norm.Call(x), [3, 3, 4, 4]);
    }

    /// <summary>A Sequential without an Input, built by its first call.</summary>
    private static (Model, Tensor[]) SequentialBuiltByACall()
    {
        var model = new Sequential(new Conv2D(3, 3, padding: "same", activation: "relu"), new MaxPooling2D(2), new Flatten(), new Dense(2));
        Tensor x = Random([3, 2, 6, 6], 5, false);
        using (torch.no_grad()) model.Call(x);
        return (model, [x]);
    }

    /// <summary>A functional model calling a Sequential and a functional model, one of them twice (shared weights).</summary>
    private static (Model, Tensor[]) NestedAndShared()
    {
        var innerInput = new Input(4, 6, 6);
        SymbolicTensor y = new BatchNormalization().Call(new Conv2D(4, 3, padding: "same").Call(innerInput));
        var block = new Model(innerInput, new Add().Call(y, innerInput), name: "block");
        var head = new Sequential(new Input(4), [new Dense(3, activation: "relu"), new Dense(2)], "head");
        var input = new Input([4, 6, 6], "image");
        SymbolicTensor x = block.Call(block.Call(input, training: false));
        var outputs = head.Call(new GlobalAveragePooling2D().Call(x));
        return (new Model(input, outputs), [Random([3, 4, 6, 6], 9, false)]);
    }

    /// <summary>Every weight random: variances and divisors positive; the ResNet-18 mean image left as it is.</summary>
    private static void Randomize(Model model, int seed)
    {
        var g = new torch.Generator((ulong)(uint)seed);
        using var scope = torch.NewDisposeScope();
        foreach (Variable v in model.Weights)
        {
            if (v.Name == "mean_image") continue;
            bool positive = v.Name.Contains("variance") || v.Owner is ConstantArithmetic { Operation: "divide" };
            v.Assign(positive ? torch.rand(v.Shape, generator: g) + 0.5 : torch.randn(v.Shape, generator: g) * 0.5);
        }
    }
}
