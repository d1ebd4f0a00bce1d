using System.Diagnostics.CodeAnalysis;

namespace Tanuki.Interop.OnnxImport;

/// <summary>The operators the importer knows (default domain), each mapped to ordinary Tanuki layers.</summary>
internal static class OnnxOperators
{
    private static readonly Dictionary<string, OnnxOperator> s_operators = new OnnxOperator[]
    {
        new("Conv", ConvolutionOperators.CheckConv, ConvolutionOperators.Conv),
        new("BatchNormalization", ConvolutionOperators.CheckBatchNormalization, ConvolutionOperators.BatchNormalization),
        new("MaxPool", PoolingOperators.CheckPool, PoolingOperators.MaxPool),
        new("AveragePool", PoolingOperators.CheckPool, PoolingOperators.AveragePool),
        new("GlobalAveragePool", PoolingOperators.CheckGlobalPool, PoolingOperators.GlobalAveragePool),
        new("GlobalMaxPool", PoolingOperators.CheckGlobalPool, PoolingOperators.GlobalMaxPool),
        new("Relu", ActivationOperators.CheckNone, ActivationOperators.Relu),
        new("LeakyRelu", ActivationOperators.CheckLeakyRelu, ActivationOperators.LeakyRelu),
        new("Sigmoid", ActivationOperators.CheckNone, ActivationOperators.Sigmoid),
        new("Tanh", ActivationOperators.CheckNone, ActivationOperators.Tanh),
        new("Clip", ActivationOperators.CheckClip, ActivationOperators.Clip),
        new("Softmax", ActivationOperators.CheckSoftmax, ActivationOperators.Softmax),
        new("Add", ArithmeticOperators.Check, ArithmeticOperators.Convert),
        new("Sub", ArithmeticOperators.Check, ArithmeticOperators.Convert),
        new("Mul", ArithmeticOperators.Check, ArithmeticOperators.Convert),
        new("Div", ArithmeticOperators.Check, ArithmeticOperators.Convert),
        new("Gemm", DenseOperators.CheckGemm, DenseOperators.Gemm),
        new("MatMul", DenseOperators.CheckMatMul, DenseOperators.MatMul),
        new("HardSigmoid", ActivationOperators.CheckNone, ActivationOperators.HardSigmoid),
        new("HardSwish", ActivationOperators.CheckNone, ActivationOperators.HardSwish),
        new("Gelu", ActivationOperators.CheckGelu, ActivationOperators.Gelu),
        new("LayerNormalization", NormalizationOperators.CheckLayerNormalization, NormalizationOperators.LayerNormalization),
        new("ReduceMean", NormalizationOperators.CheckReduceMean, NormalizationOperators.ReduceMean),
        new("Concat", ShapeOperators.CheckConcat, ShapeOperators.Concat),
        new("Flatten", ShapeOperators.CheckFlatten, ShapeOperators.Flatten),
        new("Reshape", ReshapeOperators.CheckReshape, ReshapeOperators.Reshape),
        new("Transpose", ReshapeOperators.CheckTranspose, ReshapeOperators.Transpose),
        new("Squeeze", ReshapeOperators.CheckAxes, ReshapeOperators.Squeeze),
        new("Unsqueeze", ReshapeOperators.CheckAxes, ReshapeOperators.Unsqueeze),
        new("Expand", ReshapeOperators.CheckExpand, ReshapeOperators.Expand),
        new("Slice", SliceOperators.CheckSlice, SliceOperators.Slice),
        new("Split", SliceOperators.CheckSplit, SliceOperators.Split),
        new("Gather", SliceOperators.CheckGather, SliceOperators.Gather),
        new("Pad", ShapeOperators.CheckPad, ShapeOperators.Pad),
        new("Identity", ShapeOperators.CheckIdentity, ShapeOperators.Identity),
        new("Dropout", ShapeOperators.CheckDropout, ShapeOperators.Dropout),
    }.ToDictionary(o => o.OpType);

    /// <summary>Operator types that import as layers, plus those folded when their inputs are constants.</summary>
    public static IEnumerable<string> SupportedOpTypes =>
        s_operators.Keys.Concat(ConstantFolder.FoldableOpTypes.Select(t => s_operators.ContainsKey(t) ? t : $"{t} (of constants)")).Distinct().Order(StringComparer.Ordinal);

    public static bool TryGet(OnnxNode node, [NotNullWhen(true)] out OnnxOperator? op)
    {
        op = null;
        return node.Domain.Length == 0 && s_operators.TryGetValue(node.OpType, out op);
    }

    public static OnnxOperator Get(OnnxNode node) =>
        TryGet(node, out OnnxOperator? op) ? op : throw new NotSupportedException($"Tanuki does not import {node.Describe()}.");

    /// <summary>
    /// Operators whose meaning (for what the importer reads) has not changed since opset 1, so that older models
    /// using only these import too. The others changed at opset 6 or 7 (broadcasting, consumed_inputs, is_test).
    /// </summary>
    private static readonly HashSet<string> s_unchangedSinceOpset1 =
    [
        "Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Relu", "LeakyRelu", "Sigmoid", "Tanh",
        "Flatten", "Softmax", "Transpose", "Identity", "MatMul", "HardSigmoid",
    ];

    public static bool UnchangedSinceOpset1(string opType) => s_unchangedSinceOpset1.Contains(opType);

    /// <summary>Whether operators of this type (default domain) import as layers.</summary>
    public static bool IsSupported(string opType) => s_operators.ContainsKey(opType);
}
