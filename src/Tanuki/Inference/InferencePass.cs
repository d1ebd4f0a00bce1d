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

    /// <summary>
    /// The model's outputs for one batch, in inference mode, without gradients, with the model's
    /// <see cref="Model.TestTimeAugmentation"/> (<see cref="Model.Infer(Tensor, Func{Tensor, Tensor})"/>): each forward pass
    /// it asks for, the mirrored batch's included, runs on the chosen engine.
    /// </summary>
    public Tensor Run(Tensor x)
    {
        using var _ = no_grad();
        if (_remaining == -2)
        {
            long views = _model.TestTimeAugmentation == TestTimeAugmentation.HorizontalFlip ? 2 : 1;   // forward passes per sample
            _remaining = views * (_samples ?? _samplesFromFirstBatch!(x.shape[0]));
        }
        return _model.Infer(x, Forward);
    }

    /// <summary>One forward pass of the whole model on the engine its part chooses.</summary>
    private Tensor Forward(Tensor x)
    {
        long n = x.shape[0];
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
