// Command tensorgl reports the compute devices tensorgl can use and checks
// their kernels.
//
//	tensorgl info                        devices found, their limits, and what Open("auto") picks and why
//	tensorgl check [-device gl|cpu|auto] every kernel on the device against the CPU backend
//
// check runs each kernel (every unary, binary and reduce op, matmul
// variants, the convolutions, pooling, softmax, gather/scatter, random and
// the optimizers) on small random inputs, prints PASS or FAIL with the
// largest error per kernel, and exits with status 1 on any failure.
package main
