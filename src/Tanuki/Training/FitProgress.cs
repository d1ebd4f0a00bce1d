namespace Tanuki;

/// <summary>
/// One progress report of <c>Fit</c> (or of the fine-tuning recipe), sent to <see cref="FitOptions.Progress"/>: one after
/// every training step, with the epoch's running means, and one when an epoch ends (<see cref="EpochEnded"/>), with its
/// validation results too. <c>Fit</c> reports <c>epochs × (steps + 1)</c> times when it runs to the end.
/// </summary>
/// <param name="Stage">The recipe's stage (<c>"frozen features"</c>, <c>"head"</c>, <c>"fine-tuning"</c>), or
/// <see cref="FitOptions.Stage"/>; null for a plain <c>Fit</c>.</param>
/// <param name="Epoch">The epoch, 0-based as callbacks see it (<c>Epoch + 1</c> is what the progress bar prints).</param>
/// <param name="Epochs">The epoch <c>Fit</c> stops before (its <c>epochs</c> argument).</param>
/// <param name="Step">Steps done in this epoch (1 after the first step).</param>
/// <param name="Steps">Steps per epoch, or -1 when the data does not know its length.</param>
/// <param name="Logs">The logs so far: <c>loss</c> and the metrics' running means; at the end of an epoch also the
/// <c>val_</c> entries. Plain numbers, a copy that stays valid.</param>
/// <param name="EpochEnded">True for the report sent when an epoch ends.</param>
public sealed record FitProgress(string? Stage, int Epoch, int Epochs, int Step, long Steps, IReadOnlyDictionary<string, double> Logs, bool EpochEnded);
