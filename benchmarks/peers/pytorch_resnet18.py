#!/usr/bin/python3
"""PyTorch peer for benchmarks/run: ResNet-18 as in the ImageNet ONNX file Tanuki's ResNet-18 comes from (CNTK's:
torchvision's ResNet with basic blocks, but 2, 2, 2 and 3 blocks per stage instead of 2, 2, 2, 2) at batch 32:
inference (the convolutional base, as Tanuki's frozen base), prediction (the whole classifier, head included), full
training step, fine-tuning step (every weight trained, BatchNorm in eval mode), frozen-base + head training step,
at the sizes given.

Prints one JSON object per line: {"peer": "pytorch", "task": ..., "size": ..., "times": [...seconds per step...],
"other_cores": ..., "steal_cores": ...}; other_cores is the average number of cores other processes used during the
timed steps (from /proc/stat minus this process's CPU time).
Usage: /usr/bin/python3 benchmarks/peers/pytorch_resnet18.py --sizes 96 224 --batch 32 --reps 7 --warmup 2
Needs Debian's python3-torch and python3-torchvision (apt-get install python3-torch python3-torchvision).
"""
import argparse
import json
import os
import time

import torch
import torch.nn as nn
import torchvision
from torchvision.models.resnet import BasicBlock, ResNet


def cpu_snapshot():
    """(machine busy seconds, steal seconds, own CPU seconds, wall seconds); NaN where /proc/stat is missing."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        busy, steal = (v[0] + v[1] + v[2] + v[5] + v[6]) / 100.0, (v[7] if len(v) > 7 else 0) / 100.0
    except (OSError, ValueError, IndexError):
        busy = steal = float("nan")
    t = os.times()
    return busy, steal, t.user + t.system, time.perf_counter()


def resnet18(classes):
    """The ONNX file's ResNet-18: its last stage has three basic blocks (22 convolutions in all)."""
    return ResNet(BasicBlock, [2, 2, 2, 3], num_classes=classes)


def whole_model_step(x, y, bn_eval, bf16=False):
    """An Adam step on every weight of a new 10-class ResNet-18: the full training step, or with bn_eval the
    fine-tuning step in Keras's semantics (the base called with training=False): train() for the model, then every
    BatchNorm in eval() (moving statistics, not updated); every parameter, gamma and beta included, trains."""
    model = resnet18(10).train()
    if bn_eval:
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.eval()
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            out = model(x)
        loss = loss_fn(out.float(), y)
        loss.backward()
        opt.step()
    return step


def timed(step, warmup, reps):
    for _ in range(warmup):
        step()
    times = []
    s0 = cpu_snapshot()
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    s1 = cpu_snapshot()
    wall = s1[3] - s0[3]
    other = max(0.0, (s1[0] - s0[0] - (s1[2] - s0[2])) / wall)
    steal = (s1[1] - s0[1]) / wall
    if other != other:   # NaN is not JSON
        other = steal = 0.0
    return {"times": times, "other_cores": other, "steal_cores": steal}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", type=int, nargs="+", default=[96, 224])
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--autocast-bf16", action="store_true",
                   help="training steps under torch.autocast('cpu', dtype=torch.bfloat16), as the mixed-bf16 peer")
    p.add_argument("--tasks", nargs="+", default=["inference", "predict", "train_full", "train_finetune", "train_frozen_base"])
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    info = f"PyTorch {torch.__version__}, torchvision {torchvision.__version__}, threads {torch.get_num_threads()}" + \
        (", training steps under autocast to bfloat16" if a.autocast_bf16 else "")
    print(json.dumps({"peer": "pytorch", "info": info}), flush=True)

    def report(task, size, result):
        print(json.dumps({"peer": "pytorch", "task": task, "size": size, "batch": a.batch, "info": info, **result}), flush=True)

    for size in a.sizes:
        x = torch.rand(a.batch, 3, size, size) * 255
        y = torch.randint(0, 10, (a.batch,))
        if "inference" in a.tasks:
            full = resnet18(1000)
            base = nn.Sequential(*list(full.children())[:-2]).eval()
            for q in base.parameters():
                q.requires_grad_(False)

            def step():
                with torch.no_grad():
                    base(x)
            report("inference", size, timed(step, a.warmup, a.reps))
        if "predict" in a.tasks:
            classifier = resnet18(10).eval()
            for q in classifier.parameters():
                q.requires_grad_(False)

            def step():
                with torch.no_grad():
                    classifier(x)
            report("predict", size, timed(step, a.warmup, a.reps))
        for task, bn_eval in (("train_full", False), ("train_finetune", True)):
            if task in a.tasks:
                report(task, size, timed(whole_model_step(x, y, bn_eval, a.autocast_bf16), a.warmup, a.reps))
        if "train_frozen_base" in a.tasks:
            full = resnet18(1000)
            base = nn.Sequential(*list(full.children())[:-2]).eval()
            for q in base.parameters():
                q.requires_grad_(False)
            head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10))
            opt = torch.optim.Adam(head.parameters(), lr=1e-3)
            loss_fn = nn.CrossEntropyLoss()

            def step():
                with torch.no_grad():
                    f = base(x)
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(head(f), y)
                loss.backward()
                opt.step()
            report("train_frozen_base", size, timed(step, a.warmup, a.reps))


if __name__ == "__main__":
    main()
