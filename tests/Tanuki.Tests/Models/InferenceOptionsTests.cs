using Tanuki.Data;
using Tanuki.Layers;

namespace Tanuki.Tests.Models;

/// <summary>Model.TestTimeAugmentation and Model.ImageResize: what Predict and Evaluate do with them, and that files keep them.</summary>
public class InferenceOptionsTests
{
    private static Model Weighted()
    {
        var input = new Input(1, 2, 2);
        var dense = new Dense(1, useBias: false);
        var model = new Model(input, dense.Call(new Flatten().Call(input)));
        dense.Kernel!.Assign(torch.tensor(new float[] { 1, 2, 3, 4 }).reshape(4, 1));
        return model;
    }

    [Fact]
    public void PredictAveragesOverTheMirrorImageWhenAsked()
    {
        Model model = Weighted();
        Tensor x = torch.tensor(new float[] { 1, 0, 0, 0 }).reshape(1, 1, 2, 2);     // a at the top left
        Assert.Equal(1f, model.Predict(x).item<float>());
        model.TestTimeAugmentation = TestTimeAugmentation.HorizontalFlip;
        Assert.Equal(1.5f, model.Predict(x).item<float>());                              // (1·1 + 2·1) / 2: mirrored, a lands under weight 2
        Assert.Equal(1f, model.Call(x, training: false).item<float>());                 // Call is not affected
        model.Compile("sgd", "mse");
        Assert.Equal(0.25, model.Evaluate(x, torch.tensor(new float[] { 2 }).reshape(1, 1), verbose: 0)["loss"], 6);   // (2 - 1.5)²
    }

    [Fact]
    public void SaveAndLoadKeepBoth()
    {
        using var dir = new TempDirectory();
        Model model = Weighted();
        model.TestTimeAugmentation = TestTimeAugmentation.HorizontalFlip;
        model.ImageResize = ResizeMode.Pad;
        model.Save(dir.File("m.tanuki"));
        Model again = Model.Load(dir.File("m.tanuki"));
        Assert.Equal(TestTimeAugmentation.HorizontalFlip, again.TestTimeAugmentation);
        Assert.Equal(ResizeMode.Pad, again.ImageResize);
        Model plain = Weighted();
        plain.Save(dir.File("plain.tanuki"));
        Model plainAgain = Model.Load(dir.File("plain.tanuki"));
        Assert.Equal(TestTimeAugmentation.None, plainAgain.TestTimeAugmentation);
        Assert.Null(plainAgain.ImageResize);
    }
}
