namespace Tanuki;

/// <summary>
/// What <see cref="Model.Predict(TorchSharp.torch.Tensor, int, int, CancellationToken)"/> and <c>Evaluate</c> average the model's
/// output over, for a model that was trained to see its inputs so (<see cref="Model.TestTimeAugmentation"/>).
/// </summary>
public enum TestTimeAugmentation
{
    /// <summary>The input alone.</summary>
    None,

    /// <summary>The mean of the outputs for the image and for its mirror image (flipped left to right).</summary>
    HorizontalFlip,
}
