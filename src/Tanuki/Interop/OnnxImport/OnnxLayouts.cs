using Tanuki.Layers;

namespace Tanuki.Interop.OnnxImport;

/// <summary>
/// The layers that bring an <see cref="OnnxLayout"/>'s tensor into the order and grouping an operator needs: at most
/// one <see cref="Permute"/> and one <see cref="Layers.Reshape"/> per change, both per sample, so the batch stays free.
/// Their <c>name</c> arguments name those layers by their kind ("permute", "reshape").
/// </summary>
internal static class OnnxLayouts
{
    /// <summary>One axis of the arranged tensor: old axes merged (in order), or none (a new axis of size 1), for ONNX axis <c>Owner</c>.</summary>
    private readonly record struct Run(int Owner, int[] Axes);

    /// <summary>The ONNX axes given, each made one tensor axis (merging its group), where they are.</summary>
    public static OnnxLayout Merge(OnnxLayout l, IEnumerable<int> onnxAxes, Func<string, string> name)
    {
        var merge = onnxAxes.ToHashSet();
        if (merge.All(a => l.Groups[a].Length == 1)) return l;
        var runs = new List<Run>();
        var done = new HashSet<int>();
        for (int axis = 0; axis < l.Tensor.Rank; axis++)
        {
            int owner = Owner(l, axis);
            if (!merge.Contains(owner)) runs.Add(new Run(owner, [axis]));
            else if (done.Add(owner)) runs.Add(new Run(owner, MergeableGroup(l, owner)));
        }
        foreach (int a in merge.Where(a => l.Groups[a].Length == 0).Order()) runs.Add(new Run(a, []));
        return Arrange(l, runs, name);
    }

    /// <summary>The ONNX axes given, each made one tensor axis, moved to the end in that order; the others keep theirs.</summary>
    public static OnnxLayout Bring(OnnxLayout l, int[] onnxAxes, Func<string, string> name)
    {
        var runs = new List<Run>();
        for (int axis = 0; axis < l.Tensor.Rank; axis++)
        {
            int owner = Owner(l, axis);
            if (!onnxAxes.Contains(owner)) runs.Add(new Run(owner, [axis]));
        }
        foreach (int a in onnxAxes)
        {
            if (l.Groups[a].Contains(0))
                throw new NotSupportedException($"its ONNX axis {a} (of shape {l.FormatShape()}) holds the batch, which this operator would mix with features.");
            runs.Add(new Run(a, l.Groups[a]));
        }
        return Arrange(l, runs, name);
    }

    /// <summary>
    /// Every ONNX axis one tensor axis, in ONNX order after the batch, which must have an ONNX axis of its own: the
    /// form Conv, pooling and the merge layers work on.
    /// </summary>
    public static OnnxLayout Normal(OnnxLayout l, Func<string, string> name)
    {
        int b = l.BatchAxis;
        if (l.Groups[b].Any(a => a != 0 && l.Tensor.Shape[a] != 1))
            throw new NotSupportedException($"its ONNX shape {l.FormatShape()} merges the batch with other axes on axis {b}; an operator that needs the batch apart cannot take it.");
        var runs = new List<Run> { new(b, l.Groups[b].Order().ToArray()) };
        for (int a = 0; a < l.Rank; a++)
            if (a != b) runs.Add(new Run(a, l.Groups[a]));
        return Arrange(l, runs, name);
    }

    /// <summary>
    /// ONNX's Reshape to <paramref name="target"/> (its 0s and -1 resolved): the ONNX axes are regrouped, merging tensor
    /// axes without a layer and splitting one (with a Reshape layer) where a new ONNX axis takes part of it. The
    /// batch axis is never split, so the batch stays free; what would split it is reported.
    /// </summary>
    public static OnnxLayout Reshape(OnnxLayout l, OnnxDim[] target, Func<string, string> name)
    {
        string Problem(string why) => $"reshaping {l.FormatShape()} to ({string.Join(", ", target.Select(d => d.ToString()))}) {why}";
        int[] flat = l.Groups.SelectMany(g => g).ToArray();
        var pieces = flat.ToDictionary(a => a, _ => new List<long>());    // sizes an axis is cut into (batch: none)
        var groups = new List<List<(int Axis, int Piece)>>();
        int i = 0;
        OnnxDim remaining = flat.Length > 0 ? l.AxisSize(flat[0]) : OnnxDim.Known(1);

        void Take(List<(int, int)> group, OnnxDim size)
        {
            int a = flat[i];
            if (a != 0 && size.IsKnown)
            {
                pieces[a].Add(size.Value);
                group.Add((a, pieces[a].Count - 1));
            }
            else group.Add((a, 0));
        }
        void Next()
        {
            i++;
            remaining = i < flat.Length ? l.AxisSize(flat[i]) : OnnxDim.Known(1);
        }

        for (int j = 0; j < target.Length; j++)
        {
            OnnxDim t = target[j];
            var group = new List<(int, int)>();
            if (t.IsUnknown)
            {
                // A size the input leaves free: only the last new axis can take it, with everything left.
                if (j != target.Length - 1 || i >= flat.Length || flat[i..].Contains(0))
                    throw new NotSupportedException(Problem("needs sizes the input leaves free; fix the input size with OnnxImportOptions.InputShape"));
                while (i < flat.Length)
                {
                    Take(group, remaining);
                    Next();
                }
                groups.Add(group);
                break;
            }
            OnnxDim acc = OnnxDim.Known(1);
            while (acc != t)
            {
                if (i >= flat.Length) throw new NotSupportedException(Problem("changes the number of values"));
                OnnxDim need = OnnxDim.Divide(t, acc);
                if (need.IsUnknown || remaining.IsUnknown)
                    throw new NotSupportedException(Problem(remaining.IsUnknown ? "needs sizes the input leaves free; fix the input size with OnnxImportOptions.InputShape" : "changes the number of values"));
                bool whole = remaining.IsBatchMultiple ? need.IsBatchMultiple
                           : need.IsBatchMultiple ? need.Value % remaining.Value == 0
                           : remaining.Value <= need.Value && need.Value % remaining.Value == 0;
                if (whole)
                {
                    Take(group, remaining);
                    acc *= remaining;
                    Next();
                }
                else if (need.IsKnown && remaining.IsKnown && remaining.Value % need.Value == 0)
                {
                    Take(group, need);                   // a part of this axis; the rest goes on to the next ONNX axis
                    acc = t;
                    remaining = OnnxDim.Known(remaining.Value / need.Value);
                }
                else throw new NotSupportedException(Problem(remaining.IsBatchMultiple || need.IsBatchMultiple
                    ? "would split the batch or mix it with other sizes; Tanuki imports reshapes that keep the batch whole"
                    : "changes the number of values"));
            }
            if (group.Count == 0 && i < flat.Length && remaining == OnnxDim.Known(1) && flat[i] != 0)
            {
                Take(group, remaining);
                Next();
            }
            groups.Add(group);
        }
        while (i < flat.Length)
        {
            if (remaining != OnnxDim.Known(1)) throw new NotSupportedException(Problem("changes the number of values"));
            int host = groups.FindLastIndex(g => g.All(p => p.Axis != 0));
            if (host < 0) host = groups.Count - 1;
            Take(groups[host], remaining);
            Next();
        }

        // Axes cut into several pieces become several axes of a new tensor (one Reshape layer).
        SymbolicTensor tensor = l.Tensor;
        var index = new Dictionary<(int, int), int>();
        var shape = new List<long>();
        for (int a = 0; a < l.Tensor.Rank; a++)
        {
            int count = a == 0 ? 1 : Math.Max(1, pieces[a].Count);
            for (int p = 0; p < count; p++)
            {
                index[(a, p)] = shape.Count;
                shape.Add(count == 1 ? l.Tensor.Shape[a] : pieces[a][p]);
            }
        }
        if (shape.Count != l.Tensor.Rank)
            tensor = OnnxImporter.Call(new Layers.Reshape(shape.Skip(1).ToArray(), name("reshape")), tensor);
        return new OnnxLayout(tensor, groups.Select(g => g.Select(p => index[p]).ToArray()).ToArray());
    }

    private static int Owner(OnnxLayout l, int axis) => Array.FindIndex(l.Groups, g => g.Contains(axis));

    private static int[] MergeableGroup(OnnxLayout l, int onnxAxis)
    {
        int[] g = l.Groups[onnxAxis];
        if (g.Length > 1 && g.Contains(0))
            throw new NotSupportedException($"its ONNX axis {onnxAxis} (of shape {l.FormatShape()}) merges the batch with other axes; this operator needs it apart.");
        return g;
    }

    /// <summary>Makes the Permute and Reshape layers that give the tensor the axes <paramref name="runs"/> list, in that order.</summary>
    private static OnnxLayout Arrange(OnnxLayout l, IReadOnlyList<Run> runs, Func<string, string> name)
    {
        int[] perm = runs.SelectMany(r => r.Axes).ToArray();
        if (perm.Length != l.Tensor.Rank || perm[0] != 0 || runs[0].Axes.Length == 0 || runs[0].Axes[0] != 0)
            throw new InvalidOperationException($"Cannot arrange layout [{l.Format()}] as [{string.Join(", ", runs.Select(r => $"[{string.Join(", ", r.Axes)}]"))}].");
        SymbolicTensor t = l.Tensor;
        // Moving axes of size 1 moves no values: a Reshape does it alone.
        bool moves = !perm.Where(a => l.Tensor.Shape[a] != 1).SequenceEqual(Enumerable.Range(0, l.Tensor.Rank).Where(a => l.Tensor.Shape[a] != 1));
        bool reshape = runs.Any(r => r.Axes.Length != 1) || (!moves && !perm.Select((p, i) => p == i).All(b => b));
        long[]? sample = null;
        if (reshape)
        {
            sample = runs.Skip(1).Select(r => r.Axes.Any(a => l.Tensor.Shape[a] < 0) ? -1 : Shapes.Product(r.Axes.Select(a => l.Tensor.Shape[a]))).ToArray();
            if (sample.Count(d => d < 0) > 1)
                throw new NotSupportedException($"its axes would need reshaping to {Shapes.Format([-1, .. sample])}, with more than one size the input leaves free; fix the input size with OnnxImportOptions.InputShape.");
        }
        // The layer that gives the value its final form is named first, so it takes the plain name and the Permute
        // before it the suffixed one: exported as Transpose "x_permute" + Reshape "x" and imported again, the pair gets
        // the same two names (were the Permute named first, each round trip would add a suffix).
        string? reshapeName = reshape ? name("reshape") : null;
        if (moves) t = OnnxImporter.Call(new Permute(perm[1..], name("permute")), t);
        if (sample is not null) t = OnnxImporter.Call(new Layers.Reshape(sample, reshapeName!), t);
        // A group lists its runs in its own (row-major) order, whatever their order in the new tensor.
        int[][] groups = new int[l.Rank][];
        for (int a = 0; a < l.Rank; a++)
        {
            int[] g = l.Groups[a];
            groups[a] = runs.Select((r, i) => (r, i)).Where(x => x.r.Owner == a)
                .OrderBy(x => x.r.Axes.Length == 0 ? -1 : Array.IndexOf(g, x.r.Axes[0])).Select(x => x.i).ToArray();
        }
        return new OnnxLayout(t, groups);
    }
}
