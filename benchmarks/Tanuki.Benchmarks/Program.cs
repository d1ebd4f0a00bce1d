using Tanuki.Benchmarks;

// One program, four commands (benchmarks/run and benchmarks/frozen_stage call the first two; README.md explains):
//   run            ResNet-18 at batch 32: inference, full training step, frozen-base + head step; Tanuki against plain
//                  TorchSharp, PyTorch and ONNX Runtime (and opt-in rows: mixed bf16, PyTorch under autocast), each measurement in a fresh child process; prints the table.
//   frozen-stage   10 head epochs over 1,000 Fashion-MNIST images at 96²: Tanuki Fit (feature cache) against PyTorch.
//   peak           this machine's peak fp32 FLOP/s (an FMA loop and a libtorch sgemm).
//   ablation       one inference optimisation on and off in alternating steps of one process (A/B on a noisy machine).
//   phases         where a training step's time goes: forward, loss, backward, Adam, the finiteness check.
//   memory         RSS and live tensors over many one-step fine-tuning Fit calls of the ResNet-18 graph (issue 16).
//   export         ResNet-18 classifier → ONNX → ONNX Runtime session: export + session creation time (goal < 2 s).
//   engine         Predict on libtorch vs ONNX Runtime for graphs from tiny to ResNet-18, and session build times: the
//                  measurements behind InferenceEngine.Auto's rule.
//   imported       torchvision bases exported to ONNX (benchmarks/peers/export_bases.py) and imported: Tanuki's Predict (default engine, and libtorch) against ONNX
//                  Runtime on the original file, alternating steps.
//   peer           one measurement of one peer (run starts these; not meant to be typed).
try
{
    return args.FirstOrDefault() switch
    {
        "run" => Runner.Run(new Args(args[1..])),
        "frozen-stage" => FrozenStage.Run(new Args(args[1..])),
        "peak" => PeakFlops.RunCommand(new Args(args[1..])),
        "peer" => PeerProcess.Run(new Args(args[1..])),
        "ablation" => Ablation.Run(new Args(args[1..])),
        "phases" => Phases.Run(new Args(args[1..])),
        "memory" => FineTuningMemory.Run(new Args(args[1..])),
        "export" => ExportBenchmark.Run(new Args(args[1..])),
        "engine" => EngineBenchmark.Run(new Args(args[1..])),
        "imported" => ImportedBenchmark.Run(new Args(args[1..])),
        _ => Usage(),
    };
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

static int Usage()
{
    Console.Error.WriteLine("""
        usage: Tanuki.Benchmarks run [--quick] [--sizes 96,224] [--tasks inference,predict,train_full,train_finetune,train_frozen_base]
                                     [--peers tanuki,tanuki-libtorch,torchsharp,pytorch,ort,tanuki-nofusion,tanuki-bf16,pytorch-bf16]
                                     [--reps 10] [--warmup 2] [--batch 32]
               Tanuki.Benchmarks frozen-stage [--epochs 10] [--per-class 100] [--size 96] [--tanuki-naive] [--no-tanuki-libtorch]
                                              [--ort-spinning off|on] [--no-python]
               Tanuki.Benchmarks peak [--quick]
               Tanuki.Benchmarks ablation [--switch add-relu|fusion|channels-last|finetune-fold|mixed-bf16|...] [--size 224] [--reps 20]
                                          [--task inference|train_finetune|...] [--precision fp32|bf16]
               Tanuki.Benchmarks phases [--size 96] [--batch 32] [--reps 6] [--task finetune|full] [--precision fp32|bf16]
               Tanuki.Benchmarks memory [--steps 1000] [--size 32] [--bn inference|train] [--base imagenet|scratch] [--gc]
               Tanuki.Benchmarks export [--size 224] [--reps 5] [--warmup 1]
               Tanuki.Benchmarks engine [--cases mlp-tiny,mlp,cnn-small,cnn,resnet18-32,...] [--batch 32] [--reps 9]
               Tanuki.Benchmarks imported [--cases efficientnet_b0,mobilenet_v2,...] [--size 224] [--batch 8] [--reps 7] [--folder DIR]
        See benchmarks/README.md.
        """);
    return 2;
}
