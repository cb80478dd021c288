#!/usr/bin/python3
"""PyTorch reference for bench/train_test.go's BenchmarkTrainStep.

Times the same training steps in PyTorch (on the CPU, or with --device cuda on
an NVIDIA GPU): the MLP 784-128-64-10
with plain SGD (lr 0.01) and LeNet-5 (conv 5x5->6 pad 2, max pool, conv
5x5->16, max pool, FC 120-84-10) with SGD momentum 0.9, batch 64, on a fixed
batch of random data, reading back only the loss. Prints ms/step and
samples/s per model.

Run by hand (torch 1.13, CPU):

    /usr/bin/python3 bench/torch_ref.py [--threads 2] [--seconds 2] [--device cuda]

On cores shared with other programs, also run it with OMP_WAIT_POLICY=PASSIVE
in the environment: OpenMP's spin-waiting threads otherwise fight the other
programs for the cores.
"""

import argparse
import os
import time

import torch
from torch import nn

BATCH = 64
WARMUP_STEPS = 3  # as warmupSteps in train_test.go


def mlp():
    return nn.Sequential(
        nn.Linear(784, 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 10))


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10))


# name, model, one sample's shape, SGD settings: as trainModels in train_test.go.
MODELS = [
    ("mlp", mlp, (784,), dict(lr=0.01)),
    ("cnn", lenet, (1, 28, 28), dict(lr=0.01, momentum=0.9)),
]


def time_steps(build, shape, sgd, seconds, device):
    """Returns (steps, elapsed seconds, last loss) of steps run for at least `seconds`."""
    torch.manual_seed(1)
    model = build().to(device)
    opt = torch.optim.SGD(model.parameters(), **sgd)
    x = torch.randn(BATCH, *shape).to(device)
    y = (torch.arange(BATCH) % 10).to(device)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(WARMUP_STEPS):
        step()
    n, start = 0, time.perf_counter()
    while True:
        loss = step()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n, elapsed, loss


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    ap.add_argument("--seconds", type=float, default=2.0, help="time each model at least this long")
    ap.add_argument("--device", default="cpu", help="torch device: cpu or cuda")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    # libgomp's threads spin while they wait (OMP_WAIT_POLICY=ACTIVE, the
    # default): on cores shared with other work that spinning costs several
    # times the step, so say which policy ran.
    wait = os.environ.get("OMP_WAIT_POLICY", "unset")
    where = torch.cuda.get_device_name() if args.device.startswith("cuda") else "cpu"
    print(f"torch {torch.__version__} on {where}, {torch.get_num_threads()} threads, OMP_WAIT_POLICY={wait}, batch {BATCH}")
    for name, build, shape, sgd in MODELS:
        n, elapsed, loss = time_steps(build, shape, sgd, args.seconds, args.device)
        ms = 1e3 * elapsed / n
        print(f"{name}: {n} steps, {ms:.3f} ms/step, {BATCH * n / elapsed:.0f} samples/s (last loss {loss:.4f})")


if __name__ == "__main__":
    main()
