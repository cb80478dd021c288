#!/usr/bin/env python3
"""torch_random.py: PyTorch's CPU times for the random draws tensorgl's
BenchmarkKernel times (1 Mi float32 elements): normal_ (Random normal),
bernoulli_ (Random bernoulli; tensorgl's ScaledBernoulli carries the scale
in the same kernel), and dropout in training mode (RandomMul dropout-mask:
the mask drawn and applied). Each op's median of 5 batches of 20 calls,
for 1 and 2 torch threads (the faster is PyTorch's figure). Run with
OPENBLAS_NUM_THREADS=1, interleaved with the Go benchmark (see
random-vs-torch-2026-12-02.txt)."""
import time

import torch

x = torch.rand(1 << 20)
ops = [
    ("normal", lambda: x.normal_()),
    ("bernoulli", lambda: x.bernoulli_(0.9)),
    ("dropout", lambda: torch.nn.functional.dropout(x, 0.1, True)),
]
for threads in (1, 2):
    torch.set_num_threads(threads)
    for name, f in ops:
        for _ in range(3):
            f()
        ts = []
        for _ in range(5):
            t = time.perf_counter()
            for _ in range(20):
                f()
            ts.append((time.perf_counter() - t) / 20)
        print("torch %s threads=%d %.3f ms" % (name, threads, sorted(ts)[2] * 1e3))
