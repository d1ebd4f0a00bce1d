#!/usr/bin/python3
"""JPEG files damaged the ways downloads and disks damage them, and libjpeg's own verdict on each, for the tests of
Tanuki's JPEG scan check (src/Tanuki/Data/Images/JpegScan.cs; issue 16: SkiaSharp decodes damaged scan data to grey
without a word). Sources are made by cjpeg from a generated picture in the kinds encoders write: baseline 4:2:0 and
4:4:4, optimized Huffman tables, progressive, restart markers, grayscale. Each source gets damaged copies (random
bytes over its scan data, zeros or 0xFF to the end, a truncation, single flipped bytes); djpeg (libjpeg-turbo, the
decoder SkiaSharp wraps) decodes every file and its warnings are written to verdicts.json next to them.
Needs Debian's libjpeg-turbo-progs. Run: /usr/bin/python3 tools/make_jpeg_fixtures.py"""
import json, os, random, subprocess, tempfile

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "Tanuki.Tests", "Data", "Jpeg")
W, H = 96, 72
rng = random.Random(16)


def picture():
    """A P6 PPM: smooth gradients, a disc and noise, so that every block has real coefficients."""
    rows = []
    for y in range(H):
        for x in range(W):
            inside = (x - 40) ** 2 + (y - 30) ** 2 < 300
            r = (x * 2 + rng.randrange(24)) % 256
            g = (y * 3 + rng.randrange(24)) % 256
            b = 230 if inside else (x + y) % 256
            rows += [r, g, b]
    return b"P6\n%d %d\n255\n" % (W, H) + bytes(rows)


def scan_start(data):
    i = 2
    while i < len(data) - 4:
        if data[i] == 0xFF and data[i + 1] == 0xDA:
            return i + 2 + ((data[i + 2] << 8) | data[i + 3])
        i += 1
    raise ValueError("no SOS")


def djpeg(data):
    with tempfile.NamedTemporaryFile(suffix=".jpg", delete=False) as f:
        f.write(data)
        path = f.name
    try:
        r = subprocess.run(["djpeg", "-outfile", os.devnull, path], capture_output=True, text=True)
        return (r.stderr.strip() + (f" (exit {r.returncode})" if r.returncode else "")).strip()
    finally:
        os.unlink(path)


os.makedirs(OUT, exist_ok=True)
for old in os.listdir(OUT):
    os.unlink(os.path.join(OUT, old))
with tempfile.NamedTemporaryFile(suffix=".ppm", delete=False) as f:
    f.write(picture())
    ppm = f.name
kinds = {
    "baseline": ["-quality", "90"],
    "s444": ["-quality", "90", "-sample", "1x1"],
    "optimized": ["-quality", "75", "-optimize"],
    "progressive": ["-quality", "85", "-progressive"],
    "restart": ["-quality", "90", "-restart", "1"],
    "grayscale": ["-quality", "90", "-grayscale"],
}
verdicts = {}
for kind, args in kinds.items():
    source = subprocess.run(["cjpeg", *args, ppm], capture_output=True, check=True).stdout
    start = scan_start(source)
    end = len(source) - 2
    variants = {"ok": source}
    d = bytearray(source)
    at = start + (end - start) // 2
    for i in range(at, min(at + 60, end)):
        d[i] = rng.randrange(256)
    variants["random"] = bytes(d)
    d = bytearray(source)
    d[at:end] = bytes(end - at)
    variants["zeros"] = bytes(d)
    d = bytearray(source)
    d[at:end] = b"\xff" * (end - at)
    variants["ff"] = bytes(d)
    variants["truncated"] = source[: start + (end - start) * 2 // 3]
    for n in range(3):
        d = bytearray(source)
        i = rng.randrange(start, end)
        d[i] ^= 1 << rng.randrange(8)
        variants[f"flip{n}"] = bytes(d)
    for name, data in variants.items():
        file = f"{kind}_{name}.jpg"
        with open(os.path.join(OUT, file), "wb") as f:
            f.write(data)
        verdicts[file] = djpeg(data)
os.unlink(ppm)
with open(os.path.join(OUT, "verdicts.json"), "w") as f:
    json.dump(verdicts, f, indent=1, sort_keys=True)
print(f"wrote {len(verdicts)} files and their djpeg verdicts to {os.path.normpath(OUT)}")
