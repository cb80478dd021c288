#!/usr/bin/python3
"""PyTorch's own profile of torch_ref.py's ResNet-18 step (batch 128, CPU,
2 threads), per op over 2 steps after 2 warm-up steps. Run with tcmalloc:
  LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 OPENBLAS_NUM_THREADS=1 \
  /usr/bin/python3 bench/results/torch_profile_resnet.py
"""
import sys, os, torch
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import torch_ref as tr
torch.set_num_threads(2)
step = tr.MODELS["resnet18"]("cpu", 128)
for _ in range(2):
    step()
with torch.autograd.profiler.profile() as prof:
    for _ in range(2):
        step()
print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))
