// The README's C# example: a folder of photos in, a fine-tuned classifier out, with Tanuki's recipe.
//   dotnet run --project samples/QuickStart -- PHOTOS_DIR [IMAGE]
// PHOTOS_DIR holds one subfolder per class (photos/cats/*.jpg, photos/dogs/*.png).
using Tanuki;
using Tanuki.Applications;
using Tanuki.Data;
using Tanuki.FineTuning;
using Tanuki.Losses;
using Tanuki.Metrics;
using Tanuki.Optimizers;

if (args.Length == 0) { Console.Error.WriteLine("usage: QuickStart PHOTOS_DIR [IMAGE]"); return 2; }

// Every photo, whole, padded to a white 224x224 square: ResNet-18's native size.
var photos = ImageDataset.FromDirectory(args[0], (224, 224), padToAspectRatio: true, seed: 1);
// ImageNet ResNet-18 (from its NuGet package), a new Dense head, a random flip while fine-tuning.
var transfer = TransferModel.Create(ImageBase.ResNet18, photos.ClassNames!.Count);
Model model = transfer.Classifier;
model.Compile(new Adam(), new SparseCategoricalCrossentropy(fromLogits: true), [new SparseCategoricalAccuracy()]);

// Freeze the base, fit the head by cross-validation on cached features, then fine-tune the base and keep that
// only if it beats the frozen base on held-out photos. Prints every choice it makes.
FineTuneResult result = model.FineTune(transfer.Base, photos);
model.Save("photos.tanuki");

if (args.Length > 1)
{
    using Model loaded = Model.Load("photos.tanuki");            // class names, image size and resizing inside
    Prediction p = loaded.Predict(args[1]);                      // loaded as the training images were
    Console.WriteLine($"{args[1]}: {p.ClassName} ({p.Probability:P0})");
}
return 0;
