using Tanuki.Applications;
using Tanuki.Layers;
using static Tanuki.Interop.OnnxExport.OnnxAttributes;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxExport;

/// <summary>
/// Rescaling → Mul (and Add); Normalization → Sub and Div by constants; ResNet18Preprocessing → Gather (RGB → BGR) and
/// Sub. Resizing and RandomCrop are in <see cref="ResizeExporter"/>; the other augmentation layers are the identity.
/// </summary>
internal static class PreprocessingExporters
{
    public static string Rescaling(LayerExport e)
    {
        var r = (Rescaling)e.Layer;
        string y = e.Node("Mul", "scale", [e.Input.Name, e.Scalar("scale", r.Scale)]);
        return r.Offset == 0 ? y : e.Node("Add", "offset", [y, e.Scalar("offset", r.Offset)]);
    }

    /// <summary>The layer's own mean and standard deviation (adapted or given), as constants shaped to broadcast.</summary>
    public static string Normalization(LayerExport e)
    {
        var n = (Normalization)e.Layer;
        using var scope = torch.NewDisposeScope();
        var (mean, std) = n.Moments(e.Input.Shape);
        string m = e.Constant("mean", mean), s = e.Constant("std", std);
        return n.Invert
            ? e.Node("Add", "add_mean", [e.Node("Mul", "times_std", [e.Input.Name, s]), m])
            : e.Node("Div", "divide_std", [e.Node("Sub", "subtract_mean", [e.Input.Name, m]), s]);
    }

    /// <summary>
    /// RGB → BGR by gathering channels 2, 1, 0, then minus what the layer subtracts at this input size (the mean image at
    /// 224×224, the channel means otherwise), read off the layer itself so that the two cannot disagree.
    /// </summary>
    public static string ResNet18Preprocessing(LayerExport e)
    {
        var p = (ResNet18Preprocessing)e.Layer;
        long h = e.Input.Shape[2], w = e.Input.Shape[3];
        if (h < 0 || w < 0)
            throw LayerExport.Unsupported($"it subtracts ImageNet's mean image at 224×224 and the channel means at other sizes, so its output depends on the input's size, " +
                                          $"which is free here {Shapes.Format(e.Input.Shape)}; give the model's Input a fixed height and width");
        string bgr = e.Node("Gather", "bgr", [e.Input.Name, e.Ints("channels", 2, 1, 0)], Int("axis", 1));
        using var scope = torch.NewDisposeScope();
        Tensor mean;
        using (torch.no_grad())
        {
            mean = -p.Call(torch.zeros(1, 3, h, w, device: p.MeanImage!.Value.device)).cpu();   // 0 − mean, in BGR order
        }
        // Channel means are the same at every pixel: one value per channel is enough.
        Tensor corner = mean[.., .., ..1, ..1];
        if (mean.eq(corner).all().item<bool>()) mean = corner;
        return e.Node("Sub", "subtract_mean", [bgr, e.Constant("mean", mean.contiguous())]);
    }
}
