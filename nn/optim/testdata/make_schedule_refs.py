#!/usr/bin/python3
"""Writes the learning rates (and momenta) that PyTorch's lr_scheduler
classes give epoch by epoch, as schedule_refs.json beside this script, for
the Go tests (nn/optim/schedule_test.go) to compare against without Python:

    /usr/bin/python3 nn/optim/testdata/make_schedule_refs.py    # from the repository root

Each case steps an optimizer over one parameter through `steps` epochs
(batches for OneCycleLR), past the schedule's end, and records
param_groups[0]["lr"] at the start of each epoch: after construction, then
after each optimizer.step() (with a gradient of 1) and scheduler.step(),
and the parameter, which starts at 0, so that the rates and momenta are
seen to reach the optimizer's update. OneCycleLR cases record the momentum it cycles
(SGD's momentum, Adam's betas[0]) and the step at which PyTorch raises;
ReduceLROnPlateau cases record the metrics fed to step (as strings, so that
"nan" survives JSON).

The learning rates handed to PyTorch are float32 numbers (0.1 rounded to
float32), so that the Go optimizers, which hold float32 rates, start from
the same value. torch 1.13 (Debian's python3-torch).
"""
import json
import math
import os
import struct

import torch
from torch.optim import lr_scheduler as S

HERE = os.path.dirname(os.path.abspath(__file__))


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


LR = f32(0.1)


def sgd(momentum=0.0):
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=LR, momentum=momentum)


def adam():
    return torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=LR)


def run(name, opt, sched, steps, momentum=None, metrics=None):
    """Steps sched, recording the rate (and momentum) of epochs 0..steps-1."""
    g = opt.param_groups[0]
    p = g["params"][0]
    case = {"name": name, "lr": [], "param": []}
    if momentum:
        case["momentum"] = []
    if metrics:
        case["metrics"] = [repr(m) for m in metrics]
    for e in range(steps):
        case["lr"].append(g["lr"])
        case["param"].append(p.item())
        if momentum:
            case["momentum"].append(g["betas"][0] if momentum == "betas" else g["momentum"])
        if e == steps - 1:
            break
        p.grad = torch.ones_like(p)
        opt.step()
        try:
            if metrics:
                sched.step(metrics[e])
            else:
                sched.step()
        except (ValueError, ZeroDivisionError):
            case["raises_at"] = e + 1
            break
    return case


def seq(opt, makers, milestones):
    return S.SequentialLR(opt, [m(opt) for m in makers], milestones)


def cases():
    out = []

    def add(name, make, steps, **kw):
        opt = make[0]()
        out.append(run(name, opt, make[1](opt), steps, **kw))

    add("StepLR(step_size=3, gamma=0.9)", (sgd, lambda o: S.StepLR(o, 3, gamma=0.9)), 16)
    add("MultiStepLR(milestones=[5, 2, 9, 5], gamma=0.3)",
        (sgd, lambda o: S.MultiStepLR(o, [5, 2, 9, 5], gamma=0.3)), 14)
    add("MultiStepLR(milestones=[0, 3], gamma=0.5)", (sgd, lambda o: S.MultiStepLR(o, [0, 3], gamma=0.5)), 6)
    add("ExponentialLR(gamma=0.9)", (sgd, lambda o: S.ExponentialLR(o, 0.9)), 40)
    add("LinearLR(start_factor=0.1, end_factor=1.0, total_iters=5)",
        (sgd, lambda o: S.LinearLR(o, 0.1, 1.0, 5)), 10)
    add("LinearLR(start_factor=1/3, end_factor=1.0, total_iters=5)",
        (sgd, lambda o: S.LinearLR(o)), 8)
    add("LinearLR(start_factor=1.0, end_factor=0.25, total_iters=4)",
        (sgd, lambda o: S.LinearLR(o, 1.0, 0.25, 4)), 8)
    add("CosineAnnealingLR(T_max=7, eta_min=0.01)", (sgd, lambda o: S.CosineAnnealingLR(o, 7, 0.01)), 30)
    add("OneCycleLR(max_lr=0.1, total_steps=20) SGD(momentum=0.9)",
        (lambda: sgd(0.9), lambda o: S.OneCycleLR(o, LR, total_steps=20)), 25, momentum="momentum")
    add("OneCycleLR(max_lr=0.1, total_steps=20) SGD(momentum=0)",
        (sgd, lambda o: S.OneCycleLR(o, LR, total_steps=20)), 5, momentum="momentum")
    add("OneCycleLR(max_lr=0.1, total_steps=17, pct_start=0.25, anneal_strategy='linear', "
        "div_factor=10, final_div_factor=100, three_phase=True, base_momentum=0.8, max_momentum=0.9) Adam",
        (adam, lambda o: S.OneCycleLR(o, LR, total_steps=17, pct_start=0.25, anneal_strategy="linear",
                                      div_factor=10.0, final_div_factor=100.0, three_phase=True,
                                      base_momentum=0.8, max_momentum=0.9)), 20, momentum="betas")
    add("OneCycleLR(max_lr=0.1, epochs=3, steps_per_epoch=4, pct_start=0.5, cycle_momentum=False)",
        (sgd, lambda o: S.OneCycleLR(o, LR, epochs=3, steps_per_epoch=4, pct_start=0.5, cycle_momentum=False)), 14)
    add("OneCycleLR(max_lr=0.1, total_steps=10, pct_start=1.0, cycle_momentum=False)",
        (sgd, lambda o: S.OneCycleLR(o, LR, total_steps=10, pct_start=1.0, cycle_momentum=False)), 12)
    add("SequentialLR([LinearLR(0.1, 1.0, 5), CosineAnnealingLR(T_max=10, eta_min=0.001)], milestones=[5])",
        (sgd, lambda o: seq(o, [lambda o: S.LinearLR(o, 0.1, 1.0, 5),
                                lambda o: S.CosineAnnealingLR(o, 10, 0.001)], [5])), 30)
    add("SequentialLR([ExponentialLR(0.9), StepLR(2, 0.5), MultiStepLR([1, 3], 0.1)], milestones=[3, 7])",
        (sgd, lambda o: seq(o, [lambda o: S.ExponentialLR(o, 0.9), lambda o: S.StepLR(o, 2, 0.5),
                                lambda o: S.MultiStepLR(o, [1, 3], 0.1)], [3, 7])), 15)

    # A loss that falls, stalls (with improvements too small for the
    # threshold), falls again and ends in NaNs.
    loss = [1.0, 0.9, 0.85, 0.84996, 0.84993, 0.86, 0.85, 0.7, 0.7, 0.7, 0.7, 0.69995, 0.7,
            0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, float("nan"), float("nan"), float("nan"), 0.4] + [0.4] * 10
    acc = [0.5, 0.6, 0.6, 0.60005, 0.61, 0.62, 0.62, 0.62, 0.62, 0.615, 0.7, 0.7, 0.7, 0.7,
           0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]
    add("ReduceLROnPlateau(mode='min', factor=0.5, patience=2, cooldown=1, min_lr=0.01)",
        (sgd, lambda o: S.ReduceLROnPlateau(o, "min", factor=0.5, patience=2, cooldown=1, min_lr=f32(0.01))),
        len(loss) + 1, metrics=loss)
    add("ReduceLROnPlateau(mode='max', factor=0.1, patience=1, threshold=0.001, threshold_mode='abs', eps=0.005)",
        (sgd, lambda o: S.ReduceLROnPlateau(o, "max", factor=0.1, patience=1, threshold=0.001,
                                            threshold_mode="abs", eps=0.005)),
        len(acc) + 1, metrics=acc)
    add("ReduceLROnPlateau(mode='min', factor=0.3, patience=0, threshold_mode='abs', threshold=0.05)",
        (sgd, lambda o: S.ReduceLROnPlateau(o, "min", factor=0.3, patience=0, threshold=0.05,
                                            threshold_mode="abs")),
        len(loss) + 1, metrics=loss)
    return out


def main():
    cs = cases()
    for c in cs:
        for v in c["lr"] + c.get("momentum", []):
            assert math.isfinite(v), c["name"]
    path = os.path.join(HERE, "schedule_refs.json")
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cs}, f, indent=1)
        f.write("\n")
    print("wrote", path, len(cs), "cases")


if __name__ == "__main__":
    main()
