using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Metrics;
using Tanuki.Optimizers;

namespace Tanuki.Tests.Models;

/// <summary>
/// The Keras guide's workflow on small random data, with a tiny Dense + BatchNormalization base standing in for the
/// pretrained model: freeze the base, put a functional head on it (the base called with training: false), fit, unfreeze,
/// recompile at a low rate, fit again. The base's BatchNormalization statistics never move, and the summary's counts
/// are checked at each stage against the numbers worked out by hand.
/// </summary>
public class TransferWorkflowTests
{
    // Base: Dense(4 → 8) = 4·8 + 8 = 40 (trainable); BatchNormalization(8) = 8 gamma + 8 beta (trainable)
    // + 8 moving mean + 8 moving variance (never trainable) = 32. Base total 72: 56 trainable, 16 not.
    // Head: Dropout (no weights), Dense(8 → 1) = 9.
    private const long BaseParams = 72, BaseTrainable = 56, BaseMoving = 16, HeadParams = 9;

    [Fact]
    public void FreezeFitUnfreezeRecompileFitKeepsTheBaseStatisticsAndCountsAddUp()
    {
        TanukiInfo.SetRandomSeed(11);
        var bn = new BatchNormalization(name: "wf_bn");
        var baseDense = new Dense(8, name: "wf_base_dense");
        var baseModel = new Sequential(new Input(4), [baseDense, bn, new ReLU(name: "wf_relu")], "wf_base");
        using (torch.no_grad())
        {
            // "Pretrained" statistics, so that inference mode and training mode differ.
            bn.MovingMean!.Assign(torch.linspace(-1, 1, 8));
            bn.MovingVariance!.Assign(torch.linspace(0.5, 2, 8));
        }
        Tensor[] statistics = [bn.MovingMean.Value.clone(), bn.MovingVariance.Value.clone()];

        // 1. Freeze the base and build the head on it.
        baseModel.Trainable = false;
        var inputs = new Input([4], "wf_in");
        var x = baseModel.Call(inputs, training: false);
        x = new Dropout(0.2, seed: 1, name: "wf_dropout").Call(x);
        var head = new Dense(1, name: "wf_head");
        var model = new Model(inputs, head.Call(x), "wf_model");

        ModelSummary s = model.GetSummary();
        Assert.Equal(BaseParams + HeadParams, s.TotalParams);
        Assert.Equal(HeadParams, s.TrainableParams);
        Assert.Equal(BaseParams, s.NonTrainableParams);
        Assert.Equal([null, false, null, true], s.Rows.Select(r => r.Trainable));
        string text = SummaryText(model);
        Assert.Matches(@"│ wf_base \(Sequential\) +│ \(None, 8\) +│ +72 │ +N +│", text);
        Assert.Contains(" Trainable params: 9 (36.00 B)", text);
        Assert.Contains(" Non-trainable params: 72 (288.00 B)", text);

        // 2. Train the head.
        Tensor data = torch.rand(32, 4), labels = data.sum(1, keepdim: true).gt(2).to_type(ScalarType.Float32);
        Tensor[] frozenBase = baseModel.GetWeights();
        Tensor headBefore = head.GetWeights()[0];
        model.Compile(new Adam(), new BinaryCrossentropy(fromLogits: true), [new BinaryAccuracy()]);
        model.Fit(data, labels, batchSize: 8, epochs: 2, verbose: 0);
        Tensor[] afterHeadFit = baseModel.GetWeights();
        for (int i = 0; i < frozenBase.Length; i++) TensorAssert.Equal(frozenBase[i], afterHeadFit[i]);
        Assert.False(TensorAssert.BitEqual(headBefore, head.GetWeights()[0]), "the head did not train");
        s = model.GetSummary();
        Assert.Equal(2 * HeadParams + 2, s.OptimizerParams);      // Adam's m and v for the head, its step count and learning rate (as Keras)
        Assert.Equal(BaseParams + HeadParams + 2 * HeadParams + 2, s.TotalParams);
        Assert.Contains(" Optimizer params: 20 (84.00 B)", SummaryText(model));

        // 3. Unfreeze the base and fine-tune at a low rate; its BatchNormalization stays in inference mode.
        baseModel.Trainable = true;
        model.Compile(new Adam(1e-5), new BinaryCrossentropy(fromLogits: true), [new BinaryAccuracy()]);
        s = model.GetSummary();
        Assert.Equal(BaseTrainable + HeadParams, s.TrainableParams);
        Assert.Equal(BaseMoving, s.NonTrainableParams);
        Assert.Null(s.OptimizerParams);                            // the new optimizer has no state yet
        Assert.Equal([null, true, null, true], s.Rows.Select(r => r.Trainable));
        Tensor baseKernel = baseDense.GetWeights()[0];
        model.Fit(data, labels, batchSize: 8, epochs: 1, verbose: 0);
        Assert.False(TensorAssert.BitEqual(baseKernel, baseDense.GetWeights()[0]), "the unfrozen base did not train");
        TensorAssert.Equal(statistics[0], bn.MovingMean.Value);
        TensorAssert.Equal(statistics[1], bn.MovingVariance.Value);
        s = model.GetSummary();
        Assert.Equal(2 * (BaseTrainable + HeadParams) + 2, s.OptimizerParams);
        Assert.Equal(BaseParams + HeadParams + 132, s.TotalParams);
        text = SummaryText(model);
        Assert.Matches(@"│ wf_base \(Sequential\) +│ \(None, 8\) +│ +72 │ +Y +│", text);
        Assert.Contains(" Trainable params: 65 (260.00 B)", text);
        Assert.Contains(" Non-trainable params: 16 (64.00 B)", text);
        Assert.Contains(" Optimizer params: 132 (532.00 B)", text);
    }

    private static string SummaryText(Model model)
    {
        var w = new StringWriter();
        model.Summary(showTrainable: true, output: w);
        return w.ToString();
    }
}
