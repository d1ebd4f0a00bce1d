// The Keras guide "Transfer learning & fine-tuning", first section ("Freezing layers: understanding the
// trainable attribute"), in C#. Prints the same lines as the guide. Run: dotnet run --project samples/TrainableApi
using Tanuki;
using Tanuki.Layers;
using TorchSharp;

namespace TrainableApi;

/// <summary>The guide's first section.</summary>
public static class Program
{
    /// <summary>Runs the section.</summary>
    public static void Main()
    {
        // Layers & models have three weight attributes.
        var layer = new Dense(3);
        layer.Build(new long[] { -1, 4 });  // Create the weights
        Print(layer);

        // BatchNormalization has 2 trainable and 2 non-trainable weights.
        var bn = new BatchNormalization();
        bn.Build(new long[] { -1, 4 });
        Print(bn);

        // Setting Trainable to false moves all the layer's weights from trainable to non-trainable.
        var frozen = new Dense(3);
        frozen.Build(new long[] { -1, 4 });
        frozen.Trainable = false;  // Freeze the layer
        Print(frozen);

        // When a trainable weight becomes non-trainable, its value is no longer updated during training.
        var layer1 = new Dense(3, activation: "relu");
        var layer2 = new Dense(3, activation: "sigmoid");
        var model = new Sequential(new Input(3), layer1, layer2);
        layer1.Trainable = false;  // Freeze the first layer
        torch.Tensor[] initialLayer1Weights = layer1.GetWeights();
        model.Compile(optimizer: "adam", loss: "mse");
        model.Fit(torch.rand(2, 3), torch.rand(2, 3));
        torch.Tensor[] finalLayer1Weights = layer1.GetWeights();
        for (int i = 0; i < initialLayer1Weights.Length; i++)
            if (!initialLayer1Weights[i].allclose(finalLayer1Weights[i], 0, 0)) throw new InvalidOperationException("a frozen weight changed");

        // Setting Trainable on a model with sublayers sets it on all of them, recursively.
        var innerModel = new Sequential(new Input(3), new Dense(3, activation: "relu"), new Dense(3, activation: "relu"));
        var outerModel = new Sequential(new Input(3), innerModel, new Dense(3, activation: "sigmoid"));
        outerModel.Trainable = false;  // Freeze the outer model
        if (innerModel.Trainable || innerModel.Layers[0].Trainable) throw new InvalidOperationException("freezing did not cascade");
        Console.WriteLine("inner_model.trainable: " + innerModel.Trainable.ToString().ToLowerInvariant());
    }

    private static void Print(Layer layer)
    {
        Console.WriteLine($"weights: {layer.Weights.Count}");
        Console.WriteLine($"trainable_weights: {layer.TrainableWeights.Count}");
        Console.WriteLine($"non_trainable_weights: {layer.NonTrainableWeights.Count}");
    }
}
