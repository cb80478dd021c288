#!/usr/bin/python3
"""Runs tensorgl's CPU backend and PyTorch side by side, interleaved, and
prints PyTorch's time / tensorgl's for each training step and kernel, per
round and as the median over the rounds.

    make bench-vs-torch              # builds the bench test binary, 3 rounds
    /usr/bin/python3 bench/sidebyside.py --go-bench bench.test [--rounds 3]
        [--benchtime 2s] [--torch-threads 2] [--blas-threads 1]

Each round runs, one after the other: tensorgl's BenchmarkTrainStep steps
on the CPU, PyTorch's same steps (bench/torch_ref.py), tensorgl's SGEMM and
LeNet convolution kernels, and PyTorch's (and numpy's SGEMM). A ratio above
1 means tensorgl is faster. The targets of the CPU backend are printed
beside the medians: each training step at 1.25x PyTorch's rate or more,
SGEMM 1024 at numpy/OpenBLAS's rate or more, the LeNet convolutions at
PyTorch's or more.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = ["mlp", "cnn", "rnn", "rows", "gan"]
# Go kernel benchmark name -> torch_ref.py kernel name.
KERNELS = {
    "Sgemm/tensorgl/1024": "numpy-sgemm/1024",
    "Kernel/Conv2d/cpu/lenet1-64x1x28x28-k6-5x5-pad2": "conv/lenet1/forward",
    "Kernel/Conv2dBackwardInput/cpu/lenet1-64x1x28x28-k6-5x5-pad2": "conv/lenet1/backward-input",
    "Kernel/Conv2dBackwardWeight/cpu/lenet1-64x1x28x28-k6-5x5-pad2": "conv/lenet1/backward-weight",
    "Kernel/Conv2d/cpu/lenet2-64x6x14x14-k16-5x5": "conv/lenet2/forward",
    "Kernel/Conv2dBackwardInput/cpu/lenet2-64x6x14x14-k16-5x5": "conv/lenet2/backward-input",
    "Kernel/Conv2dBackwardWeight/cpu/lenet2-64x6x14x14-k16-5x5": "conv/lenet2/backward-weight",
}
BENCH_LINE = re.compile(r"^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op")


def go_bench(binary, pattern, benchtime):
    out = subprocess.run([binary, "-test.run", "^$", "-test.bench", pattern, "-test.benchtime", benchtime],
                         check=True, capture_output=True, text=True, cwd=HERE).stdout
    times = {}
    for line in out.splitlines():
        m = BENCH_LINE.match(line)
        if m:
            times[m.group(1)] = float(m.group(2)) / 1e6  # ms
    return times, out


def torch_ref(args, kernels):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.blas_threads), OMP_WAIT_POLICY="PASSIVE")
    cmd = [sys.executable, os.path.join(HERE, "torch_ref.py"), "--json", "--threads", str(args.torch_threads),
           "--seconds", str(args.torch_seconds)]
    cmd += ["--only", "mlp"] if kernels else ["--no-kernels"]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    times = {}
    for line in out.splitlines():
        r = json.loads(line)
        if kernels and "kernel_ms" in r:
            times[r["name"]] = r["kernel_ms"]
        elif not kernels and "ms" in r:
            times[r["name"]] = r["ms"]
    return times, out


def cpu_model():
    with open("/proc/cpuinfo") as f:
        info = f.read()
    model = re.search(r"model name\s*:\s*(.*)", info).group(1).strip()
    flags = re.search(r"flags\s*:\s*(.*)", info).group(1).split()
    return f"{model}, {os.cpu_count()} CPUs, {'AVX-512' if 'avx512f' in flags else 'AVX2, no AVX-512'}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--go-bench", required=True, help="the bench test binary (go test -c ./bench)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--benchtime", default="2s", help="go test -benchtime for each step")
    ap.add_argument("--torch-seconds", type=float, default=2.0)
    ap.add_argument("--torch-threads", type=int, default=2)
    ap.add_argument("--blas-threads", type=int, default=1)
    ap.add_argument("--raw", help="also append every tool's raw output to this file")
    args = ap.parse_args()
    args.go_bench = os.path.abspath(args.go_bench)
    raw = open(args.raw, "a") if args.raw else None
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {cpu_model()}; {platform.platform()}")
    print(f"PyTorch: {args.torch_threads} threads, OPENBLAS_NUM_THREADS={args.blas_threads}, OMP_WAIT_POLICY=PASSIVE; "
          f"tensorgl: GOMAXPROCS={os.environ.get('GOMAXPROCS', 'all CPUs')}")
    ratios = {}
    for r in range(1, args.rounds + 1):
        rows = []
        go, out1 = go_bench(args.go_bench, "TrainStep/(" + "|".join(STEPS) + ")/cpu$", args.benchtime)
        th, out2 = torch_ref(args, kernels=False)
        for s in STEPS:
            rows.append((f"step {s}", go[f"TrainStep/{s}/cpu"], th[s]))
        gk, out3 = go_bench(args.go_bench, "Sgemm/tensorgl/1024$", "1s")
        conv, out3b = go_bench(args.go_bench, "Kernel/Conv2d/cpu/lenet", "1s")
        gk.update(conv)
        out3 += out3b
        tk, out4 = torch_ref(args, kernels=True)
        for g, t in KERNELS.items():
            rows.append((f"kernel {t}", gk[g], tk[t]))
        if raw:
            for o in (out1, out2, out3, out4):
                raw.write(o)
        print(f"\nround {r}: {'':32s} {'tensorgl ms':>12s} {'reference ms':>13s} {'ratio':>7s}")
        for name, a, b in rows:
            ratios.setdefault(name, []).append(b / a)
            print(f"  {name:38s} {a:12.3f} {b:13.3f} {b / a:7.2f}")
    print(f"\nmedian of {args.rounds} rounds (reference time / tensorgl time; target):")
    for name, rs in ratios.items():
        target = 1.25 if name.startswith("step") else 1.0
        med = statistics.median(rs)
        print(f"  {name:38s} {med:6.2f}  (rounds {', '.join(f'{x:.2f}' for x in rs)}; target {target:.2f}: "
              f"{'met' if med >= target else 'NOT met'})")


if __name__ == "__main__":
    main()
