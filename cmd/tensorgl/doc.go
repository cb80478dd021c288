// Command tensorgl reports the compute devices tensorgl can use and checks
// their kernels.
//
//	tensorgl info                        devices found, their limits, and what Open("auto") picks and why
//	tensorgl check [-device gl|cpu|auto] every kernel on the device against float64 references
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
