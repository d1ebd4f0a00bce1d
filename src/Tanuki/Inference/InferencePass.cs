using System.Diagnostics;
using static TorchSharp.torch;

namespace Tanuki.Inference;

/// <summary>
/// One pass of a whole model's inference over batches (<c>Predict</c>, <c>Evaluate</c>, the CLI's commands), each batch
/// without gradients on the engine the model's <see cref="InferencePart"/> chooses. A pass may start on libtorch and move
/// to ONNX Runtime once the work ahead is known to repay a session (<see cref="EngineRule"/>); the numbers agree to float
/// rounding either way. ONNX Runtime's outputs are CPU tensors; libtorch's are on <see cref="Backend.Device"/>.
/// </summary>
internal sealed class InferencePass
{
    private readonly Model _model;
    private readonly long? _samples;
    private readonly Func<long, long>? _samplesFromFirstBatch;
    private long _remaining = -2;
    private bool? _random;

    /// <summary>A pass over <paramref name="samples"/> samples.</summary>
    public InferencePass(Model model, long samples)
    {
        _model = model;
        _samples = samples;
    }

    /// <summary>A pass whose length is known from the first batch's size (a dataset's batches × that size).</summary>
    public InferencePass(Model model, Func<long, long> samplesFromFirstBatch)
    {
        _model = model;
        _samplesFromFirstBatch = samplesFromFirstBatch;
    }

    /// <summary>The engine of the last batch, and why; null before the first.</summary>
    public EngineChoice? LastChoice { get; private set; }

    /// <summary>The model's outputs for one batch, in inference mode, without gradients.</summary>
    public Tensor Run(Tensor x)
    {
        using var _ = no_grad();
        long n = x.shape[0];
        if (_remaining == -2) _remaining = _samples ?? _samplesFromFirstBatch!(n);
        _random ??= _model.IsStochastic(false);
        InferencePart part = _model.WholeInference;
        if (_model.Outputs.Count > 1)
            LastChoice = EngineChoice.LibTorch(EngineReason.NotExportable, "the model has several outputs");   // Call(Tensor) says so
        else if (part.TryRun([x], Math.Max(_remaining, n), _random.Value, out EngineChoice choice) is Tensor[] outputs)
        {
            LastChoice = choice;
            _remaining -= n;
            return outputs[0];
        }
        else LastChoice = choice;
        _remaining -= n;
        long start = Stopwatch.GetTimestamp();
        Tensor y = _model.Call(x.device == Backend.Device ? x : x.to(Backend.Device), training: false);
        part.RecordLibTorch(Stopwatch.GetElapsedTime(start).TotalSeconds, n);
        return y;
    }
}
