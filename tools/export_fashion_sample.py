#!/usr/bin/env python3
"""Writes a few images of data/fashion-mnist-sample as PNG files, one subfolder per class: a tiny image folder for
`tanuki train` (tools/pack_smoke.sh, publishing checks). Standard library only (zlib, struct, gzip).

usage: export_fashion_sample.py OUT_DIR [--per-class N] [--classes K]
"""
import argparse
import gzip
import os
import struct
import zlib

CLASSES = ["t-shirt_top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle_boot"]


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 2051:
        rows, cols = struct.unpack(">II", data[8:16])
        return [data[16 + i * rows * cols:16 + (i + 1) * rows * cols] for i in range(count)], (rows, cols)
    return list(data[8:8 + count]), None


def png(pixels, rows, cols):
    raw = b"".join(b"\x00" + pixels[r * cols:(r + 1) * cols] for r in range(rows))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", cols, rows, 8, 0, 0, 0, 0)   # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("--per-class", type=int, default=8)
    p.add_argument("--classes", type=int, default=3)
    a = p.parse_args()
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "fashion-mnist-sample")
    images, (rows, cols) = read_idx(os.path.join(here, "train-images-idx3-ubyte.gz"))
    labels, _ = read_idx(os.path.join(here, "train-labels-idx1-ubyte.gz"))
    written = {c: 0 for c in range(a.classes)}
    for i, label in enumerate(labels):
        if label >= a.classes or written[label] >= a.per_class:
            continue
        folder = os.path.join(a.out, CLASSES[label])
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"{i:05d}.png"), "wb") as f:
            f.write(png(images[i], rows, cols))
        written[label] += 1
    print(f"wrote {sum(written.values())} images of {a.classes} classes to {a.out}")


if __name__ == "__main__":
    main()
