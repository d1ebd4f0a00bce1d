namespace Tanuki;

/// <summary>
/// Training stopped because its <see cref="CancellationToken"/> was cancelled (.NET's convention for a stop request,
/// where Keras's <c>model.stop_training</c> ends training quietly). <c>Fit</c> throws it at the next step boundary: the
/// step under way when the token was cancelled completes, no later one starts, so the weights are those after the last
/// completed step (finite, never half-updated), and <c>OnTrainEnd</c> is not called. The completed epochs are in
/// <see cref="History"/> (and <see cref="Model.History"/>). The fine-tuning recipe puts back the best model it has
/// finished (<see cref="CompletedStages"/>) before throwing it.
/// </summary>
public sealed class TrainingCanceledException : OperationCanceledException
{
    /// <summary>Creates the exception.</summary>
    public TrainingCanceledException(string message, History history, int completedStages, CancellationToken cancellationToken, Exception? inner = null)
        : base(message, inner, cancellationToken)
    {
        History = history;
        CompletedStages = completedStages;
    }

    /// <summary>The epochs that completed before the cancellation (of the <c>Fit</c> that was running).</summary>
    public History History { get; }

    /// <summary>
    /// The fine-tuning recipe's stages whose result the model holds now: 0 (none finished; <c>Fit</c> alone says 0 too),
    /// 1 (the frozen-base model, stage 1's head on the frozen base, was put back), or 2 (stage 2 was judged and kept;
    /// the refit on all the images was interrupted and the judged fine-tuned model was put back).
    /// </summary>
    public int CompletedStages { get; }
}
