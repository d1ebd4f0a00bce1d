namespace Tanuki;

/// <summary>One row of <see cref="ModelSummary"/>: a layer of the model (or of a nested model, when expanded).</summary>
/// <param name="Name">The layer's name.</param>
/// <param name="TypeName">Its type as Keras shows it (<c>Dense</c>, <c>InputLayer</c>, <c>Functional</c>, <c>Sequential</c>).</param>
/// <param name="OutputShape">Its output shape as Keras prints it: <c>(None, 3)</c>; a list for several outputs;
/// <c>multiple</c> for a shared layer whose calls give different shapes; <c>?</c> when not known yet.</param>
/// <param name="ParamCount">The scalars in the layer's weights (its sublayers' included).</param>
/// <param name="Built">Whether the layer's weights exist; an unbuilt layer shows <c>0 (unbuilt)</c>.</param>
/// <param name="ConnectedTo">For functional models: the layer calls feeding it, as <c>dense[0][0]</c>
/// (layer, call index, output index); <c>-</c> for none.</param>
/// <param name="Trainable">The layer's <see cref="Layer.Trainable"/>; null for a layer without weights (Keras shows <c>-</c>).</param>
/// <param name="Depth">0 for the model's own layers, 1 for the layers of a nested model shown expanded, and so on.</param>
public sealed record SummaryRow(
    string Name, string TypeName, string OutputShape, long ParamCount, bool Built, string ConnectedTo, bool? Trainable, int Depth);
