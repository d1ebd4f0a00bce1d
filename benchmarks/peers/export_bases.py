#!/usr/bin/env python3
"""Exports torchvision image classifiers (random weights, ImageNet's 1000 classes) to ONNX at opset 17 with a free batch
axis, at one input size, for `Tanuki.Benchmarks imported`. Speed does not depend on the weights' values; BatchNorm
statistics are calibrated on random images so activations keep a realistic range. Uses Debian's python3-torch and
python3-torchvision; nothing is downloaded.

  /usr/bin/python3 benchmarks/peers/export_bases.py --out DIR [--size 224] [--only efficientnet_b0,mobilenet_v2]
"""
import argparse
import os
import sys

import torch
import torchvision.models as models

BASES = {
    "efficientnet_b0": models.efficientnet_b0,
    "mobilenet_v2": models.mobilenet_v2,
    "mobilenet_v3_large": models.mobilenet_v3_large,
    "densenet121": models.densenet121,
    "resnet50": models.resnet50,
    "convnext_tiny": models.convnext_tiny,
    "regnet_y_400mf": models.regnet_y_400mf,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    names = [n for n in args.only.split(",") if n] or list(BASES)
    unknown = [n for n in names if n not in BASES]
    if unknown:
        sys.exit(f"unknown base(s) {', '.join(unknown)}; known: {', '.join(BASES)}")
    os.makedirs(args.out, exist_ok=True)
    for name in names:
        path = os.path.join(args.out, f"{name}_{args.size}.onnx")
        if os.path.exists(path):
            print(f"{path} exists")
            continue
        torch.manual_seed(0)
        model = BASES[name]()
        model.train()
        with torch.no_grad():
            for _ in range(2):
                model(torch.randn(4, 3, args.size, args.size))
        model.eval()
        x = torch.randn(2, 3, args.size, args.size)
        torch.onnx.export(model, x, path + ".tmp", opset_version=17, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, do_constant_folding=True)
        os.replace(path + ".tmp", path)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
