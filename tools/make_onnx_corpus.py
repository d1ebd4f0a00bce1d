#!/usr/bin/python3
"""The ONNX import corpus: 16 torchvision classification architectures exported at several opsets.

Run with Debian's Python (apt-get install python3-torch python3-torchvision python3-onnx):

    /usr/bin/python3 tools/make_onnx_corpus.py [--out DIR] [--opsets 11,13,17] [--only resnet50,vit_b_16]

It writes DIR/<arch>_opset<N>.onnx, DIR/<arch>.weights and DIR/manifest.json (default DIR: artifacts/onnx-corpus at
the repository root, which git ignores; tests/Tanuki.Tests/Interop/OnnxCorpusTests.cs reads it from there, or from
TANUKI_ONNX_CORPUS). The opsets of one architecture share their weights: the large tensors are ONNX external data in
<arch>.weights, each distinct tensor once (about 1.5 GB in all, most of it VGG-11-BN's, AlexNet's and ViT-B/16's), so
the importer's external-data path is exercised on real models too. Never committed. Making an architecture replaces
all its files (with --opsets, only those opsets remain).

Every model is the torchvision builder with random weights (no download), in inference mode, with 10 classes and
a free batch axis (dynamic_axes). Inputs are as small as each architecture allows: 32x32, except Inception-v3 (75x75,
its minimum), VGG-11-BN and AlexNet (224x224: torch exports their adaptive average pooling to 7x7 and 6x6 only
when the feature map is a multiple of it), and ViT-B/16 built for 32x32 images (vit_b_16(image_size=32): 2x2
patches and a class token). Parameters torchvision initialises to one value (norm scales and shifts, biases, class token,
ViT's zeroed head, ConvNeXt's 1e-6 layer scales) are varied, and BatchNormalization statistics are those of a forward
pass over random images (as a trained network's are: activations keep their scale through the depth), so that every
layer matters in the comparison. PyTorch 1.13 exports opsets 7 to 17; opsets 18 and later are not made here.

The tests compare each file with ONNX Runtime and fine-tune it for one step; nothing here is a reference value.
"""
import argparse
import glob
import hashlib
import json
import os
import sys
import time

import onnx
import torch
import torchvision
from onnx.external_data_helper import set_external_data
from torchvision import models

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "artifacts", "onnx-corpus")
VERSION = 2   # bump when the files change meaning (2: weights shared as external data)

# name, builder, input size (H = W), what the issue calls it
ARCHITECTURES = [
    ("resnet50", lambda: models.resnet50(num_classes=10), 32, "ResNet-50"),
    ("mobilenet_v2", lambda: models.mobilenet_v2(num_classes=10), 32, "MobileNetV2"),
    ("mobilenet_v3_small", lambda: models.mobilenet_v3_small(num_classes=10), 32, "MobileNetV3 small"),
    ("mobilenet_v3_large", lambda: models.mobilenet_v3_large(num_classes=10), 32, "MobileNetV3 large"),
    ("efficientnet_b0", lambda: models.efficientnet_b0(num_classes=10), 32, "EfficientNet-B0"),
    ("squeezenet1_0", lambda: models.squeezenet1_0(num_classes=10), 32, "SqueezeNet"),
    ("densenet121", lambda: models.densenet121(num_classes=10), 32, "DenseNet-121"),
    ("regnet_y_400mf", lambda: models.regnet_y_400mf(num_classes=10), 32, "RegNetY-400MF"),
    ("googlenet", lambda: models.googlenet(num_classes=10, aux_logits=False, init_weights=True), 32, "GoogLeNet"),
    ("inception_v3", lambda: models.inception_v3(num_classes=10, aux_logits=False, init_weights=True), 75, "Inception-v3"),
    ("vgg11_bn", lambda: models.vgg11_bn(num_classes=10), 224, "VGG-11-BN"),
    ("alexnet", lambda: models.alexnet(num_classes=10), 224, "AlexNet"),
    ("mnasnet1_0", lambda: models.mnasnet1_0(num_classes=10), 32, "MNASNet"),
    ("convnext_tiny", lambda: models.convnext_tiny(num_classes=10), 32, "ConvNeXt-Tiny"),
    ("shufflenet_v2_x1_0", lambda: models.shufflenet_v2_x1_0(num_classes=10), 32, "ShuffleNetV2"),
    ("vit_b_16", lambda: models.vit_b_16(num_classes=10, image_size=32), 32, "ViT-B/16"),
]
OPSETS = [11, 13, 17]


def vary(model, seed):
    """Gives parameters that torchvision initialises to one value (LayerNorm and BatchNorm scales and shifts, biases,
    ViT's class token and zeroed head, ConvNeXt's 1e-6 layer scales) varied values, so that a mistake in any of them
    shows in the outputs."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            if p.numel() > 1 and bool((p == p.reshape(-1)[0]).all()):
                if p.dim() >= 2:    # a zeroed weight matrix
                    p.copy_(torch.randn(p.shape, generator=gen) / p[0].numel() ** 0.5)
                else:
                    p.add_(0.2 * torch.randn(p.shape, generator=gen) + (0.3 if float(p.reshape(-1)[0]) < 1e-3 else 0))


def calibrate(model, size, seed):
    """Sets BatchNormalization statistics to those of random images, as training would have."""
    bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if not bns:
        return
    for m in bns:
        m.reset_running_stats()
        m.momentum = None          # a cumulative average over the calibration batches
    gen = torch.Generator().manual_seed(seed)
    model.train()
    with torch.no_grad():
        for _ in range(2):
            model(torch.randn(8, 3, size, size, generator=gen))
    model.eval()


def build(name, builder, size, seed):
    torch.manual_seed(seed)
    model = builder()
    vary(model, seed)
    calibrate(model, size, seed)
    model.eval()
    return model


def export(model, size, path, opset):
    x = torch.randn(2, 3, size, size, generator=torch.Generator().manual_seed(1))
    # Not under no_grad: with gradients off, nn.MultiheadAttention takes its fused fast path, which torch cannot export.
    torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, do_constant_folding=True)


def share_weights(out, name, files):
    """Moves the large float initializers of one architecture's exports into <name>.weights, each distinct tensor once
    (the opsets hold the same weights), 4 KiB-aligned, and points the models at it."""
    data = f"{name}.weights"
    offsets = {}
    with open(os.path.join(out, data), "wb") as f:
        for file in files:
            path = os.path.join(out, file)
            model = onnx.load(path)
            for t in model.graph.initializer:
                if t.data_type != onnx.TensorProto.FLOAT or len(t.raw_data) < 4096:
                    continue
                key = hashlib.sha256(t.raw_data).hexdigest() + str(list(t.dims))
                if key not in offsets:
                    f.write(b"\0" * (-f.tell() % 4096))
                    offsets[key] = (f.tell(), len(t.raw_data))
                    f.write(t.raw_data)
                offset, length = offsets[key]
                set_external_data(t, location=data, offset=offset, length=length)
                t.ClearField("raw_data")
                t.data_location = onnx.TensorProto.EXTERNAL
            onnx.save(model, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.environ.get("TANUKI_ONNX_CORPUS") or DEFAULT_OUT)
    parser.add_argument("--opsets", default=",".join(map(str, OPSETS)))
    parser.add_argument("--only", default="", help="comma-separated architecture names (default: all)")
    args = parser.parse_args()
    opsets = [int(o) for o in args.opsets.split(",") if o]
    only = set(a for a in args.only.split(",") if a)
    unknown = only - {a[0] for a in ARCHITECTURES}
    if unknown:
        sys.exit(f"unknown architectures: {', '.join(sorted(unknown))}")
    too_new = [o for o in opsets if o > 17]
    if too_new:
        sys.exit(f"torch {torch.__version__} exports opsets up to 17, not {too_new}")
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    os.makedirs(args.out, exist_ok=True)
    manifest_path = os.path.join(args.out, "manifest.json")
    entries = {}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            old = json.load(f)
        if old.get("version") == VERSION:
            entries = {e["file"]: e for e in old["models"]}
    start = time.time()
    for index, (name, builder, size, title) in enumerate(ARCHITECTURES):
        if only and name not in only:
            continue
        model = build(name, builder, size, seed=1000 + index)
        params = sum(p.numel() for p in model.parameters())
        for old in glob.glob(os.path.join(args.out, f"{name}_opset*.onnx")):
            os.remove(old)
            entries.pop(os.path.basename(old), None)
        files = []
        for opset in opsets:
            file = f"{name}_opset{opset}.onnx"
            t0 = time.time()
            export(model, size, os.path.join(args.out, file), opset)
            files.append(file)
            entries[file] = {"file": file, "architecture": name, "title": title, "opset": opset,
                             "input": "input", "output": "logits", "input_shape": [3, size, size],
                             "parameters": params}
            print(f"{file}: {params / 1e6:.1f} M parameters, {time.time() - t0:.1f} s", flush=True)
        share_weights(args.out, name, files)
    manifest = {"generator": "tools/make_onnx_corpus.py", "version": VERSION, "torch": torch.__version__,
                "torchvision": torchvision.__version__,
                "models": sorted(entries.values(), key=lambda e: (e["architecture"], e["opset"]))}
    with open(manifest_path + ".tmp", "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    os.replace(manifest_path + ".tmp", manifest_path)
    print(f"wrote {len(entries)} models to {args.out} in {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
