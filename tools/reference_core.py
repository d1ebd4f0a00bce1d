#!/usr/bin/python3
"""Reference values for the core layers, losses and optimizers, from PyTorch (Debian's python3-torch)
and from Keras's published update rules in float64 NumPy where PyTorch's differ.

Run: /usr/bin/python3 tools/reference_core.py  (writes tests/Tanuki.Tests/Reference/core.json)
Never edit the output by hand: change this script and run it again.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(0)
rng = np.random.default_rng(0)
out = {}


def put(name, array):
    a = np.asarray(array, dtype=np.float64)
    out[name] = {"shape": list(a.shape), "data": [float(v) for v in a.reshape(-1)]}


def t(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64)


# ---- Dense: y = relu(x @ kernel + bias), kernel laid out (in, out) as Keras ----
x = rng.normal(size=(4, 5))
kernel = rng.normal(size=(5, 3))
bias = rng.normal(size=(3,))
put("dense.x", x); put("dense.kernel", kernel); put("dense.bias", bias)
put("dense.y_relu", F.relu(F.linear(t(x), t(kernel).T, t(bias))).numpy())

# ---- BatchNormalization on N x C x H x W, channel axis 1, Keras momentum convention ----
x = rng.normal(loc=2.0, scale=3.0, size=(6, 3, 4, 4))
gamma = rng.uniform(0.5, 1.5, size=3); beta = rng.normal(size=3)
mm = rng.normal(size=3); mv = rng.uniform(0.5, 2.0, size=3)
momentum, eps = 0.9, 1e-3
put("bn.x", x); put("bn.gamma", gamma); put("bn.beta", beta); put("bn.moving_mean", mm); put("bn.moving_variance", mv)
put("bn.inference", F.batch_norm(t(x), t(mm), t(mv), t(gamma), t(beta), training=False, eps=eps).numpy())
bm = x.mean(axis=(0, 2, 3)); bv = x.var(axis=(0, 2, 3))  # biased, as Keras
put("bn.training", ((x - bm[None, :, None, None]) / np.sqrt(bv[None, :, None, None] + eps)) * gamma[None, :, None, None] + beta[None, :, None, None])
put("bn.moving_mean_after", mm * momentum + bm * (1 - momentum))
put("bn.moving_variance_after", mv * momentum + bv * (1 - momentum))
# N x F input
x2 = rng.normal(loc=-1.0, scale=2.0, size=(8, 3))
put("bn2d.x", x2)
bm2 = x2.mean(axis=0); bv2 = x2.var(axis=0)
put("bn2d.training", (x2 - bm2) / np.sqrt(bv2 + eps) * gamma + beta)

# ---- Losses (mean over the batch) ----
logits = rng.normal(size=(5, 4))
labels = np.array([0, 3, 1, 2, 3])
onehot = np.eye(4)[labels]
probs = torch.softmax(t(logits), -1).numpy()
put("loss.logits", logits); put("loss.labels", labels); put("loss.onehot", onehot); put("loss.probs", probs)
put("loss.scce_logits", F.cross_entropy(t(logits), torch.tensor(labels)).item())
put("loss.scce_probs", F.nll_loss(torch.log(t(probs)), torch.tensor(labels)).item())
put("loss.cce_logits", F.cross_entropy(t(logits), t(onehot)).item())
put("loss.cce_probs", F.nll_loss(torch.log(t(probs)), torch.tensor(labels)).item())
put("loss.cce_logits_smooth01", F.cross_entropy(t(logits), torch.tensor(labels), label_smoothing=0.1).item())
bin_logits = rng.normal(size=(6, 1)); bin_targets = rng.integers(0, 2, size=(6, 1)).astype(np.float64)
bin_probs = torch.sigmoid(t(bin_logits)).numpy()
put("loss.bin_logits", bin_logits); put("loss.bin_targets", bin_targets); put("loss.bin_probs", bin_probs)
put("loss.bce_logits", F.binary_cross_entropy_with_logits(t(bin_logits), t(bin_targets)).item())
put("loss.bce_probs", F.binary_cross_entropy(t(bin_probs), t(bin_targets)).item())
reg_pred = rng.normal(size=(4, 3)); reg_true = rng.normal(size=(4, 3))
put("loss.reg_pred", reg_pred); put("loss.reg_true", reg_true)
put("loss.mse", F.mse_loss(t(reg_pred), t(reg_true)).item())

# ---- Optimizers: three updates of one variable with fixed gradients ----
w0 = rng.normal(size=(3, 2))
grads = [rng.normal(size=(3, 2)) for _ in range(3)]
put("opt.w0", w0)
for i, g in enumerate(grads):
    put(f"opt.g{i}", g)


def torch_steps(make):
    p = torch.nn.Parameter(t(w0).clone())
    opt = make([p])
    steps = []
    for g in grads:
        opt.zero_grad(); p.grad = t(g).clone(); opt.step(); steps.append(p.detach().numpy().copy())
    return steps


for name, steps in {
    "sgd": torch_steps(lambda ps: torch.optim.SGD(ps, lr=0.01)),
    "sgd_momentum": torch_steps(lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9)),
    "sgd_nesterov": torch_steps(lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True)),
}.items():
    for i, s in enumerate(steps):
        put(f"opt.{name}.step{i + 1}", s)


def keras_adam(lr=1e-3, b1=0.9, b2=0.999, eps=1e-7, wd=0.0):
    w = w0.copy(); m = np.zeros_like(w); v = np.zeros_like(w); steps = []
    for k, g in enumerate(grads, start=1):
        if wd:
            w = w - w * wd * lr
        alpha = lr * np.sqrt(1 - b2 ** k) / (1 - b1 ** k)
        m = m + (g - m) * (1 - b1); v = v + (g * g - v) * (1 - b2)
        w = w - alpha * m / (np.sqrt(v) + eps); steps.append(w.copy())
    return steps


def keras_rmsprop(lr=1e-3, rho=0.9, eps=1e-7, momentum=0.0, centered=False):
    w = w0.copy(); vel = np.zeros_like(w); mom = np.zeros_like(w); avg = np.zeros_like(w); steps = []
    for g in grads:
        vel = rho * vel + (1 - rho) * g * g
        if centered:
            avg = rho * avg + (1 - rho) * g
            denom = vel - avg * avg + eps
        else:
            denom = vel + eps
        inc = lr * g / np.sqrt(denom)
        if momentum > 0:
            mom = momentum * mom + inc; w = w - mom
        else:
            w = w - inc
        steps.append(w.copy())
    return steps


for name, steps in {
    "adam": keras_adam(),
    "adam_lr01": keras_adam(lr=0.1),
    "adamw": keras_adam(wd=0.004),
    "adamw_lr01_wd01": keras_adam(lr=0.1, wd=0.1),
    "rmsprop": keras_rmsprop(),
    "rmsprop_centered_momentum": keras_rmsprop(lr=0.01, momentum=0.5, centered=True),
}.items():
    for i, s in enumerate(steps):
        put(f"opt.{name}.step{i + 1}", s)

# Cross-check the NumPy Adam against PyTorch's where the two coincide (epsilon 0).
torch_adam = torch_steps(lambda ps: torch.optim.Adam(ps, lr=1e-3, eps=0.0))
assert np.allclose(torch_adam[-1], keras_adam(eps=0.0)[-1], atol=1e-12)

path = os.path.join(os.path.dirname(__file__), "..", "tests", "Tanuki.Tests", "Reference", "core.json")
with open(path, "w") as f:
    json.dump({"generator": "tools/reference_core.py", "torch": torch.__version__, "values": out}, f, indent=0)
print("wrote", os.path.normpath(path), len(out), "arrays")
