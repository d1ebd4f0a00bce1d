#!/usr/bin/python3
"""Regenerates data/fashion-mnist-sample/ from Debian's package dataset-fashion-mnist, deterministically.

The sample is class-balanced: for each of the 10 classes, the first 100 images of that class in the original
training file, and the first 100 in the original test file, kept in their original order. It is written in
the original IDX format, gzip-compressed with a zero timestamp and no file name, so that the output is byte for
byte the same at every run.

Run: /usr/bin/python3 tools/make_fashion_mnist_sample.py [source-folder]
     (default source: /usr/share/datasets/fashion-mnist, from `apt-get install dataset-fashion-mnist`)
"""
import gzip
import os
import struct
import sys

PER_CLASS = 100
SOURCE = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
TARGET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "fashion-mnist-sample")


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    rank = magic & 0xFF
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return dims, data[4 + 4 * rank:]


def write_idx(path, magic, dims, payload):
    header = struct.pack(">I", magic) + struct.pack(">" + "I" * len(dims), *dims)
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
            f.write(header + payload)


def sample(prefix):
    (n, rows, cols), pixels = read_idx(os.path.join(SOURCE, f"{prefix}-images-idx3-ubyte.gz"))
    (n_labels,), labels = read_idx(os.path.join(SOURCE, f"{prefix}-labels-idx1-ubyte.gz"))
    assert n == n_labels, (n, n_labels)
    taken = {c: 0 for c in range(10)}
    keep = []
    for i, label in enumerate(labels):
        if taken[label] < PER_CLASS:
            taken[label] += 1
            keep.append(i)
    assert all(t == PER_CLASS for t in taken.values()), taken
    size = rows * cols
    write_idx(os.path.join(TARGET, f"{prefix}-images-idx3-ubyte.gz"), 0x803, (len(keep), rows, cols),
              b"".join(pixels[i * size:(i + 1) * size] for i in keep))
    write_idx(os.path.join(TARGET, f"{prefix}-labels-idx1-ubyte.gz"), 0x801, (len(keep),), bytes(labels[i] for i in keep))
    return len(keep)


os.makedirs(TARGET, exist_ok=True)
for prefix in ("train", "t10k"):
    print(f"{prefix}: {sample(prefix)} images")
