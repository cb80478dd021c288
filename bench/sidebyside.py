#!/usr/bin/python3
"""Runs tensorgl's CPU backend and PyTorch side by side, interleaved, and
prints PyTorch's time / tensorgl's for each training step and kernel, per
round and as the median over the rounds.

    make bench-vs-torch              # builds the bench test binary, 3 rounds
    make bench-vs-torch-large        # the same for ResNet-18 and the LSTM and GRU LMs
    /usr/bin/python3 bench/sidebyside.py --go-bench bench.test [--rounds 3]
        [--benchtime 2s] [--torch-threads 2] [--blas-threads 1,2] [--blas-core auto]
        [--malloc glibc,tcmalloc] [--aten default,avx512] [--isa avx2] [--large [--large-steps gru-b64]] [--infer]

Each round runs, one after the other: tensorgl's BenchmarkTrainStep steps
on the CPU, PyTorch's same steps (bench/torch_ref.py) at each setting
tried (torch threads × OMP_WAIT_POLICY × OPENBLAS_NUM_THREADS × OpenBLAS
core × allocator × ATen's vector code), of which the fastest counts, tensorgl's SGEMM and LeNet
convolution kernels, and PyTorch's (and numpy's SGEMM). OpenBLAS picks its
kernels for the CPU itself: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are
removed from PyTorch's environment (an inherited OPENBLAS_CORETYPE=Haswell
halves its SGEMM rate on a Zen 5) unless --blas-core names cores to try.
PyTorch runs on glibc's malloc and on tcmalloc (LD_PRELOAD, Debian's
libtcmalloc-minimal4), the allocator its CPU tuning guides recommend: on
a VM where page faults are dear, glibc's malloc returns PyTorch's large
tensors to the kernel and faults them in again at every op, which cost its
LSTM language model step 1.5× its time on tcmalloc. PyTorch 1.13 runs its
element-wise kernels as AVX2 code on a CPU with AVX-512 unless
ATEN_CPU_CAPABILITY=avx512 (its AVX-512 sine and logarithm ran 2.1–2.7×
as fast on a Zen 5, bench/results/unary-vs-torch-2026-12-02.txt), so both
are tried.
A ratio above 1 means tensorgl is faster. The targets of the CPU backend are printed
beside the medians: each training step at 1.25x PyTorch's rate or more,
SGEMM 1024 at numpy/OpenBLAS's rate or more, the LeNet convolutions at
PyTorch's or more.

With --isa avx2 both sides run their AVX2 code on an AVX-512 machine, as
on a CPU without AVX-512 (Zen 3, say): tensorgl with
GODEBUG=cpu.avx512f=off, PyTorch with ATEN_CPU_CAPABILITY=avx2,
DNNL_MAX_CPU_ISA=AVX2 (its convolutions) and OPENBLAS_CORETYPE=Zen (the
kernels OpenBLAS picks on a Zen 3). The header names the kernels each side
reports. The core is still the machine's: the same instructions time
differently on another microarchitecture.

With --infer each round runs BenchmarkInfer's inference instead (the MLP,
LeNet and ResNet-18 at batch 1 and 64, evaluation mode, no autograd
graph, the logits read back) and PyTorch's (torch.inference_mode()).

With --large each round runs BenchmarkTrainStepLarge's ResNet-18 (batch
128 and 8), LSTM, GRU and Transformer language model (batch 64) steps instead, and
no kernels: seconds a step on two cores, so --large-benchtime counts steps.
--large-steps picks some of them, or the seed's steps at batch 1024
(mlp-b1024 ... gan-b1024).
"""

import argparse
import glob
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# --malloc: the library each allocator preloads (glibc: none).
MALLOC = {"glibc": None, "tcmalloc": "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"}
STEPS = ["mlp", "cnn", "rnn", "rows", "gan"]
LARGE_STEPS = ["resnet18-b128", "resnet18-b8", "lstm-b64", "gru-b64", "transformer-b64"]
# The seed's steps at batch 1024, which --large-steps may name too.
BATCH1024_STEPS = [f"{s}-b1024" for s in STEPS]
# BenchmarkInfer's cases (--infer), torch_ref.py's infer-<case>.
INFER = [f"{m}-b{b}" for m in ("mlp", "cnn", "resnet18") for b in (1, 64)]
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


# --isa: the environment that limits each library to an instruction set.
ISA_ENV = {
    "native": {},
    "avx2": {"GODEBUG": "cpu.avx512f=off", "ATEN_CPU_CAPABILITY": "avx2", "DNNL_MAX_CPU_ISA": "AVX2"},
}


def go_bench(binary, pattern, benchtime):
    out = subprocess.run([binary, "-test.run", "^$", "-test.bench", pattern, "-test.benchtime", benchtime],
                         check=True, capture_output=True, text=True, cwd=HERE).stdout
    times = {}
    for line in out.splitlines():
        m = BENCH_LINE.match(line)
        if m:
            times[m.group(1)] = float(m.group(2)) / 1e6  # ms
    return times, out


def torch_ref(args, kernels, only=None):
    """Times PyTorch at every setting of --torch-threads and --omp-wait and
    returns, per step or kernel, the fastest time and the setting that won.
    only lists the steps to time (default: the seed's, and their kernels)."""
    best, outs = {}, ""
    for threads, wait, blas, core, alloc, aten in [(t, w, b, c, m, a) for t in args.torch_threads.split(",")
                                                   for w in args.omp_wait.split(",") for b in args.blas_threads.split(",")
                                                   for c in args.blas_core.split(",") for m in args.malloc.split(",")
                                                   for a in args.aten.split(",")]:
        env = dict(os.environ, OPENBLAS_NUM_THREADS=blas)
        env.pop("ATEN_CPU_CAPABILITY", None)
        if aten != "default":
            env["ATEN_CPU_CAPABILITY"] = aten
        env.pop("LD_PRELOAD", None)
        if MALLOC[alloc]:
            env["LD_PRELOAD"] = MALLOC[alloc]
        env.pop("OMP_WAIT_POLICY", None)
        if wait != "default":
            env["OMP_WAIT_POLICY"] = wait
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
        if core != "auto":
            env["OPENBLAS_CORETYPE"] = core
        cmd = [sys.executable, os.path.join(HERE, "torch_ref.py"), "--json", "--threads", threads,
               "--seconds", str(args.torch_seconds)]
        cmd += ["--only", "mlp"] if kernels else ["--no-kernels"]
        if only:
            cmd += ["--only", ",".join(only)]
        out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
        outs += out
        setting = f"{threads} threads, OMP_WAIT_POLICY={wait}, OPENBLAS_NUM_THREADS={blas}" + (
            f", OPENBLAS_CORETYPE={core}" if core != "auto" else "") + f", {alloc}" + (
            f", ATEN_CPU_CAPABILITY={aten}" if aten != "default" else "")
        for line in out.splitlines():
            r = json.loads(line)
            ms = r.get("kernel_ms" if kernels else "ms")
            if ms is not None and (r["name"] not in best or ms < best[r["name"]][0]):
                best[r["name"]] = (ms, setting)
    return best, outs


def print_round(r, rows, ratios):
    """Prints round r's rows (name, tensorgl ms, reference ms, setting) and
    adds their ratios to ratios."""
    print(f"\nround {r}: {'':32s} {'tensorgl ms':>12s} {'reference ms':>13s} {'ratio':>7s}  reference's fastest setting", flush=True)
    for name, a, b, setting in rows:
        ratios.setdefault(name, []).append(b / a)
        print(f"  {name:38s} {a:12.3f} {b:13.3f} {b / a:7.2f}  {setting}", flush=True)


def has_avx512():
    with open("/proc/cpuinfo") as f:
        return "avx512f" in re.search(r"flags\s*:\s*(.*)", f.read()).group(1).split()


def cpu_model():
    with open("/proc/cpuinfo") as f:
        info = f.read()
    model = re.search(r"model name\s*:\s*(.*)", info).group(1).strip()
    flags = re.search(r"flags\s*:\s*(.*)", info).group(1).split()
    # Under a hypervisor the model name is often generic ("Intel(R) Xeon(R)
    # Processor"): family, model and cache sizes tell the core apart.
    ids = [re.search(rf"{k}\s*:\s*(\d+)", info) for k in ("cpu family", "model")]
    caches = []
    for idx in sorted(glob.glob("/sys/devices/system/cpu/cpu0/cache/index*")):
        try:
            level, kind, size = (open(os.path.join(idx, f)).read().strip() for f in ("level", "type", "size"))
        except OSError:
            continue
        if kind != "Instruction":
            caches.append(f"L{level} {size}")
    ident = f"family {ids[0].group(1)} model {ids[1].group(1)}" if all(ids) else "family unknown"
    return (f"{model} ({ident}; {', '.join(caches) or 'caches unknown'}), {os.cpu_count()} CPUs, "
            f"{'AVX-512' if 'avx512f' in flags else 'AVX2, no AVX-512'}")


def go_isa(binary):
    """The CPU device's renderer as the bench binary logs it, which names
    its kernels' instruction set."""
    out = subprocess.run([binary, "-test.run", "^TestDevices$", "-test.v"], check=True, capture_output=True,
                         text=True, cwd=HERE).stdout
    m = re.search(r"CPU: ([^;]*)", out)
    return m.group(1) if m else "(not reported)"


def torch_isa(core):
    """ATen's vector code, oneDNN's and OpenBLAS's kernels, as each reports
    them in a PyTorch process with OpenBLAS core core (auto: its choice)."""
    code = """
import ctypes, os, re, subprocess, sys, torch
cap = re.search(r"CPU capability usage: (\\S+)", torch.__config__.show())
x = torch.rand(2, 3, 8, 8); w = torch.rand(4, 3, 3, 3)
os.environ["DNNL_VERBOSE"] = "1"
out = subprocess.run([sys.executable, "-c", "import torch; torch.nn.functional.conv2d(torch.rand(16,3,8,8), torch.rand(4,3,3,3))"],
                     capture_output=True, text=True, env=os.environ).stdout
dnnl = re.search(r"isa:([^\\n]*)", out)
torch.rand(8, 8) @ torch.rand(8, 8)
core = "?"
for path in sorted(set(l for l in open("/proc/self/maps").read().split() if "openblas" in l)):
    lib = ctypes.CDLL(path); lib.openblas_get_corename.restype = ctypes.c_char_p; core = lib.openblas_get_corename().decode()
print(f"ATen {cap.group(1) if cap else '?'}, oneDNN {dnnl.group(1).strip() if dnnl else '?'}, OpenBLAS {core}")
"""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    if core != "auto":
        env["OPENBLAS_CORETYPE"] = core
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env).stdout.strip() or "(not reported)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--go-bench", required=True, help="the bench test binary (go test -c ./bench)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--benchtime", default="2s", help="go test -benchtime for each step")
    ap.add_argument("--torch-seconds", type=float, default=2.0)
    ap.add_argument("--torch-threads", default="1,2", help="torch thread counts to try; the fastest counts")
    ap.add_argument("--omp-wait", default="default,PASSIVE", help="OMP_WAIT_POLICY values to try (default: unset)")
    ap.add_argument("--blas-threads", default="1,2", help="OPENBLAS_NUM_THREADS values to try")
    ap.add_argument("--blas-core", help="OPENBLAS_CORETYPE values to try; auto: OpenBLAS's own choice for this CPU "
                    "(OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset). Default: auto, or Zen with --isa avx2")
    ap.add_argument("--malloc", default="glibc,tcmalloc", help="allocators to try: glibc, tcmalloc (LD_PRELOAD)")
    ap.add_argument("--aten", help="ATEN_CPU_CAPABILITY values to try (default: unset, ATen's own choice). "
                    "Default: default,avx512 on an AVX-512 CPU (PyTorch 1.13 picks its AVX2 element-wise code there "
                    "unless told avx512), default on others, or avx2 with --isa avx2")
    ap.add_argument("--raw", help="also append every tool's raw output to this file")
    ap.add_argument("--large", action="store_true", help="ResNet-18 and the LSTM and GRU LM steps instead of the seed's steps and kernels")
    ap.add_argument("--large-benchtime", default="3x", help="go test -benchtime for each large step")
    ap.add_argument("--large-steps", default=",".join(LARGE_STEPS), help="with --large, the steps to time (comma-separated; also "
                    "the seed's at batch 1024: " + ",".join(BATCH1024_STEPS) + ")")
    ap.add_argument("--infer", action="store_true", help="inference (BenchmarkInfer: " + ",".join(INFER) +
                    ") instead of the seed's steps and kernels")
    ap.add_argument("--infer-benchtime", default="1s", help="go test -benchtime for each inference case")
    ap.add_argument("--isa", choices=sorted(ISA_ENV), default="native",
                    help="avx2: both sides run their AVX2 code (see above)")
    args = ap.parse_args()
    if args.blas_core is None:
        args.blas_core = "Zen" if args.isa == "avx2" else "auto"
    if args.aten is None:
        # ATen's AVX-512 code on a CPU without it stops on an illegal instruction.
        args.aten = "avx2" if args.isa == "avx2" else "default,avx512" if has_avx512() else "default"
    inherited = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
    os.environ.update({k: v for k, v in ISA_ENV[args.isa].items() if not k.startswith("OPENBLAS_")})
    for m in args.malloc.split(","):
        if m not in MALLOC:
            ap.error(f"--malloc: unknown {m}, want some of {sorted(MALLOC)}")
        if MALLOC[m] and not os.path.exists(MALLOC[m]):
            ap.error(f"--malloc {m}: {MALLOC[m]} is missing (apt-get install libtcmalloc-minimal4)")
    large = args.large_steps.split(",")
    if unknown := [s for s in large if s not in LARGE_STEPS + BATCH1024_STEPS]:
        ap.error(f"--large-steps: unknown {unknown}, want some of {LARGE_STEPS + BATCH1024_STEPS}")
    args.go_bench = os.path.abspath(args.go_bench)
    raw = open(args.raw, "a") if args.raw else None
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {cpu_model()}; {platform.platform()}")
    print(f"PyTorch {subprocess.run([sys.executable, '-c', 'import torch; print(torch.__version__)'], capture_output=True, text=True).stdout.strip()}: "
          f"the fastest of torch threads {{{args.torch_threads}}} × OMP_WAIT_POLICY {{{args.omp_wait}}} × "
          f"OPENBLAS_NUM_THREADS {{{args.blas_threads}}} × OpenBLAS core {{{args.blas_core}}} × allocator {{{args.malloc}}} × "
          f"ATEN_CPU_CAPABILITY {{{args.aten}}} per step and round"
          + (f" (the environment's {' '.join(f'{k}={v}' for k, v in inherited.items())} removed)" if inherited else "")
          + f"; tensorgl: GOMAXPROCS={os.environ.get('GOMAXPROCS', 'all CPUs')}")
    print(f"instruction sets: tensorgl {go_isa(args.go_bench)}; PyTorch "
          + "; ".join(f"{torch_isa(core)} with core {core}" for core in args.blas_core.split(","))
          + (f" (--isa {args.isa}: {' '.join(f'{k}={v}' for k, v in ISA_ENV[args.isa].items())})" if ISA_ENV[args.isa] else ""))
    ratios = {}
    for r in range(1, args.rounds + 1):
        rows = []
        if args.infer:
            go, out1 = go_bench(args.go_bench, "^BenchmarkInfer$/^(" + "|".join(INFER) + ")$/^cpu$", args.infer_benchtime)
            th, out2 = torch_ref(args, kernels=False, only=[f"infer-{c}" for c in INFER])
            for c in INFER:
                rows.append((f"infer {c}", go[f"Infer/{c}/cpu"], th[f"infer-{c}"][0], th[f"infer-{c}"][1]))
            if raw:
                raw.write(out1 + out2)
            print_round(r, rows, ratios)
            continue
        if args.large:
            go, out1 = go_bench(args.go_bench, "^BenchmarkTrainStepLarge$/^(" + "|".join(large) + ")$/^cpu$",
                                args.large_benchtime)
            th, out2 = torch_ref(args, kernels=False, only=large)
            for s in large:
                rows.append((f"step {s}", go[f"TrainStepLarge/{s}/cpu"], th[s][0], th[s][1]))
            if raw:
                raw.write(out1 + out2)
            print_round(r, rows, ratios)
            continue
        go, out1 = go_bench(args.go_bench, "^BenchmarkTrainStep$/^(" + "|".join(STEPS) + ")$/^cpu$", args.benchtime)
        th, out2 = torch_ref(args, kernels=False)
        for s in STEPS:
            rows.append((f"step {s}", go[f"TrainStep/{s}/cpu"], th[s][0], th[s][1]))
        gk, out3 = go_bench(args.go_bench, "Sgemm/tensorgl/1024$", "1s")
        conv, out3b = go_bench(args.go_bench, "Kernel/Conv2d/cpu/lenet", "1s")
        gk.update(conv)
        out3 += out3b
        tk, out4 = torch_ref(args, kernels=True)
        for g, t in KERNELS.items():
            rows.append((f"kernel {t}", gk[g], tk[t][0], tk[t][1]))
        if raw:
            for o in (out1, out2, out3, out4):
                raw.write(o)
        print_round(r, rows, ratios)
    print(f"\nmedian of {args.rounds} rounds (reference time / tensorgl time; target):")
    for name, rs in ratios.items():
        target = 1.25 if name.startswith("step") else 1.0
        med = statistics.median(rs)
        print(f"  {name:38s} {med:6.2f}  (rounds {', '.join(f'{x:.2f}' for x in rs)}; target {target:.2f}: "
              f"{'met' if med >= target else 'NOT met'})")


if __name__ == "__main__":
    main()
