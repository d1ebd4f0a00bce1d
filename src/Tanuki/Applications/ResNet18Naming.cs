using Tanuki.Interop.OnnxImport;

namespace Tanuki.Applications;

/// <summary>
/// Names the nodes of the ResNet-18 ONNX graph after their place in the network (<c>conv1</c>,
/// <c>stage2_block1_conv1</c>, ...), the names <see cref="ResNet18Architecture"/> gives, by reading the graph's
/// structure rather than trusting its CNTK node names.
/// </summary>
internal static class ResNet18Naming
{
    public sealed record Result(Dictionary<string, string> LayerNames, string FeaturesTensor, string? TopPoolNode);

    public static Result Read(OnnxGraph graph)
    {
        var names = new Dictionary<string, string>();
        var producers = graph.Nodes.SelectMany(n => n.NamedOutputs.Select(o => (o, n))).ToDictionary(p => p.o, p => p.n);
        var consumers = graph.Nodes.SelectMany(n => n.Inputs.Select(i => (i, n))).ToLookup(p => p.i, p => p.n);
        OnnxNode Only(string tensor, string opType, string where)
        {
            OnnxNode[] next = consumers[tensor].ToArray();
            if (next.Length != 1 || next[0].OpType != opType)
                throw Unexpected(graph, $"expected one {opType} after {where}, found [{string.Join(", ", next.Select(n => n.Describe()))}]");
            return next[0];
        }

        OnnxNode conv1 = graph.Nodes.FirstOrDefault(n => n.OpType == "Conv") ?? throw Unexpected(graph, "no convolution");
        OnnxNode bn = Only(conv1.Outputs[0], "BatchNormalization", "conv1");
        OnnxNode relu = Only(bn.Outputs[0], "Relu", "conv1_bn");
        OnnxNode pool = Only(relu.Outputs[0], "MaxPool", "conv1_relu");
        names[conv1.Name] = "conv1";
        names[bn.Name] = "conv1_bn";
        names[relu.Name] = "conv1_relu";
        names[pool.Name] = "pool1";

        string blockInput = pool.Outputs[0];
        for (int s = 0; s < 4; s++)
        {
            for (int b = 0; b < ResNet18Architecture.BlocksPerStage[s]; b++)
            {
                string prefix = $"stage{s + 2}_block{b + 1}";
                OnnxNode add = graph.Nodes.FirstOrDefault(n => n.OpType == "Add" && n.Inputs.Any(i => Reaches(i, blockInput, producers)))
                    ?? throw Unexpected(graph, $"no residual Add for {prefix}");
                foreach (string branch in add.Inputs)
                {
                    List<OnnxNode> path = PathBack(branch, blockInput, producers);
                    string[] ops = path.Select(n => n.OpType).ToArray();
                    string[] labels = ops.Length switch
                    {
                        5 => ["conv1", "bn1", "relu1", "conv2", "bn2"],
                        2 => ["shortcut_conv", "shortcut_bn"],
                        0 => [],
                        _ => throw Unexpected(graph, $"{prefix} has a branch of {ops.Length} nodes ({string.Join(", ", ops)})"),
                    };
                    for (int i = 0; i < path.Count; i++) names[path[i].Name] = $"{prefix}_{labels[i]}";
                }
                names[add.Name] = $"{prefix}_add";
                OnnxNode output = Only(add.Outputs[0], "Relu", $"{prefix}_add");
                names[output.Name] = $"{prefix}_out";
                blockInput = output.Outputs[0];
            }
        }
        OnnxNode? top = consumers[blockInput].SingleOrDefault(n => n.OpType == "AveragePool");
        if (top is not null) names[top.Name] = "avg_pool";
        return new Result(names, blockInput, top?.Name);
    }

    /// <summary>The nodes from <paramref name="blockInput"/> (exclusive) to <paramref name="tensor"/>, in order.</summary>
    private static List<OnnxNode> PathBack(string tensor, string blockInput, Dictionary<string, OnnxNode> producers)
    {
        var path = new List<OnnxNode>();
        while (tensor != blockInput)
        {
            OnnxNode n = producers[tensor];
            path.Insert(0, n);
            tensor = n.Inputs[0];
        }
        return path;
    }

    private static bool Reaches(string tensor, string target, Dictionary<string, OnnxNode> producers)
    {
        for (int steps = 0; steps < 8; steps++)
        {
            if (tensor == target) return true;
            if (!producers.TryGetValue(tensor, out OnnxNode? n)) return false;
            tensor = n.Inputs[0];
        }
        return false;
    }

    private static InvalidDataException Unexpected(OnnxGraph graph, string what) =>
        new($"'{graph.Path}' is not the ResNet-18 Tanuki expects ({what}). Pass the ResNet18.onnx of the NuGet package {ResNet18Files.PackageId} {ResNet18Files.PackageVersion}, or import other models with Tanuki.Interop.Onnx.Import.");
}
