// Package nn provides neural-network layers, losses and checkpoints on top
// of package tensor, shaped after PyTorch's torch.nn.
//
// A Module computes Forward, lists its parameters and buffers by State with
// PyTorch's state_dict names ("features.3.bias", "1.running_mean") and
// switches between training and evaluation with Train. Layers: Linear,
// Conv2d and ConvTranspose2d (square or, with the HW constructors and
// options, rectangular kernels, strides, padding and dilation), MaxPool2d,
// AvgPool2d, AdaptiveAvgPool2d, Flatten, ReLU, LeakyReLU, Sigmoid, Tanh,
// GELU, Softmax, Dropout, BatchNorm1d and BatchNorm2d (with the options
// affine=False, track_running_stats=False and momentum=None), LayerNorm,
// Embedding (with padding_idx), PositionalEmbedding, RNN, LSTM, GRU,
// MultiheadAttention (causal and key-padding masks),
// TransformerEncoderLayer (pre- or post-norm) and Sequential. The
// recurrent, attention, normalisation, embedding and
// transposed-convolution layers are checked against PyTorch references in
// testdata (make_rnn_refs.py, make_attn_refs.py and make_layer_opts_refs.py
// write them).
// Constructors take a *tensor.Generator and initialise as PyTorch does, so
// a seed reproduces a model on any device.
// Parameters are created on the default device (call
// tensor.SetDefaultDevice before building a model to place it on a GPU),
// require gradients and are exempt from tensor.Tidy.
//
// Losses are functions of tensors built from differentiable tensor
// operations, so they run on any device and autograd supplies their
// gradients: MSELoss, CrossEntropyLoss, NLLLoss, BCELoss and
// BCEWithLogitsLoss, each with PyTorch's reductions and numerics.
//
// Save and Load write and read a module's state as a safetensors file with
// PyTorch's names and dtypes, so a checkpoint can be exchanged with
// PyTorch; SaveTensors and LoadTensors do the same for any named tensors.
//
// Sub-package nn/init (package nninit) holds the initialisation schemes.
//
// Input that does not fit a layer (wrong rank, wrong channel count) panics
// with a *tensor.ShapeError, as tensor operations do; files that do not fit
// a model are returned as errors.
package nn
