using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace Tanuki.Data;

/// <summary>
/// Runs a pipeline stage on background threads: a feeder thread reads the source in order, <c>workers</c> threads
/// transform its items (or the feeder does, with 0 workers), and the consumer receives the results in source order.
/// At most <c>capacity</c> items are alive in the stage at once (read but not yet consumed), so memory stays bounded
/// however large the source, and the stage works ahead of the consumer by that much.
/// <para>Tensors made on a worker belong to no dispose scope (dispose scopes are per thread) and pass to the consumer,
/// who owns them. An exception on a worker surfaces on the consumer at that item's position, as a
/// <see cref="DatasetException"/> naming the stage and the item. Disposing the enumerator (as <c>foreach</c> does when
/// it ends early or throws) stops the threads, waits for them, and disposes every tensor still in the stage.</para>
/// </summary>
internal sealed class BackgroundEnumerator<TIn> : IEnumerator<(Tensor Inputs, Tensor Targets)>
{
    private readonly State _state;
    private bool _disposed;

    /// <param name="openSource">Opens the source; called on the feeder thread, which also disposes it.</param>
    /// <param name="transform">Makes an element from an item and its position; runs on a worker. Returning
    /// <c>(null, null)</c> skips the item.</param>
    /// <param name="release">Frees an item that will not be transformed (the stage was stopped).</param>
    /// <param name="workers">Worker threads; 0: the feeder transforms too (a prefetch).</param>
    /// <param name="capacity">Items alive in the stage at most.</param>
    /// <param name="stage">The stage's name, for errors and thread names.</param>
    public BackgroundEnumerator(Func<IEnumerator<TIn>> openSource, Func<TIn, long, (Tensor, Tensor)> transform,
                                Action<TIn>? release, int workers, int capacity, string stage)
    {
        _state = new State(openSource, transform, release, workers, Math.Max(1, capacity), stage);
        _state.Start();
    }

    public (Tensor Inputs, Tensor Targets) Current { get; private set; }

    object System.Collections.IEnumerator.Current => Current;

    public bool MoveNext()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_state.TryTake(out var element)) return false;
        Current = element;
        return true;
    }

    public void Reset() => throw new NotSupportedException("Enumerate the dataset again instead.");

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _state.Stop(wait: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>An enumeration abandoned without Dispose still stops its threads (they hold the state, not this).</summary>
    ~BackgroundEnumerator() => _state.Stop(wait: false);

    private sealed class State
    {
        private readonly Func<IEnumerator<TIn>> _openSource;
        private readonly Func<TIn, long, (Tensor, Tensor)> _transform;
        private readonly Action<TIn>? _release;
        private readonly int _workerCount;
        private readonly string _stage;
        private readonly SemaphoreSlim _slots;
        private readonly BlockingCollection<(long Seq, TIn Item)> _work = new();
        private readonly CancellationTokenSource _cancel = new();
        private readonly object _gate = new();
        private readonly Dictionary<long, (Tensor, Tensor)> _results = new();
        private readonly Dictionary<long, Exception> _errors = new();
        private readonly List<Thread> _threads = new();
        private long _next;           // the position the consumer takes next
        private long _end = -1;       // the number of items the source gave, once it is exhausted or failed
        private Exception? _sourceError;
        private bool _stopped;

        public State(Func<IEnumerator<TIn>> openSource, Func<TIn, long, (Tensor, Tensor)> transform, Action<TIn>? release,
                     int workers, int capacity, string stage)
        {
            _openSource = openSource;
            _transform = transform;
            _release = release;
            _workerCount = workers;
            _stage = stage;
            _slots = new SemaphoreSlim(capacity, capacity);
        }

        public void Start()
        {
            _threads.Add(new Thread(PipelineThreads.Counted(Feed)) { IsBackground = true, Name = $"Tanuki {_stage} feeder" });
            for (int i = 0; i < _workerCount; i++)
                _threads.Add(new Thread(PipelineThreads.Counted(Work)) { IsBackground = true, Name = $"Tanuki {_stage} worker {i}" });
            foreach (Thread t in _threads) t.Start();
        }

        private void Feed()
        {
            long seq = 0;
            try
            {
                using IEnumerator<TIn> source = _openSource();
                while (true)
                {
                    _slots.Wait(_cancel.Token);
                    if (!source.MoveNext())
                    {
                        _slots.Release();
                        break;
                    }
                    TIn item = source.Current;
                    if (_cancel.IsCancellationRequested)
                    {
                        _release?.Invoke(item);
                        break;
                    }
                    if (_workerCount == 0) Run(seq, item);
                    else _work.Add((seq, item));
                    seq++;
                }
                Finish(seq, null);
            }
            catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
            {
                Finish(seq, null);
            }
            catch (Exception e)
            {
                Finish(seq, e);
            }
            finally
            {
                _work.CompleteAdding();
            }
        }

        private void Work()
        {
            foreach (var (seq, item) in _work.GetConsumingEnumerable())
            {
                if (_cancel.IsCancellationRequested) _release?.Invoke(item);
                else Run(seq, item);
            }
        }

        private void Run(long seq, TIn item)
        {
            (Tensor, Tensor) result;
            try
            {
                result = _transform(item, seq);
            }
            catch (Exception e)
            {
                lock (_gate)
                {
                    _errors[seq] = e;
                    Monitor.PulseAll(_gate);
                }
                return;
            }
            lock (_gate)
            {
                if (_stopped)
                {
                    if (result.Item1 is not null) Element.Dispose(result);
                    return;
                }
                _results[seq] = result;
                Monitor.PulseAll(_gate);
            }
        }

        private void Finish(long count, Exception? error)
        {
            lock (_gate)
            {
                _end = count;
                _sourceError = error;
                Monitor.PulseAll(_gate);
            }
        }

        public bool TryTake(out (Tensor, Tensor) element)
        {
            lock (_gate)
            {
                while (true)
                {
                    if (_results.Remove(_next, out element))
                    {
                        _next++;
                        _slots.Release();
                        if (element.Item1 is null) continue;     // the transform skipped this item
                        return true;
                    }
                    if (_errors.Remove(_next, out Exception? error))
                    {
                        _next++;          // a consumer that catches and goes on gets the elements after it
                        _slots.Release();
                        throw Wrap(error, $"{_stage} failed on element {_next - 1}");
                    }
                    if (_end >= 0 && _next >= _end)
                    {
                        if (_sourceError is Exception e)
                        {
                            _sourceError = null;
                            throw Wrap(e, $"{_stage}: reading its input failed after {_end} elements");
                        }
                        return false;
                    }
                    Monitor.Wait(_gate);
                }
            }
        }

        private static Exception Wrap(Exception e, string context) =>
            e is DatasetException ? e : new DatasetException($"{context}: {e.Message}", e);

        public void Stop(bool wait)
        {
            lock (_gate)
            {
                if (_stopped) return;
                _stopped = true;
                Element.DisposeAll(_results.Values);
                _results.Clear();
                Monitor.PulseAll(_gate);
            }
            _cancel.Cancel();
            if (!wait) return;
            foreach (Thread t in _threads) t.Join();
            _slots.Dispose();
            _work.Dispose();
            _cancel.Dispose();
        }
    }
}
