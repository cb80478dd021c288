"""Writes the PyTorch references of nn's attention and transposed-convolution
layers: for each case its inputs, parameters (PyTorch state_dict names), the
upstream gradient u, the output, and the gradients of sum(output * u) with
respect to every input and parameter, as safetensors files beside this
script. The tests in nn/parity_test.go read them; they need no Python.

Run with Debian's python3 and python3-torch (torch 1.13):

    /usr/bin/python3 nn/testdata/make_attn_refs.py

Inputs and parameters are drawn in float32 and the references computed in
float64 from exactly those values, so they are float64-accurate answers for
the float32 data the tests load. torch.autograd.gradcheck confirms every
reference gradient against finite differences first.
"""
import json
import os
import struct

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        if t.dtype in (torch.float32, torch.float64):
            data, dtype = struct.pack(f"<{t.numel()}f", *t.float().flatten().tolist()), "F32"
        else:
            data, dtype = struct.pack(f"<{t.numel()}i", *t.int().flatten().tolist()), "I32"
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw + b"".join(blobs))


def rand(*shape):
    return torch.rand(*shape, dtype=torch.float32) * 4 - 2


def case(out, name, module, inputs, forward, extra=None):
    """Adds case name: module (float32 parameters, randomised) applied by
    forward(module, *inputs) in float64."""
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(rand(*p.shape))
    params = {k: v.detach().clone() for k, v in module.state_dict().items()}
    module = module.double()
    xs = [x.double().requires_grad_(True) for x in inputs]
    y = forward(module, *xs)
    u = rand(*y.shape)
    torch.autograd.gradcheck(lambda *a: (forward(module, *a) * u.double()).sum(), xs)
    module.zero_grad()
    (y * u.double()).sum().backward()
    out[f"{name}.out"] = y
    out[f"{name}.u"] = u
    for i, (x, x64) in enumerate(zip(inputs, xs)):
        out[f"{name}.x{i}"] = x
        out[f"{name}.grad.x{i}"] = x64.grad
    for k, v in params.items():
        out[f"{name}.param.{k}"] = v
    for k, p in module.named_parameters():
        if p.grad is not None:
            out[f"{name}.grad.{k}"] = p.grad
    for k, v in (extra or {}).items():
        out[f"{name}.{k}"] = v


def main():
    torch.manual_seed(11)
    # LayerNorm and GELU
    out = {}
    case(out, "ln1", nn.LayerNorm(5), [rand(3, 4, 5)], lambda m, x: m(x))
    case(out, "ln2", nn.LayerNorm([3, 5], eps=1e-3), [rand(2, 3, 5)], lambda m, x: m(x))
    x = torch.linspace(-5, 5, 33).reshape(3, 11)
    case(out, "gelu", nn.GELU(), [x], lambda m, x: m(x))
    case(out, "gelutanh", nn.GELU(approximate="tanh"), [x], lambda m, x: m(x))
    write_safetensors(os.path.join(HERE, "layernorm_gelu.safetensors"), out)

    # MultiheadAttention: E 6, 2 heads of 3; L 5 queries, S 4 keys, N 3.
    out = {}
    kp = torch.tensor([[0, 0, 0, 1], [0, 1, 0, 1], [0, 0, 0, 0]], dtype=torch.bool)
    case(out, "mha_self", nn.MultiheadAttention(6, 2), [rand(5, 3, 6)], lambda m, x: m(x, x, x, need_weights=False)[0])
    case(out, "mha_cross_kp", nn.MultiheadAttention(6, 2, batch_first=True), [rand(3, 5, 6), rand(3, 4, 6), rand(3, 4, 6)],
         lambda m, q, k, v: m(q, k, v, key_padding_mask=kp, need_weights=False)[0], {"kp": kp.float()})
    causal = nn.Transformer.generate_square_subsequent_mask(5).double()
    kp5 = torch.tensor([[0, 0, 0, 0, 1], [0, 0, 1, 0, 0], [0, 0, 0, 0, 0]], dtype=torch.bool)
    case(out, "mha_causal_kp", nn.MultiheadAttention(6, 3, batch_first=True), [rand(3, 5, 6)],
         lambda m, x: m(x, x, x, attn_mask=causal, key_padding_mask=kp5, need_weights=False)[0], {"kp": kp5.float()})
    # The weights, averaged over heads (PyTorch's default), of a causal self-attention.
    case(out, "mha_weights", nn.MultiheadAttention(6, 2), [rand(5, 3, 6)],
         lambda m, x: m(x, x, x, attn_mask=causal)[1])
    write_safetensors(os.path.join(HERE, "attention.safetensors"), out)

    # Transformer encoder layers: E 6, 2 heads, feed-forward 10, L 5, N 3, no dropout.
    out = {}
    post = nn.TransformerEncoderLayer(6, 2, dim_feedforward=10, dropout=0.0)
    case(out, "enc_post", post, [rand(5, 3, 6)], lambda m, x: m(x))
    pre = nn.TransformerEncoderLayer(6, 2, dim_feedforward=10, dropout=0.0, activation="gelu", norm_first=True, batch_first=True)
    case(out, "enc_pre_gelu_causal", pre, [rand(3, 5, 6)], lambda m, x: m(x, src_mask=causal))
    write_safetensors(os.path.join(HERE, "encoder.safetensors"), out)

    # Transposed and rectangular convolutions, rectangular pooling.
    out = {}
    case(out, "ct_stride2_op1", nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1), [rand(2, 3, 5, 4)], lambda m, x: m(x))
    case(out, "ct_dil2_groups2", nn.ConvTranspose2d(4, 6, (2, 3), stride=(1, 2), padding=(0, 1), dilation=2, groups=2), [rand(1, 4, 3, 5)],
         lambda m, x: m(x))
    case(out, "ct_op_past_stride", nn.ConvTranspose2d(2, 3, 3, padding=1, dilation=3, output_padding=2, bias=False), [rand(1, 2, 4, 3)],
         lambda m, x: m(x))
    case(out, "conv_rect", nn.Conv2d(3, 4, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2)), [rand(2, 3, 7, 6)], lambda m, x: m(x))
    case(out, "maxpool_rect", nn.MaxPool2d((3, 2), stride=(2, 1), padding=(1, 0)), [rand(2, 2, 7, 5)], lambda m, x: m(x))
    case(out, "avgpool_rect", nn.AvgPool2d((2, 3), stride=(1, 2), padding=(1, 1)), [rand(1, 3, 5, 6)], lambda m, x: m(x))
    case(out, "maxpool_dilated", nn.MaxPool2d((2, 3), stride=(1, 2), padding=(1, 1), dilation=(2, 2)), [rand(1, 2, 6, 7)],
         lambda m, x: m(x))
    write_safetensors(os.path.join(HERE, "conv.safetensors"), out)


if __name__ == "__main__":
    main()
