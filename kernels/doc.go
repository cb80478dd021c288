// Package kernels holds the CPU compute kernels behind device/cpu: GEMM,
// convolution (implicit-GEMM, im2col or direct), pooling, softmax, element-wise math, reductions,
// gather/scatter, Philox random numbers and optimizer updates.
//
// Kernels know nothing of tensors or devices: they take plain slices,
// explicit shapes, strides and parameters, and check nothing. Hot loops are
// parallel across GOMAXPROCS with a fixed split of the work, so results are
// bit-identical whatever the number of threads.
package kernels
