using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Joins its inputs along <see cref="Axis"/>: by default axis 1, the channels of N×C×H×W inputs and the features of
/// N×F inputs. The inputs must have the same rank and the same sizes on every other axis.
/// </summary>
public sealed class Concatenate : Merge
{
    /// <summary>Creates the layer.</summary>
    /// <param name="axis">The axis to join along (negative counts from the end; not the batch axis).</param>
    /// <param name="name">Layer name.</param>
    public Concatenate(int axis = 1, string? name = null) : base(1, int.MaxValue, name)
    {
        if (axis == 0)
            throw new ArgumentException($"Invalid argument for {LayerArgs.Who(this)}: cannot concatenate along the batch axis. Received: axis=0", nameof(axis));
        Axis = axis;
    }

    /// <summary>The axis joined along.</summary>
    public int Axis { get; }

    private int Resolve(int rank) => Axis < 0 ? rank + Axis : Axis;

    private protected override long[] MergeShapes(IReadOnlyList<long[]> shapes)
    {
        int rank = shapes[0].Length;
        int axis = Resolve(rank);
        if (shapes.Any(s => s.Length != rank) || axis < 1 || axis >= rank)
            throw LayerArgs.Error(this,
                $"requires inputs of the same rank with axis {Axis} among their non-batch axes. Received shapes {Format(shapes)}.");
        var output = new long[rank];
        for (int d = 1; d < rank; d++)
        {
            long[] sizes = shapes.Select(s => s[d]).ToArray();
            if (d == axis)
            {
                output[d] = sizes.Any(x => x < 0) ? -1 : sizes.Sum();
                continue;
            }
            long[] known = sizes.Where(x => x >= 0).Distinct().ToArray();
            if (known.Length > 1)
                throw LayerArgs.Error(this,
                    $"requires inputs with matching shapes except for the concatenation axis {Axis}, but axis {d} has sizes {string.Join(" and ", known)}. Received shapes {Format(shapes)}.");
            output[d] = known.Length == 1 ? known[0] : -1;
        }
        return output;
    }

    private protected override Tensor Combine(IReadOnlyList<Tensor> inputs) => torch.cat(inputs.ToArray(), Resolve((int)inputs[0].dim()));

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["axis"] = Axis;
        return config;
    }
}
