// TEMPORARY — DELETE THIS FILE when the saving work (Saving/, the .tanuki format) is merged.
// ModelCheckpoint calls model.Save(path) / model.SaveWeights(path); these stand in for the real methods so the
// callbacks branch compiles on its own. They are internal and throw, so nothing can use them by accident.
// If the real methods have exactly these signatures, the merge fails to compile until this file is deleted.

namespace Tanuki;

public partial class Model
{
    internal void Save(string path) =>
        throw new NotSupportedException($"TEMPORARY stub: Model.Save(\"{path}\") lands with the saving work (the .tanuki format).");

    internal void SaveWeights(string path) =>
        throw new NotSupportedException($"TEMPORARY stub: Model.SaveWeights(\"{path}\") lands with the saving work (the .tanuki format).");
}
