using System.Collections.Concurrent;
using System.Reflection;
using static TorchSharp.torch;

namespace Tanuki;

public abstract partial class Layer
{
    private static readonly ConcurrentDictionary<Type, (bool Single, bool List)> s_overrides = new();

    private (bool Single, bool List) Overrides => s_overrides.GetOrAdd(GetType(), type =>
    {
        // Model's own overrides serve functional graphs; a model of yours with its own forward pass infers like a layer.
        bool Declared(Type parameter) =>
            type.GetMethod(nameof(ComputeOutputShape), BindingFlags.Public | BindingFlags.Instance, [parameter])!.DeclaringType is Type t &&
            t != typeof(Layer) && t != typeof(Model);
        return (Declared(typeof(long[])), Declared(typeof(IReadOnlyList<long[]>)));
    });

    private bool OverridesSingleComputeOutputShape => Overrides.Single;

    private bool OverridesListComputeOutputShape => Overrides.List;

    /// <summary>
    /// Whether the output shape is inferred by running the forward pass: for layers outside Tanuki that override neither
    /// <c>ComputeOutputShape</c>. (Tanuki's own layers state their shapes; those that leave it out keep the input shape.)
    /// </summary>
    private bool InfersOutputShape => !IsTanukiLayer && !OverridesSingleComputeOutputShape && !OverridesListComputeOutputShape;

    /// <summary>Whether the layer is one of Tanuki's own (which state their output shapes where they change them).</summary>
    private bool IsTanukiLayer => GetType().Assembly == typeof(Layer).Assembly;

    /// <summary>
    /// After <see cref="Build(IReadOnlyList{long[]})"/> of a layer of yours that infers its output shape: runs it once on
    /// zeros, so that the sublayers its forward pass calls are built (and tracked) too, as Keras builds a layer that
    /// "might have unbuilt state". A forward pass that cannot run on zeros leaves them to the first real call.
    /// </summary>
    private void BuildSublayersOnCall(IReadOnlyList<long[]> inputShapes)
    {
        if (!InfersOutputShape) return;
        try { InferOutputShapes(inputShapes); }
        catch (NotImplementedException) { }
    }

    /// <summary>
    /// Keras's <c>compute_output_spec</c> for a layer without <c>ComputeOutputShape</c>: runs the layer in inference mode,
    /// without gradients, on zeros of the input shapes. A size that is unknown (-1) in the inputs is tried at 2 and 3; an
    /// output size that changes with it is unknown too.
    /// </summary>
    private IReadOnlyList<long[]> InferOutputShapes(IReadOnlyList<long[]> inputShapes)
    {
        long[][] Run(long fill)
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            Tensor[] zeros = inputShapes.Select(s => torch.zeros(s.Select(d => d < 0 ? fill : d).ToArray(), device: Backend.Device)).ToArray();
            try
            {
                return Call(zeros, training: false).Select(t => t.shape).ToArray();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new NotImplementedException(
                    $"Layer '{Name}' ({GetType().Name}) does not override ComputeOutputShape, and running its Forward on zeros of shape " +
                    $"{string.Join(", ", inputShapes.Select(s => Shapes.Format(s)))} to infer the output shape failed: {e.Message} " +
                    "Override ComputeOutputShape to state the output shape.", e);
            }
        }
        long[][] first = Run(2);
        if (!inputShapes.Any(s => s.Any(d => d < 0))) return first;
        long[][] second = Run(3);
        return first.Select((s, i) => s.Select((d, k) => second[i].Length == s.Length && second[i][k] == d ? d : -1).ToArray()).ToArray();
    }
}
