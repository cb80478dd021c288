#!/usr/bin/python3
"""Cross-check the Go LeNet against PyTorch.

Loads the checkpoint written by `go run ./examples/cnn` and the inputs and
logits written by its -dump-logits flag, runs the same inputs through the
equivalent torch.nn LeNet holding the same weights, and reports the largest
absolute difference between the two sets of logits.

    go run ./examples/cnn -dump-logits out/cnn/logits.safetensors
    /usr/bin/python3 examples/cnn/torch_check.py out/cnn/model.safetensors out/cnn/logits.safetensors

The safetensors files are parsed here with json and struct (an 8-byte
little-endian header length, a JSON header, then raw little-endian data),
so only torch is needed. Exit status 1 when the difference exceeds the
tolerance (-tol, default 1e-5).
"""
import argparse
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from safetensors_read import read_safetensors  # noqa: E402




def lenet(channels, size, classes):
    """The network examples/cnn builds, with the same state names."""
    pad = max(0, (32 - size) // 2)
    return nn.Sequential(
        nn.Conv2d(channels, 6, 5, padding=pad), nn.ReLU(),
        nn.MaxPool2d(2, 2),
        nn.Conv2d(6, 16, 5), nn.ReLU(),
        nn.MaxPool2d(2, 2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, classes),
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checkpoint", nargs="?", default="out/cnn/model.safetensors")
    ap.add_argument("logits", nargs="?", default="out/cnn/logits.safetensors")
    ap.add_argument("-tol", type=float, default=1e-5)
    args = ap.parse_args()

    state, meta = read_safetensors(args.checkpoint)
    dump, _ = read_safetensors(args.logits)
    x, want = dump["input"], dump["logits"]
    model = lenet(x.shape[1], x.shape[2], want.shape[1])
    model.load_state_dict(state, strict=True)
    model.eval()
    with torch.no_grad():
        got = model(x)
        # The same forward pass in float64 shows how much of the difference
        # is float32 rounding on either side.
        exact = model.double()(x.double())
    diff = (got - want).abs().max().item()
    print(f"checkpoint {args.checkpoint} ({meta.get('dataset', '?')}, test accuracy {meta.get('test_accuracy', '?')})")
    print(f"{x.shape[0]} inputs of shape {list(x.shape[1:])}, torch {torch.__version__}")
    print(f"max |logit difference| Go vs PyTorch (float32): {diff:.3g} (largest |logit| {want.abs().max().item():.3g})")
    print(f"max |Go − float64 reference|: {(want.double() - exact).abs().max().item():.3g}, "
          f"max |PyTorch float32 − float64 reference|: {(got.double() - exact).abs().max().item():.3g}")
    print(f"predicted classes agree: {bool((got.argmax(1) == want.argmax(1)).all())}")
    if not diff <= args.tol:
        print(f"FAIL: difference above the tolerance {args.tol:g}")
        sys.exit(1)
    print(f"OK: within {args.tol:g}")


if __name__ == "__main__":
    main()
