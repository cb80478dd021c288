"""write_safetensors, shared by the reference scripts in this folder: a
safetensors file written atomically with json and struct, its tensors in
name order."""

import json
import os
import struct

import torch

FORMATS = {torch.float32: ("F32", "f"), torch.float64: ("F32", "f"), torch.int32: ("I32", "i"), torch.int64: ("I64", "q")}


def write_safetensors(path, tensors, meta=None, ints="I32"):
    """Writes tensors in name order: floats as F32, integers as I32 (or as
    ints says: I64 keeps int64 tensors as PyTorch saves them), with the
    string metadata meta when given."""
    header, blobs, offset = {}, [], 0
    if meta is not None:
        header["__metadata__"] = meta
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        if t.dtype == torch.int64 and ints == "I32":
            t = t.int()
        if t.dtype == torch.float64:
            t = t.float()
        dtype, code = FORMATS[t.dtype]
        data = struct.pack(f"<{t.numel()}{code}", *t.flatten().tolist())
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw + b"".join(blobs))
    os.replace(tmp, path)
