using Tanuki.Applications;
using Tanuki.FineTuning;

namespace Tanuki.Tests.Interop;

/// <summary>
/// The ResNet-18 workflow's classifier, built by the workflow itself (<see cref="TransferModel"/>): ResNet-18
/// preprocessing → the pretrained ResNet-18 base → global average pooling → dropout → Dense, with a random head and
/// class names, as <c>tanuki train</c> would save it before training.
/// </summary>
internal static class OnnxExportWorkflowModel
{
    public static Model Create(int imageSize, int classes, int seed = 1)
    {
        Model model = TransferModel.Create(ImageBase.ResNet18, classes, imageSize, augment: []).Classifier;
        var g = new torch.Generator((ulong)seed);
        using var scope = torch.NewDisposeScope();
        // A head of realistic scale: the pooled features are in the tens, so small weights give logits of a few units.
        foreach (Variable v in model.GetLayer("predictions").Weights) v.Assign(torch.randn(v.Shape, generator: g) * 0.05);
        model.ClassNames = Enumerable.Range(0, classes).Select(i => $"class {(char)('a' + i)}").ToList();
        return model;
    }
}
