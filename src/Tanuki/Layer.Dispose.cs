namespace Tanuki;

/// <summary>
/// Disposing: a layer's weights are native (libtorch) memory, freed at <see cref="Dispose()"/> rather than whenever the
/// garbage collector runs.
/// </summary>
/// <remarks>
/// Who frees what. A layer owns its weights. A model (or any layer with sublayers) holds its sublayers: every model
/// built with a layer holds it, so a layer can be shared, as in Keras (a pretrained base called in two functional
/// models). Disposing a layer frees its own weights at once and lets go of its sublayers; a sublayer is disposed when
/// the last model that holds it lets go. So disposing one model never breaks another live model that shares a layer
/// with it, and disposing the last one frees everything. A model that is dropped without being disposed keeps holding
/// its layers (their memory is then freed by the garbage collector, as before). <c>Sequential.Pop()</c> lets go of the
/// popped layer without disposing it: it is the caller's. Disposing a layer directly frees it even while a model still
/// holds it; that model then throws <see cref="ObjectDisposedException"/> naming the layer when it is used.
/// The optimizer a model was compiled with is not disposed with it (one optimizer may serve several models): dispose it
/// yourself.
/// </remarks>
public abstract partial class Layer : IDisposable
{
    private int _holders;
    private bool _disposed;

    /// <summary>Whether <see cref="Dispose()"/> has run.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>
    /// Frees the layer's weights and lets go of its sublayers, disposing each one no other live layer or model holds.
    /// Calling it again does nothing; using the layer afterwards throws <see cref="ObjectDisposedException"/>.
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Frees what the layer holds. A layer that keeps tensors of its own beyond its weights overrides this, frees them,
    /// and calls the base.
    /// </summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing) return;
        foreach (Variable v in _variables) v.Release();
        foreach (Layer sub in _layers)
        {
            sub._holders--;
            if (sub._holders <= 0) sub.Dispose();
        }
        _layers.Clear();
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> naming the layer when it was disposed.</summary>
    protected internal void ThrowIfDisposed()
    {
        if (_disposed)
            throw new ObjectDisposedException(GetType().Name, $"Layer '{Name}' ({GetType().Name}) was disposed, so its weights are gone. Build or load it again.");
    }
}
