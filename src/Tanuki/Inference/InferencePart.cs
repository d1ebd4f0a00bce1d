using System.Diagnostics;
using Tanuki.Interop.OnnxExport;
using static TorchSharp.torch;

namespace Tanuki.Inference;

/// <summary>
/// A part of a model (the whole of it, or a frozen prefix) that can run on ONNX Runtime. It chooses the engine for each
/// call (<see cref="EngineRule"/>) and keeps the session, built from the part's exported graph when the rule first
/// picks ONNX Runtime and rebuilt only when it no longer matches: when a weight it covers has changed since (every change
/// through <see cref="Variable.Assign"/>, <c>SetWeights</c>, an optimizer step or BatchNormalization's moving statistics
/// bumps the weight's version), when the layers or weights it covers are no longer the same, or when the thread count
/// changed. A part whose graph cannot be exported remembers why, until its layers change. Thread-safe: calls on one part
/// run one at a time.
/// </summary>
internal sealed class InferencePart : IDisposable
{
    private readonly Model _owner;
    private readonly Func<ExportPlan> _planFactory;
    private readonly object _lock = new();
    private OrtSession? _session;
    private Layer[] _layers = [];
    private Variable[] _covered = [];
    private long[] _versions = [];
    private string? _unsupported;
    private Layer[] _unsupportedLayers = [];
    private readonly EngineClock _clock = new();
    private bool _warm;
    private bool _disposed;

    /// <param name="owner">The model whose <see cref="Model.Execution"/> options apply.</param>
    /// <param name="planFactory">The part's export plan, made again at each call (it is cheap) so that a change of layers shows.</param>
    public InferencePart(Model owner, Func<ExportPlan> planFactory)
    {
        _owner = owner;
        _planFactory = planFactory;
    }

    /// <summary>How many sessions this part has built (tests check reuse).</summary>
    public int Builds { get; private set; }

    /// <summary>How long the last build took (export + session creation), in seconds; NaN before the first.</summary>
    public double LastBuildSeconds { get; private set; } = double.NaN;

    /// <summary>Whether a session is open now.</summary>
    public bool HasSession => _session is not null;

    /// <summary>The engine the last call ran on, and why; null before the first.</summary>
    public EngineChoice? LastChoice { get; private set; }

    /// <summary>
    /// Runs the part on ONNX Runtime if the options and <see cref="EngineRule"/> choose it for this call (building or
    /// rebuilding the session first when needed); otherwise returns null and the caller runs libtorch, then reports the
    /// time it took with <see cref="RecordLibTorch"/>.
    /// </summary>
    /// <param name="inputs">The batch, one tensor per input of the part.</param>
    /// <param name="remainingSamples">Samples the pass still has to run, this batch included (-1: no end in sight, as
    /// for a frozen prefix that runs over whole data sets).</param>
    /// <param name="random">Whether a layer is random in this call (then ONNX Runtime cannot give the same numbers).</param>
    /// <param name="choice">The engine chosen, and why.</param>
    /// <exception cref="NotSupportedException">The options force ONNX Runtime, and this call cannot run there.</exception>
    public Tensor[]? TryRun(IReadOnlyList<Tensor> inputs, long remainingSamples, bool random, out EngineChoice choice)
    {
        Tensor[]? outputs = TryRunCore(inputs, remainingSamples, random, out choice);
        LastChoice = choice;
        return outputs;
    }

    private Tensor[]? TryRunCore(IReadOnlyList<Tensor> inputs, long remainingSamples, bool random, out EngineChoice choice)
    {
        InferenceEngine wanted = _owner.Execution.InferenceEngine;
        if (wanted == InferenceEngine.LibTorch)
        {
            choice = EngineChoice.LibTorch(EngineReason.ForcedLibTorch);
            return null;
        }
        bool forced = wanted == InferenceEngine.OnnxRuntime;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            choice = Choose(inputs, remainingSamples, random, forced, out ExportPlan? plan, out Layer[] layers);
            if (forced && !choice.UsesOnnxRuntime)
                throw new NotSupportedException(
                    $"Model '{_owner.Name}' is set to run its inference on ONNX Runtime (Execution.InferenceEngine = OnnxRuntime), but " +
                    $"this part of it cannot run there: {ReasonText(choice)}. Use InferenceEngine.Auto to fall back to libtorch where ONNX Runtime cannot run.");
            if (!choice.UsesOnnxRuntime) return null;
            if (!Current(layers) && !Build(plan!, layers, forced))
            {
                choice = EngineChoice.LibTorch(EngineReason.NotExportable, _unsupported);
                return null;
            }
            long start = Stopwatch.GetTimestamp();
            Tensor[] outputs = _session!.Run(inputs);
            if (_warm) _clock.AddOnnxRuntime(Stopwatch.GetElapsedTime(start).TotalSeconds, inputs[0].shape[0]);
            _warm = true;
            return outputs;
        }
    }

    /// <summary>Tells the part that a call it declined ran on libtorch in <paramref name="seconds"/> (for <see cref="EngineRule"/>).</summary>
    public void RecordLibTorch(double seconds, long samples)
    {
        lock (_lock) _clock.AddLibTorch(seconds, samples);
    }

    private EngineChoice Choose(IReadOnlyList<Tensor> inputs, long remainingSamples, bool random, bool forced, out ExportPlan? plan, out Layer[] layers)
    {
        plan = null;
        layers = [];
        if (random) return EngineChoice.LibTorch(EngineReason.Random);
        if (Backend.Device.type != DeviceType.CPU || inputs.Any(x => x.device_type != DeviceType.CPU))
            return EngineChoice.LibTorch(EngineReason.NotOnCpu);
        if (!forced && inputs.Any(x => x.dtype != ScalarType.Float32)) return EngineChoice.LibTorch(EngineReason.NotFloat32);
        try { plan = _planFactory(); }
        catch (NotSupportedException e) { return EngineChoice.LibTorch(EngineReason.NotExportable, e.Message); }
        layers = plan.Steps.Select(s => s.Layer).ToArray();
        if (_unsupported is not null && layers.SequenceEqual(_unsupportedLayers)) return EngineChoice.LibTorch(EngineReason.NotExportable, _unsupported);
        Variable[] covered = Covered(layers);
        if (covered.Any(w => w.Value.device_type != DeviceType.CPU)) return EngineChoice.LibTorch(EngineReason.NotOnCpu);
        if (forced) return EngineChoice.OnnxRuntime(EngineReason.ForcedOnnxRuntime);
        _clock.Observe(covered);
        double saved = _clock.SavedFraction(EngineRule.PriorSavedFraction);
        if (saved <= 0) return EngineChoice.LibTorch(EngineReason.LibTorchFaster);
        if (Current(layers, covered)) return EngineChoice.OnnxRuntime(EngineReason.SessionCurrent);
        double build = double.IsNaN(LastBuildSeconds) ? EngineRule.EstimatedBuildSeconds(covered.Sum(w => w.Count)) : LastBuildSeconds;
        EngineReason reason = EngineRule.Decide(_clock.RentSeconds, _clock.LibTorchSecondsPerSample, remainingSamples, build, saved);
        return reason == EngineReason.WorthBuilding ? EngineChoice.OnnxRuntime(reason) : EngineChoice.LibTorch(reason);
    }

    /// <summary>Whether the open session was built from these layers, their weights as they are now, and the current thread count.</summary>
    private bool Current(Layer[] layers, Variable[]? covered = null) =>
        _session is not null && _session.Threads == _owner.Execution.Threads && layers.SequenceEqual(_layers) &&
        EngineClock.SameWeights(covered ?? Covered(layers), _covered, _versions);

    private bool Build(ExportPlan plan, Layer[] layers, bool forced)
    {
        DropSession();
        var clock = Stopwatch.StartNew();
        try
        {
            _session = new OrtSession(plan, _owner.Execution.Threads);
        }
        catch (NotSupportedException e)
        {
            _unsupported = e.Message;
            _unsupportedLayers = layers;
            if (forced) throw;
            return false;
        }
        LastBuildSeconds = clock.Elapsed.TotalSeconds;
        Builds++;
        _warm = false;
        _layers = layers;
        _covered = Covered(layers);
        _versions = _covered.Select(v => v.Version).ToArray();
        return true;
    }

    /// <summary>Every weight the exported graph bakes in (nested models' included), each once.</summary>
    private static Variable[] Covered(Layer[] layers)
    {
        if (layers.Length == 1) return [.. layers[0].Weights];
        var seen = new HashSet<Variable>();
        var list = new List<Variable>();
        foreach (Layer l in layers)
            foreach (Variable v in l.Weights)
                if (seen.Add(v)) list.Add(v);
        return list.ToArray();
    }

    private static string ReasonText(EngineChoice choice) => choice.Reason switch
    {
        EngineReason.NotOnCpu => "its weights or inputs are not on the CPU (Tanuki runs ONNX Runtime on the CPU only)",
        EngineReason.NotExportable => "it cannot be exported to ONNX. " + choice.Detail,
        EngineReason.Random => "a layer is random in this call (called with training: true), which ONNX Runtime would not reproduce",
        _ => choice.ToString(),
    };

    private void DropSession()
    {
        _session?.Dispose();
        _session = null;
        _layers = [];
        _covered = [];
        _versions = [];
    }

    /// <summary>Closes the session (the part can still run: it builds a new one when the rule picks ONNX Runtime again).</summary>
    public void Release()
    {
        lock (_lock) DropSession();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            DropSession();
            _disposed = true;
        }
    }
}
