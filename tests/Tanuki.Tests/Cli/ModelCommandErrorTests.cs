using Tanuki.Layers;

namespace Tanuki.Tests.Cli;

/// <summary>Bad input to <c>evaluate</c>, <c>predict</c> and <c>summary</c>: exit code 2 and a message that says what to do.</summary>
[Collection(NonParallel.Name)]   // redirects Console
public sealed class ModelCommandErrorTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A small model of the shape 'tanuki train' writes (32×32 RGB in, 3 classes out), made in a moment.</summary>
    private string SmallModel()
    {
        var input = new Input(3, 32, 32);
        var model = new Model(input, new Dense(3).Call(new GlobalAveragePooling2D().Call(input))) { ClassNames = ShapeImages.Classes };
        string path = _dir.File("shapes.tanuki");
        model.Save(path);
        return path;
    }

    private static CliResult BadInput(params string[] args)
    {
        CliResult r = TanukiCommand.Run(args);
        Assert.True(r.Code == Tanuki.Cli.Program.BadInput, r.ToString());
        Assert.StartsWith("tanuki: ", r.Err);
        return r;
    }

    [Theory]
    [InlineData("predict")]
    [InlineData("evaluate")]
    [InlineData("summary")]
    public void AMissingModel(string verb)
    {
        string model = _dir.File("model.tanuki");
        string data = ShapeImages.Write(_dir.File("shapes"), 1);
        CliResult r = BadInput(verb == "summary" ? [verb, model] : [verb, model, data]);
        Assert.Contains($"model file '{model}' does not exist", r.Err);
        Assert.Contains($"tanuki train DATA_DIR --out {model}", r.Err);
    }

    [Fact]
    public void AFileThatIsNotAModel()
    {
        string model = _dir.File("model.tanuki");
        File.WriteAllText(model, "not a model");
        CliResult r = BadInput("summary", model);
        Assert.Contains("not a .tanuki model file", r.Err);
    }

    [Fact]
    public void TheArgumentsSwapped()
    {
        string model = SmallModel();
        string data = ShapeImages.Write(_dir.File("shapes"), 1);
        string image = Directory.GetFiles(Path.Combine(data, "circle"))[0];
        foreach (CliResult r in new[] { BadInput("predict", image, model), BadInput("predict", data, model), BadInput("evaluate", data, model) })
        {
            Assert.Contains(r.Err.Contains(image) ? $"'{image}' is an image, not a model file" : $"'{data}' is a folder, not a model file", r.Err);
            Assert.Contains("The model comes before the images.", r.Err);
        }
    }

    [Fact]
    public void EvaluateOnAFolderWhoseClassesAreNotTheModels()
    {
        string model = SmallModel();
        string pets = ShapeImages.Write(_dir.File("pets"), 2, classes: ["cat", "dog"]);
        CliResult r = BadInput("evaluate", model, pets);
        Assert.Contains("the folder's classes 'cat', 'dog' are not among the model's (circle, square, stripes)", r.Err);
        Assert.Contains("named as the classes the model was trained on", r.Err);
    }

    [Fact]
    public void EvaluateOnAMissingFolderOrWithNoBatch()
    {
        string model = SmallModel();
        Assert.Contains("does not exist", BadInput("evaluate", model, _dir.File("nowhere")).Err);
        string data = ShapeImages.Write(_dir.File("shapes"), 1);
        Assert.Contains("--batch-size must be at least 1. Received: 0", BadInput("evaluate", model, data, "--batch-size", "0").Err);
    }

    [Fact]
    public void PredictOnNothingToPredict()
    {
        string model = SmallModel();
        Assert.Contains("is neither an image file nor a folder", BadInput("predict", model, _dir.File("photo.jpg")).Err);
        Directory.CreateDirectory(_dir.File("empty"));
        Assert.Contains("holds no images", BadInput("predict", model, _dir.File("empty")).Err);
        string image = Directory.GetFiles(ShapeImages.Write(_dir.File("shapes"), 1), "*", SearchOption.AllDirectories)[0];
        Assert.Contains("--top must be at least 1", BadInput("predict", model, image, "--top", "0").Err);
    }

    [Fact]
    public void PredictOnAnImageThatCannotBeRead()
    {
        string model = SmallModel();
        string fake = _dir.File("photo.png");
        File.WriteAllText(fake, "not really a picture");
        CliResult r = BadInput("predict", model, fake);
        Assert.Contains($"'{fake}' is not an image", r.Err);
    }

    [Fact]
    public void PredictWithTheSmallModelWorks()   // the model above is a fair stand-in: it is read and run
    {
        string model = SmallModel();
        string image = Directory.GetFiles(ShapeImages.Write(_dir.File("shapes"), 1), "*", SearchOption.AllDirectories)[0];
        CliResult r = TanukiCommand.Run("predict", model, image, "--top", "5");
        Assert.True(r.Code == 0, r.ToString());
        Assert.Equal(3, r.Out.Split(": ")[1].Split(", ").Length);   // --top beyond the class count shows them all
    }
}
