#!/usr/bin/python3
"""Writes PyTorch's outputs and gradients of nn.RNN, nn.LSTM and nn.GRU
on small odd shapes as safetensors files, one per case, for the Go tests
(nn/rnnref_test.go) to compare against without Python:

    /usr/bin/python3 nn/testdata/make_rnn_refs.py    # from the repository root

Each file holds the layer's parameters under PyTorch's names
(weight_ih_l0, …, bias_hh_l1_reverse), the input "x", the initial state
"h0" (and "c0") when the case has one, the weights "u", "v" (and "w") of
the objective

    L = Σ out·u + Σ h_n·v (+ Σ c_n·w)

the outputs "out", "h_n" (and "c_n"), and the gradients of L with respect
to the input, the initial state and every parameter, named "grad." + the
tensor's name. Its metadata describe the layer (cell, input, hidden,
num_layers, bidirectional, batch_first, bias, nonlinearity, initial).

The inputs and parameters are drawn in float32 and the references computed
in float64 from those same values, so they are the exact results rounded
once; the script prints how far PyTorch's own float32 computation is from
them, as the scale for the Go tests' tolerances. torch 1.13 (Debian's
python3-torch); the safetensors files are written by safetensors_writer.py.
"""
import os

import torch

from safetensors_writer import write_safetensors

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "rnn_refs")

# T=5 steps, batch N=3, 7 input features, hidden 4.
T, N, IN, HIDDEN = 5, 3, 7, 4

CASES = [
    # name, cell, num_layers, bidirectional, batch_first, bias, nonlinearity, initial state
    ("lstm_bi", "LSTM", 2, True, False, True, None, True),
    ("lstm_bf", "LSTM", 2, False, True, True, None, False),
    ("gru_bi", "GRU", 2, True, False, True, None, True),
    ("gru_bf_nobias", "GRU", 2, True, True, False, None, False),
    ("rnn_bi", "RNN", 2, True, False, True, "tanh", True),
    ("rnn_relu_bi_bf", "RNN", 1, True, True, True, "relu", True),
]


def run(module, x, state, u, v, w):
    """Forward and backward of L; returns outputs and gradients by name."""
    x = x.clone().requires_grad_(True)
    state = [s.clone().requires_grad_(True) for s in state]
    module.zero_grad()
    if not state:
        out, final = module(x)
    elif len(state) == 1:
        out, final = module(x, state[0])
    else:
        out, final = module(x, tuple(state))
    finals = list(final) if isinstance(final, tuple) else [final]
    loss = (out * u).sum() + sum((f * wt).sum() for f, wt in zip(finals, [v, w]))
    loss.backward()
    res = {"out": out, "h_n": finals[0], "grad.x": x.grad}
    if len(finals) > 1:
        res["c_n"] = finals[1]
    for name, s in zip(["h0", "c0"], state):
        res["grad." + name] = s.grad
    for name, p in module.named_parameters():
        res["grad." + name] = p.grad
    return {k: t.detach() for k, t in res.items()}


def main():
    os.makedirs(OUT, exist_ok=True)
    gen = torch.Generator().manual_seed(11)
    for i, (name, cell, layers, bi, bf, bias, nonlin, initial) in enumerate(CASES):
        kw = {"nonlinearity": nonlin} if nonlin else {}
        torch.manual_seed(100 + i)
        m32 = getattr(torch.nn, cell)(IN, HIDDEN, num_layers=layers, bidirectional=bi,
                                       batch_first=bf, bias=bias, **kw)
        dirs = 2 if bi else 1
        x = torch.rand((N, T, IN) if bf else (T, N, IN), generator=gen) * 4 - 2
        states = 2 if cell == "LSTM" else 1
        state = [torch.rand(layers * dirs, N, HIDDEN, generator=gen) * 2 - 1 for _ in range(states)] if initial else []
        u = torch.rand(x.shape[:2] + (dirs * HIDDEN,), generator=gen) * 2 - 1
        v = torch.rand(layers * dirs, N, HIDDEN, generator=gen) * 2 - 1
        w = torch.rand(layers * dirs, N, HIDDEN, generator=gen) * 2 - 1

        m64 = getattr(torch.nn, cell)(IN, HIDDEN, num_layers=layers, bidirectional=bi,
                                       batch_first=bf, bias=bias, **kw).double()
        m64.load_state_dict({k: t.double() for k, t in m32.state_dict().items()})
        ref = run(m64, x.double(), [s.double() for s in state], u.double(), v.double(), w.double())
        got = run(m32, x, state, u, v, w)
        worst = max((got[k].double() - ref[k]).abs().max().item() for k in ref)

        tensors = dict(ref)
        tensors.update({k: t for k, t in m32.state_dict().items()})
        tensors.update({"x": x, "u": u, "v": v})
        if cell == "LSTM":
            tensors["w"] = w
        for sn, s in zip(["h0", "c0"], state):
            tensors[sn] = s
        meta = {"cell": cell, "input": str(IN), "hidden": str(HIDDEN), "num_layers": str(layers),
                "bidirectional": str(bi).lower(), "batch_first": str(bf).lower(), "bias": str(bias).lower(),
                "nonlinearity": nonlin or "", "initial": str(initial).lower(),
                "torch": torch.__version__, "pytorch_float32_max_abs_error": f"{worst:.3g}"}
        path = os.path.join(OUT, name + ".safetensors")
        write_safetensors(path, tensors, meta)
        print(f"{os.path.relpath(path)}: {len(tensors)} tensors; PyTorch float32 vs float64: max |difference| {worst:.3g}")


if __name__ == "__main__":
    main()
