using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Tanuki.Benchmarks.Peers;

/// <summary>
/// The "plain TorchSharp" peer: ResNet-18 written directly against TorchSharp's modules, as a TorchSharp user
/// would, with no Tanuki in between. Same architecture as the ImageNet ONNX file Tanuki's ResNet-18 comes from
/// (CNTK's ResNet-18): torchvision's, except that the last stage has three basic blocks instead of two
/// (22 convolutions, 3.63 + 0.46 GFLOP per image at 224²).
/// </summary>
internal sealed class TorchSharpResNet18 : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> _stem;
    private readonly Module<Tensor, Tensor> _body;
    private readonly Module<Tensor, Tensor> _head;

    public TorchSharpResNet18(int classes) : base("resnet18")
    {
        _stem = Sequential(
            Conv2d(3, 64, 7, stride: 2, padding: 3, bias: false), BatchNorm2d(64), ReLU(inplace: true),
            MaxPool2d(3, stride: 2, padding: 1));
        var blocks = new List<Module<Tensor, Tensor>>();
        int inC = 64;
        foreach (var (outC, stride, count) in new[] { (64, 1, 2), (128, 2, 2), (256, 2, 2), (512, 2, 3) })
        {
            blocks.Add(new BasicBlock(inC, outC, stride));
            for (int i = 1; i < count; i++) blocks.Add(new BasicBlock(outC, outC, 1));
            inC = outC;
        }
        _body = Sequential(blocks);
        _head = Sequential(AdaptiveAvgPool2d(1), Flatten(), Linear(512, classes));
        RegisterComponents();
    }

    /// <summary>The convolutional base (stem and four stages), for the frozen-base task.</summary>
    public Tensor Features(Tensor x) => _body.call(_stem.call(x));

    /// <summary>Global average pooling, flatten, linear: the classifier on top of <see cref="Features"/>.</summary>
    public Tensor Head(Tensor features) => _head.call(features);

    /// <summary>The head's weights, the only ones trained in the frozen-base task.</summary>
    public IEnumerable<Parameter> HeadParameters() => _head.parameters();

    public override Tensor forward(Tensor x) => _head.call(Features(x));

    private sealed class BasicBlock : Module<Tensor, Tensor>
    {
        private readonly Module<Tensor, Tensor> _main;
        private readonly Module<Tensor, Tensor>? _shortcut;

        public BasicBlock(int inC, int outC, int stride) : base("block")
        {
            _main = Sequential(
                Conv2d(inC, outC, 3, stride: stride, padding: 1, bias: false), BatchNorm2d(outC), ReLU(inplace: true),
                Conv2d(outC, outC, 3, padding: 1, bias: false), BatchNorm2d(outC));
            if (stride != 1 || inC != outC)
                _shortcut = Sequential(Conv2d(inC, outC, 1, stride: stride, bias: false), BatchNorm2d(outC));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            Tensor identity = _shortcut is null ? x : _shortcut.call(x);
            return functional.relu(_main.call(x).add_(identity));
        }
    }
}
