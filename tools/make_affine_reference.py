#!/usr/bin/python3
"""Reference outputs of the affine augmentations (RandomRotation, RandomZoom, RandomTranslation) at fixed
parameters, computed with scipy.ndimage.map_coordinates — an implementation independent of Tanuki's.

Keras 3 maps output pixel (x, y) to the input point (a0 x + a1 y + a2, b0 x + b1 y + b2) and fixes each
integer neighbour by the fill mode; in scipy's terms its modes are reflect, grid-wrap, nearest and
grid-constant. The matrices below follow keras/src/layers/preprocessing/image_preprocessing (rotation about
((W-1)/2, (H-1)/2), zoom about the centre, translation by -shift).

Run: /usr/bin/python3 tools/make_affine_reference.py   (needs Debian's python3-scipy and python3-numpy)
Writes tests/Tanuki.Tests/Layers/Preprocessing/affine_reference.json; never edit that file by hand.
"""
import json
import math
import os

import numpy as np
from scipy import ndimage

H, W, C = 5, 7, 2
image = np.array([[[((x * 13 + y * 7 + c * 29) % 31) * 1.5 for x in range(W)] for y in range(H)] for c in range(C)],
                 dtype=np.float64)

MODES = {"reflect": "reflect", "wrap": "grid-wrap", "nearest": "nearest", "constant": "grid-constant"}
FILL_VALUE = 7.5


def rotation(degrees):
    t = math.radians(degrees)
    cx, cy = 0.5 * (W - 1), 0.5 * (H - 1)
    a0, a1, b0, b1 = math.cos(t), -math.sin(t), math.sin(t), math.cos(t)
    return [a0, a1, cx - cx * a0 - cy * a1, b0, b1, cy - cx * b0 - cy * b1]


def zoom(hz, wz):
    return [wz, 0.0, (W - 1) / 2.0 * (1 - wz), 0.0, hz, (H - 1) / 2.0 * (1 - hz)]


def translation(dy, dx):
    return [1.0, 0.0, -dx, 0.0, 1.0, -dy]


def transform(m, interpolation, fill_mode):
    ys, xs = np.meshgrid(np.arange(H, dtype=np.float64), np.arange(W, dtype=np.float64), indexing="ij")
    x_in = m[0] * xs + m[1] * ys + m[2]
    y_in = m[3] * xs + m[4] * ys + m[5]
    order = 0 if interpolation == "nearest" else 1
    return np.stack([ndimage.map_coordinates(image[c], [y_in, x_in], order=order, mode=MODES[fill_mode], cval=FILL_VALUE)
                     for c in range(C)])


cases = []
for kind, params, m in [("rotation", [31.0], rotation(31.0)), ("rotation", [-100.0], rotation(-100.0)),
                        ("zoom", [1.37, 0.71], zoom(1.37, 0.71)), ("translation", [1.3, -2.6], translation(1.3, -2.6))]:
    for interpolation in ["bilinear", "nearest"]:
        for fill_mode in MODES:
            cases.append({"kind": kind, "params": params, "interpolation": interpolation, "fill_mode": fill_mode,
                          "output": transform(m, interpolation, fill_mode).round(6).flatten().tolist()})

out = os.path.join(os.path.dirname(__file__), "..", "tests", "Tanuki.Tests", "Layers", "Preprocessing", "affine_reference.json")
with open(out, "w") as f:
    json.dump({"shape": [1, C, H, W], "fill_value": FILL_VALUE, "input": image.flatten().tolist(), "cases": cases}, f)
print(f"wrote {len(cases)} cases to {os.path.normpath(out)}")
