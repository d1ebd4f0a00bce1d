namespace Tanuki;

public abstract partial class Layer
{
    /// <summary>
    /// The layer calls and builds under way on this thread, outermost first (Keras's call context and name scope): a
    /// call's frame holds the <c>training</c> value it resolved to, which inner calls that leave <c>training</c> unset
    /// inherit; the frames' layer names prefix the paths of weights created meanwhile.
    /// </summary>
    [ThreadStatic] private static List<(Layer Layer, bool? Training)>? t_frames;

    /// <summary>Keras's resolution of <c>training</c>: the value passed, else the enclosing call's, else inference.</summary>
    private static bool ResolveTraining(bool? training)
    {
        if (training is bool given) return given;
        if (t_frames is { } frames)
            for (int i = frames.Count - 1; i >= 0; i--)
                if (frames[i].Training is bool inherited) return inherited;
        return false;
    }

    /// <summary>The outermost model among the calls under way on this thread (the one <c>Fit</c> or the user called), if any.</summary>
    private protected static Model? OutermostModelCalled()
    {
        if (t_frames is { } frames)
            foreach (var (layer, _) in frames)
                if (layer is Model model) return model;
        return null;
    }

    /// <summary>Runs <paramref name="action"/> with this layer's frame on the stack (popped however it ends).</summary>
    private protected T InFrame<T>(bool? training, Func<T> action)
    {
        List<(Layer, bool?)> frames = t_frames ??= new();
        frames.Add((this, training));
        try { return action(); }
        finally { frames.RemoveAt(frames.Count - 1); }
    }

    /// <inheritdoc cref="InFrame{T}(bool?, Func{T})"/>
    private protected void InFrame(bool? training, Action action) => InFrame(training, () => { action(); return 0; });

    /// <summary>
    /// A layer called inside another layer's forward pass belongs to that layer: it is tracked by it (if it is not in
    /// its tree yet), so its weights are part of the caller's weights and follow its trainable flag.
    /// </summary>
    private void TrackFromCaller()
    {
        if (t_frames is not { Count: > 0 } frames) return;
        Layer caller = frames[^1].Layer;
        if (ReferenceEquals(caller, this) || caller._layers.Contains(this) || caller.Contains(this)) return;
        caller.Track(this);
    }

    /// <summary>The path of a weight this layer creates now: the layers being called or built, this one, the name.</summary>
    private string VariablePath(string name)
    {
        var names = new List<string>();
        if (t_frames is { } frames)
            foreach (var (layer, _) in frames)
                if (names.Count == 0 || names[^1] != layer.Name) names.Add(layer.Name);
        if (names.Count == 0 || names[^1] != Name) names.Add(Name);
        names.Add(name);
        return string.Join("/", names);
    }
}
