#!/usr/bin/env python3
"""torch_unary.py: PyTorch's CPU times for the element-wise ops tensorgl's
BenchmarkKernel times as Unary (1 Mi float32 elements), on inputs drawn as
device/catalogue.go draws them for each op (Mostly: one element in eight
from the rare values). Each op writes into a preallocated tensor where
PyTorch has an out= form, as tensorgl's kernels do; PowScalar is
tensorgl's first tested exponent, 2. Each op's median of 5 batches of 20
calls, for 1 and 2 torch threads (the faster is PyTorch's figure). Run
with OPENBLAS_NUM_THREADS=1, once as is and once with
ATEN_CPU_CAPABILITY=avx512 (PyTorch 1.13 runs these ops as AVX2 code on an
AVX-512 CPU unless told), interleaved with the Go benchmark (see
unary-vs-torch-2026-12-02.txt)."""
import math
import re
import time

import torch

torch.manual_seed(1)
N = 1 << 20


def between(lo, hi):
    return torch.rand(N) * (hi - lo) + lo


def positive(lo, hi):
    return torch.exp(between(lo, hi).double()).float()


def mostly(x, rare):
    pick = torch.rand(N) < 1 / 8
    r = torch.tensor(rare, dtype=torch.float32)[torch.randint(len(rare), (N,))]
    return torch.where(pick, r, x)


nz = -0.0
inputs = {
    "exp": mostly(between(-10, 10), [80, -80, 85, -85]),
    "log": mostly(positive(-80, 80), [0.5, 1.0, 1.5, 2.0]),
    "sigmoid": mostly(between(-10, 10), [80, -80, 200, -200]),
    "tanh": mostly(between(-5, 5), [1e-3, -1e-3, 3e-5, 50, -50]),
    "sin": between(-8, 8),
    "cos": between(-8, 8),
    "powscalar": positive(math.log(0.25), math.log(4)),
    "softplus": mostly(between(-20, 20), [80, -80, 200, -200]),
    "erf": mostly(between(-5, 5), [0, nz, 1e-3, -1e-3, 3e-8, 10, -10]),
    "gelu": mostly(between(-6, 6), [0, nz, 1e-3, -1e-3, 3e-8, 12, -12, 40, -40]),
}
inputs["gelutanh"] = inputs["gelu"]
out = torch.empty(N)
ops = [
    ("exp", lambda x: torch.exp(x, out=out)),
    ("log", lambda x: torch.log(x, out=out)),
    ("sigmoid", lambda x: torch.sigmoid(x, out=out)),
    ("tanh", lambda x: torch.tanh(x, out=out)),
    ("sin", lambda x: torch.sin(x, out=out)),
    ("cos", lambda x: torch.cos(x, out=out)),
    ("powscalar", lambda x: torch.pow(x, 2, out=out)),
    ("softplus", lambda x: torch._C._nn.softplus(x, 1, 20, out=out)),
    ("erf", lambda x: torch.erf(x, out=out)),
    ("gelu", lambda x: torch._C._nn.gelu(x, out=out)),
    ("gelutanh", lambda x: torch._C._nn.gelu(x, approximate="tanh", out=out)),
]
cap = re.search(r"CPU capability usage: (\S+)", torch.__config__.show())
cap = cap.group(1) if cap else "?"
for threads in (1, 2):
    torch.set_num_threads(threads)
    for name, f in ops:
        x = inputs[name]
        for _ in range(3):
            f(x)
        ts = []
        for _ in range(5):
            t = time.perf_counter()
            for _ in range(20):
                f(x)
            ts.append((time.perf_counter() - t) / 20)
        print("torch %s threads=%d %s %.3f ms" % (name, threads, cap, sorted(ts)[2] * 1e3))
