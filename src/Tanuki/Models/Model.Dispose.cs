namespace Tanuki;

public partial class Model
{
    /// <summary>
    /// Frees the model's inference sessions (ONNX Runtime), its folded Conv2D + BatchNormalization weights and, as every layer does, its weights and the layers no other
    /// live model holds (see <see cref="Layer"/>'s remarks on disposing). The compiled optimizer is not disposed.
    /// </summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ReleaseInferenceSessions();
            _graph?.Fusion.Release();                          // Conv2D weights folded with a frozen BatchNormalization's
        }
        base.Dispose(disposing);
    }
}
