// Command tensorgl reports the compute devices tensorgl can use and checks
// their kernels.
//
//	tensorgl info                        devices found, their limits, and what Open("auto") picks and why
//	tensorgl check [-device gl|cpu|auto] every kernel on the device against float64 references
//
// For the CPU backend info also says how near its workers' cores are now
// (the round trip of a value between two of them): on a VM the host moves
// the vCPUs between near and far cores, and small products (the batch-64
// MLP's) split between two workers only while they are near.
//
// check runs the device conformance suite of package devicetest (every
// method, and every unary, binary and reduce op and distribution of the op
// catalogue, matmul variants, the convolutions, pooling, softmax,
// gather/scatter and the optimizers, on odd, 1-sized, strided and broadcast
// layouts), compares each result with a float64 reference within the
// tolerance stated for it, prints PASS or FAIL (with the elements that
// missed) per case, and exits with status 1 on any failure. These are the
// very cases the backends' tests run.
package main
