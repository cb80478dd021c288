"""Reads safetensors files written by tensorgl into torch tensors, for the
hand-run PyTorch cross-checks (examples/*/torch_check.py). Parsed with json
and struct, so only torch is needed."""
import json
import struct

import torch

DTYPES = {"F32": ("f", torch.float32), "I32": ("i", torch.int32)}


def read_safetensors(path):
    """Returns ({name: tensor}, metadata) of a safetensors file."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    data = raw[8 + n:]
    tensors = {}
    for name, e in header.items():
        if e["dtype"] not in DTYPES:
            raise ValueError(f"{path}: {name} has dtype {e['dtype']}, want F32 or I32")
        code, dtype = DTYPES[e["dtype"]]
        begin, end = e["data_offsets"]
        values = struct.unpack(f"<{(end - begin) // 4}{code}", data[begin:end])
        tensors[name] = torch.tensor(values, dtype=dtype).reshape(e["shape"])
    return tensors, meta
