using System.Globalization;

namespace Tanuki;

/// <summary>
/// What <see cref="Model.Summary"/> prints, as numbers: the rows of the layer table and the parameter counts with
/// their sizes in bytes. Made by <see cref="Model.GetSummary"/>; <see cref="ToString(bool, int?)"/> renders Keras's table.
/// Counts follow Keras: a weight shared by two layers counts once; a frozen layer's weights are all non-trainable;
/// <see cref="TotalParams"/> includes the optimizer's state once the optimizer has any.
/// </summary>
public sealed class ModelSummary
{
    internal ModelSummary(string modelName, IReadOnlyList<SummaryRow> rows, bool showsConnections,
                          long trainableParams, long trainableBytes, long nonTrainableParams, long nonTrainableBytes,
                          long? optimizerParams, long optimizerBytes)
    {
        ModelName = modelName;
        Rows = rows;
        ShowsConnections = showsConnections;
        TrainableParams = trainableParams;
        TrainableBytes = trainableBytes;
        NonTrainableParams = nonTrainableParams;
        NonTrainableBytes = nonTrainableBytes;
        OptimizerParams = optimizerParams;
        OptimizerBytes = optimizerBytes;
    }

    /// <summary>The model's name (the title line: <c>Model: "name"</c>).</summary>
    public string ModelName { get; }

    /// <summary>The table's rows, in the model's layer order (nested layers after their model when expanded).</summary>
    public IReadOnlyList<SummaryRow> Rows { get; }

    /// <summary>Whether the table has Keras's <c>Connected to</c> column: functional models that are not a plain chain.</summary>
    public bool ShowsConnections { get; }

    /// <summary>Scalars in <see cref="Layer.TrainableWeights"/>.</summary>
    public long TrainableParams { get; }

    /// <summary>Bytes of the trainable weights.</summary>
    public long TrainableBytes { get; }

    /// <summary>Scalars in <see cref="Layer.NonTrainableWeights"/> (frozen layers' weights, moving statistics).</summary>
    public long NonTrainableParams { get; }

    /// <summary>Bytes of the non-trainable weights.</summary>
    public long NonTrainableBytes { get; }

    /// <summary>Scalars the optimizer keeps (momenta, step count) once it has state; null before (not compiled, or not fitted yet).</summary>
    public long? OptimizerParams { get; }

    /// <summary>Bytes of the optimizer's state (0 when it has none).</summary>
    public long OptimizerBytes { get; }

    /// <summary>The model's scalars: trainable plus non-trainable (Keras's total without the optimizer's).</summary>
    public long ModelParams => TrainableParams + NonTrainableParams;

    /// <summary>What Keras prints as <c>Total params</c>: trainable, non-trainable and optimizer scalars.</summary>
    public long TotalParams => ModelParams + (OptimizerParams ?? 0);

    /// <summary>Bytes of <see cref="TotalParams"/>.</summary>
    public long TotalBytes => TrainableBytes + NonTrainableBytes + OptimizerBytes;

    /// <summary>Renders the summary as Keras prints it.</summary>
    /// <param name="showTrainable">Adds the <c>Trainable</c> column (<c>Y</c>, <c>N</c>, or <c>-</c> for layers without weights).</param>
    /// <param name="lineLength">Width of the table in characters; Keras's default (88, or 108 with the <c>Connected to</c>
    /// column, 12 more with <c>Trainable</c>) when null.</param>
    public string ToString(bool showTrainable, int? lineLength = null) => SummaryTable.Render(this, showTrainable, lineLength);

    /// <inheritdoc />
    public override string ToString() => ToString(showTrainable: false);

    /// <summary>Keras's <c>readable_memory_size</c>: <c>36.00 B</c>, <c>1.17 KB</c>, <c>44.69 MB</c> (powers of 1024).</summary>
    public static string FormatBytes(double bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB", "PB"];
        foreach (string unit in units)
        {
            if (bytes / 1024 < 1) return string.Format(CultureInfo.InvariantCulture, "{0:0.00} {1}", bytes, unit);
            bytes /= 1024;
        }
        return string.Format(CultureInfo.InvariantCulture, "{0:0.00} {1}", bytes, units[^1]);
    }
}
