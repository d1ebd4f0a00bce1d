using Tanuki.Layers;

namespace Tanuki.Tests.Models;

/// <summary>Graphs that cannot work fail at construction with a message that names what is wrong.</summary>
public class FunctionalErrorTests
{
    [Fact]
    public void ADisconnectedGraphNamesTheMissingInput()
    {
        var a = new Input([3], "given_input");
        var b = new Input([3], "forgotten_input");
        var y = new Dense(2, name: "needs_b").Call(b);
        var e = Assert.Throws<ArgumentException>(() => new Model(a, y, "disconnected"));
        Assert.Contains("Graph disconnected", e.Message);
        Assert.Contains("forgotten_input", e.Message);
        Assert.Contains("needs_b", e.Message);
        Assert.Contains("given_input", e.Message);
    }

    [Fact]
    public void AnInputPassedTwiceIsRejected()
    {
        var a = new Input([3], "twice_input");
        var y = new Dense(2).Call(a);
        var e = Assert.Throws<ArgumentException>(() => new Model([a, a], [y]));
        Assert.Contains("twice_input", e.Message);
        Assert.Contains("more than once", e.Message);
    }

    [Fact]
    public void AnIntermediateTensorIsNotAModelInput()
    {
        var a = new Input(3);
        var h = new Dense(2, name: "hidden_layer").Call(a);
        var e = Assert.Throws<ArgumentException>(() => new Model(h, new Dense(1).Call(h)));
        Assert.Contains("hidden_layer", e.Message);
        Assert.Contains("Input", e.Message);
    }

    [Fact]
    public void AShapeMismatchNamesBothLayersAndBothShapes()
    {
        var consumer = new Dense(2, name: "built_for_3");
        consumer.Call(new Input(3));
        var producer = new Dense(5, name: "makes_5");
        var x = producer.Call(new Input(4));
        var e = Assert.Throws<ArgumentException>(() => consumer.Call(x));
        Assert.Contains("built_for_3", e.Message);
        Assert.Contains("makes_5", e.Message);
        Assert.Contains("(None, 5)", e.Message);
        Assert.Contains("value 3", e.Message);
    }

    [Fact]
    public void ANestedModelCalledOnTheWrongShapeNamesTheModelTheProducerAndBothShapes()
    {
        var innerIn = new Input([4], "inner_input4");
        var inner = new Model(innerIn, new Dense(2).Call(innerIn), "inner_expects_4");
        var x = new Dense(3, name: "gives_3").Call(new Input(2));
        var e = Assert.Throws<ArgumentException>(() => inner.Call(x));
        Assert.Contains("inner_expects_4", e.Message);
        Assert.Contains("gives_3", e.Message);
        Assert.Contains("(None, 3)", e.Message);
        Assert.Contains("(None, 4)", e.Message);
    }

    [Fact]
    public void AMultiInputLayerGivenTheWrongShapesSaysWhatItGot()
    {
        var a = new Input([3], "pair_a");
        var b = new Input([4], "pair_b");
        var e = Assert.Throws<ArgumentException>(() => new PairSum("pair").Call([a, b]));
        Assert.Contains("'pair'", e.Message);
        Assert.Contains("(None, 3) from 'pair_a'", e.Message);
        Assert.Contains("(None, 4) from 'pair_b'", e.Message);
    }

    [Fact]
    public void SequentialNamesTheLayerThatCannotTakeThePreviousOutput()
    {
        var first = new Dense(5, name: "seq_first");
        var second = new Dense(1, name: "seq_second");
        second.Build(new long[] { -1, 3 });
        var e = Assert.Throws<ArgumentException>(() => new Sequential(new Input(2), first, second));
        Assert.Contains("seq_second", e.Message);
        Assert.Contains("seq_first", e.Message);
        Assert.Contains("(None, 5)", e.Message);
    }

    [Fact]
    public void LayerNamesMustBeUnique()
    {
        var e1 = Assert.Throws<ArgumentException>(() => new Sequential(new Input(2), new Dense(2, name: "same"), new Dense(2, name: "same")));
        Assert.Contains("'same'", e1.Message);
        Assert.Contains("unique", e1.Message);
        var x = new Input(2);
        var e2 = Assert.Throws<ArgumentException>(() => new Model(x, new Dense(2, name: "dup").Call(new Dense(2, name: "dup").Call(x))));
        Assert.Contains("\"dup\" is used 2 times", e2.Message);
    }

    [Fact]
    public void AWrongTensorGivenToAFunctionalModelNamesTheModelAndBothShapes()
    {
        var x = new Input([3], "runtime_in");
        var model = new Model(x, new Dense(2).Call(x), "runtime_model");
        var e = Assert.Throws<ArgumentException>(() => model.Call(torch.rand(2, 5)));
        Assert.Contains("runtime_model", e.Message);
        Assert.Contains("(None, 3)", e.Message);
        Assert.Contains("(2, 5)", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => model.Call([torch.rand(2, 3), torch.rand(2, 3)]));
        Assert.Contains("expects 1 input", e2.Message);
    }

    [Fact]
    public void GetLayerListsTheNamesThereAre()
    {
        var model = new Sequential(new Input(2), new Dense(2, name: "only_layer"));
        Assert.Equal("only_layer", model.GetLayer("only_layer").Name);
        Assert.Same(model.Layers[0], model.GetLayer(0));
        var e = Assert.Throws<ArgumentException>(() => model.GetLayer("nope"));
        Assert.Contains("nope", e.Message);
        Assert.Contains("only_layer", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.GetLayer(3));
    }
}
