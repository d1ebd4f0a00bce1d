using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Tanuki.DataBenchmarks;

/// <summary>
/// A ResNet-18 (torchvision's layout: 7×7 stem, max pool, 4 stages of 2 basic blocks, 64–512 channels, 11.2 M
/// parameters with a 10-class head) written with TorchSharp directly, and one SGD training step on it — the
/// consumption rate the data pipeline has to keep up with. It stands in for Tanuki's own ResNet18 until that lands.
/// </summary>
internal sealed class ResNet18Step
{
    private readonly Module<Tensor, Tensor> _model;
    private readonly optim.Optimizer _optimizer;

    public ResNet18Step(int classes)
    {
        var layers = new List<(string, Module<Tensor, Tensor>)>
        {
            ("conv1", Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false)), ("bn1", BatchNorm2d(64)), ("relu", ReLU()),
            ("pool", MaxPool2d(3, stride: 2, padding: 1)),
        };
        long channels = 64;
        foreach (var (width, stride, i) in new[] { (64L, 1L, 1), (128L, 2L, 2), (256L, 2L, 3), (512L, 2L, 4) })
        {
            layers.Add(($"layer{i}a", new Block(channels, width, stride)));
            layers.Add(($"layer{i}b", new Block(width, width, 1)));
            channels = width;
        }
        layers.Add(("avgpool", AdaptiveAvgPool2d(1)));
        layers.Add(("flatten", Flatten()));
        layers.Add(("fc", Linear(512, classes)));
        _model = Sequential(layers);
        _optimizer = optim.SGD(_model.parameters(), 0.01, momentum: 0.9);
        Parameters = _model.parameters().Sum(p => p.numel());
    }

    public long Parameters { get; }

    /// <summary>Forward, cross-entropy, backward, update; returns the loss.</summary>
    public float Step(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        _model.train();
        _optimizer.zero_grad();
        Tensor loss = functional.cross_entropy(_model.forward(x), y);
        loss.backward();
        _optimizer.step();
        return loss.item<float>();
    }

    private sealed class Block : Module<Tensor, Tensor>
    {
        private readonly Module<Tensor, Tensor> _conv1, _bn1, _conv2, _bn2;
        private readonly Module<Tensor, Tensor>? _down;

        public Block(long inC, long outC, long stride) : base("block")
        {
            _conv1 = Conv2d(inC, outC, 3, stride: stride, padding: 1, bias: false);
            _bn1 = BatchNorm2d(outC);
            _conv2 = Conv2d(outC, outC, 3, padding: 1, bias: false);
            _bn2 = BatchNorm2d(outC);
            if (stride != 1 || inC != outC) _down = Sequential(Conv2d(inC, outC, 1, stride: stride, bias: false), BatchNorm2d(outC));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            Tensor y = functional.relu(_bn1.forward(_conv1.forward(x)));
            y = _bn2.forward(_conv2.forward(y));
            return functional.relu(y + (_down?.forward(x) ?? x));
        }
    }
}
