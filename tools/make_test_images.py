#!/usr/bin/python3
"""Extracts two Fashion-MNIST test images (MIT licence, Zalando Research) from Debian's dataset-fashion-mnist
into tests/Tanuki.Tests/Applications/Data/fashion_mnist_2x28x28.u8: 2 × 28 × 28 bytes, row-major, no header.
The ResNet-18 tests use them as "real" images next to random ones. Run: /usr/bin/python3 tools/make_test_images.py"""
import gzip, os

SRC = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
DST = os.path.join(os.path.dirname(__file__), "..", "tests", "Tanuki.Tests", "Applications", "Data", "fashion_mnist_2x28x28.u8")

with gzip.open(SRC, "rb") as f:
    data = f.read()
assert int.from_bytes(data[0:4], "big") == 2051, "not an idx3 image file"
# Images 0 (an ankle boot) and 1 (a pullover) of the test set: two different silhouettes.
pixels = data[16:16 + 2 * 28 * 28]
with open(DST, "wb") as f:
    f.write(pixels)
print(f"wrote {len(pixels)} bytes to {os.path.normpath(DST)}")
