#!/usr/bin/python3
"""Times PyTorch's 2-layer LSTM of 512 (input 256, 64 steps, batch 64, the
language model's layer in torch_ref.py) forward and forward+backward, and
one 64×512 by 512×2048 product, on whatever malloc the process runs on:

    for m in glibc glibc-retain jemalloc tcmalloc; do ... done

as torch-malloc-2026-12-01.txt records (OPENBLAS_NUM_THREADS=2, 1 torch
thread; glibc-retain raises glibc's mmap and trim thresholds so it keeps
freed memory; jemalloc and tcmalloc through LD_PRELOAD)."""
import os
import time

import torch

torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "1")))
torch.manual_seed(0)
m = torch.nn.LSTM(256, 512, 2)
x = torch.randn(64, 64, 256)
for _ in range(2):
    m(x)
t = time.time()
for _ in range(5):
    m(x)
print(f"forward {(time.time() - t) / 5 * 1e3:.1f} ms")
t = time.time()
for _ in range(3):
    y, _ = m(x)
    y.sum().backward()
print(f"forward+backward {(time.time() - t) / 3 * 1e3:.1f} ms")
a, w = torch.randn(64, 512), torch.randn(2048, 512)
t = time.time()
for _ in range(200):
    torch.mm(a, w.t())
print(f"mm 64x512 by 512x2048 {(time.time() - t) / 200 * 1e6:.0f} us")
