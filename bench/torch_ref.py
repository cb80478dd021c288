#!/usr/bin/python3
"""PyTorch reference for bench/train_test.go's BenchmarkTrainStep and
BenchmarkTrainStepLarge, the GEMM and LeNet convolution kernels of
bench/kernels_test.go and BenchmarkMatMul, and BenchmarkDispatch.

Times in PyTorch (on the CPU, or with --device cuda on an NVIDIA GPU) the
same training steps as BenchmarkTrainStep, batch 64, on fixed random data,
reading back only the loss:

  mlp   784-128-64-10, ReLU, cross-entropy, plain SGD (lr 0.01)
  cnn   LeNet-5 (conv 5x5->6 pad 2, max pool, conv 5x5->16, max pool,
        FC 120-84-10), SGD momentum 0.9
  rnn   character model: embedding 96->32, 2-layer tanh RNN of 128 over 64
        time steps (64 streams), linear head, Adam, gradient norm clipped to 1
  rows  Fashion-MNIST read as 28 rows: linear 28->32, 2-layer tanh RNN of 128
        (batch first), linear head from the last state, SGD momentum 0.9
  gan   the MLP GAN: generator 64->256->512->784 (LeakyReLU 0.2, tanh),
        discriminator 784->512->256->1 (LeakyReLU 0.2, dropout 0.3), Adam
        (betas 0.5, 0.999); one D step and one G step

With --large also BenchmarkTrainStepLarge's steps, named as there:

  mlp-b1024 ... gan-b1024   the five above at batch 1024
  resnet18-b128  ResNet-18 for 32x32 images (3x3 stem of 64, no max pool, 4
        stages of 2 BasicBlocks of 64/128/256/512, stride 2 from stage 2,
        1x1 conv + BN shortcut where the shape changes, global average pool,
        FC 10), random CIFAR-10-sized batch, SGD momentum 0.9 (lr 0.01)
  resnet18-b8  the same at batch 8
  lstm-b64  embedding 256->256, 2-layer LSTM of 512 over 64 time steps (64
        streams), linear head to 256, Adam, gradient norm clipped to 1
  gru-b64   the same with a 2-layer GRU of 512
  transformer-b64  a causal Transformer language model: embedding 256->256
        plus learned positions, 2 post-norm encoder layers (4 heads,
        feed-forward 1024, ReLU, dropout 0.1), linear head, Adam, clipping

With --infer also BenchmarkInfer's inference, infer-<model>-b<batch> for
mlp, cnn and resnet18 at batch 1 and 64: the model in evaluation mode
under torch.inference_mode(), the logits copied to the host.

and the kernels: sgemm NxNxN (--gemm-sizes; up to 8192 on CUDA), the two
LeNet convolutions forward and both backward passes, and the launch cost
of a tiny op (add of 256 floats), 1000 back to back and then a
synchronisation, and one with its synchronisation: us/dispatch as
BenchmarkDispatch's tensor-add.

    /usr/bin/python3 bench/torch_ref.py [--threads 2] [--seconds 2] [--device cuda]
        [--only mlp,cnn,...] [--large] [--infer] [--gemm-sizes 256,512] [--json]

On CUDA, TF32 is off (torch.backends.cuda.matmul.allow_tf32 and
torch.backends.cudnn.allow_tf32): the comparison is fp32 with fp32.

Debian's PyTorch runs on whatever BLAS is installed: install an optimized
one (apt-get install libopenblas0-pthread) or it uses netlib's reference
BLAS, several times slower. --find-threads tries torch thread counts with
OPENBLAS_NUM_THREADS 1 and 2 and prints which is fastest per model. The
header names the kernels OpenBLAS runs (blas_core): OPENBLAS_CORETYPE in
the environment overrides its choice (Haswell's AVX2 kernels run SGEMM at
about half the rate of its AVX-512 ones on a Zen 5), so bench/sidebyside.py
unsets it unless told otherwise.
"""

import argparse
import ctypes
import json
import os
import subprocess
import sys
import time

import torch
from torch import nn

BATCH = 64  # as seedBatch in train_test.go
WARMUP_STEPS = 3  # as warmupSteps in train_test.go
# Language models: vocabulary, embedding, hidden size, window; as rnnVocab...
# in train_test.go and lstmVocab... in large_test.go.
CHAR_RNN = (96, 32, 128, 64)
LSTM_LM = (256, 256, 512, 64)
# The Transformer language model: vocabulary, embedding, heads, feed-forward
# size, layers, window; as lstmVocab, lstmEmbed, tfHeads... in large_test.go.
TRANSFORMER_LM = (256, 256, 4, 1024, 2, 64)
DISPATCH_BURST, DISPATCH_ELEMS = 1000, 256  # as in dispatch_test.go


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


class BasicBlock(nn.Module):
    """torchvision's BasicBlock: as basicBlock in large_test.go."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + (x if self.downsample is None else self.downsample(x)))


def resnet18():
    """ResNet-18 for 32x32 images: as resnet18 in large_test.go."""
    layers = [nn.Conv2d(3, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU()]
    cin = 64
    for i, cout in enumerate((64, 128, 256, 512)):
        layers += [BasicBlock(cin, cout, 1 if i == 0 else 2), BasicBlock(cout, cout, 1)]
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10)]
    return nn.Sequential(*layers)


def classifier(build, shape, opt):
    """A step of a classifier: cross-entropy on fixed data."""
    def setup(device, batch):
        model = build().to(device)
        o = opt(model.parameters())
        x = torch.randn(batch, *shape).to(device)
        y = (torch.arange(batch) % 10).to(device)
        loss_fn = nn.CrossEntropyLoss()

        def step():
            o.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), y)
            loss.backward()
            o.step()
            return loss.item()
        return step
    return setup


class LanguageModel(nn.Module):
    def __init__(self, cell, vocab, embed, hidden):
        super().__init__()
        self.hidden = hidden
        self.embed = nn.Embedding(vocab, embed)
        self.rnn = cell(embed, hidden, num_layers=2)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, ids):  # [T, B] -> [T*B, vocab]
        out, _ = self.rnn(self.embed(ids))
        return self.head(out.reshape(-1, self.hidden))


def language_model(cell, vocab, embed, hidden, seq):
    """A step of a recurrent language model: as languageModel in train_test.go."""
    def setup(device, batch):
        return lm_step(LanguageModel(cell, vocab, embed, hidden).to(device), vocab, seq, batch, device)
    return setup


def lm_step(model, vocab, seq, batch, device):
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, vocab, (seq, batch), generator=g).to(device)
    targets = torch.randint(0, vocab, (seq * batch,), generator=g).to(device)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(ids), targets)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()
    return step


class TransformerLM(nn.Module):
    def __init__(self, vocab, embed, heads, ff, layers, seq):
        super().__init__()
        self.embed_size = embed
        self.embed = nn.Embedding(vocab, embed)
        self.pos = nn.Embedding(seq, embed)
        layer = nn.TransformerEncoderLayer(embed, heads, dim_feedforward=ff, dropout=0.1)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(embed, vocab)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(seq))
        self.register_buffer("positions", torch.arange(seq))

    def forward(self, ids):  # [T, B] -> [T*B, vocab]
        x = self.embed(ids) + self.pos(self.positions).unsqueeze(1)
        return self.head(self.encoder(x, mask=self.mask).reshape(-1, self.embed_size))


def transformer_lm(vocab, embed, heads, ff, layers, seq):
    """A step of a causal Transformer language model: as transformerLM in large_test.go."""
    def setup(device, batch):
        return lm_step(TransformerLM(vocab, embed, heads, ff, layers, seq).to(device), vocab, seq, batch, device)
    return setup


class RowsRNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(28, 32)
        self.rnn = nn.RNN(32, 128, num_layers=2, batch_first=True)
        self.head = nn.Linear(128, 10)

    def forward(self, x):  # [B, 1, 28, 28]
        out, _ = self.rnn(self.proj(x.reshape(x.shape[0], 28, 28)))
        return self.head(out[:, -1])


def gan(device, batch):
    G = nn.Sequential(
        nn.Linear(64, 256), nn.LeakyReLU(0.2),
        nn.Linear(256, 512), nn.LeakyReLU(0.2),
        nn.Linear(512, 784), nn.Tanh()).to(device)
    D = nn.Sequential(
        nn.Linear(784, 512), nn.LeakyReLU(0.2), nn.Dropout(0.3),
        nn.Linear(512, 256), nn.LeakyReLU(0.2), nn.Dropout(0.3),
        nn.Linear(256, 1)).to(device)
    optG = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optD = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = (torch.rand(batch, 784) * 2 - 1).to(device)
    ones = torch.ones(batch, 1, device=device)
    zeros = torch.zeros(batch, 1, device=device)
    bce = nn.BCEWithLogitsLoss()

    def step():
        fake = G(torch.randn(batch, 64, device=device))
        optD.zero_grad(set_to_none=True)
        d_loss = bce(D(real), ones) + bce(D(fake.detach()), zeros)
        d_loss.backward()
        optD.step()
        optG.zero_grad(set_to_none=True)
        g_loss = bce(D(fake), ones)
        g_loss.backward()
        optG.step()
        return torch.stack([d_loss.detach(), g_loss.detach()]).sum().item()
    return step


def inference(build, shape):
    """Inference by a classifier: evaluation mode, torch.inference_mode(),
    fixed data, the logits copied to the host (as BenchmarkInfer)."""
    def setup(device, batch):
        model = build().to(device).eval()
        x = torch.randn(batch, *shape).to(device)

        def step():
            with torch.inference_mode():
                return model(x).cpu().numpy().copy()
        return step
    return setup


MODELS = {
    "infer-mlp": inference(mlp, (784,)),
    "infer-cnn": inference(lenet, (1, 28, 28)),
    "infer-resnet18": inference(resnet18, (3, 32, 32)),
    "mlp": classifier(mlp, (784,), lambda p: torch.optim.SGD(p, lr=0.01)),
    "cnn": classifier(lenet, (1, 28, 28), lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9)),
    "rnn": language_model(nn.RNN, *CHAR_RNN),
    "rows": classifier(RowsRNN, (1, 28, 28), lambda p: torch.optim.SGD(p, lr=0.005, momentum=0.9)),
    "gan": gan,
    "resnet18": classifier(resnet18, (3, 32, 32), lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9)),
    "lstm": language_model(nn.LSTM, *LSTM_LM),
    "gru": language_model(nn.GRU, *LSTM_LM),
    "transformer": transformer_lm(*TRANSFORMER_LM),
}
SEED = ["mlp", "cnn", "rnn", "rows", "gan"]
# Step name -> (model, batch): the seed's steps at batch 64 under their own
# names, as BenchmarkTrainStep; the large ones as BenchmarkTrainStepLarge.
STEPS = {name: (name, BATCH) for name in SEED}
LARGE = {f"{name}-b{batch}": (name, batch) for name, batch in
         [(name, 1024) for name in SEED] + [("resnet18", 128), ("resnet18", 8), ("lstm", 64), ("gru", 64), ("transformer", 64)]}
STEPS.update(LARGE)
# Inference, as BenchmarkInfer: infer-<model>-b<batch>.
INFER = {f"infer-{name}-b{batch}": (f"infer-{name}", batch) for name in ("mlp", "cnn", "resnet18") for batch in (1, BATCH)}
STEPS.update(INFER)

# The LeNet convolutions of bench/kernels_test.go: N, C, H, W, K, R, pad.
CONVS = {
    "lenet1": (64, 1, 28, 28, 6, 5, 2),
    "lenet2": (64, 6, 14, 14, 16, 5, 0),
}


def run_for(fn, seconds, sync):
    """Returns seconds per call of fn, run for at least `seconds` after a warm-up."""
    for _ in range(WARMUP_STEPS):
        fn()
    sync()
    n, start = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        if n % 4 == 0 or seconds == 0:
            sync()
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                return elapsed / n


def kernels(device, seconds, sync, gemm_sizes):
    """Yields (name, seconds per call, flops) for sgemm and the LeNet convolutions."""
    for n in gemm_sizes:
        a, b = torch.randn(n, n, device=device), torch.randn(n, n, device=device)
        yield f"sgemm/{n}", run_for(lambda: torch.mm(a, b), seconds, sync), 2 * n ** 3
    if device == "cpu":
        import numpy as np  # numpy's matmul calls the installed BLAS (OpenBLAS) directly
        rng = np.random.default_rng(1)
        n = 1024
        a, b = rng.standard_normal((n, n), dtype=np.float32), rng.standard_normal((n, n), dtype=np.float32)
        yield f"numpy-sgemm/{n}", run_for(lambda: a @ b, seconds, sync), 2 * n ** 3
    F = torch.nn.functional
    for name, (N, C, H, W, K, R, pad) in CONVS.items():
        x = torch.randn(N, C, H, W, device=device)
        w = torch.randn(K, C, R, R, device=device)
        y = F.conv2d(x, w, padding=pad)
        gy = torch.randn_like(y)
        flops = 2 * y.numel() * C * R * R
        yield f"conv/{name}/forward", run_for(lambda: F.conv2d(x, w, padding=pad), seconds, sync), flops
        # The kernels autograd runs for each backward pass (bias none,
        # stride 1, dilation 1, one group).
        bw = torch.ops.aten.convolution_backward

        def grad(mask):
            return lambda: bw(gy, x, w, None, [1, 1], [pad, pad], [1, 1], False, [0, 0], 1, mask)
        yield f"conv/{name}/backward-input", run_for(grad([True, False, False]), seconds, sync), flops
        yield f"conv/{name}/backward-weight", run_for(grad([False, True, False]), seconds, sync), flops


def dispatch(device, seconds, sync):
    """Yields (name, seconds per op) of a tiny add, DISPATCH_BURST back to
    back then a synchronisation, and one add with its synchronisation."""
    x = torch.full((DISPATCH_ELEMS,), 1.0, device=device)
    y = torch.full((DISPATCH_ELEMS,), 2.0, device=device)
    for burst, name in ((DISPATCH_BURST, f"dispatch/add-x{DISPATCH_BURST}"), (1, "dispatch/add-sync")):
        def run():
            for _ in range(burst):
                torch.add(x, y)
            sync()
        yield name, run_for(run, seconds / 4, sync) / burst


def allocator():
    """The malloc this process runs on: tcmalloc or jemalloc when one is
    loaded (LD_PRELOAD), else glibc's."""
    with open("/proc/self/maps") as f:
        maps = f.read()
    for name in ("tcmalloc", "jemalloc"):
        if name in maps:
            return name
    return "glibc"


def openblas_core():
    """The kernels OpenBLAS runs in this process ("Cooperlake", "Haswell",
    ...), or "not OpenBLAS"."""
    torch.rand(4, 4) @ torch.rand(4, 4)  # loads the BLAS
    with open("/proc/self/maps") as f:
        paths = sorted({w for w in f.read().split() if "openblas" in w and ".so" in w})
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return lib.openblas_get_corename().decode()
        except (OSError, AttributeError):
            continue
    return "not OpenBLAS"


def find_threads(args):
    """Runs this script once per setting and prints the fastest per model."""
    results = {}
    for blas in ("1", "2"):
        for threads in (1, 2):
            env = dict(os.environ, OPENBLAS_NUM_THREADS=blas)
            out = subprocess.run([sys.executable, __file__, "--json", "--threads", str(threads),
                                  "--seconds", str(args.seconds), "--only", args.only, "--no-kernels"],
                                 env=env, check=True, capture_output=True, text=True).stdout
            for line in out.splitlines():
                r = json.loads(line)
                if "ms" in r:
                    key = f"OPENBLAS_NUM_THREADS={blas} threads={threads}"
                    results.setdefault(r["name"], []).append((r["ms"], key))
                    print(f"{r['name']:5s} {key}: {r['ms']:.3f} ms/step", flush=True)
    for name, rs in results.items():
        ms, key = min(rs)
        print(f"fastest for {name}: {key} ({ms:.3f} ms/step)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    ap.add_argument("--seconds", type=float, default=2.0, help="time each step at least this long")
    ap.add_argument("--device", default="cpu", help="torch device: cpu or cuda")
    ap.add_argument("--only", default=",".join(SEED),
                    help="comma-separated steps to time, of: " + ",".join(STEPS))
    ap.add_argument("--large", action="store_true", help="also time the large steps: " + ",".join(LARGE))
    ap.add_argument("--infer", action="store_true", help="also time inference: " + ",".join(INFER))
    ap.add_argument("--gemm-sizes", help="sgemm sizes (default 256,512,1024 on the CPU; up to 8192 on CUDA)")
    ap.add_argument("--no-kernels", action="store_true", help="time the training steps only")
    ap.add_argument("--json", action="store_true", help="one JSON object per line")
    ap.add_argument("--find-threads", action="store_true", help="try the thread settings; print the fastest")
    args = ap.parse_args()
    if args.find_threads:
        find_threads(args)
        return
    torch.set_num_threads(args.threads)
    # TF32 off: the fp32 comparison is with fp32 arithmetic.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    cuda = args.device.startswith("cuda")
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    where = torch.cuda.get_device_name() if cuda else "cpu"
    header = dict(torch=torch.__version__, device=where, threads=torch.get_num_threads(),
                  blas_threads=os.environ.get("OPENBLAS_NUM_THREADS", "unset"), blas_core=openblas_core(),
                  openblas_coretype=os.environ.get("OPENBLAS_CORETYPE", "unset"),
                  omp_wait_policy=os.environ.get("OMP_WAIT_POLICY", "unset"), malloc=allocator(), tf32=False)
    if args.json:
        print(json.dumps(header), flush=True)
    else:
        print(" ".join(f"{k}={v}" for k, v in header.items()), flush=True)
    names = [n for n in args.only.split(",") if n]
    if args.large:
        names += [n for n in LARGE if n not in names]
    if args.infer:
        names += [n for n in INFER if n not in names]
    for name in names:
        model, batch = STEPS[name]
        torch.manual_seed(1)
        step = MODELS[model](args.device, batch)
        sec = run_for(step, args.seconds, sync)
        if args.json:
            print(json.dumps(dict(name=name, batch=batch, ms=1e3 * sec, samples_per_s=batch / sec)), flush=True)
        else:
            print(f"{name}: {1e3 * sec:.3f} ms/step, {batch / sec:.0f} samples/s (batch {batch})", flush=True)
        del step
        if cuda:
            torch.cuda.empty_cache()
    if args.no_kernels:
        return
    default_sizes = "256,512,1024,2048,4096,8192" if cuda else "256,512,1024"
    gemm_sizes = [int(n) for n in (args.gemm_sizes or default_sizes).split(",")]
    with torch.no_grad():
        for name, sec in dispatch(args.device, min(args.seconds, 1.0), sync):
            if args.json:
                print(json.dumps(dict(name=name, us_per_dispatch=1e6 * sec)), flush=True)
            else:
                print(f"{name}: {1e6 * sec:.2f} us/dispatch", flush=True)
        for name, sec, flops in kernels(args.device, min(args.seconds, 1.0), sync, gemm_sizes):
            if args.json:
                print(json.dumps(dict(name=name, kernel_ms=1e3 * sec, gflops=flops / sec / 1e9)), flush=True)
            else:
                print(f"{name}: {1e3 * sec:.3f} ms, {flops / sec / 1e9:.1f} GFLOP/s", flush=True)


if __name__ == "__main__":
    main()
