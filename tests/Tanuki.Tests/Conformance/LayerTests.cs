using Tanuki.Layers;

namespace Tanuki.Tests.Conformance;

/// <summary>
/// keras/src/layers/layer_test.py. Keras tracks sublayers assigned to attributes; Tanuki layers register them with
/// <c>Track</c> (or by calling them in <c>Forward</c>), which is how these ports write Keras's <c>self.dense = Dense(...)</c>.
/// Keras's <c>KerasTensor((3, 4))</c> becomes an <see cref="Input"/> of 4 features (batch size unknown, -1).
/// </summary>
public class LayerTests
{
    // ---- test_compute_output_spec ----

    private sealed class ShapeOnlyLayer : Layer
    {
        protected override Tensor Forward(Tensor inputs, bool training) => throw new InvalidOperationException("Should never be called.");
        public override long[] ComputeOutputShape(long[] inputShape) => inputShape;
    }

    private sealed class TwoOutputShapeLayer : Layer
    {
        protected override Tensor[] Forward(IReadOnlyList<Tensor> inputs, bool training) => throw new InvalidOperationException("Should never be called.");
        public override IReadOnlyList<long[]> ComputeOutputShape(IReadOnlyList<long[]> inputShapes) => [inputShapes[0], inputShapes[0]];
    }

    // layer_test.py::LayerTest::test_compute_output_spec (single and list outputs; dict and nested outputs have no counterpart)
    [Fact]
    public void ComputeOutputSpec()
    {
        // Case: single output
        var layer = new ShapeOnlyLayer();
        Assert.Equal(new long[] { 2, 3 }, layer.ComputeOutputShape(new long[] { 2, 3 }));
        Assert.Equal(new long[] { -1, 3 }, layer.Call(new Input(3)).Shape);

        // Case: list output
        var two = new TwoOutputShapeLayer();
        SymbolicTensor[] outs = two.Call([new Input(3)]);
        Assert.Equal(2, outs.Length);
        Assert.Equal(new long[] { -1, 3 }, outs[0].Shape);
        Assert.Equal(new long[] { -1, 3 }, outs[1].Shape);
    }

    private sealed class EmptyLayer : Layer;

    // layer_test.py::LayerTest::test_not_implemented_error ("call" and "compute_output_shape"; the quantization methods have no counterpart)
    [Fact]
    public void NotImplementedError()
    {
        var layer = new EmptyLayer();
        var e = Assert.Throws<NotSupportedException>(() => layer.Call(torch.ones(2, 3)));
        Assert.Contains(layer.Name, e.Message);
        Assert.Throws<NotImplementedException>(() => new EmptyLayer().ComputeOutputShape(new long[] { 2, 3 }));
    }

    // ---- test_layer_tracking ----

    private sealed class LayerWithDenseLayers : Layer
    {
        private readonly int _units;
        private readonly Dense _dense1, _dense2;
        private readonly List<Dense> _list;

        public LayerWithDenseLayers(int units)
        {
            _units = units;
            _dense1 = Track(new Dense(units));
            _dense2 = Track(new Dense(units));            // Keras keeps this one in a dict
            _list = [Track(new Dense(units))];
        }

        protected override void BuildCore(long[] inputShape) => _list.Add(Track(new Dense(_units)));

        protected override Tensor Forward(Tensor x, bool training) => _list[1].Call(_list[0].Call(_dense2.Call(_dense1.Call(x))));
    }

    private sealed class ParentLayer(Layer inner) : Layer
    {
        private readonly Layer _inner = inner;
        protected override Tensor Forward(Tensor x, bool training) => _inner.Call(x);
    }

    private static ParentLayer Parent(Layer inner)
    {
        var parent = new ParentLayer(inner);
        Assert.Empty(parent.Layers);   // registered by its first call
        return parent;
    }

    // layer_test.py::LayerTest::test_layer_tracking (Keras's 9 variables are 8 weights and a seed generator, which Tanuki layers do not have)
    [Fact]
    public void LayerTracking()
    {
        var layer = new LayerWithDenseLayers(3);
        layer.Build(new long[] { 1, 3 });
        Assert.Equal(4, layer.Layers.Count);
        layer.Call(torch.zeros(1, 3));
        Assert.Equal(8, layer.Weights.Count);

        var parent = Parent(new LayerWithDenseLayers(3));
        parent.Call(torch.zeros(1, 3));
        Assert.Single(parent.Layers);
        Assert.Equal(8, parent.Weights.Count);

        var grandparent = Parent(new ParentLayer(new LayerWithDenseLayers(3)));
        grandparent.Call(torch.zeros(1, 3));
        Assert.Single(grandparent.Layers);
        Assert.Equal(8, grandparent.Weights.Count);
    }

    // ---- test_build_on_call ----

    private sealed class LayerWithUnbuiltState(int units) : Layer
    {
        private readonly Dense _dense1 = new(units);
        protected override Tensor Forward(Tensor x, bool training) => _dense1.Call(x);
    }

    private sealed class TwoInputLayerWithUnbuiltState(int units) : Layer
    {
        private readonly Dense _dense1 = new(units), _dense2 = new(units);
        protected override Tensor[] Forward(IReadOnlyList<Tensor> xs, bool training) => [_dense1.Call(xs[0]) + _dense2.Call(xs[1])];
    }

    private sealed class ListLayerWithUnbuiltState(int units) : Layer
    {
        private readonly Dense _dense = new(units);
        protected override Tensor[] Forward(IReadOnlyList<Tensor> xs, bool training) => [_dense.Call(xs[0]) + _dense.Call(xs[1])];
    }

    // layer_test.py::LayerTest::test_build_on_call (the kwargs and list cases; dicts and None entries have no counterpart)
    [Fact]
    public void BuildOnCall()
    {
        var layer = new LayerWithUnbuiltState(2);
        SymbolicTensor y = layer.Call(new Input(4));
        Assert.Equal(2, layer.Weights.Count);
        Assert.Equal(new long[] { -1, 2 }, y.Shape);

        var kwargs = new TwoInputLayerWithUnbuiltState(2);
        kwargs.Call([new Input(4), new Input(4)]);
        Assert.Equal(4, kwargs.Weights.Count);

        var list = new ListLayerWithUnbuiltState(2);
        list.Call([new Input(4), new Input(4)]);
        Assert.Equal(2, list.Weights.Count);
    }

    // ---- test_training_arg_value_resolution ----

    private sealed class TrainingLayer : Layer
    {
        private readonly Layer _dp;
        public TrainingLayer(Layer? inner = null) => _dp = Track(inner ?? new Dropout(0.9));
        protected override Tensor Forward(Tensor x, bool training) => _dp.Call(x);   // training is not passed on
    }

    private sealed class TrainingLayerExplicit : Layer
    {
        private readonly Dropout _dp = new(0.9);
        protected override Tensor Forward(Tensor x, bool training) => _dp.Call(x, training: true);
    }

    private sealed class BadLayer : Layer
    {
        protected override Tensor Forward(Tensor x, bool training) => throw new InvalidOperationException("oops!");
    }

    // layer_test.py::LayerTest::test_training_arg_value_resolution
    [Fact]
    public void TrainingArgValueResolution()
    {
        // Check that even if `training` is not passed to an inner layer, the outer value gets propagated.
        var layer = new TrainingLayer();
        Tensor x = torch.ones(4, 4);
        Assert.Equal(1, layer.Call(x).min().item<float>());
        Assert.Equal(0, layer.Call(x, training: true).min().item<float>());

        // Check that it still works one level deeper.
        var wrapped = new TrainingLayer(new TrainingLayer());
        Assert.Equal(1, wrapped.Call(x).min().item<float>());
        Assert.Equal(0, wrapped.Call(x, training: true).min().item<float>());

        // Check that if `training` is passed to an inner layer in call(), the explicitly passed value is what the layer sees.
        Assert.Equal(0, new TrainingLayerExplicit().Call(x, training: false).min().item<float>());

        // Test that layer interruption does not cause the call context to linger.
        Assert.Throws<InvalidOperationException>(() => new BadLayer().Call(x, training: true));
        Assert.Equal(1, new TrainingLayer().Call(x).min().item<float>());
    }

    private sealed class PassThrough : Layer
    {
        protected override Tensor Forward(Tensor x, bool training) => x;
    }

    private sealed class Wrapper : Layer
    {
        private readonly PassThrough _pre = new();
        private readonly Dropout _dp = new(0.9);
        protected override Tensor Forward(Tensor x, bool training) => _dp.Call(_pre.Call(x));
    }

    // layer_test.py::LayerTest::test_signature_default_training_does_not_leak (the imperative part: C# has no call-signature
    // defaults for `training`, so the functional part, which checks an unset value stays None, has no counterpart)
    [Fact]
    public void SignatureDefaultTrainingDoesNotLeak()
    {
        var layer = new Wrapper();
        Tensor x = torch.ones(4, 4);
        Assert.Equal(1, layer.Call(x).min().item<float>());
        Assert.Equal(0, layer.Call(x, training: true).min().item<float>());
    }

    // ---- test_trainable_setting ----

    private class NonTrainableWeightsLayer : Layer
    {
        public Variable? W1, W2;

        protected override void BuildCore(long[] inputShape)
        {
            W1 = AddWeight("w1", [], Initializers.Ones, trainable: true);
            W2 = AddWeight("w2", [], Initializers.Ones, trainable: false);
        }

        protected override Tensor Forward(Tensor x, bool training) => x;
    }

    private sealed class NestedNonTrainableWeightsLayer : NonTrainableWeightsLayer
    {
        public NonTrainableWeightsLayer? Nested;

        protected override void BuildCore(long[] inputShape)
        {
            base.BuildCore(inputShape);
            Nested = Track(new NonTrainableWeightsLayer());
            Nested.Build(inputShape);
        }
    }

    // layer_test.py::LayerTest::test_trainable_setting (Keras's extra non-trainable *variable* is a seed generator, which Tanuki layers do not have)
    [Fact]
    public void TrainableSetting()
    {
        var layer = new NestedNonTrainableWeightsLayer();
        layer.Build(new long[] { -1 });
        Assert.Equal(2, layer.TrainableWeights.Count);
        Assert.Equal(2, layer.NonTrainableWeights.Count);

        layer.Trainable = false;
        Assert.Empty(layer.TrainableWeights);
        Assert.Equal(4, layer.NonTrainableWeights.Count);
        Assert.False(layer.W1!.Trainable);
        Assert.False(layer.Nested!.W1!.Trainable);

        layer.Trainable = true;
        Assert.Equal(2, layer.TrainableWeights.Count);
        Assert.Equal(2, layer.NonTrainableWeights.Count);
        Assert.True(layer.W1.Trainable);
        Assert.True(layer.Nested.W1!.Trainable);

        // Keras's NestedNonTrainableWeightsLayer(trainable=False): frozen before it is built.
        layer = new NestedNonTrainableWeightsLayer { Trainable = false };
        layer.Build(new long[] { -1 });
        Assert.Empty(layer.TrainableWeights);
        Assert.Equal(4, layer.NonTrainableWeights.Count);

        layer.Trainable = true;
        Assert.Equal(2, layer.TrainableWeights.Count);
        Assert.Equal(2, layer.NonTrainableWeights.Count);
    }

    private sealed class NoTrainingSpecified : Layer
    {
        private Activation? _activation;
        protected override void BuildCore(long[] inputShape) => _activation = new Activation("linear");
        protected override Tensor Forward(Tensor x, bool training) => _activation!.Call(x);
    }

    // layer_test.py::LayerTest::test_training_arg_not_specified (NCHW: Keras's (1, 100, 100, 3) is (1, 3, 100, 100))
    [Fact]
    public void TrainingArgNotSpecified()
    {
        var layer = new NoTrainingSpecified();
        Tensor y = layer.Call(torch.rand(1, 3, 100, 100), training: true);
        Assert.Equal(new long[] { 1, 3, 100, 100 }, y.shape);
    }

    private sealed class WeightInCallLayer : Layer
    {
        protected override Tensor Forward(Tensor x, bool training)
        {
            AddWeight("w", [], Initializers.Zeros);
            return x;
        }
    }

    // layer_test.py::LayerTest::test_tracker_locking
    [Fact]
    public void TrackerLocking()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new WeightInCallLayer().Call(torch.rand(3, 2)));
        Assert.Contains("cannot add new elements of state", e.Message);
    }

    // layer_test.py::LayerTest::test_trainable_init_arg (Keras's Dense(2, trainable=False) is a Dense frozen before it is built)
    [Fact]
    public void TrainableInitArg()
    {
        var inputs = new Input(1);
        var layer = new Dense(2) { Trainable = false };
        var model = new Model(inputs, layer.Call(inputs));

        Assert.False(layer.Trainable);
        Assert.Equal(2, layer.Weights.Count(w => w.IsTrainableKind));     // Keras's layer._trainable_variables
        Assert.Empty(layer.TrainableWeights);
        Assert.Empty(model.TrainableWeights);
        Assert.Equal(2, model.NonTrainableWeights.Count);

        layer.Trainable = true;
        Assert.True(layer.Trainable);
        Assert.Equal(2, layer.Weights.Count(w => w.IsTrainableKind));
        Assert.Equal(2, layer.TrainableWeights.Count);
        Assert.Equal(2, model.TrainableWeights.Count);
        Assert.Empty(model.NonTrainableWeights);
    }

    // ---- variable paths ----

    private sealed class InnerInnerInInit : Layer
    {
        public InnerInnerInInit() : base("inner_inner_layer") => Build(new long[] { -1 });
        protected override void BuildCore(long[] inputShape) => AddWeight("inner", [1], Initializers.GlorotUniform);
    }

    private sealed class InnerInInit : Layer
    {
        public InnerInInit() : base("inner_layer")
        {
            Track(new InnerInnerInInit());
            Build(new long[] { -1 });
        }
        protected override void BuildCore(long[] inputShape) => AddWeight("inner", [1], Initializers.GlorotUniform);
    }

    private sealed class OuterInInit : Layer
    {
        public OuterInInit() : base("training_layer") => Track(new InnerInInit());
    }

    // layer_test.py::LayerTest::test_custom_layer_add_weight_in_init_name (weights made when the layers are constructed:
    // Tanuki creates weights only in BuildCore, so these layers build themselves in their constructors)
    [Fact]
    public void CustomLayerAddWeightInInitName()
    {
        var layer = new OuterInInit();
        Assert.Equal(2, layer.Weights.Count);
        var paths = layer.Weights.Select(v => v.Path).ToHashSet();
        Assert.Contains("inner_layer/inner", paths);
        Assert.Contains("inner_inner_layer/inner", paths);
    }

    private sealed class InnerInnerInBuild() : Layer("inner_inner_layer")
    {
        private Variable? _var;
        protected override void BuildCore(long[] inputShape) => _var = AddWeight("inner", [1], Initializers.GlorotUniform);
        protected override Tensor Forward(Tensor x, bool training) => _var!.Value + x;
    }

    private sealed class InnerInBuild : Layer
    {
        private readonly InnerInnerInBuild _inner;
        private Variable? _var;
        public InnerInBuild() : base("inner_layer") => _inner = Track(new InnerInnerInBuild());
        protected override void BuildCore(long[] inputShape) => _var = AddWeight("inner", [1], Initializers.GlorotUniform);
        protected override Tensor Forward(Tensor x, bool training) => _var!.Value + _inner.Call(x);
    }

    private sealed class OuterInBuild : Layer
    {
        private readonly InnerInBuild _inner;
        public OuterInBuild() : base("training_layer") => _inner = Track(new InnerInBuild());
        protected override Tensor Forward(Tensor x, bool training) => _inner.Call(x);
    }

    // layer_test.py::LayerTest::test_custom_layer_add_weight_in_build_name
    [Fact]
    public void CustomLayerAddWeightInBuildName()
    {
        var layer = new OuterInBuild();
        SymbolicTensor output = layer.Call(new Input(1));
        Assert.Equal(new long[] { -1, 1 }, output.Shape);
        Assert.Equal(2, layer.Weights.Count);
        var paths = layer.Weights.Select(v => v.Path).ToHashSet();
        Assert.Contains("training_layer/inner_layer/inner", paths);
        Assert.Contains("training_layer/inner_layer/inner_inner_layer/inner", paths);
    }

    private sealed class PostBuildModifyLayer() : Layer("post_build_modify_layer")
    {
        private Variable? _var;
        protected override void BuildCore(long[] inputShape) => _var = AddWeight("var", [2], Initializers.GlorotUniform);
        protected override Tensor Forward(Tensor x, bool training) => _var!.Value + x;
    }

    private sealed class OuterOfPostBuild : Layer
    {
        private readonly PostBuildModifyLayer _inner;
        public OuterOfPostBuild() : base("training_layer") => _inner = Track(new PostBuildModifyLayer());
        protected override Tensor Forward(Tensor x, bool training) => _inner.Call(x);
    }

    // layer_test.py::LayerTest::test_layer_variable_tracking_correct (up to post_build_add: Tanuki layers cannot add or
    // remove weights once built, which is what the rest of the test unlocks Keras's tracker to do)
    [Fact]
    public void LayerVariableTrackingCorrect()
    {
        var layer = new OuterOfPostBuild();
        SymbolicTensor output = layer.Call(new Input(2));
        Assert.Equal(new long[] { -1, 2 }, output.Shape);
        Assert.Single(layer.Weights);
        Assert.Equal("training_layer/post_build_modify_layer/var", layer.Weights[0].Path);
    }

    // Skipped, no Tanuki counterpart:
    // test_positional_arg_error, test_build_signature_errors, test_add_weight_string_as_first_positional_arg,
    //   test_trainable_init_arg_validation, test_init_after_state_tracking, test_layer_build_with_attention_mask_arg — Python
    //   call signatures and attribute tricks that C#'s types rule out.
    // test_layer_with_remat, test_rematerialized_call_none, test_quantized_layer_with_remat, test_functional_model_with_remat,
    //   test_remat_wrapper_list_of_layers, test_remat_larger_than_mode, test_remat_larger_than_mode_high_threshold — no rematerialization.
    // test_gptq_quantization_by_setting_dtype, test_mixed_precision, test_autocast, test_autocast_with_np_array,
    //   test_keras_mask_with_autocast, test_dtype_policy_setter, test_serialize_dtype, test_complex_dtype_support — no dtype policies.
    // test_rng_seed_tracking — no seed generators in layers.
    // test_metric_tracking — layers hold no metrics.
    // test_activity_regularization, test_activity_regularization_batch_normalization, test_add_loss,
    //   test_serialize_activity_regularizer — no regularizers or layer losses.
    // test_end_to_end_masking, test_masking, test_masking_with_explicit_kwarg_propagation — no masks.
    // test_stateless_call, test_torch_params_create_deterministic — no stateless calls; no torch.nn parameters.
    // test_add_weight_defaults — AddWeight has no defaults (name, shape and initializer are required).
    // test_remove_weight — layers cannot remove weights.
    // test_pickle_layer — no pickling.
    // test_call_context_args_with_custom_layers, test_register_call_context_arguments, test_register_call_context_arguments_after_call,
    //   test_context_args_with_triple_nesting_and_priority, test_context_arg_propagation_without_declaration,
    //   test_call_context_args_with_func_seq_models_as_layers — `training` is the only call-context argument.
}
