#!/usr/bin/python3
"""Times PyTorch's three convolution passes on the shapes of
kernels.BenchmarkConv2d's ResNet cases (batch 32, fp32, CPU), or with
--batch 8 those of kernels.BenchmarkConv2dBatch8, reporting GFLOP/s as
those benchmarks do. Run with the allocator and threads to try:
  LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 \
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/results/conv_torch.py --threads 2
"""
import argparse, time, torch
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--reps", type=int, default=20)
ap.add_argument("--batch", type=int, default=32)
a = ap.parse_args()
torch.set_num_threads(a.threads)
print(f"torch {torch.__version__} threads={a.threads} batch={a.batch} mkldnn={torch.backends.mkldnn.is_available()}")
cases = [("resnet-64", 64, 64, 32, 3, 1), ("resnet-128s2", 64, 128, 32, 3, 2),
         ("resnet-128", 128, 128, 16, 3, 1), ("resnet-256", 256, 256, 8, 3, 1),
         ("resnet-512", 512, 512, 4, 3, 1), ("resnet-1x1s2", 128, 256, 16, 1, 2)]
if a.batch == 8:
    cases += [("resnet-256s2", 128, 256, 16, 3, 2), ("resnet-512s2", 256, 512, 8, 3, 2),
              ("resnet-1x1s2b", 64, 128, 32, 1, 2), ("resnet-1x1s2c", 256, 512, 8, 1, 2), ("stem", 3, 64, 32, 3, 1)]
for name, c, k, h, r, s in cases:
    x = torch.randn(a.batch, c, h, h, requires_grad=True)
    w = torch.randn(k, c, r, r, requires_grad=True)
    y = F.conv2d(x, w, stride=s, padding=r // 2)
    flops = 2 * y.numel() * c * r * r
    dy = torch.randn_like(y)
    passes = {
        "fwd": lambda: F.conv2d(x, w, stride=s, padding=r // 2),
        "bwd-input": lambda: torch.nn.grad.conv2d_input(x.shape, w, dy, stride=s, padding=r // 2),
        "bwd-weight": lambda: torch.nn.grad.conv2d_weight(x, w.shape, dy, stride=s, padding=r // 2),
        "bwd-both": lambda: torch.autograd.grad(F.conv2d(x, w, stride=s, padding=r // 2), (x, w), dy),
    }
    with torch.no_grad():
        pass
    for pname, fn in passes.items():
        for _ in range(3):
            fn()
        ts = []
        for _ in range(a.reps):
            t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
        ts.sort()
        med = ts[len(ts) // 2]
        f = flops * (2 if pname == "bwd-both" else 1) + (flops if pname == "bwd-both" else 0)
        print(f"{name}/{pname}\t{med*1e3:.3f} ms\t{f/med/1e9:.1f} GFLOP/s")
