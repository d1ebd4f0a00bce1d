#!/usr/bin/python3
"""PyTorch side of benchmarks/frozen_stage: the frozen stage of transfer learning (head epochs on a frozen
pretrained ResNet-18 base), written the two ways a PyTorch user would:

  naive   every epoch runs every batch through the frozen base (under no_grad), then trains the head on it;
  cached  one pass of the base over the data first (a hand-written feature cache), then the head epochs on the
          stored features.

Same network and weights as Tanuki's ResNet-18: the base is read from the same ONNX file (ResNet18.onnx, CNTK's
export, whose stride-2 layers pad asymmetrically) and run with torch.nn.functional, preceded by the same
preprocessing (RGB -> BGR, minus the channel means). The head (global average pooling, Linear 512 -> 10) starts
from the weights Tanuki's head started from (head_init.f32: its Keras-layout kernel 512x10, then the bias),
sees the same data in the same order (x.f32, y.i64, written by the benchmark, already shuffled), and is trained
on cross-entropy with Adam in Keras's form (as Tanuki's; --adam torch for torch.optim.Adam, which adds eps after
the bias correction, so its heads drift from Tanuki's where gradients are tiny; its speed is the same). Writes the trained heads as head_naive.f32 and head_cached.f32 (Keras layout) for comparison.

Prints JSON lines: {"info": ...}, then per mode {"mode", "seconds", "feature_seconds", "epoch_seconds",
"other_cores"}. Usage (the benchmark passes all of these):
  /usr/bin/python3 pytorch_frozen_stage.py --data DIR --onnx ResNet18.onnx --size 96 --epochs 10 --batch 32 \
      --lr 0.001 --eps 1e-7 --means 103.06,115.90,123.15 --threads 2 [--modes naive cached]
"""
import argparse
import json
import math
import os
import time

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F


def cpu_snapshot():
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        busy = (v[0] + v[1] + v[2] + v[5] + v[6]) / 100.0
    except (OSError, ValueError, IndexError):
        busy = float("nan")
    t = os.times()
    return busy, t.user + t.system, time.perf_counter()


def other_cores(s0, s1):
    v = max(0.0, (s1[0] - s0[0] - (s1[1] - s0[1])) / (s1[2] - s0[2]))
    return 0.0 if v != v else v


class OnnxBase:
    """The ONNX graph up to its last feature map (before the final AveragePool), run op by op with torch."""

    def __init__(self, path, means):
        g = onnx.load(path).graph
        self.w = {t.name: torch.from_numpy(onnx.numpy_helper.to_array(t).copy()) for t in g.initializer}
        pool = [n for n in g.node if n.op_type == "AveragePool"][-1]
        self.nodes = list(g.node)[:list(g.node).index(pool)]
        self.features = pool.input[0]
        self.input = g.input[0].name
        self.means = torch.tensor(means, dtype=torch.float32).view(1, 3, 1, 1)

    @staticmethod
    def attrs(node):
        return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}

    @staticmethod
    def pad(x, pads, value=0.0):
        top, left, bottom, right = pads
        if top == bottom and left == right:
            return x, (top, left)
        return F.pad(x, (left, right, top, bottom), value=value), (0, 0)

    def __call__(self, images):
        v = {self.input: images.flip(1) - self.means}
        for n in self.nodes:
            a = self.attrs(n)
            x = v[n.input[0]]
            if n.op_type == "Conv":
                x, p = self.pad(x, a.get("pads", [0, 0, 0, 0]))
                b = self.w[n.input[2]] if len(n.input) > 2 else None
                y = F.conv2d(x, self.w[n.input[1]], b, stride=tuple(a["strides"]), padding=p, groups=a.get("group", 1))
            elif n.op_type == "BatchNormalization":
                s, b, m, var = (self.w[i] for i in n.input[1:5])
                y = F.batch_norm(x, m, var, s, b, training=False, eps=a.get("epsilon", 1e-5))
            elif n.op_type == "Relu":
                y = F.relu(x)
            elif n.op_type == "Add":
                y = x + v[n.input[1]]
            elif n.op_type == "MaxPool":
                x, p = self.pad(x, a.get("pads", [0, 0, 0, 0]), value=float("-inf"))
                y = F.max_pool2d(x, tuple(a["kernel_shape"]), stride=tuple(a["strides"]), padding=p)
            else:
                raise ValueError(f"unexpected ONNX operator {n.op_type}")
            v[n.output[0]] = y
        return v[self.features]


class KerasAdam:
    """Adam in the form Keras (and Tanuki) write it: alpha = lr * sqrt(1 - b2^t) / (1 - b1^t),
    p -= alpha * m / (sqrt(v) + eps). torch.optim.Adam adds eps to sqrt(v / (1 - b2^t)) instead, which moves
    weights whose gradients are tiny differently; with this form the trained heads can be compared with Tanuki's."""

    def __init__(self, params, lr, eps, beta1=0.9, beta2=0.999):
        self.params = list(params)
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.lr, self.eps, self.beta1, self.beta2, self.t = lr, eps, beta1, beta2, 0

    def zero_grad(self, set_to_none=True):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        self.t += 1
        alpha = self.lr * math.sqrt(1 - self.beta2 ** self.t) / (1 - self.beta1 ** self.t)
        for p, m, v in zip(self.params, self.m, self.v):
            m.lerp_(p.grad, 1 - self.beta1)
            v.mul_(self.beta2).addcmul_(p.grad, p.grad, value=1 - self.beta2)
            p.addcdiv_(m, v.sqrt().add_(self.eps), value=-alpha)


def make_head(init):
    head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10))
    kernel = torch.from_numpy(init[:5120].reshape(512, 10).copy())
    with torch.no_grad():
        head[2].weight.copy_(kernel.t())
        head[2].bias.copy_(torch.from_numpy(init[5120:].copy()))
    return head


def save_head(head, path):
    kernel = head[2].weight.detach().t().contiguous().numpy().ravel()
    np.concatenate([kernel, head[2].bias.detach().numpy()]).astype(np.float32).tofile(path)


def train(mode, base, x, y, init, a):
    torch.manual_seed(0)
    head = make_head(init)
    opt = (KerasAdam(head.parameters(), lr=a.lr, eps=a.eps) if a.adam == "keras"
           else torch.optim.Adam(head.parameters(), lr=a.lr, eps=a.eps))
    loss_fn = nn.CrossEntropyLoss()
    n = x.shape[0]
    batches = [(i, min(n, i + a.batch)) for i in range(0, n, a.batch)]
    s0 = cpu_snapshot()
    start = time.perf_counter()
    feature_seconds = 0.0
    if mode == "cached":
        with torch.no_grad():
            cache = torch.cat([base(x[i:j]) for i, j in batches])
        feature_seconds = time.perf_counter() - start
    epoch_seconds = []
    for _ in range(a.epochs):
        t0 = time.perf_counter()
        for i, j in batches:
            if mode == "cached":
                f = cache[i:j]
            else:
                with torch.no_grad():
                    f = base(x[i:j])
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(head(f), y[i:j])
            loss.backward()
            opt.step()
        epoch_seconds.append(time.perf_counter() - t0)
    seconds = time.perf_counter() - start
    save_head(head, os.path.join(a.data, f"head_{mode}.f32"))
    print(json.dumps({"mode": mode, "seconds": seconds, "feature_seconds": feature_seconds, "epoch_seconds": epoch_seconds,
                      "other_cores": other_cores(s0, cpu_snapshot())}), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--onnx", required=True)
    p.add_argument("--size", type=int, default=96)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--eps", type=float, default=1e-7)
    p.add_argument("--means", required=True, help="B,G,R channel means")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--modes", nargs="+", default=["naive", "cached"])
    p.add_argument("--adam", choices=["keras", "torch"], default="keras",
                   help="keras: Adam in Keras's (and Tanuki's) form, so the heads compare; torch: torch.optim.Adam")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    print(json.dumps({"info": f"PyTorch {torch.__version__}, threads {torch.get_num_threads()}"}), flush=True)
    x = torch.from_numpy(np.fromfile(os.path.join(a.data, "x.f32"), dtype=np.float32)).view(-1, 3, a.size, a.size)
    y = torch.from_numpy(np.fromfile(os.path.join(a.data, "y.i64"), dtype=np.int64))
    init = np.fromfile(os.path.join(a.data, "head_init.f32"), dtype=np.float32)
    base = OnnxBase(a.onnx, [float(m) for m in a.means.split(",")])
    for mode in a.modes:
        train(mode, base, x, y, init, a)


if __name__ == "__main__":
    main()
