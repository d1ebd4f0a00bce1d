using Tanuki.Layers;

namespace Tanuki.Tests.Models;

/// <summary>In inference a functional model frees each intermediate tensor once its last reader has run.</summary>
public class GraphMemoryTests
{
    private static Model Chain(int depth, out Input input)
    {
        input = new Input(8);
        SymbolicTensor x = input;
        SymbolicTensor skip = x;
        for (int i = 0; i < depth; i++)
        {
            x = new ReLU().Call(new Dense(8).Call(x));
            x = new Dropout(0.5).Call(x);                 // the identity in inference: returns its input object
            if (i % 4 == 3) { x = new Add().Call(x, skip); skip = x; }
        }
        return new Model(input, x);
    }

    [Fact]
    public void IntermediatesAreFreedAndTheResultIsTheSame()
    {
        TanukiInfo.SetRandomSeed(40);
        Model model = Chain(16, out _);
        Tensor x = torch.randn(4, 8);
        Tensor withGrad = model.Call(x).detach();            // gradients on: nothing is freed early
        long live;
        Tensor y;
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
        {
            y = model.Call(x);
            live = scope.DisposablesView.Count(d => d is Tensor t && !t.IsInvalid);
            y = y.MoveToOuterDisposeScope();
        }
        TensorAssert.Equal(withGrad, y);
        Assert.True(live <= 3, $"{live} tensors still alive after the call; a chain of 16 Dense + ReLU + Dropout makes ~36");
        Assert.False(x.IsInvalid);                           // the caller's input is never disposed
    }
}
