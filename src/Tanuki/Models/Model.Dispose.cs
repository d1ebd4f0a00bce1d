namespace Tanuki;

public partial class Model
{
    /// <summary>
    /// Frees the model's inference sessions (ONNX Runtime) and, as every layer does, its weights and the layers no other
    /// live model holds (see <see cref="Layer"/>'s remarks on disposing). The compiled optimizer is not disposed.
    /// </summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing) ReleaseInferenceSessions();
        base.Dispose(disposing);
    }
}
