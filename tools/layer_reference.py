#!/usr/bin/python3
"""Reference outputs for Tanuki's layer tests (tests/Tanuki.Tests/Layers/).

Run with Debian's Python, which has PyTorch 1.13 and NumPy:

    /usr/bin/python3 tools/layer_reference.py

It writes tests/Tanuki.Tests/Layers/Reference/layers.json: for each case (named as the C# test uses it) the
inputs ("x", or "x0", "x1", ...), the layer's weights by name ("kernel", "bias", ...) and the expected output
("y"), each as {"shape": [...], "data": base64 of little-endian float32}. Never edit that file by hand.

Every reference is computed here independently of Tanuki, in float64:
- TensorFlow's "same" pads are computed by hand (tf_same_pads); convolutions pad explicitly, then convolve
  without padding. Depthwise convolutions run channel by channel (checking the output channel order).
- Pooling is a plain loop over windows (pool_loop) following the definitions (TensorFlow's "same", PyTorch's
  ceil mode and count_include_pad); where PyTorch can do the same pooling itself, the script asserts both agree.
- Merges, padding, reshape, normalization, activations are NumPy expressions.
"""
import base64
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "Tanuki.Tests", "Layers", "Reference", "layers.json")

gen = torch.Generator().manual_seed(20240611)
cases = {}


def randn(*shape, scale=1.0):
    return (torch.randn(*shape, generator=gen, dtype=torch.float32) * scale).numpy()


def enc(a):
    a = np.array(a, dtype="<f4", order="C")   # (ascontiguousarray would make a scalar 1-d)
    return {"shape": list(a.shape), "data": base64.b64encode(a.tobytes()).decode("ascii")}


def add(name, **arrays):
    assert name not in cases, name
    for k, v in arrays.items():
        assert np.all(np.isfinite(np.asarray(v))), (name, k)
    cases[name] = {k: enc(v) for k, v in arrays.items()}


def f32(a):
    """What the C# side sees: the float32 value of an input."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


# ---------------------------------------------------------------------------------------------- geometry

def tf_same_pads(n, k, s, d=1):
    """TensorFlow's SAME: output ceil(n / s); the odd pixel of padding goes after."""
    out = -(-n // s)
    ek = (k - 1) * d + 1
    total = max((out - 1) * s + ek - n, 0)
    return total // 2, total - total // 2


def pool_len(n, k, s, before, after, ceil):
    """PyTorch's pooling_output_shape (aten/src/ATen/native/Pool.h)."""
    span = n + before + after - k
    out = (-(-span // s) if ceil else span // s) + 1
    if ceil and (out - 1) * s >= n + before:
        out -= 1
    return out


# ---------------------------------------------------------------------------------------------- convolution

def conv(x, w, b, stride=(1, 1), dilation=(1, 1), groups=1, pads=(0, 0, 0, 0)):
    t, bo, l, r = pads
    xt = F.pad(torch.from_numpy(f32(x)), (l, r, t, bo))
    y = F.conv2d(xt, torch.from_numpy(f32(w)), None if b is None else torch.from_numpy(f32(b)),
                 stride=stride, dilation=dilation, groups=groups)
    return y.numpy()


def same_pads(x, k, s, d=(1, 1)):
    t, b = tf_same_pads(x.shape[2], k[0], s[0], d[0])
    l, r = tf_same_pads(x.shape[3], k[1], s[1], d[1])
    return (t, b, l, r)


def conv_case(name, x, filters, k, s=(1, 1), d=(1, 1), groups=1, padding="valid", pads=None, bias=True, act=None):
    c = x.shape[1]
    w = randn(filters, c // groups, k[0], k[1], scale=0.5)
    b = randn(filters) if bias else None
    if pads is None:
        pads = same_pads(x, k, s, d) if padding == "same" else (0, 0, 0, 0)
    y = conv(x, w, b, s, d, groups, pads)
    if act == "relu":
        y = np.maximum(y, 0)
    arrays = {"x": x, "kernel": w, "y": y}
    if bias:
        arrays["bias"] = b
    add(name, **arrays)


def depthwise_case(name, x, k, s=(1, 1), d=(1, 1), mult=1, padding="valid", pads=None, bias=True):
    c = x.shape[1]
    w = randn(c * mult, 1, k[0], k[1], scale=0.5)
    b = randn(c * mult) if bias else None
    if pads is None:
        pads = same_pads(x, k, s, d) if padding == "same" else (0, 0, 0, 0)
    # Channel by channel: output channel ci * mult + m is input channel ci convolved with kernel row ci * mult + m.
    outs = []
    for ci in range(c):
        for m in range(mult):
            j = ci * mult + m
            outs.append(conv(x[:, ci:ci + 1], w[j:j + 1], None if b is None else b[j:j + 1], s, d, 1, pads))
    y = np.concatenate(outs, axis=1)
    grouped = conv(x, w, b, s, d, c, pads)
    assert np.allclose(y, grouped, atol=1e-9)
    arrays = {"x": x, "kernel": w, "y": y}
    if bias:
        arrays["bias"] = b
    add(name, **arrays)


# ---------------------------------------------------------------------------------------------- pooling

def pool_loop(x, k, s, pads, ceil=False, mode="max", count_include_pad=False, same=False):
    """Pooling by definition. pads = (top, bottom, left, right). With same=True the output is ceil(n / s)."""
    x = f32(x)
    n, c, h, w = x.shape
    t, b, l, r = pads
    oh = -(-h // s[0]) if same else pool_len(h, k[0], s[0], t, b, ceil)
    ow = -(-w // s[1]) if same else pool_len(w, k[1], s[1], l, r, ceil)
    y = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            h0, w0 = i * s[0] - t, j * s[1] - l           # window start in input coordinates
            h1, w1 = h0 + k[0], w0 + k[1]
            ih0, ih1, iw0, iw1 = max(h0, 0), min(h1, h), max(w0, 0), min(w1, w)
            win = x[:, :, ih0:ih1, iw0:iw1]
            if mode == "max":
                y[:, :, i, j] = win.max(axis=(2, 3))
            else:
                if count_include_pad:   # positions inside the padded input, never beyond it
                    count = (min(h1, h + b) - max(h0, -t)) * (min(w1, w + r) - max(w0, -l))
                else:
                    count = (ih1 - ih0) * (iw1 - iw0)
                y[:, :, i, j] = win.sum(axis=(2, 3)) / count
    return y


def check_torch_pool(y, x, k, s, pads, ceil, mode, cip=True):
    """Where PyTorch can pool the same way (symmetric pads, at most half the window), it must agree."""
    t, b, l, r = pads
    if t != b or l != r or t > k[0] // 2 or l > k[1] // 2:
        return
    xt = torch.from_numpy(f32(x))
    if mode == "max":
        z = F.max_pool2d(xt, k, s, (t, l), ceil_mode=ceil)
    else:
        z = F.avg_pool2d(xt, k, s, (t, l), ceil_mode=ceil, count_include_pad=cip)
    assert z.shape == y.shape and np.allclose(z.numpy(), y, atol=1e-9), "pool_loop disagrees with PyTorch"


def pool_case(name, x, k, s, padding="valid", pads=None, ceil=False, mode="max", cip=False):
    same = padding == "same" and pads is None
    if pads is None:
        pads = same_pads(x, k, s) if same else (0, 0, 0, 0)
    y = pool_loop(x, k, s, pads, ceil, mode, cip, same)
    check_torch_pool(y, x, k, s, pads, ceil, mode, cip)
    add(name, x=x, y=y)


# ---------------------------------------------------------------------------------------------- cases

def conv_cases():
    x = randn(2, 3, 7, 8)
    conv_case("conv2d_valid", x, 4, (3, 3))
    conv_case("conv2d_same", x, 4, (3, 3), padding="same")
    conv_case("conv2d_same_stride2", x, 4, (3, 3), s=(2, 2), padding="same")           # W pads (0, 1)
    conv_case("conv2d_same_k43_s23", x, 4, (4, 3), s=(2, 3), padding="same")           # pads (1, 2, 0, 1)
    conv_case("conv2d_same_dilation2", x, 4, (3, 3), d=(2, 2), padding="same")
    conv_case("conv2d_same_dilation2_stride2", x, 4, (3, 3), s=(2, 2), d=(2, 2), padding="same")
    conv_case("conv2d_valid_dilation23", x, 4, (3, 2), d=(2, 3))
    conv_case("conv2d_explicit", x, 4, (3, 3), s=(2, 2), pads=(1, 2, 0, 3))
    conv_case("conv2d_nobias_relu", x, 4, (2, 3), s=(1, 2), bias=False, act="relu")
    conv_case("conv2d_groups", randn(2, 4, 7, 8), 6, (3, 3), groups=2, padding="same")
    depthwise_case("depthwise_same", x, (3, 3), padding="same")
    depthwise_case("depthwise_mult2_stride2", x, (3, 3), s=(2, 2), mult=2, padding="same")
    depthwise_case("depthwise_explicit_dilation", x, (3, 3), d=(2, 2), mult=2, pads=(2, 1, 1, 2), bias=False)


def pool_cases():
    x = randn(2, 3, 7, 8)
    pool_case("maxpool_valid", x, (2, 2), (2, 2))
    pool_case("maxpool_same_k3_s2", x, (3, 3), (2, 2), padding="same")
    pool_case("maxpool_same_k2", x, (2, 2), (2, 2), padding="same")
    pool_case("maxpool_ceil", x, (3, 3), (2, 2), ceil=True)
    pool_case("maxpool_explicit_asym_ceil", x, (3, 3), (2, 2), pads=(0, 1, 1, 0), ceil=True)
    pool_case("maxpool_explicit_sym_ceil", x, (3, 3), (2, 2), pads=(1, 1, 1, 1), ceil=True)
    pool_case("maxpool_rect_stride", x, (2, 3), (1, 2))
    pool_case("avgpool_valid", x, (2, 2), (2, 2), mode="avg")
    pool_case("avgpool_same_k3_s2", x, (3, 3), (2, 2), padding="same", mode="avg")
    pool_case("avgpool_same_k3_s2_cip", x, (3, 3), (2, 2), padding="same", mode="avg", cip=True)
    pool_case("avgpool_ceil", x, (3, 3), (2, 2), ceil=True, mode="avg")
    pool_case("avgpool_explicit_sym_ceil_cip", x, (3, 3), (2, 2), pads=(1, 1, 1, 1), ceil=True, mode="avg", cip=True)
    pool_case("avgpool_explicit_sym_ceil_nocip", x, (3, 3), (2, 2), pads=(1, 1, 1, 1), ceil=True, mode="avg", cip=False)
    pool_case("avgpool_explicit_asym_ceil_cip", x, (3, 3), (2, 2), pads=(0, 2, 1, 0), ceil=True, mode="avg", cip=True)
    pool_case("avgpool_explicit_asym_nocip", x, (3, 3), (2, 2), pads=(0, 2, 1, 0), mode="avg", cip=False)
    # Pads whose last ceil-mode window runs past the padding on both axes (the overhang is never counted).
    pool_case("avgpool_explicit_overhang_cip", x, (3, 3), (2, 2), pads=(0, 1, 1, 1), ceil=True, mode="avg", cip=True)
    pool_case("avgpool_explicit_overhang_nocip", x, (3, 3), (2, 2), pads=(0, 1, 1, 1), ceil=True, mode="avg", cip=False)
    pool_case("maxpool_explicit_overhang", x, (3, 3), (2, 2), pads=(0, 1, 1, 1), ceil=True)
    xg = f32(x)
    add("global_avg", x=x, y=xg.mean(axis=(2, 3)))
    add("global_avg_keepdims", x=x, y=xg.mean(axis=(2, 3), keepdims=True))
    add("global_max", x=x, y=xg.max(axis=(2, 3)))
    add("global_max_keepdims", x=x, y=xg.max(axis=(2, 3), keepdims=True))


def reshaping_cases():
    x = randn(2, 3, 4, 6)
    add("zeropad_int", x=x, y=np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))))
    add("zeropad_symmetric", x=x, y=np.pad(x, ((0, 0), (0, 0), (1, 1), (2, 2))))
    add("zeropad_asymmetric", x=x, y=np.pad(x, ((0, 0), (0, 0), (0, 1), (2, 3))))
    add("reshape_infer", x=x, y=x.reshape(2, 6, 12))
    add("reshape_flat", x=x, y=x.reshape(2, 72))
    add("flatten", x=x, y=x.reshape(2, -1))


def keras_align(*xs):
    """Keras's merge rule: lower-rank inputs get size-1 axes right after the batch axis."""
    rank = max(a.ndim for a in xs)
    out = []
    for a in xs:
        a = f32(a)
        while a.ndim < rank:
            a = np.expand_dims(a, 1)
        out.append(a)
    return out


def merging_cases():
    a, b, c = randn(2, 3, 4, 5), randn(2, 3, 4, 5), randn(2, 3, 4, 5)
    add("add_two", x0=a, x1=b, y=f32(a) + f32(b))
    add("add_three", x0=a, x1=b, x2=c, y=f32(a) + f32(b) + f32(c))
    g = randn(2, 3, 1, 1)
    add("add_broadcast", x0=g, x1=a, y=f32(g) + f32(a))
    v = randn(2, 5)
    p, q = keras_align(v, a)
    add("add_rank", x0=v, x1=a, y=p + q)
    s = randn(2, 1, 4, 5)
    add("subtract_broadcast", x0=s, x1=a, y=f32(s) - f32(a))
    m1, m2 = randn(2, 3, 1, 5), randn(2, 1, 4, 1)
    add("multiply_broadcast", x0=a, x1=m1, x2=m2, y=f32(a) * f32(m1) * f32(m2))
    c2 = randn(2, 2, 4, 5)
    add("concat_channels", x0=c2, x1=a, y=np.concatenate([c2, a], axis=1))
    l2 = randn(2, 3, 4, 2)
    add("concat_last", x0=a, x1=l2, y=np.concatenate([a, l2], axis=-1))
    f1, f2, f3 = randn(2, 3), randn(2, 4), randn(2, 1)
    add("concat_features", x0=f1, x1=f2, x2=f3, y=np.concatenate([f1, f2, f3], axis=1))


def preprocessing_cases():
    pixels = torch.randint(0, 256, (2, 3, 5, 4), generator=gen).numpy().astype(np.float32)
    add("rescaling", x=pixels, y=f32(pixels) * (1 / 127.5) - 1)

    x = randn(2, 3, 7, 8)
    xt = torch.from_numpy(f32(x))

    def resize(name, size, mode, antialias=False, crop=False):
        t = xt
        if crop:
            h, w = t.shape[2], t.shape[3]
            ch = max(min(h, int(float(w * size[0]) / size[1])), 1)
            cw = max(min(w, int(float(h * size[1]) / size[0])), 1)
            hs, ws = int(float(h - ch) / 2), int(float(w - cw) / 2)
            t = t[:, :, hs:hs + ch, ws:ws + cw]
        align = False if mode in ("bilinear", "bicubic") else None
        y = F.interpolate(t, size=size, mode=mode, align_corners=align, antialias=antialias)
        add(name, x=x, y=y.numpy())
        return y.numpy()

    resize("resize_bilinear_down", (5, 3), "bilinear")
    resize("resize_bilinear_up", (11, 13), "bilinear")
    resize("resize_bilinear_antialias", (3, 4), "bilinear", antialias=True)
    near = resize("resize_nearest", (11, 5), "nearest-exact")
    # nearest-exact is TensorFlow's half-pixel nearest: source index floor((i + 0.5) * in / out).
    hi = np.minimum(np.floor((np.arange(11) + 0.5) * 7 / 11).astype(int), 6)
    wi = np.minimum(np.floor((np.arange(5) + 0.5) * 8 / 5).astype(int), 7)
    assert np.array_equal(near, f32(x)[:, :, hi][:, :, :, wi])
    resize("resize_bicubic", (5, 10), "bicubic")
    resize("resize_area", (3, 5), "area")
    resize("resize_crop_wide", (4, 6), "bilinear", crop=True)
    resize("resize_crop_tall", (6, 2), "bilinear", crop=True)

    # Normalization: per channel (axis 1), per last axis, and global (axis None).
    data = randn(10, 3, 4, 5) * np.array([1.0, 2.0, 3.0], dtype=np.float32)[None, :, None, None] \
        + np.array([0.5, -1.0, 10.0], dtype=np.float32)[None, :, None, None]
    d = f32(data)
    mean, var = d.mean(axis=(0, 2, 3)), d.var(axis=(0, 2, 3))
    xn = randn(2, 3, 4, 5) * 2
    std = np.maximum(np.sqrt(var), 1e-7)[None, :, None, None]
    add("normalization_adapt", data=data, x=xn, mean=mean, variance=var,
        y=(f32(xn) - mean[None, :, None, None]) / std, y_invert=mean[None, :, None, None] + f32(xn) * std)
    feats = randn(12, 6) * 3 + 1
    fm, fv = f32(feats).mean(axis=0), f32(feats).var(axis=0)
    xf = randn(2, 6)
    add("normalization_adapt_last_axis", data=feats, x=xf, mean=fm, variance=fv, y=(f32(xf) - fm) / np.sqrt(fv))
    gm, gv = d.mean(), d.var()
    add("normalization_adapt_global", data=data, x=xn, mean=np.array(gm), variance=np.array(gv), y=(f32(xn) - gm) / np.sqrt(gv))
    fixed_mean, fixed_var = np.array([1.0, 2.0, 3.0]), np.array([4.0, 0.25, 9.0])
    add("normalization_fixed", x=xn, y=(f32(xn) - fixed_mean[None, :, None, None]) / np.sqrt(fixed_var)[None, :, None, None])


def activation_cases():
    x = randn(2, 3, 4, 5) * 2
    xd = f32(x)

    def softmax(a, axis):
        e = np.exp(a - a.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)

    v = randn(2, 5) * 3
    add("softmax_last", x=v, y=softmax(f32(v), -1))
    add("softmax_channels", x=x, y=softmax(xd, 1))
    add("leaky_relu_default", x=x, y=np.where(xd >= 0, xd, 0.3 * xd))
    add("leaky_relu_01", x=x, y=np.where(xd >= 0, xd, 0.1 * xd))
    # Keras's ReLU: max_value above it, x from the threshold up, negative_slope * (x - threshold) below.
    relu = np.where(xd >= 0.5, xd, 0.1 * (xd - 0.5))
    add("relu_options", x=x, y=np.minimum(relu, 1.5))
    add("relu_plain", x=x, y=np.maximum(xd, 0))
    add("activation_sigmoid", x=x, y=1 / (1 + np.exp(-xd)))
    add("activation_softmax", x=x, y=softmax(xd, -1))
    add("activation_silu", x=x, y=xd / (1 + np.exp(-xd)))


def core_cases():
    x = randn(2, 4)
    w, b = randn(4, 3), randn(3)
    add("dense", x=x, kernel=w, bias=b, y=f32(x) @ f32(w) + f32(b))
    x3 = randn(2, 5, 4)
    add("dense_3d_relu", x=x3, kernel=w, bias=b, y=np.maximum(f32(x3) @ f32(w) + f32(b), 0))
    add("dropout_inference", x=x3, y=x3)

    # BatchNormalization, inference: moving statistics; training: batch statistics (biased variance) and the
    # Keras update moving = moving * momentum + batch * (1 - momentum).
    xb = randn(4, 3, 2, 5) * 2 + 1
    gamma, beta = randn(3) * 0.5 + 1, randn(3)
    mm, mv = randn(3), np.abs(randn(3)) + 0.5
    eps, momentum = 1e-3, 0.99
    sh = (None, slice(None), None, None)
    y_inf = (f32(xb) - f32(mm)[sh]) / np.sqrt(f32(mv)[sh] + eps) * f32(gamma)[sh] + f32(beta)[sh]
    add("batchnorm_inference", x=xb, gamma=gamma, beta=beta, moving_mean=mm, moving_variance=mv, y=y_inf)
    bm, bv = f32(xb).mean(axis=(0, 2, 3)), f32(xb).var(axis=(0, 2, 3))
    y_tr = (f32(xb) - bm[sh]) / np.sqrt(bv[sh] + eps) * f32(gamma)[sh] + f32(beta)[sh]
    add("batchnorm_training", x=xb, gamma=gamma, beta=beta, moving_mean=mm, moving_variance=mv, y=y_tr,
        moving_mean_after=f32(mm) * momentum + bm * (1 - momentum),
        moving_variance_after=f32(mv) * momentum + bv * (1 - momentum))
    xf = randn(6, 4)
    g4, b4, m4, v4 = randn(4), randn(4), randn(4), np.abs(randn(4)) + 0.5
    add("batchnorm_features", x=xf, gamma=g4, beta=b4, moving_mean=m4, moving_variance=v4,
        y=(f32(xf) - f32(m4)) / np.sqrt(f32(v4) + eps) * f32(g4) + f32(b4))


def transformer_cases():
    """LayerNormalization, MatMul, Slice, ConstantConcatenate and the activations ONNX import needs (ViT, ConvNeXt,
    MobileNetV3, ShuffleNet). Made after the other cases, so that adding them changed none of those."""
    t = lambda a: torch.from_numpy(f32(a))

    x = randn(2, 5, 6)
    g, b = randn(6) * 0.5 + 1, randn(6)
    add("layer_norm_last", x=x, gamma=g, beta=b, y=F.layer_norm(t(x), (6,), t(g), t(b), eps=1e-3).numpy())
    add("layer_norm_plain", x=x, y=F.layer_norm(t(x), (6,), eps=1e-5).numpy())
    xc = randn(2, 4, 3, 5) * 2 + 1
    gc, bc = randn(4) * 0.5 + 1, randn(4)
    # ConvNeXt's LayerNorm2d: the channels of each pixel.
    yc = F.layer_norm(t(xc).permute(0, 2, 3, 1), (4,), t(gc), t(bc), eps=1e-6).permute(0, 3, 1, 2)
    add("layer_norm_channels", x=xc, gamma=gc, beta=bc, y=yc.numpy())
    g2, b2 = randn(4, 5) * 0.5 + 1, randn(4, 5)   # axes 1 and 3, not adjacent
    y2 = F.layer_norm(t(xc).permute(0, 2, 1, 3), (4, 5), t(g2), t(b2), eps=1e-3).permute(0, 2, 1, 3)
    add("layer_norm_two_axes", x=xc, gamma=g2, beta=b2, y=y2.numpy())

    a, m = randn(2, 3, 4, 5), randn(2, 3, 5, 6)
    add("matmul", x0=a, x1=m, y=torch.matmul(t(a), t(m)).numpy())
    mb = randn(2, 1, 5, 2)
    add("matmul_broadcast", x0=a, x1=mb, y=torch.matmul(t(a), t(mb)).numpy())

    xs = randn(2, 6, 4)
    add("slice_step", x=xs, y=xs[:, 1:5:2])
    add("slice_negative", x=xs, y=xs[:, :, -3:])
    add("slice_clamped", x=xs, y=xs[:, 4:100])

    c = randn(1, 6)
    add("constant_concatenate_first", x=x, constant=c, y=torch.cat([t(c).expand(2, 1, 6), t(x)], 1).numpy())
    c2 = randn(5, 2)
    add("constant_concatenate_last", x=x, constant=c2, y=torch.cat([t(x), t(c2).expand(2, 5, 2)], -1).numpy())

    xa = randn(2, 3, 4, 5) * 3
    add("activation_hard_sigmoid", x=xa, y=F.hardsigmoid(t(xa)).numpy())
    add("activation_hard_silu", x=xa, y=F.hardswish(t(xa)).numpy())
    add("activation_gelu", x=xa, y=F.gelu(t(xa)).numpy())


def main():
    conv_cases()
    pool_cases()
    reshaping_cases()
    merging_cases()
    preprocessing_cases()
    activation_cases()
    core_cases()
    transformer_cases()
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    doc = {
        "generator": "tools/layer_reference.py",
        "torch": torch.__version__,
        "numpy": np.__version__,
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
