namespace Tanuki;

/// <summary>
/// The precision a training step computes in: Keras's dtype policies <c>"float32"</c> and <c>"mixed_bfloat16"</c>,
/// for the steps of <c>Fit</c> and any call that records gradients. Set it on <see cref="Model.Execution"/>, or for
/// every model on <see cref="ExecutionOptions.Default"/>. Inference (<c>Predict</c>, <c>Evaluate</c>, validation, the
/// frozen-feature pass) always computes in float32.
/// </summary>
public enum TrainingPrecision
{
    /// <summary>Everything in float32 (the default).</summary>
    Float32,

    /// <summary>
    /// Convolutions and dense layers compute in bfloat16 while gradients are recorded; weights, their gradients, the
    /// optimizer's state, normalization statistics, the loss and the metrics stay float32, and a model's outputs are
    /// float32 (Keras's <c>"mixed_bfloat16"</c>). bfloat16 keeps float32's range, so no loss scaling is needed, but only
    /// about three significant digits: on a pretrained ResNet-18 a fine-tuning step's gradients came within 9% of
    /// float32's (cosine 0.996); with BatchNormalization on batch statistics, whose backward cancels most of the incoming
    /// gradient, within 54% (cosine 0.86), as with PyTorch's autocast. Fast where the CPU has bfloat16 instructions
    /// (AVX-512 BF16 or AMX): a ResNet-18 fine-tuning step ran 1.45× (96²) and 1.8× (224²) the float32 step's speed
    /// there, and the recipe on 1,000 Fashion-MNIST images 1.8× with test accuracy 0.8695 against 0.8725
    /// (benchmarks/README.md); on a CPU without them libtorch emulates bfloat16 and the step is slower.
    /// </summary>
    MixedBFloat16,
}
