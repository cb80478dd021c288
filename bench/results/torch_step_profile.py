#!/usr/bin/python3
"""Profiles PyTorch's CPU training step of one of bench/torch_ref.py's
models with torch.profiler, op by op (self CPU time over 10 warm steps),
to set beside TestStepProfile's table of the same step on tensorgl's CPU
device. Run as sidebyside.py runs PyTorch:
  LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 \\
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/results/torch_step_profile.py resnet18 8
"""
import argparse, os, sys, time, torch
from torch.profiler import profile, ProfilerActivity

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import torch_ref  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("model", choices=sorted(torch_ref.MODELS))
ap.add_argument("batch", type=int)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--steps", type=int, default=10)
a = ap.parse_args()
torch.set_num_threads(a.threads)
step = torch_ref.MODELS[a.model]("cpu", a.batch)
for _ in range(5):
    step()
t = time.perf_counter()
for _ in range(20):
    step()
print(f"torch {torch.__version__} threads={a.threads} {a.model} batch {a.batch}: "
      f"{(time.perf_counter() - t) / 20 * 1e3:.1f} ms a step (20 steps, unprofiled)")
with profile(activities=[ProfilerActivity.CPU]) as prof:
    for _ in range(a.steps):
        step()
print(f"profile of {a.steps} steps:")
print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=30))
