#!/usr/bin/python3
"""Cross-check nn.RNN, LSTM, GRU and the Transformer layers (the models of examples/rnn) against PyTorch.

Loads a checkpoint written by `go run ./examples/rnn` and the inputs and
logits written by its -dump-logits flag, runs the same inputs through the
equivalent torch.nn model holding the same weights (torch.nn.RNN, LSTM or
GRU for the recurrent part; torch.nn.TransformerEncoderLayer for
-arch transformer), and reports the largest absolute difference between the
two sets of logits. The model is recognised from the checkpoint's names:

    go run ./examples/rnn -dump-logits out/rnn/logits.safetensors
    /usr/bin/python3 examples/rnn/torch_check.py out/rnn/charlm.safetensors out/rnn/logits.safetensors

    go run ./examples/rnn -arch transformer -dump-logits out/rnn/logits.safetensors
    /usr/bin/python3 examples/rnn/torch_check.py out/rnn/charlm.safetensors out/rnn/logits.safetensors

    go run ./examples/rnn -task rows -dump-logits out/rnn-rows/logits.safetensors
    /usr/bin/python3 examples/rnn/torch_check.py out/rnn-rows/model.safetensors out/rnn-rows/logits.safetensors

The safetensors files are parsed here with json and struct, so only torch
is needed. Exit status 1 when the difference exceeds the tolerance (-tol).
"""
import argparse
import os
import re
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from safetensors_read import read_safetensors  # noqa: E402


def rnn_of(state, batch_first):
    """torch.nn.RNN, LSTM or GRU with the sizes of the checkpoint's rnn.*
    entries: the rows of weight_hh_l0 per hidden unit say which (1, 4, 3)."""
    layers = sum(1 for k in state if k.startswith("rnn.weight_ih_l"))
    rows, hidden = state["rnn.weight_hh_l0"].shape
    inputs = state["rnn.weight_ih_l0"].shape[1]
    cell = {1: nn.RNN, 4: nn.LSTM, 3: nn.GRU}[rows // hidden]
    return cell(inputs, hidden, num_layers=layers, batch_first=batch_first)


class CharLM(nn.Module):
    """examples/rnn -task chars: token ids [T B] -> logits [T B vocab]."""

    def __init__(self, state):
        super().__init__()
        self.embed = nn.Embedding(*state["embed.weight"].shape)
        self.rnn = rnn_of(state, batch_first=False)
        self.head = nn.Linear(state["head.weight"].shape[1], state["head.weight"].shape[0])

    def forward(self, ids):
        out, _ = self.rnn(self.embed(ids.long()))
        return self.head(out)


class TransformerLM(nn.Module):
    """examples/rnn -arch transformer: token ids [T B] -> logits [T B vocab]
    through learned positions, pre-norm causal encoder layers with GELU, a
    final LayerNorm and the head."""

    def __init__(self, state, heads):
        super().__init__()
        vocab, width = state["embed.weight"].shape
        self.embed = nn.Embedding(vocab, width)
        self.pos = nn.Embedding(state["pos.weight"].shape[0], width)
        layers = sum(1 for k in state if k.startswith("layers.") and k.endswith(".norm1.weight"))
        ff = state["layers.0.linear1.weight"].shape[0]
        self.layers = nn.ModuleList(nn.TransformerEncoderLayer(width, heads, ff, dropout=0.0, activation="gelu",
                                                               norm_first=True) for _ in range(layers))
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, vocab)

    def forward(self, ids):
        t = ids.shape[0]
        h = self.embed(ids.long()) + self.pos(torch.arange(t))[:, None, :]
        causal = torch.triu(torch.full((t, t), float("-inf"), dtype=h.dtype), diagonal=1)
        for layer in self.layers:
            h = layer(h, src_mask=causal)
        return self.head(self.norm(h))


class RowsRNN(nn.Module):
    """examples/rnn -task rows: images [B C H W] -> logits [B classes]."""

    def __init__(self, state):
        super().__init__()
        self.proj = nn.Linear(state["proj.weight"].shape[1], state["proj.weight"].shape[0])
        self.rnn = rnn_of(state, batch_first=True)
        self.head = nn.Linear(state["head.weight"].shape[1], state["head.weight"].shape[0])

    def forward(self, x):
        rows = x.permute(0, 2, 1, 3).reshape(x.shape[0], x.shape[2], -1)
        out, _ = self.rnn(self.proj(rows))
        return self.head(out[:, -1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checkpoint", nargs="?", default="out/rnn/charlm.safetensors")
    ap.add_argument("logits", nargs="?", default="out/rnn/logits.safetensors")
    ap.add_argument("-tol", type=float, default=1e-4)
    ap.add_argument("-heads", type=int, default=0, help="attention heads of -arch transformer (0: read from the checkpoint's metadata)")
    args = ap.parse_args()

    state, meta = read_safetensors(args.checkpoint)
    dump, _ = read_safetensors(args.logits)
    x, want = dump["input"], dump["logits"]
    if "pos.weight" in state:
        heads = args.heads or int(re.search(r"\((\d+) heads", meta.get("model", "")).group(1))
        model = TransformerLM(state, heads)
    elif "embed.weight" in state:
        model = CharLM(state)
    else:
        model = RowsRNN(state)
    model.load_state_dict(state, strict=True)
    model.eval()
    with torch.no_grad():
        got = model(x)
        # The same forward pass in float64 shows how much of the difference
        # is float32 rounding on either side.
        exact = model.double()(x if x.dtype == torch.int32 else x.double())
    diff = (got - want).abs().max().item()
    print(f"checkpoint {args.checkpoint} ({type(model).__name__}, {meta.get('epochs', '?')} epochs), torch {torch.__version__}")
    print(f"input {list(x.shape)}, logits {list(want.shape)}")
    print(f"max |logit difference| Go vs PyTorch (float32): {diff:.3g} (largest |logit| {want.abs().max().item():.3g})")
    print(f"max |Go - float64 reference|: {(want.double() - exact).abs().max().item():.3g}, "
          f"max |PyTorch float32 - float64 reference|: {(got.double() - exact).abs().max().item():.3g}")
    print(f"most likely classes agree: {bool((got.argmax(-1) == want.argmax(-1)).all())}")
    if not diff <= args.tol:
        print(f"FAIL: difference above the tolerance {args.tol:g}")
        sys.exit(1)
    print(f"OK: within {args.tol:g}")


if __name__ == "__main__":
    main()
