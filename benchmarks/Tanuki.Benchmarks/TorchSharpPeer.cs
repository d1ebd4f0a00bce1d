using Tanuki.Benchmarks.Peers;
using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki.Benchmarks;

/// <summary>
/// Plain TorchSharp: the same tasks on <see cref="TorchSharpResNet18"/>, written as a TorchSharp user would,
/// step for step what the PyTorch script does. Tanuki is not initialised in this process (no memory tuning).
/// </summary>
internal static class TorchSharpPeer
{
    public static Measurement Measure(string task, int size, int batch, int warmup, int reps)
    {
        int threads = PeerProcess.Threads;
        torch.set_num_threads(threads);
        torch.manual_seed(0);
        Tensor x = torch.rand(batch, 3, size, size) * 255;
        Tensor y = torch.randint(0, 10, [batch], dtype: ScalarType.Int64);
        string info = $"TorchSharp {typeof(torch).Assembly.GetName().Version}, threads {torch.get_num_threads()}";

        Action step;
        switch (task)
        {
            case "inference":
            {
                var model = new TorchSharpResNet18(1000);
                model.eval();
                foreach (var p in model.parameters()) p.requires_grad = false;
                step = () =>
                {
                    using var scope = NewDisposeScope();
                    using var noGrad = torch.no_grad();
                    model.Features(x);
                };
                break;
            }
            case "predict":
            {
                // A classifier's prediction: the network with its head (pooling, 10 classes), as inference.
                var model = new TorchSharpResNet18(10);
                model.eval();
                foreach (var p in model.parameters()) p.requires_grad = false;
                step = () =>
                {
                    using var scope = NewDisposeScope();
                    using var noGrad = torch.no_grad();
                    model.call(x);
                };
                break;
            }
            case "train_full":
                step = WholeModelStep(x, y, bnEval: false);
                break;
            case "train_finetune":
                step = WholeModelStep(x, y, bnEval: true);
                break;
            case "train_frozen_base":
            {
                var model = new TorchSharpResNet18(10);
                model.eval();
                foreach (var p in model.parameters()) p.requires_grad = false;
                var head = model.HeadParameters().ToList();
                foreach (var p in head) p.requires_grad = true;
                var optimizer = torch.optim.Adam(head, lr: 1e-3);
                step = () =>
                {
                    using var scope = NewDisposeScope();
                    Tensor features;
                    using (torch.no_grad()) features = model.Features(x);
                    optimizer.zero_grad();
                    Tensor loss = nn.functional.cross_entropy(model.Head(features), y);
                    loss.backward();
                    optimizer.step();
                };
                break;
            }
            default:
                throw new ArgumentException($"unknown task '{task}'.");
        }
        return Measurement.Time("torchsharp", task, size, batch, step, warmup, reps, info);
    }

    /// <summary>
    /// An Adam step on every weight of a new 10-class ResNet-18: the full training step, or with
    /// <paramref name="bnEval"/> the fine-tuning step as PyTorch users write it for Keras's semantics: train() for the
    /// whole model, then every BatchNorm module in eval() (moving statistics, not updated); every parameter, gamma and
    /// beta included, trains.
    /// </summary>
    private static Action WholeModelStep(Tensor x, Tensor y, bool bnEval)
    {
        var model = new TorchSharpResNet18(10);
        model.train();
        if (bnEval)
        {
            foreach (var m in model.modules())
                if (m is TorchSharp.Modules.BatchNorm2d bn) bn.eval();
        }
        var optimizer = torch.optim.Adam(model.parameters(), lr: 1e-4);
        return () =>
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            Tensor loss = nn.functional.cross_entropy(model.call(x), y);
            loss.backward();
            optimizer.step();
        };
    }
}
