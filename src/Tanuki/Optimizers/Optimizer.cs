using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki.Optimizers;

/// <summary>
/// Updates variables from their gradients, keeping per-variable state (momenta) across calls.
/// State is created the first time a variable is seen and kept while it stays trainable, so unfreezing
/// layers between fits needs no new optimizer and no recompile. Keras's update rules and defaults.
/// Keras names are accepted where an optimizer is expected (<c>"adam"</c>, <c>"sgd"</c>, <c>"rmsprop"</c>, <c>"adamw"</c>).
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly Dictionary<Variable, SlotState> _slots = new();
    private readonly Dictionary<Variable, double> _lrMultipliers = new();
    private HashSet<Variable> _noDecay = new();
    private Regex? _noDecayNames;
    private readonly HashSet<string> _warnedMissing = new();

    /// <summary>Creates an optimizer.</summary>
    protected Optimizer(string name, double learningRate, double? weightDecay, double? clipNorm, double? clipValue, double? globalClipNorm)
    {
        Name = name;
        LearningRate = learningRate;
        WeightDecay = weightDecay is double wd ? Guard.NonNegative(wd) : null;
        ClipNorm = clipNorm;
        ClipValue = clipValue;
        GlobalClipNorm = globalClipNorm;
        if (new[] { clipNorm, clipValue, globalClipNorm }.Count(c => c is not null) > 1)
            throw new ArgumentException("Only one of clipNorm, clipValue and globalClipNorm can be set.");
    }

    /// <summary>The Keras name (<c>adam</c>, ...).</summary>
    public string Name { get; }

    private double _learningRate;

    /// <summary>The learning rate; callbacks such as ReduceLROnPlateau change it between steps.</summary>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            if (!(value >= 0) || double.IsInfinity(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, $"The learning rate must be a non-negative number. Received: learningRate={value}");
            _learningRate = value;
        }
    }

    /// <summary>Decoupled weight decay: <c>var -= var · weightDecay · lr</c> before each update.</summary>
    public double? WeightDecay { get; }

    /// <summary>Each gradient is rescaled so its L2 norm is at most this.</summary>
    public double? ClipNorm { get; }

    /// <summary>Each gradient element is clipped to ±this.</summary>
    public double? ClipValue { get; }

    /// <summary>All gradients together are rescaled so their global L2 norm is at most this.</summary>
    public double? GlobalClipNorm { get; }

    /// <summary>How many times <see cref="ApplyGradients"/> has run.</summary>
    public long Iterations { get; private set; }

    /// <summary>
    /// Multiplies the learning rate for some variables (discriminative learning rates: a pretrained base at a
    /// tenth of the head's rate). 1 restores the plain rate.
    /// </summary>
    public void SetLearningRateMultiplier(IEnumerable<Variable> variables, double multiplier)
    {
        ArgumentNullException.ThrowIfNull(variables);
        Guard.NonNegative(multiplier);
        foreach (Variable v in variables)
        {
            if (multiplier == 1) _lrMultipliers.Remove(v);
            else _lrMultipliers[v] = multiplier;
        }
    }

    /// <summary>The learning-rate multiplier of a variable (1 unless set).</summary>
    public double GetLearningRateMultiplier(Variable variable) => _lrMultipliers.TryGetValue(variable, out double m) ? m : 1;

    /// <summary>
    /// The number of scalars the optimizer keeps as state (Summary's "Optimizer params"), as Keras counts its variables:
    /// the slots (momenta), the iteration count and the learning rate; 0 before the first update creates them.
    /// </summary>
    public long CountParams() => _slots.Count == 0 ? 0 : _slots.Values.Sum(s => s.Tensors.Sum(t => t.numel())) + 2;

    /// <summary>The bytes of that state as Keras reports them: the slots, an int64 iteration count, a float32 learning rate.</summary>
    internal long CountBytes() => _slots.Count == 0 ? 0 : _slots.Values.Sum(s => s.Tensors.Sum(t => t.numel() * t.ElementSize)) + sizeof(long) + sizeof(float);

    /// <summary>
    /// Keeps some variables out of weight decay, as Keras's <c>exclude_from_weight_decay</c>: those in
    /// <paramref name="varList"/>, and those whose name contains one of <paramref name="varNames"/> (regular expressions,
    /// e.g. <c>["bias", "gamma", "beta"]</c> for biases and BatchNormalization's scale and offset when fine-tuning). A call
    /// replaces what an earlier one excluded. Unlike Keras it may be called after the first update; it applies from the next.
    /// </summary>
    /// <param name="varList">Variables to exclude.</param>
    /// <param name="varNames">Patterns; a variable whose <see cref="Variable.Name"/> matches one is excluded.</param>
    public void ExcludeFromWeightDecay(IEnumerable<Variable>? varList = null, IEnumerable<string>? varNames = null)
    {
        _noDecay = new HashSet<Variable>(varList ?? []);
        string[] names = (varNames ?? []).Distinct().ToArray();
        foreach (string n in names)
            if (string.IsNullOrEmpty(n)) throw new ArgumentException("varNames must not contain empty strings (they would match every variable).", nameof(varNames));
        _noDecayNames = names.Length == 0 ? null : new Regex(string.Join("|", names), RegexOptions.CultureInvariant);
    }

    /// <summary>Whether weight decay applies to <paramref name="variable"/> (not excluded by <see cref="ExcludeFromWeightDecay"/>).</summary>
    public bool UsesWeightDecay(Variable variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        return !_noDecay.Contains(variable) && _noDecayNames?.IsMatch(variable.Name) != true;
    }

    /// <summary>Forgets all state (momenta); the next update starts afresh.</summary>
    public void Reset()
    {
        foreach (SlotState s in _slots.Values)
            foreach (Tensor t in s.Tensors) t.Dispose();
        _slots.Clear();
    }

    /// <summary>
    /// Forgets the state of some variables only: their next update starts afresh, the others keep theirs
    /// (for layers unfrozen again after a while, whose old momenta are stale).
    /// </summary>
    public void Reset(IEnumerable<Variable> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        foreach (Variable v in variables)
        {
            if (!_slots.Remove(v, out SlotState? s)) continue;
            foreach (Tensor t in s.Tensors) t.Dispose();
        }
    }

    /// <summary>The state to checkpoint: the iteration count and, per variable with state, its update count and slot tensors (live, not copies).</summary>
    internal (long Iterations, IReadOnlyList<(Variable Variable, long Steps, Tensor[] Slots)> Slots) ExportState() =>
        (Iterations, _slots.Select(kv => (kv.Key, kv.Value.Steps, kv.Value.Tensors)).ToList());

    /// <summary>
    /// Replaces all state with a checkpoint's (slot tensors are copied to each variable's device and dtype) and returns
    /// true, when the slot counts and shapes are this optimizer's; otherwise (a checkpoint of another kind or set-up, e.g.
    /// SGD with momentum for SGD without) returns false and changes nothing.
    /// </summary>
    internal bool TryImportState(long iterations, IReadOnlyList<(Variable Variable, long Steps, Tensor[] Slots)> slots)
    {
        var created = new List<(Variable, SlotState)>();
        using (var scope = NewDisposeScope())
        {
            foreach (var (v, steps, saved) in slots)
            {
                Tensor[] fresh = CreateSlots(v);
                if (fresh.Length != saved.Length || fresh.Zip(saved).Any(p => !p.First.shape.SequenceEqual(p.Second.shape)))
                {
                    foreach (var (_, made) in created) foreach (Tensor t in made.Tensors) t.Dispose();
                    return false;
                }
                for (int i = 0; i < fresh.Length; i++) fresh[i] = saved[i].to(fresh[i].device).to_type(fresh[i].dtype).clone();
                created.Add((v, new SlotState(fresh.Select(t => t.DetachFromDisposeScope()).ToArray()) { Steps = steps }));
            }
        }
        Reset();
        foreach (var (v, state) in created) _slots[v] = state;
        Iterations = iterations;
        return true;
    }

    /// <summary>How many updates a variable has had since its state was created (0: no state).</summary>
    internal long StepsOf(Variable variable) => _slots.TryGetValue(variable, out SlotState? s) ? s.Steps : 0;

    /// <summary>
    /// Applies one update. Variables that are not trainable now (frozen since the gradients were taken) are
    /// skipped: a frozen weight is never changed. A null gradient (a variable the loss does not depend on) is skipped
    /// with a warning, as in Keras, and the other variables are updated.
    /// </summary>
    /// <param name="gradients">One gradient per variable, same shapes (null where there is none).</param>
    /// <param name="variables">The variables, usually <c>model.TrainableWeights</c>.</param>
    /// <exception cref="ArgumentException">Counts or shapes differ, or every gradient is null.</exception>
    public void ApplyGradients(IReadOnlyList<Tensor?> gradients, IReadOnlyList<Variable> variables)
    {
        if (_disposed)
            throw new ObjectDisposedException(GetType().Name, $"Optimizer '{Name}' was disposed, so its state is gone. Create a new optimizer and Compile with it.");
        ArgumentNullException.ThrowIfNull(gradients);
        ArgumentNullException.ThrowIfNull(variables);
        if (gradients.Count != variables.Count)
            throw new ArgumentException($"ApplyGradients received {gradients.Count} gradients for {variables.Count} variables.");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var given = new List<Tensor>();
        var vars = new List<Variable>();
        var missing = new List<string>();
        for (int i = 0; i < gradients.Count; i++)
        {
            Tensor? g = gradients[i];
            if (g is null || g.IsInvalid)
            {
                missing.Add(variables[i].Path);
                continue;
            }
            if (!g.shape.SequenceEqual(variables[i].Shape))
                throw new ArgumentException($"The gradient for variable '{variables[i].Path}' has shape {Shapes.Format(g.shape)}, but the variable has shape {Shapes.Format(variables[i].Shape)}.");
            given.Add(g);
            vars.Add(variables[i]);
        }
        if (given.Count == 0 && variables.Count > 0)
            throw new ArgumentException($"No gradients provided for any variable ({string.Join(", ", missing)}). Check that the loss depends on the variables being trained.");
        if (missing.Count > 0 && _warnedMissing.Add(string.Join("\n", missing)))
            Console.Error.WriteLine($"Warning: Gradients do not exist for variables [{string.Join(", ", missing)}] when minimizing the loss; they are not updated. " +
                                    "If a layer is not used to compute the outputs, freeze it or leave it out of the model.");
        Tensor[] grads = ClipGradients(given);
        for (int i = 0; i < grads.Length; i++)
        {
            Variable v = vars[i];
            if (!v.Value.requires_grad) continue;   // frozen
            if (!_slots.TryGetValue(v, out SlotState? state))
            {
                state = new SlotState(CreateSlots(v).Select(t => t.DetachFromDisposeScope()).ToArray());
                _slots[v] = state;
            }
            state.Steps++;
            double lr = LearningRate * GetLearningRateMultiplier(v);
            if (WeightDecay is double wd && wd > 0 && UsesWeightDecay(v))
            {
                using Scalar decay = 1 - wd * lr;   // see Scalars
                v.Value.mul_(decay);
            }
            UpdateStep(grads[i].to_type(v.Value.dtype), v.Value, state.Tensors, state.Steps, lr);
            v.Touch();
        }
        Iterations++;
    }

    /// <summary>The gradients after clipping: each by <see cref="ClipValue"/> or <see cref="ClipNorm"/>, then all together by <see cref="GlobalClipNorm"/>.</summary>
    internal Tensor[] ClipGradients(IReadOnlyList<Tensor> gradients)
    {
        Tensor[] grads = gradients.Select(Clip).ToArray();
        if (GlobalClipNorm is double g)
        {
            double norm = Math.Sqrt(grads.Sum(t => t.to_type(ScalarType.Float64).square().sum().item<double>()));
            if (norm > g)
            {
                using Scalar scale = g / norm;   // see Scalars
                for (int i = 0; i < grads.Length; i++) grads[i] = grads[i].mul(scale);
            }
        }
        return grads;
    }

    private Tensor Clip(Tensor g)
    {
        if (ClipValue is double cv)
        {
            using Scalar lo = -cv, hi = cv;   // see Scalars
            return g.clamp(lo, hi);
        }
        if (ClipNorm is double cn)
        {
            double norm = g.norm().item<float>();
            if (!(norm > cn)) return g;
            using Scalar scale = cn / norm;
            return g.mul(scale);
        }
        return g;
    }

    /// <summary>The state tensors of a variable, created on its first update (zeros like it, usually).</summary>
    protected abstract Tensor[] CreateSlots(Variable variable);

    /// <summary>Updates one variable in place (called under no_grad).</summary>
    /// <param name="gradient">Its gradient.</param>
    /// <param name="variable">Its value, updated in place.</param>
    /// <param name="slots">Its state from <see cref="CreateSlots"/>, updated in place.</param>
    /// <param name="step">How many updates this variable has had, this one included (1 at the first).</param>
    /// <param name="learningRate">The learning rate for this variable.</param>
    protected abstract void UpdateStep(Tensor gradient, Tensor variable, Tensor[] slots, long step, double learningRate);

    /// <summary>Looks an optimizer up by its Keras name, with Keras's defaults.</summary>
    public static Optimizer Get(string name) => name.ToLowerInvariant() switch
    {
        "adam" => new Adam(),
        "adamw" => new AdamW(),
        "sgd" => new SGD(),
        "rmsprop" => new RMSprop(),
        _ => throw new ArgumentException($"Unknown optimizer \"{name}\". Expected one of: adam, adamw, sgd, rmsprop.", nameof(name)),
    };

    /// <summary>Accepts Keras names where an optimizer is expected.</summary>
    public static implicit operator Optimizer(string name) => Get(name);

    private bool _disposed;

    /// <summary>
    /// Frees the optimizer's state (moments, step counts) held for every variable it updated. Calling it again does
    /// nothing; <see cref="ApplyGradients"/> afterwards throws <see cref="ObjectDisposedException"/>.
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        Reset();
        _disposed = true;
        GC.SuppressFinalize(this);
    }

    private sealed class SlotState(Tensor[] tensors)
    {
        public Tensor[] Tensors { get; } = tensors;
        public long Steps { get; set; }
    }
}
