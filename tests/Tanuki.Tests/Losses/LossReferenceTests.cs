using Tanuki.Losses;
using Tanuki.Tests.Reference;

namespace Tanuki.Tests.Losses;

/// <summary>Every loss against PyTorch's functional losses (tolerance 1e-6 on float32 inputs).</summary>
public class LossReferenceTests
{
    private static readonly ReferenceData Ref = ReferenceData.Load("core.json");

    private static void Check(string expected, Loss loss, string yTrue, string yPred, ScalarType targetType = ScalarType.Float32) =>
        Assert.Equal(Ref.Scalar(expected), loss.Call(Ref.Tensor(yTrue, targetType), Ref.Tensor(yPred)).item<float>(), 5);

    [Fact] public void MeanSquaredError() => Check("loss.mse", new MeanSquaredError(), "loss.reg_true", "loss.reg_pred");
    [Fact] public void SparseFromLogits() => Check("loss.scce_logits", new SparseCategoricalCrossentropy(fromLogits: true), "loss.labels", "loss.logits", ScalarType.Int64);
    [Fact] public void SparseFromProbabilities() => Check("loss.scce_probs", new SparseCategoricalCrossentropy(), "loss.labels", "loss.probs", ScalarType.Int64);
    [Fact] public void SparseAcceptsFloatLabelsOfShapeNBy1() =>
        Assert.Equal(Ref.Scalar("loss.scce_logits"),
            new SparseCategoricalCrossentropy(fromLogits: true).Call(Ref.Tensor("loss.labels").reshape(-1, 1), Ref.Tensor("loss.logits")).item<float>(), 5);
    [Fact] public void CategoricalFromLogits() => Check("loss.cce_logits", new CategoricalCrossentropy(fromLogits: true), "loss.onehot", "loss.logits");
    [Fact] public void CategoricalFromProbabilities() => Check("loss.cce_probs", new CategoricalCrossentropy(), "loss.onehot", "loss.probs");
    [Fact] public void CategoricalWithLabelSmoothing() => Check("loss.cce_logits_smooth01", new CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.1), "loss.onehot", "loss.logits");
    [Fact] public void BinaryFromLogits() => Check("loss.bce_logits", new BinaryCrossentropy(fromLogits: true), "loss.bin_targets", "loss.bin_logits");
    [Fact] public void BinaryFromProbabilities() => Check("loss.bce_probs", new BinaryCrossentropy(), "loss.bin_targets", "loss.bin_probs");

    [Fact]
    public void KerasNamesResolve()
    {
        Assert.IsType<MeanSquaredError>(Loss.Get("mse"));
        Assert.IsType<BinaryCrossentropy>(Loss.Get("binary_crossentropy"));
        Assert.IsType<CategoricalCrossentropy>(Loss.Get("categorical_crossentropy"));
        Assert.IsType<SparseCategoricalCrossentropy>(Loss.Get("sparse_categorical_crossentropy"));
        Assert.Throws<ArgumentException>(() => Loss.Get("hinge_of_doom"));
    }

    [Fact]
    public void LabelsOutsideTheClassRangeAreAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new SparseCategoricalCrossentropy(fromLogits: true).Call(torch.tensor(new long[] { 0, 4 }), torch.zeros(2, 4)));
        Assert.Contains("outside the valid range of [0, 3]", e.Message);
    }

    [Fact]
    public void OneHotTargetsForTheSparseLossSayWhichLossToUse()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new SparseCategoricalCrossentropy().Call(Ref.Tensor("loss.onehot"), Ref.Tensor("loss.probs")));
        Assert.Contains("CategoricalCrossentropy", e.Message);
    }
}
