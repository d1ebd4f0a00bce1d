using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Tanuki.Interop.OnnxExport;
using static TorchSharp.torch;

namespace Tanuki.Inference;

/// <summary>
/// An ONNX Runtime session on the exported graph of a model, or of a part of it (an <see cref="ExportPlan"/>), run on
/// libtorch tensors: the inputs and outputs cross as contiguous float32 CPU buffers that ONNX Runtime reads and writes
/// in place (<see cref="OrtValue"/>s over the tensors' own memory), so nothing is copied on the way in or out. The
/// outputs are allocated by libtorch at the shapes Tanuki's layers compute, and written by ONNX Runtime.
/// </summary>
internal sealed class OrtSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _run;
    private readonly ExportPlan _plan;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly Dictionary<string, long[][]> _outputShapes = new(StringComparer.Ordinal);
    private readonly object _lock = new();
    private bool _disposed;

    private static long s_live;
    private static long s_created;
    private static long s_liveValues;

    /// <summary>
    /// Exports <paramref name="plan"/> (opset 17, in memory) and opens a session on it with <paramref name="threads"/>
    /// intra-op threads.
    /// </summary>
    /// <exception cref="NotSupportedException">A layer of the plan cannot be exported (the message names each).</exception>
    public OrtSession(ExportPlan plan, int threads)
    {
        _plan = plan;
        byte[] model = OnnxExporter.Export(plan, OnnxExporter.MaxOpset).ToByteArray();
        using var options = Options(threads);
        _session = new InferenceSession(model, options);
        _run = new RunOptions();
        _inputNames = _session.InputNames.ToArray();
        _outputNames = _session.OutputNames.ToArray();
        Threads = threads;
        Interlocked.Increment(ref s_live);
        Interlocked.Increment(ref s_created);
    }

    /// <summary>Sessions built in the process so far.</summary>
    internal static long Created => Interlocked.Read(ref s_created);

    /// <summary>Sessions open in the process now (tests check that none is left behind).</summary>
    internal static long Live => Interlocked.Read(ref s_live);

    /// <summary>OrtValues alive now: each exists only during one <see cref="Run"/> (tests check that none is left behind).</summary>
    internal static long LiveValues => Interlocked.Read(ref s_liveValues);

    /// <summary>The intra-op threads the session was opened with.</summary>
    public int Threads { get; }

    /// <summary>
    /// The session options Tanuki uses: every graph optimisation, one inter-op thread (the graph runs in order), and
    /// worker threads that sleep when idle rather than spin (<see cref="AllowSpinning"/>).
    /// </summary>
    internal static SessionOptions Options(int threads)
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", AllowSpinning ? "1" : "0");
        return options;
    }

    /// <summary>
    /// Whether ONNX Runtime's idle worker threads spin (ONNX Runtime's default) or sleep. Measured with
    /// <c>benchmarks engine --spinning</c>; see <see cref="EngineRule"/> for the numbers behind the choice.
    /// </summary>
    internal static bool AllowSpinning { get; set; }

    /// <summary>Runs the graph on <paramref name="inputs"/> (float32, on the CPU; one per graph input); fresh output tensors.</summary>
    public Tensor[] Run(IReadOnlyList<Tensor> inputs)
    {
        if (inputs.Count != _inputNames.Length)
            throw new ArgumentException($"The exported graph takes {_inputNames.Length} input(s). Received: {inputs.Count}");
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var scope = NewDisposeScope();
        Tensor[] args = inputs.Select(x => x.dtype == ScalarType.Float32 && x.is_contiguous() && !x.requires_grad ? x : x.detach().to(ScalarType.Float32).contiguous()).ToArray();
        long[][] shapes = OutputShapes(args);
        Tensor[] outputs = shapes.Select(s => torch.empty(s, ScalarType.Float32)).ToArray();
        var values = new List<OrtValue>(args.Length + outputs.Length);
        try
        {
            foreach (Tensor t in args.Concat(outputs))
            {
                values.Add(Wrap(t));
                Interlocked.Increment(ref s_liveValues);
            }
            _session.Run(_run, _inputNames, values.Take(args.Length).ToArray(), _outputNames, values.Skip(args.Length).ToArray());
        }
        finally
        {
            foreach (OrtValue v in values)
            {
                v.Dispose();
                Interlocked.Decrement(ref s_liveValues);
            }
        }
        foreach (Tensor t in outputs) scope.MoveToOuter(t);
        return outputs;
    }

    /// <summary>An OrtValue over the tensor's memory (no copy). The tensor must outlive it.</summary>
    private static unsafe OrtValue Wrap(Tensor t)
    {
        Span<byte> bytes = t.bytes;
        fixed (byte* p = bytes)
            return OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float,
                                                      t.shape, (IntPtr)p, bytes.Length);
    }

    /// <summary>The output shapes for these inputs, from the layers' own shape rules (cached per input shape).</summary>
    private long[][] OutputShapes(Tensor[] inputs)
    {
        string key = string.Join(";", inputs.Select(x => string.Join(",", x.shape)));
        lock (_lock)
        {
            if (_outputShapes.TryGetValue(key, out long[][]? known)) return known;
            Dictionary<object, long[]> shapes = _plan.Shapes(inputs.Select(x => x.shape).ToArray());
            long[][] result = _plan.Outputs.Select(o => shapes[o]).ToArray();
            if (result.Any(s => s.Any(d => d < 0)))
                throw new InvalidOperationException($"The output shapes of '{_plan.Model.Name}' for inputs {key} are not all known.");
            return _outputShapes[key] = result;
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _session.Dispose();
        _run.Dispose();
        Interlocked.Decrement(ref s_live);
    }
}
