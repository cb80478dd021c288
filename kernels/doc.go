// Package kernels holds the CPU compute kernels behind device/cpu: GEMM,
// convolution (implicit-GEMM, im2col or direct), pooling, softmax, element-wise math, reductions,
// gather/scatter, Philox random numbers and optimizer updates.
//
// Kernels know nothing of tensors or devices: they take plain slices,
// explicit shapes, strides and parameters, and check nothing. Hot loops are
// parallel across GOMAXPROCS with a fixed split of the work, so results are
// bit-identical whatever the number of threads.
//
// For kernel authors, go test ./kernels -run '^$' -bench with BenchmarkSgemm
// (square and model-shaped products per micro-kernel), BenchmarkConv2d (the
// three convolution passes on LeNet's layers and a CIFAR ResNet-18's at
// batch 32; bench/results/conv_torch.py times PyTorch's oneDNN on the same
// shapes), BenchmarkMicroKernel (each GEMM micro-kernel alone in cache) and
// BenchmarkFMAPeak (one core's fused multiply-add ceiling, what the
// micro-kernels are measured against) report GFLOP/s.
package kernels
