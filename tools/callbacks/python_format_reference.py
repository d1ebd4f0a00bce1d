"""Writes the reference for tests/Tanuki.Tests/Callbacks/PythonFormatTests.cs: how Python's str.format and
repr(float) write the numbers Keras puts in ModelCheckpoint file names and CsvLogger cells.

Run: /usr/bin/python3 tools/callbacks/python_format_reference.py
"""
import json
import math
import os
import sys

FORMATS = [
    ("{epoch:02d}-{val_loss:.2f}.tanuki", dict(epoch=3, val_loss=0.41234)),
    ("w.{epoch}.{loss}", dict(epoch=12, loss=0.1)),
    ("{loss:.3e}|{loss:e}|{loss:E}", dict(loss=0.000123456)),
    ("{acc:%}|{acc:.1%}", dict(acc=0.87654)),
    ("{a:g}|{a:.3g}|{b:g}|{c:g}|{d:.2g}|{e:G}", dict(a=0.0001234567, b=1234567.0, c=100.0, d=0.5, e=1.5e-10)),
    ("{a:.3}|{b:.2}|{c:.3}|{d:.1}|{e:.4}", dict(a=1.0, b=12.0, c=0.000012345, d=1.0, e=123.0)),
    ("{epoch:5d}|{epoch:<5d}|{epoch:^5d}|{epoch:+d}|{n:05d}|{x:+.2f}|{x:08.3f}|{x:*>10.1f}|{x: .1f}",
     dict(epoch=7, n=-3, x=-1.23456)),
    ("{{literal}}-{epoch:03d}", dict(epoch=1)),
    ("{x:.2f}|{y:.2f}|{z}|{y:e}", dict(x=float("nan"), y=float("inf"), z=float("-inf"))),
    ("{x:.2f}|{x:.0f}|{y:.2f}|{z:.1f}", dict(x=2.675, y=0.125, z=0.25)),
    ("{epoch:.2f}|{epoch:e}", dict(epoch=3)),
]

REPRS = [0.1, 1e-05, 1e-4, 0.6931471805599453, 1e16, 1e15, 123456789.0, 2.0, 0.30000000000000004, -0.0,
         1.5e-7, 3.0517578125e-05, 12345678901234567890.0, float("nan"), float("inf"), float("-inf"), -2.5,
         5e-324, 1.7976931348623157e308, 0.0]


def number(v):
    # JSON has no NaN/inf literals: keep them as strings the test parses.
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return repr(v)
    return v


out = {
    "python": sys.version.split()[0],
    "formats": [{"template": t, "values": {k: number(v) for k, v in vals.items()},
                 "ints": [k for k, v in vals.items() if isinstance(v, int)],
                 "expected": t.format(**vals)} for t, vals in FORMATS],
    "reprs": [{"value": number(x), "hex": float(x).hex(), "expected": repr(x)} for x in REPRS],
}
path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "Tanuki.Tests", "Callbacks", "python_format_reference.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote", os.path.normpath(path))
