// Package kernels holds the CPU compute kernels behind device/cpu: GEMM,
// convolution (implicit-GEMM, im2col, direct, or Winograd's F(2×2, 3×3)
// for 3×3 stride-1 layers of 64 channels or more, their weight gradients
// from 128 channels and 1 024 terms a weight), pooling, softmax, element-wise math, reductions,
// gather/scatter, Philox random numbers and optimizer updates.
//
// Kernels know nothing of tensors or devices: they take plain slices,
// explicit shapes, strides and parameters, and check nothing. Hot loops are
// parallel across GOMAXPROCS with a fixed split of the work, so results are
// bit-identical whatever the number of threads. The calling goroutine and
// a pool of GOMAXPROCS−1 helpers share each loop's pieces: each worker
// first takes the pieces of its own contiguous part of the loop, in order
// (the caller the first part), then what is left of the others', so a
// kernel reads what the one before it wrote from the cache of the core it
// runs on, and a late or slow worker still takes fewer pieces. An idle
// helper spins for 200 µs before it parks, as OpenMP's threads do, because
// waking a parked thread can take longer than a whole kernel of a small
// model's step. A recurrence whose steps are each too small to share out
// (RecurrentRows: the RNN, LSTM and GRU at hidden sizes around 128) runs
// its batch's rows in blocks side by side through all of its steps
// instead, a block a worker, which a helper that joins late takes over
// between two steps. TENSORGL_CPU_SPIN (SpinEnv) sets how long (0: park at
// once), and helpers that find their core taken by another process stop
// spinning for a while by themselves. TENSORGL_CPU_WINOGRAD=0
// (WinogradEnv) turns F(2×2, 3×3) off: its sums differ from the direct
// ones in rounding (conv_winograd.go gives the measured errors), and off,
// every convolution gives the bits it gave before it.
//
// For kernel authors, go test ./kernels -run '^$' -bench with BenchmarkSgemm
// (square and model-shaped products per micro-kernel), BenchmarkConv2d (the
// three convolution passes on LeNet's layers and a CIFAR ResNet-18's at
// batch 32; bench/results/conv_torch.py times PyTorch's oneDNN on the same
// shapes), BenchmarkConv2dWinograd (F(2×2, 3×3) on and off), BenchmarkMicroKernel (each GEMM micro-kernel alone in cache) and
// BenchmarkFMAPeak (one core's fused multiply-add ceiling, what the
// micro-kernels are measured against) report GFLOP/s; BenchmarkSgemmInPlaceA
// times the training steps' products with op(A) packed and read in place,
// BenchmarkRecurrentRows an Elman recurrence in row blocks and step by step,
// BenchmarkTranscend and BenchmarkGeluKernels the vector transcendentals
// against their Go forms.
package kernels
