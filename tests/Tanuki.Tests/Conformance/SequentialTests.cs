using Tanuki.Layers;
using static Tanuki.Tests.Conformance.Keras;

namespace Tanuki.Tests.Conformance;

/// <summary>
/// keras/src/models/sequential_test.py. Images are channels-first: Keras's (16, 16, 3) is (3, 16, 16). Keras's
/// <c>Input(shape=(2,), batch_size=3)</c> is <c>new Input(2)</c> (Tanuki inputs leave the batch size free), so symbolic
/// outputs have batch size -1 where Keras's have 3.
/// </summary>
public class SequentialTests
{
    private static string SummaryText(Model model)
    {
        var w = new StringWriter();
        model.Summary(output: w);
        return w.ToString();
    }

    // sequential_test.py::SequentialTest::test_basic_flow_with_input
    [Fact]
    public void BasicFlowWithInput()
    {
        var model = new Sequential(null, [], "seq");
        model.Add(new Input(2));
        model.Add(new Dense(4));
        model.Add(new Dense(5));
        SummaryText(model);

        Assert.Equal(2, model.Layers.Count);
        Assert.True(model.Built);
        Assert.Equal(4, model.Weights.Count);

        // Test eager call
        Assert.Equal(new long[] { 3, 5 }, model.Call(torch.rand(3, 2)).shape);

        // Test symbolic call
        Assert.Equal(new long[] { -1, 5 }, model.Call(new Input(2)).Shape);

        // Test `layers` constructor arg
        model = new Sequential(new Input(2), new Dense(4), new Dense(5));
        Assert.Equal(2, model.Layers.Count);
        Assert.True(model.Built);
        Assert.Equal(4, model.Weights.Count);
        Assert.Equal(new long[] { 3, 5 }, model.Call(torch.rand(3, 2)).shape);

        // Test pop
        model.Pop();
        Assert.Single(model.Layers);
        Assert.True(model.Built);
        Assert.Equal(2, model.Weights.Count);
        Assert.Equal(new long[] { 3, 4 }, model.Call(torch.rand(3, 2)).shape);
    }

    // sequential_test.py::SequentialTest::test_basic_flow_deferred
    [Fact]
    public void BasicFlowDeferred()
    {
        var model = new Sequential(null, [], "seq");
        model.Add(new Dense(4));
        model.Add(new Dense(5));
        SummaryText(model);
        Assert.Equal(2, model.Layers.Count);

        // Test eager call
        Tensor y = model.Call(torch.rand(3, 2));
        Assert.True(model.Built);
        SummaryText(model);
        Assert.Equal(new long[] { 3, 5 }, y.shape);

        // Test symbolic call
        Assert.Equal(new long[] { -1, 5 }, model.Call(new Input(2)).Shape);

        // Test `layers` constructor arg
        model = new Sequential(new Dense(4), new Dense(5));
        Assert.Equal(new long[] { 3, 5 }, model.Call(torch.rand(3, 2)).shape);

        // Test pop
        model.Pop();
        Assert.Single(model.Layers);
        Assert.True(model.Built);
        Assert.Equal(2, model.Weights.Count);
        Assert.Equal(new long[] { 3, 4 }, model.Call(torch.rand(3, 2)).shape);
    }

    // sequential_test.py::SequentialTest::test_basic_flow_with_functional_model_as_first_layer
    [Fact]
    public void BasicFlowWithFunctionalModelAsFirstLayer()
    {
        var inputs = new Input(3, 16, 16);
        var functional = new Model(inputs, new Conv2D(4, 3, padding: "same").Call(inputs));

        var model = new Sequential(functional, new Flatten(), new Dense(1));
        SummaryText(model);
        Assert.Equal(3, model.Layers.Count);
        Assert.True(model.Built);
        Assert.All(model.Layers, l => Assert.True(l.Built));

        // Test eager call
        Assert.Equal(new long[] { 1, 1 }, model.Call(torch.rand(1, 3, 16, 16)).shape);

        // Test symbolic call
        Assert.Equal(new long[] { -1, 1 }, model.Call(new Input(3, 16, 16)).Shape);
    }

    // sequential_test.py::SequentialTest::test_basic_flow_with_sequential_model_as_first_layer
    [Fact]
    public void BasicFlowWithSequentialModelAsFirstLayer()
    {
        var sequential = new Sequential(new Input(3, 16, 16), new Conv2D(4, 3, padding: "same"));

        var model = new Sequential(sequential, new Flatten(), new Dense(1));
        SummaryText(model);
        Assert.Equal(3, model.Layers.Count);
        Assert.True(model.Built);
        Assert.All(model.Layers, l => Assert.True(l.Built));

        Assert.Equal(new long[] { 1, 1 }, model.Call(torch.rand(1, 3, 16, 16)).shape);
        Assert.Equal(new long[] { -1, 1 }, model.Call(new Input(3, 16, 16)).Shape);
    }

    // sequential_test.py::SequentialTest::test_nested_sequential
    [Fact]
    public void NestedSequential()
    {
        var model = new Sequential();
        model.Add(new Input(16));
        var outer = new Sequential(model);
        Assert.Single(outer.Layers);
    }

    // sequential_test.py::SequentialTest::test_errors
    [Fact]
    public void Errors()
    {
        // Trying to pass 2 Inputs
        var model = new Sequential();
        model.Add(new Input(2));
        var e = Assert.Throws<ArgumentException>(() => model.Add(new Input(2)));
        Assert.Contains("already been configured", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Add(new InputLayer([2])));
        Assert.Contains("already been configured", e.Message);

        // Same name 2x
        model = new Sequential();
        model.Add(new Dense(2, name: "dense"));
        e = Assert.Throws<ArgumentException>(() => model.Add(new Dense(2, name: "dense")));
        Assert.Contains("should have unique names", e.Message);

        // No layers
        model = new Sequential();
        e = Assert.Throws<ArgumentException>(() => model.Call(torch.rand(3, 2)));
        Assert.Contains("no layers", e.Message);

        // Build conflict
        model = new Sequential();
        model.Add(new Input(2));
        model.Add(new Dense(2));
        e = Assert.Throws<ArgumentException>(() => model.Build(new long[] { 3, 4 }));
        Assert.Contains("already been configured", e.Message);
        // But this works
        model.Build(new long[] { 3, 2 });
    }

    private sealed class DynamicLayer : Layer
    {
        protected override Tensor Forward(Tensor inputs, bool training) => inputs + 1.0;
        public override long[] ComputeOutputShape(long[] inputShape) => throw new NotImplementedException();
    }

    // sequential_test.py::SequentialTest::test_shape_inference_failure
    [Fact]
    public void ShapeInferenceFailure()
    {
        var model = new Sequential(new DynamicLayer());
        Tensor x = torch.rand(3, 2);
        AllClose((x + 1).flatten().to_type(ScalarType.Float64).data<double>().ToArray(), model.Call(x));
        SummaryText(model);
    }

    // sequential_test.py::SequentialTest::test_serialization (unbuilt deferred, built deferred, regular; Tanuki saves to a
    // file, so the round trip is Save and Load; the dict layer has no counterpart)
    [Fact]
    public void Serialization()
    {
        using var dir = new TempDirectory();
        Model RoundTrip(Model m, string file)
        {
            m.Save(dir.File(file));
            return Model.Load(dir.File(file));
        }

        // Unbuilt deferred
        var model = new Sequential(null, [], "seq");
        model.Add(new Dense(4));
        model.Add(new Dense(5));
        Assert.Equal(2, RoundTrip(model, "unbuilt.tanuki").Layers.Count);

        // Built deferred
        model.Build(new long[] { 2, 3 });
        Assert.Equal(2, RoundTrip(model, "built.tanuki").Layers.Count);

        // Regular
        model = new Sequential(null, [], "seq");
        model.Add(new Input(2));
        model.Add(new Dense(4));
        model.Add(new Dense(5));
        model.Add(new Dense(6));
        Assert.Equal(3, RoundTrip(model, "regular.tanuki").Layers.Count);
    }

    // sequential_test.py::SequentialTest::test_functional_properties (inputs and shapes; a Sequential has no symbolic outputs in Tanuki)
    [Fact]
    public void FunctionalProperties()
    {
        var model = new Sequential(null, [], "seq");
        var inputs = new Input(2);
        model.Add(inputs);
        model.Add(new Dense(4));
        Assert.Equal([inputs], model.Inputs);
        Assert.Equal(new long[] { -1, 2 }, model.Inputs[0].Shape);
        Assert.Equal(new long[] { -1, 4 }, model.ComputeOutputShape(model.Inputs[0].Shape));
    }

    private sealed class CustomLayer : Layer
    {
        protected override Tensor Forward(Tensor inputs, bool training) => training ? inputs * 0.0 : inputs;
    }

    // sequential_test.py::SequentialTest::test_training_arg
    [Fact]
    public void TrainingArg()
    {
        var model = new Sequential(new CustomLayer());
        AllClose(1.0, model.Call(torch.ones(4, 20)).mean());
        AllClose(1.0, model.Call(torch.ones(4, 20), training: false).mean());
        AllClose(0.0, model.Call(torch.ones(4, 20), training: true).abs().max());
    }

    // sequential_test.py::SequentialTest::test_compute_output_shape
    [Fact]
    public void ComputeOutputShape()
    {
        var layer = new Sequential(new Dense(4), new Dense(8));
        Assert.Equal(new long[] { 1, 8 }, layer.ComputeOutputShape(new long[] { 1, 2 }));
    }

    // sequential_test.py::SequentialTest::test_hasattr (Keras's missing attributes are empty inputs in Tanuki)
    [Fact]
    public void HasAttr()
    {
        Assert.Empty(new Sequential().Inputs);
        Assert.Single(new Sequential(new Input(4), new Dense(8)).Inputs);
    }

    // Skipped, no Tanuki counterpart:
    // test_legacy_flow_with_input_shape — layers take no input_shape/input_dim arguments.
    // test_basic_flow_as_a_submodel — no TimeDistributed.
    // test_dict_inputs, test_list_inputs — a Sequential takes one tensor.
    // test_serialization_with_lambda_layer — no Lambda layer.
    // test_pickleable — no pickling.
    // test_bad_layer, test_layers_setter — C#'s types rule them out (Add takes a Layer; Layers is read-only).
}
