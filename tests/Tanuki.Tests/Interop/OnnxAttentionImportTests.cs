using Tanuki.Interop;
using Tanuki.Interop.OnnxImport.Protos;
using Tanuki.Layers;

namespace Tanuki.Tests.Interop;

/// <summary>
/// Graphs written the way PyTorch exports attention and ViT's embedding — transposes that move the batch axis, views
/// that merge it with the heads, shape arithmetic on Shape outputs — imported as batch-first layers and compared
/// with ONNX Runtime at a batch size the file does not fix. (The torchvision corpus tests the real exports.)
/// </summary>
public class OnnxAttentionImportTests
{
    private const int L = 5, E = 8, H = 2, D = 4;

    private static TensorProto Int64(params long[] values)
    {
        var t = new TensorProto { DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        return t;
    }

    /// <summary>
    /// nn.MultiheadAttention as torch 1.13 exports it (batch_first, opset 13): (N, L, E) → (L, N, E); in-projection;
    /// q, k, v sliced off (q's end computed from a Shape); views (L, N·H, d) transposed to (N·H, L, d); scaled
    /// scores; softmax; (L·N, E) rows through the out-projection; back to (N, L, E).
    /// </summary>
    private static string TorchStyleAttention()
    {
        var g = new torch.Generator(11);
        Tensor R(params long[] shape) => torch.randn(shape, generator: g) * 0.5;
        var b = new OnnxGraphBuilder(opset: 13)
            .Input("x", -1, L, E)
            .Initializer("w_in", R(E, 3 * E)).Initializer("b_in", R(3 * E)).Initializer("w_out", R(E, E)).Initializer("b_out", R(E))
            .IntScalar("i0", 0).IntScalar("i1", 1).Ints("last", -1).Ints("axis0", 0).Ints("zero", 0)
            .IntScalar("two", 2).IntScalar("three", 3).IntScalar("one", 1).IntScalar("heads", H)
            .Ints("hd", D).Ints("e", E).Ints("k_start", E).Ints("k_end", 2 * E).Ints("v_end", 3 * E)
            .Initializer("sqrt_d", torch.tensor(2f))
            .Node("Transpose", "seq_first", ["x"], ["t0"], ("perm", new long[] { 1, 0, 2 }))
            .Node("Shape", "shape", ["t0"], ["s"])
            .Node("Gather", "len", ["s", "i0"], ["len"], ("axis", 0L))
            .Node("Gather", "batch", ["s", "i1"], ["n"], ("axis", 0L))
            .Node("MatMul", "in_proj", ["t0", "w_in"], ["p"])
            .Node("Add", "in_proj_bias", ["b_in", "p"], ["pb"])
            // q = pb[..., 0:(3E + 2) / 3 · 1]: PyTorch's chunk computes its bounds from the shape
            .Node("Shape", "p_shape", ["pb"], ["ps"])
            .Node("Gather", "p_last", ["ps", "last"], ["p3e"], ("axis", 0L))
            .Node("Add", "p_round", ["p3e", "two"], ["p3e2"])
            .Node("Div", "p_third", ["p3e2", "three"], ["pe"])
            .Node("Mul", "q_end", ["pe", "one"], ["qe"])
            .Node("Slice", "q", ["pb", "zero", "qe", "last"], ["q"])
            .Node("Slice", "k", ["pb", "k_start", "k_end", "last"], ["k"])
            .Node("Slice", "v", ["pb", "k_end", "v_end", "last"], ["v"])
            .Node("Mul", "batch_heads", ["n", "heads"], ["nh"])
            .Node("Unsqueeze", "u_len", ["len", "axis0"], ["ul"])
            .Node("Unsqueeze", "u_nh", ["nh", "axis0"], ["unh"])
            .Node("Concat", "head_shape", ["ul", "unh", "hd"], ["hs"], ("axis", 0L));
        foreach (string t in new[] { "q", "k", "v" }) b.Node("Reshape", $"{t}_view", [t, "hs"], [$"{t}r"]);
        b.Node("Transpose", "q_t", ["qr"], ["qt"], ("perm", new long[] { 1, 0, 2 }))
            .Node("Transpose", "k_t", ["kr"], ["kt"], ("perm", new long[] { 1, 2, 0 }))
            .Node("Transpose", "v_t", ["vr"], ["vt"], ("perm", new long[] { 1, 0, 2 }))
            .Node("Div", "q_scaled", ["qt", "sqrt_d"], ["qs"])
            .Node("MatMul", "scores", ["qs", "kt"], ["sc"])
            .Node("Softmax", "softmax", ["sc"], ["sm"], ("axis", -1L))
            .Node("MatMul", "weighted", ["sm", "vt"], ["o"])
            .Node("Transpose", "o_t", ["o"], ["ot"], ("perm", new long[] { 1, 0, 2 }))
            .Node("Mul", "rows", ["len", "n"], ["ln"])
            .Node("Unsqueeze", "u_rows", ["ln", "axis0"], ["uln"])
            .Node("Concat", "row_shape", ["uln", "e"], ["rs"], ("axis", 0L))
            .Node("Reshape", "o_rows", ["ot", "rs"], ["o2"])
            .Node("Gemm", "out_proj", ["o2", "w_out", "b_out"], ["g"], ("transB", 1L))
            .Node("Unsqueeze", "u_n", ["n", "axis0"], ["un"])
            .Node("Concat", "seq_shape", ["ul", "un", "e"], ["ss"], ("axis", 0L))
            .Node("Reshape", "o_seq", ["g", "ss"], ["o3"])
            .Node("Transpose", "batch_first", ["o3"], ["y"], ("perm", new long[] { 1, 0, 2 }))
            .Output("y", -1, L, E);
        return b.Save("torch_attention.onnx");
    }

    [Fact]
    public void TorchStyleAttentionImportsAsBatchFirstLayersAndMatchesOnnxRuntime()
    {
        string path = TorchStyleAttention();
        Model model = Onnx.Import(path);
        Assert.Equal(new long[] { -1, L, E }, model.Inputs[0].Shape);
        Assert.Equal(2, model.Layers.OfType<Tanuki.Layers.MatMul>().Count());
        Assert.Equal(2, model.Layers.OfType<Dense>().Count());
        Assert.Equal(3, model.Layers.OfType<Slice>().Count());
        // Every layer takes the batch first: no layer ever holds (L, N, E) or (N·H, L, d).
        Assert.All(model.Layers.Skip(1), l => Assert.Equal(-1, l.InboundNodes[0].Outputs[0].Shape[0]));
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.randn([3, L, E], generator: new torch.Generator(12));
        TensorAssert.Close(OnnxRuntimeReference.Run(path, ("x", x))[0], model.Call(x), atol: 1e-5, rtol: 1e-4);
        // It trains like any model: the projections get gradients through the rearrangements.
        var dense = model.Layers.OfType<Dense>().First();
        Tensor before = dense.Kernel!.Value.detach().clone();
        model.Compile(new Tanuki.Optimizers.SGD(0.1), new Tanuki.Losses.MeanSquaredError());
        model.Fit(x, torch.zeros(3, L, E), batchSize: 3, verbose: 0);
        Assert.False(TensorAssert.BitEqual(before, dense.Kernel.Value));
    }

    /// <summary>
    /// ViT's embedding: (N, E, 2, 2) patches viewed as (N, E, 4) from a Shape, transposed to tokens, a class token
    /// Expanded to the batch (Where/Equal/ConstantOfShape, as torch exports expand(n, -1, -1)), Concat, position
    /// embedding, then the class token's features (Gather index 0 of axis 1).
    /// </summary>
    private static string VitStyleEmbedding()
    {
        var g = new torch.Generator(13);
        return new OnnxGraphBuilder(opset: 13)
            .Input("patches", -1, E, 2, 2)
            .Initializer("class_token", torch.randn([1, 1, E], generator: g)).Initializer("position", torch.randn([1, 5, E], generator: g))
            .IntScalar("i0", 0).Ints("axis0", 0).Ints("e", E).Ints("four", 4).Ints("minus_one", -1, -1).Ints("flat", -1).IntScalar("neg", -1)
            .Node("Shape", "shape", ["patches"], ["s"])
            .Node("Gather", "batch", ["s", "i0"], ["n"], ("axis", 0L))
            .Node("Unsqueeze", "u_n", ["n", "axis0"], ["un"])
            .Node("Concat", "token_shape", ["un", "e", "four"], ["ts"], ("axis", 0L))
            .Node("Reshape", "tokens_view", ["patches", "ts"], ["tv"])
            .Node("Transpose", "tokens", ["tv"], ["tokens"], ("perm", new long[] { 0, 2, 1 }))
            .Node("Concat", "expand_arg", ["un", "minus_one"], ["ea"], ("axis", 0L))
            .Node("Reshape", "expand_flat", ["ea", "flat"], ["ef"])
            .Node("Shape", "expand_rank", ["ef"], ["er"])
            .Node("ConstantOfShape", "ones", ["er"], ["ones"], ("value", Int64(1)))
            .Node("Mul", "neg_ones", ["ones", "neg"], ["negs"])
            .Node("Equal", "is_free", ["ef", "negs"], ["free"])
            .Node("Where", "expand_shape", ["free", "ones", "ef"], ["es"])
            .Node("Expand", "batch_token", ["class_token", "es"], ["bt"])
            .Node("Concat", "with_token", ["bt", "tokens"], ["wt"], ("axis", 1L))
            .Node("Add", "positions", ["wt", "position"], ["emb"])
            .Node("Gather", "class_features", ["emb", "i0"], ["y"], ("axis", 1L))
            .Output("y", -1, E)
            .Save("vit_embedding.onnx");
    }

    [Fact]
    public void VitStyleClassTokenAndPositionsImportAsConstantLayersAndMatchOnnxRuntime()
    {
        string path = VitStyleEmbedding();
        Model model = Onnx.Import(path);
        var token = Assert.Single(model.Layers.OfType<ConstantConcatenate>());
        Assert.True(token.ConstantFirst);
        Assert.Equal(new long[] { 1, E }, token.ConstantShape);   // one token of E features, joined to (N, tokens, E)
        Assert.Single(model.Layers.OfType<Slice>());
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.randn([3, E, 2, 2], generator: new torch.Generator(14));
        TensorAssert.Close(OnnxRuntimeReference.Run(path, ("patches", x))[0], model.Call(x), atol: 1e-5, rtol: 1e-5);
    }

    [Fact]
    public void OperandsHeldInDifferentTensorShapesAreAddedAsTheOnnxShapesSay()
    {
        // (N, 6) split as (N, 2, 3) and as (N, 3, 2), then viewed as (N, 6) again: one ONNX shape over two tensor
        // shapes, which cannot be added tensor to tensor.
        string path = new OnnxGraphBuilder()
            .Input("x", -1, 6)
            .Ints("rows", 0, 2, 3).Ints("columns", 0, 3, 2).Ints("flat", 0, 6)
            .Node("Reshape", "as_rows", ["x", "rows"], ["a"])
            .Node("Reshape", "as_columns", ["x", "columns"], ["b"])
            .Node("Relu", "relu", ["a"], ["ar"])
            .Node("Reshape", "rows_back", ["ar", "flat"], ["a2"])
            .Node("Reshape", "columns_back", ["b", "flat"], ["b2"])
            .Node("Add", "sum", ["a2", "b2"], ["y"])
            .Output("y", -1, 6)
            .Save("two_views.onnx");
        Model model = Onnx.Import(path);
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.randn([3, 6], generator: new torch.Generator(15));
        TensorAssert.Close(OnnxRuntimeReference.Run(path, ("x", x))[0], model.Call(x), atol: 1e-6);
    }

    [Fact]
    public void AnOutputThatKeepsTheBatchOffAxisZeroIsExplained()
    {
        string path = new OnnxGraphBuilder()
            .Input("x", -1, L, E)
            .Node("Transpose", "seq_first", ["x"], ["y"], ("perm", new long[] { 1, 0, 2 }))
            .Output("y", L, -1, E)
            .Save("batch_moved.onnx");
        var e = Assert.Throws<NotSupportedException>(() => Onnx.Import(path));
        Assert.Contains("output 'y'", e.Message);
        Assert.Contains("holds the batch on axis 1", e.Message);
    }

    [Fact]
    public void AReshapeThatWouldSplitTheBatchIsExplained()
    {
        string path = new OnnxGraphBuilder()
            .Input("x", -1, 4)
            .Ints("shape", 2, -1)
            .Node("Reshape", "pairs", ["x", "shape"], ["y"])
            .Output("y", 2, -1)
            .Save("batch_split.onnx");
        var e = Assert.Throws<NotSupportedException>(() => Onnx.Import(path));
        Assert.Contains("Reshape 'pairs'", e.Message);
        Assert.Contains("batch", e.Message);
    }
}
