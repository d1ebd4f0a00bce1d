#!/usr/bin/env python3
"""Writes tests/Tanuki.Tests/Saving/Fixtures/reference.safetensors, a safetensors file made from the format's
specification alone (struct + json + numpy, no safetensors library and no Tanuki code), for the test that reads it
with Tanuki's reader.

Like Hugging Face's writer, it orders tensors by dtype alignment (largest first) then by name, pads the header
with spaces to a multiple of 8 bytes, and stores metadata under "__metadata__".

Run with Debian's python3: /usr/bin/python3 tools/safetensors/make_reference.py
"""
import json
import os
import struct

import numpy as np

tensors = {
    "weight": ("F32", np.arange(6, dtype=np.float32).reshape(2, 3) * np.float32(0.5) - np.float32(1)),
    "ids": ("I64", np.array([-3, 0, 2**40], dtype=np.int64)),
    "i32": ("I32", np.array([-1, 2], dtype=np.int32)),
    "half": ("F16", np.array([1.5, -2.25], dtype=np.float16)),
    "scalar": ("F64", np.array(3.141592653589793, dtype=np.float64)),
    "flags": ("BOOL", np.array([True, False, True], dtype=np.bool_)),
    "bytes": ("U8", np.array([0, 127, 255], dtype=np.uint8)),
    "empty": ("F32", np.zeros((0, 4), dtype=np.float32)),
}
raw = {name: (dtype, list(a.shape), a.astype(a.dtype.newbyteorder("<")).tobytes()) for name, (dtype, a) in tensors.items()}
# bfloat16 has no numpy dtype: 1.0 is 0x3F80 and -2.0 is 0xC000.
raw["bf"] = ("BF16", [2], struct.pack("<HH", 0x3F80, 0xC000))

size = {"F64": 8, "I64": 8, "F32": 4, "I32": 4, "F16": 2, "BF16": 2, "U8": 1, "BOOL": 1}
order = sorted(raw, key=lambda n: (-size[raw[n][0]], n))
header = {"__metadata__": {"format": "pt", "source": "tools/safetensors/make_reference.py"}}
data = b""
for name in order:
    dtype, shape, payload = raw[name]
    header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(payload)]}
    data += payload
text = json.dumps(header, separators=(",", ":")).encode("utf-8")
text += b" " * (-len(text) % 8)

out = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "Tanuki.Tests", "Saving", "Fixtures", "reference.safetensors")
with open(out, "wb") as f:
    f.write(struct.pack("<Q", len(text)))
    f.write(text)
    f.write(data)
print(f"wrote {os.path.normpath(out)}: {8 + len(text) + len(data)} bytes, order {order}")
