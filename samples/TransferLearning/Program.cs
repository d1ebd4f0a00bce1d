// The Keras guide "Transfer learning & fine-tuning", its end-to-end example, in C#: an ImageNet ResNet-18 is frozen,
// a new head is trained on its features, then the whole network is unfrozen and fine-tuned at a low learning rate.
// The guide classifies cats and dogs; here it is Fashion-MNIST (ten kinds of clothing), which Tanuki can load
// without a download.
//
//   dotnet run --project samples/TransferLearning
//   dotnet run --project samples/TransferLearning -- --train-per-class 100 --test-per-class 200 --epochs 10 --fine-tune-epochs 5
//
// Options (defaults in brackets, chosen so that the run takes about a minute on a 2-core CPU):
//   --train-per-class N [10]  training images per class      --validation-per-class N [5]  validation images per class
//   --test-per-class N [20]   test images per class          --image-size N [96]   a multiple of 32, at least 32
//   --epochs N [20]           epochs of the head on the frozen base (nearly free: see "Train the top layer")
//   --fine-tune-epochs N [1]  epochs of fine-tuning           --batch-size N [16]
//   --augment                 add the guide's random flip and rotation in front of the model
//   --data auto|full|sample   [auto] the full set from Debian's dataset-fashion-mnist package when it is installed,
//                             else the 1,000 + 1,000 image sample inside Tanuki
using System.Globalization;
using Tanuki;
using Tanuki.Applications;
using Tanuki.Data;
using Tanuki.FineTuning;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Metrics;
using Tanuki.Optimizers;
using static TorchSharp.torch;

namespace TransferLearning;

/// <summary>The guide's end-to-end example.</summary>
public static class Program
{
    /// <summary>Runs the example; returns 0, or 2 for a bad argument.</summary>
    public static int Main(string[] args)
    {
        Settings s;
        try { s = Settings.Parse(args); }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        TanukiInfo.SetRandomSeed(1);

        // ## Getting the data
        // The guide takes 40% of cats vs. dogs for training, 10% for validation and 10% for testing: a small data set,
        // which is where transfer learning pays. Here: a few images of each class of Fashion-MNIST's training set
        // for training, the next few for validation, and the first images of each class of its test set for testing.
        bool full = s.Data == "full" || (s.Data == "auto" && File.Exists(Path.Combine(FashionMnist.DebianFolder, "train-images-idx3-ubyte.gz")));
        int perClass = full ? 1000 : 100;   // in the test set; the training set has 6,000 (full) or 100 (sample) per class
        if (s.TestPerClass > perClass || s.TrainPerClass + s.ValidationPerClass > (full ? 6000 : 100))
        {
            Console.Error.WriteLine($"The {(full ? "full set" : "sample")} has {(full ? 6000 : 100)} training and {perClass} test images per class; ask for fewer.");
            return 2;
        }
        FashionMnist fashion;
        try { fashion = full ? FashionMnist.Load() : FashionMnist.LoadSample(); }
        catch (FileNotFoundException e)   // --data full without Debian's package: the message says how to get it
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        using var _ = fashion;
        Console.WriteLine(full ? $"Fashion-MNIST from {FashionMnist.DebianFolder}" : "Fashion-MNIST: the sample inside Tanuki (100 + 100 images per class)");
        var (trainX, trainY) = PerClass(fashion.Train, skip: 0, s.TrainPerClass);
        var (valX, valY) = PerClass(fashion.Train, skip: s.TrainPerClass, s.ValidationPerClass);
        var (testX, testY) = PerClass(fashion.Test, skip: 0, s.TestPerClass);
        Console.WriteLine($"{trainY.shape[0]} training, {valY.shape[0]} validation and {testY.shape[0]} test images");

        // ## Standardizing the data
        // ResNet-18 wants RGB images of a fixed size, in 0–255 like the raw data, which the model itself will
        // normalize. Fashion-MNIST's images are 28×28 and grey: resize them (the guide maps a Resizing layer over its
        // data set; resizing the tensors once does that work once, and keeps the data in memory, where Fit can cache
        // the frozen base's outputs) and repeat the grey channel three times.
        var resize = new Resizing(s.ImageSize, s.ImageSize);
        Tensor Standardize(Tensor grey) => resize.Call(grey).expand(-1, 3, -1, -1);
        IReadOnlyList<string> classes = FashionMnist.ClassNames;
        Dataset train = Dataset.FromTensors(Standardize(trainX), trainY, classes).Shuffle((int)trainY.shape[0], seed: 1).Batch(s.BatchSize);
        Dataset validation = Dataset.FromTensors(Standardize(valX), valY, classes).Batch(64);
        Dataset test = Dataset.FromTensors(Standardize(testX), testY, classes).Batch(64);

        // ## Build a model
        // First, instantiate a base model with pretrained weights: ResNet-18 trained on ImageNet, without its
        // classifier (includeTop: false). The weights come with Tanuki's NuGet dependencies; nothing is downloaded.
        Model baseModel = ResNet18.Create(weights: "imagenet", includeTop: false, inputShape: [3, s.ImageSize, s.ImageSize]);

        // Then, freeze the base model.
        baseModel.Trainable = false;

        // Create a new model on top.
        var inputs = new Input(3, s.ImageSize, s.ImageSize);
        SymbolicTensor x = inputs;
        if (s.Augment)
        {
            // ## Using random data augmentation
            // With few images, random but realistic changes (a horizontal flip, a small rotation) add diversity.
            // These layers act only in training. They do cost something here: the frozen base must then run on
            // every augmented image at every epoch, instead of once per image.
            x = new RandomFlip("horizontal").Call(x);
            x = new RandomRotation(0.1).Call(x);
        }
        // The pretrained weights expect ImageNet's preprocessing (BGR minus the mean colour), as the guide's base
        // expects inputs scaled to [-1, 1]: it is part of the model, so the model takes raw images.
        x = new ResNet18Preprocessing().Call(x);
        // The base runs in inference mode (training: false), so its BatchNormalization layers keep their ImageNet
        // statistics even after the base is unfrozen for fine-tuning. This matters: see the last section.
        x = baseModel.Call(x, training: false);
        // Convert the features of shape base.OutputShape[1..] to vectors.
        x = new GlobalAveragePooling2D().Call(x);
        x = new Dropout(0.2).Call(x);   // regularize with dropout
        SymbolicTensor outputs = new Dense(classes.Count).Call(x);
        var model = new Model(inputs, outputs);
        model.Summary(showTrainable: true);

        // ## Train the top layer
        // Only the new Dense layer trains. The frozen base runs in inference mode and nothing random precedes it, so
        // Fit computes its outputs once per image and trains the head on them: the guide's "feature extraction",
        // done by itself.
        model.Compile(new Adam(), new SparseCategoricalCrossentropy(fromLogits: true), [new SparseCategoricalAccuracy()]);
        Console.WriteLine("Fitting the top layer of the model");
        model.Fit(train, epochs: s.Epochs, validationData: validation);
        double frozenAccuracy = model.Evaluate(test, verbose: 0)["sparse_categorical_accuracy"];

        // ## Do a round of fine-tuning of the entire model
        // Unfreeze the base and train the whole model end to end at a low learning rate: it can adapt the
        // pretrained features to the new data a little, for a few points of accuracy, or overfit if it goes too
        // far. The base is trainable now but still runs in inference mode (training: false above): if its
        // BatchNormalization layers updated their statistics on these few images, they would wreck what the model
        // has learned so far.
        baseModel.Trainable = true;
        model.Summary(showTrainable: true);

        // Keras needs a recompile for a change of Trainable to count; Tanuki does not (Fit reads the trainable
        // weights when it starts), but a new optimizer is how the learning rate drops to 1e-5.
        model.Compile(new Adam(1e-5), new SparseCategoricalCrossentropy(fromLogits: true), [new SparseCategoricalAccuracy()]);
        Console.WriteLine("Fitting the end-to-end model");
        model.Fit(train, epochs: s.FineTuneEpochs, validationData: validation);

        // The guide's round of fine-tuning gains a few points. Evaluate on the test images, which neither stage saw.
        Console.WriteLine("Test dataset evaluation");
        double fineTunedAccuracy = model.Evaluate(test)["sparse_categorical_accuracy"];
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test accuracy with the frozen base: {frozenAccuracy:0.0000}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test accuracy after fine-tuning:   {fineTunedAccuracy:0.0000}"));

        // ## The same workflow in one call: Model.FineTune
        // Tanuki's recipe runs both stages with the choices that suit small data made by measurement: the head is
        // fitted as a logistic regression on cached features of each image and augmented views of it, its penalty
        // picked by cross-validation; fine-tuning runs when enough images are left to judge it, and is kept only if
        // it beats the frozen base on them. tanuki train calls the same method. It prints every choice it makes.
        TanukiInfo.SetRandomSeed(1);
        var recipe = TransferModel.Create(ImageBase.ResNet18, classes.Count, s.ImageSize, augment: s.Augment ? ["flip", "rotate"] : ["flip"]);
        recipe.Classifier.Compile(new Adam(), new SparseCategoricalCrossentropy(fromLogits: true), [new SparseCategoricalAccuracy()]);
        Console.WriteLine("Fitting with the recipe (Model.FineTune)");
        FineTuneResult result = recipe.Classifier.FineTune(recipe.Base, train, validation, new FineTuneOptions { FineTuneEpochs = s.FineTuneEpochs });
        double recipeAccuracy = recipe.Classifier.Evaluate(test, verbose: 0)["sparse_categorical_accuracy"];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Test accuracy with Model.FineTune:  {recipeAccuracy:0.0000} ({result.Choices.Count} choices made)"));
        return 0;
    }

    /// <summary>Images <paramref name="skip"/> to <paramref name="skip"/>+<paramref name="count"/> of each class, in the set's order.</summary>
    private static (Tensor X, Tensor Y) PerClass((Tensor X, Tensor Y) set, int skip, int count)
    {
        long[] labels = set.Y.data<long>().ToArray();
        var seen = new int[FashionMnist.ClassNames.Count];
        var keep = new List<long>();
        for (int i = 0; i < labels.Length; i++)
        {
            int n = seen[labels[i]]++;
            if (n >= skip && n < skip + count) keep.Add(i);
        }
        Tensor index = tensor(keep.ToArray());
        return (set.X.index_select(0, index), set.Y.index_select(0, index));
    }
}
