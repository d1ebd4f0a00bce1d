using Tanuki.Saving;

namespace Tanuki;

public partial class Model
{
    /// <summary>
    /// Saves the whole model to a <c>.tanuki</c> file: a zip holding <c>config.json</c> (the architecture, with
    /// nested models, shared layers, fixed training flags and trainable flags), <c>model.safetensors</c> (the weights,
    /// named by layer path: <c>dense/kernel</c>, <c>base/dense_1/bias</c>) and <c>metadata.json</c> (Tanuki version,
    /// date, <see cref="ClassNames"/>). The file is written to a temporary file and then renamed, so it is never left
    /// half-written and an existing file is untouched if saving fails. With <paramref name="includeOptimizer"/> (Keras's
    /// <c>include_optimizer</c>), the optimizer's state goes in too, and <c>metadata.json</c> always records
    /// <see cref="CompletedEpochs"/>: a checkpoint that <see cref="Load"/>, <c>Compile</c> and
    /// <c>Fit(..., initialEpoch: model.CompletedEpochs)</c> resume from as if training had not stopped.
    /// </summary>
    /// <param name="path">The file, usually ending in <c>.tanuki</c>.</param>
    /// <param name="includeOptimizer">Also save the compiled optimizer's state (its iteration count and each weight's
    /// slots: Adam's moments, SGD's momentum, ...), which can double or triple the file for a model whose weights all
    /// train. True by default, as in Keras; nothing is added when the model has no optimizer or it has not updated yet.</param>
    /// <exception cref="NotSupportedException">A layer's type cannot be rebuilt (a custom layer nobody registered with
    /// <see cref="LayerRegistry"/>), or a layer with weights sits at two places of the model tree.</exception>
    public void Save(string path, bool includeOptimizer = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"'{path}' ends in .safetensors, the extension of weights files: use SaveWeights(path) to save the weights alone, or give Save a .tanuki path.", nameof(path));
        ModelArchive.Save(this, path, includeOptimizer);
    }

    /// <summary>
    /// The largest <c>config.json</c> (and <c>metadata.json</c>) <see cref="Load"/> reads, in bytes: 64 MiB by default,
    /// hundreds of times what real models need (ResNet-18's is about 100 KB). A file whose description is larger is
    /// refused before it is read, so that a few kilobytes of compressed data cannot expand to gigabytes.
    /// </summary>
    public static long MaxConfigBytes { get; set; } = 64L << 20;

    /// <summary>Loads a model saved by <see cref="Save"/>: the same architecture, weights (predictions are
    /// bit-identical), trainable flags, class names and <see cref="CompletedEpochs"/>. Custom layers must be registered
    /// with <see cref="LayerRegistry"/> first. The model is not compiled; when the file holds the optimizer's state,
    /// the first <c>Compile</c> with an optimizer of the same kind and set-up (<c>adam</c>; <c>sgd</c> with momentum, or
    /// without: the same slots) that has not updated yet takes that state (iterations and slots; its own hyperparameters and learning rate are kept), so that training
    /// resumes where it stopped.</summary>
    /// <returns>The model: a <see cref="Sequential"/> if one was saved, otherwise a functional model.</returns>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="ModelFileException">The file is not a .tanuki model (not a zip, no config), is truncated or corrupt,
    /// or names a layer type that is not registered; the message names the file and the problem.</exception>
    public static Model Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Backend.EnsureInitialized();
        return ModelArchive.Load(path);
    }

    /// <summary>
    /// Saves the weights alone as a safetensors file, each named by its layer path (<c>dense/kernel</c>,
    /// <c>base/batch_normalization/moving_mean</c>), in <see cref="Layer.Weights"/> order. Any safetensors reader
    /// reads it. Written through a temporary file, as <see cref="Save"/>.
    /// </summary>
    /// <param name="path">The file, usually ending in <c>.safetensors</c>.</param>
    public void SaveWeights(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path.EndsWith(".tanuki", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"'{path}' ends in .tanuki, the extension of whole-model files: use Save(path) for that, or give SaveWeights a .safetensors path.", nameof(path));
        SafeTensors.Save(path, ModelArchive.WeightPairs(this), ModelArchive.WeightsMetadata);
    }

    /// <summary>
    /// Loads weights by name from a safetensors file (or from the weights of a <c>.tanuki</c> file) into this model,
    /// whose architecture must match. Tensors are cast to the weights' dtypes.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="ModelFileException">The file is corrupt, or its tensors do not match the model's weights: the
    /// message lists the missing and unexpected names and the shape mismatches (with both shapes), and no weight is changed.</exception>
    public void LoadWeights(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using SafeTensorsFile file = path.EndsWith(".tanuki", StringComparison.OrdinalIgnoreCase)
            ? ModelArchive.ReadWeights(path)
            : SafeTensors.Load(path);
        ModelArchive.Assign(this, file, path);
    }
}
