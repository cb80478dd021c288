"""Writes the PyTorch references of nn.Embedding with padding_idx and of
nn.BatchNorm1d/2d with affine=False, track_running_stats=False and
momentum=None, for nn/embedding_test.go and nn/batchnorm_test.go (which
need no Python):

    /usr/bin/python3 nn/testdata/make_layer_opts_refs.py

layer_opts.safetensors holds, per case, the inputs, the parameters before
training ("param." + PyTorch's name), the upstream gradient u, the output
and the gradients of sum(output * u) ("grad." + the input's or the
parameter's name). A BatchNorm case "<kind>_train" runs two training
batches (batch0, batch1) without gradients, then x0 with them; its
"<kind>_eval" case evaluates x0 with the state that training left.

batchnorm_state.safetensors is the state_dict of an nn.Sequential of the
five trained BatchNorm layers, in the layout safetensors.torch.save_file
writes (F32, num_batches_tracked I64): a PyTorch checkpoint for the Go
tests to load, and to refuse into layers of another kind.

Inputs and parameters are drawn in float32 and the references computed in
float64 from exactly those values. torch.autograd.gradcheck confirms every
reference gradient against finite differences first. torch 1.13 (Debian's
python3-torch); the files are written by safetensors_writer.py.
"""
import copy
import os

import torch

from safetensors_writer import write_safetensors
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))

def rand(*shape):
    return torch.rand(*shape, dtype=torch.float32) * 4 - 2


def randomise(module):
    """Draws every parameter in float32 and returns them by name."""
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(rand(*p.shape))
    return {k: p.detach().clone() for k, p in module.named_parameters()}


def record(out, name, module, x, params, extra):
    """Adds case name: module applied to x (float64, requiring its
    gradient) with output, upstream u and gradients."""
    y = module(x)
    u = rand(*y.shape)
    module.zero_grad()
    (y * u.double()).sum().backward()
    out[f"{name}.out"] = y
    out[f"{name}.u"] = u
    out[f"{name}.grad.x0"] = x.grad
    for k, v in params.items():
        out[f"{name}.param.{k}"] = v
    for k, p in module.named_parameters():
        out[f"{name}.grad.{k}"] = p.grad.clone()  # zero_grad zeroes it in place
    for k, v in extra.items():
        out[f"{name}.{k}"] = v


def embedding(out, name, num, dim, padding_idx, idx):
    m = nn.Embedding(num, dim, padding_idx=padding_idx)
    params = randomise(m)  # the padding row too: lookups return its values
    m = m.double()
    y = m(idx)
    u = rand(*y.shape)
    (y * u.double()).sum().backward()
    # padding_idx's gradient is by definition, not by calculus: the
    # lookup's gradient (gradcheck) with the padding row zeroed.
    w = m.weight.detach().clone().requires_grad_(True)
    lookup = lambda w: (nn.functional.embedding(idx, w) * u.double()).sum()
    torch.autograd.gradcheck(lookup, [w])
    lookup(w).backward()
    w.grad[m.padding_idx] = 0
    assert torch.equal(w.grad, m.weight.grad)
    out[f"{name}.idx"] = idx.int()
    out[f"{name}.padding_idx"] = torch.tensor([m.padding_idx], dtype=torch.int32)
    out[f"{name}.param.weight"] = params["weight"]
    out[f"{name}.u"] = u
    out[f"{name}.out"] = y
    out[f"{name}.grad.weight"] = m.weight.grad


# The BatchNorm kinds, all of 3 channels, in the order of the Sequential
# whose state batchnorm_state.safetensors holds.
BATCHNORMS = [
    ("bn2d", lambda: nn.BatchNorm2d(3), (2, 3, 3, 2)),
    ("bn2d_noaffine", lambda: nn.BatchNorm2d(3, affine=False), (2, 3, 2, 3)),
    ("bn1d_notrack", lambda: nn.BatchNorm1d(3, track_running_stats=False), (5, 3)),
    ("bn1d_plain", lambda: nn.BatchNorm1d(3, affine=False, track_running_stats=False), (4, 3, 2)),
    ("bn1d_cma", lambda: nn.BatchNorm1d(3, momentum=None), (4, 3, 2)),
]


def batchnorm(out, name, module, shape):
    """Adds cases name_train and name_eval; returns the trained module."""
    params = randomise(module)
    module = module.double()
    # Batches with different means and spreads, so the running statistics move.
    batch0, batch1 = rand(*shape) * 1.5 + 1, rand(*shape) * 0.5 - 0.5
    x0 = rand(*shape)
    for mode in (True, False):
        module.train(mode)
        probe = copy.deepcopy(module)  # gradcheck's forwards update running statistics
        torch.autograd.gradcheck(lambda x: probe(x), [x0.double().requires_grad_(True)])
    module.train()
    with torch.no_grad():
        module(batch0.double())
        module(batch1.double())
    record(out, f"{name}_train", module, x0.double().requires_grad_(True), params, {"batch0": batch0, "batch1": batch1, "x0": x0})
    module.eval()
    x1 = rand(*shape)
    record(out, f"{name}_eval", module, x1.double().requires_grad_(True), {}, {"x0": x1})
    return module


def main():
    torch.manual_seed(13)
    out = {}
    idx = torch.tensor([[2, 0, 2, 6, 1], [3, 2, 2, 4, 0], [5, 1, 6, 2, 3]])
    embedding(out, "emb_pad", 7, 4, 2, idx)
    embedding(out, "emb_pad_neg", 6, 3, -1, torch.tensor([[5, 0, 4], [5, 5, 2]]))
    trained = nn.Sequential(*[batchnorm(out, name, make(), shape) for name, make, shape in BATCHNORMS])
    write_safetensors(os.path.join(HERE, "layer_opts.safetensors"), out)
    write_safetensors(os.path.join(HERE, "batchnorm_state.safetensors"), trained.float().state_dict(), ints="I64")


if __name__ == "__main__":
    main()
