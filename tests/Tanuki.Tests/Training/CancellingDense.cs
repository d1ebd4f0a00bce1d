namespace Tanuki.Tests.Training;

/// <summary>
/// A Dense without bias that counts its forward passes and cancels a token at the given one: a cancellation arriving
/// in the middle of a pass over batches (the frozen-feature pass, Predict, Evaluate).
/// </summary>
internal sealed class CancellingDense(int units, int cancelAtCall, CancellationTokenSource cancel) : Layer
{
    /// <summary>Forward passes so far (tests reset it once the model is built).</summary>
    public int Calls;

    protected override void BuildCore(long[] inputShape) => AddWeight("kernel", [inputShape[^1], units], Initializers.GlorotUniform);

    protected override Tensor Forward(Tensor inputs, bool training)
    {
        if (++Calls == cancelAtCall) cancel.Cancel();
        return inputs.matmul(Weights[0].Value);
    }

    public override long[] ComputeOutputShape(long[] inputShape) => [inputShape[0], units];
}
