#!/usr/bin/python3
"""PyTorch peer for benchmarks/run: ResNet-18 (torchvision's architecture, the same as the ImageNet ONNX file's)
at batch 32: inference, full training step, frozen-base + head training step, at the sizes given.

Prints one JSON object per line: {"peer": "pytorch", "task": ..., "size": ..., "times": [...seconds per step...]}.
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


def timed(step, warmup, reps):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return times


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", type=int, nargs="+", default=[96, 224])
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--tasks", nargs="+", default=["inference", "train_full", "train_frozen_base"])
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    info = {"peer": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads()}
    print(json.dumps(info), flush=True)

    for size in a.sizes:
        x = torch.rand(a.batch, 3, size, size) * 255
        y = torch.randint(0, 10, (a.batch,))
        if "inference" in a.tasks:
            model = torchvision.models.resnet18(num_classes=1000).eval()
            with torch.no_grad():
                def step():
                    model(x)
                print(json.dumps({"peer": "pytorch", "task": "inference", "size": size, "batch": a.batch,
                                  "times": timed(step, a.warmup, a.reps)}), flush=True)
        if "train_full" in a.tasks:
            model = torchvision.models.resnet18(num_classes=10).train()
            opt = torch.optim.Adam(model.parameters(), lr=1e-4)
            loss_fn = nn.CrossEntropyLoss()

            def step():
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model(x), y)
                loss.backward()
                opt.step()
            print(json.dumps({"peer": "pytorch", "task": "train_full", "size": size, "batch": a.batch,
                              "times": timed(step, a.warmup, a.reps)}), flush=True)
        if "train_frozen_base" in a.tasks:
            full = torchvision.models.resnet18(num_classes=1000)
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
            print(json.dumps({"peer": "pytorch", "task": "train_frozen_base", "size": size, "batch": a.batch,
                              "times": timed(step, a.warmup, a.reps)}), flush=True)


if __name__ == "__main__":
    main()
