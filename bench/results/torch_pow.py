#!/usr/bin/env python3
"""torch_pow.py: PyTorch's CPU time for torch.pow(x, y, out=) on 1 Mi
float32 pairs drawn as device/catalogue.go draws Binary Pow's (x = e^U(ln ¼,
ln 4), y = U(−3, 3)), the median of 5 batches of 10 calls for 1 and 2 torch
threads (the faster is PyTorch's figure). Run as is and with
ATEN_CPU_CAPABILITY=avx512, interleaved with tensorgl's
BenchmarkKernel/Binary/cpu/pow-1Mi (see pow-vs-torch-2026-12-02.txt)."""
import math
import re
import time

import torch

torch.manual_seed(1)
N = 1 << 20
x = torch.exp(torch.rand(N).double() * (math.log(4) - math.log(0.25)) + math.log(0.25)).float()
y = torch.rand(N) * 6 - 3
out = torch.empty(N)
cap = re.search(r"CPU capability usage: (\S+)", torch.__config__.show())
for threads in (1, 2):
    torch.set_num_threads(threads)
    for _ in range(3):
        torch.pow(x, y, out=out)
    ts = []
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(10):
            torch.pow(x, y, out=out)
        ts.append((time.perf_counter() - t) / 10)
    print("torch pow threads=%d %s %.3f ms" % (threads, cap.group(1) if cap else "?", sorted(ts)[2] * 1e3))
