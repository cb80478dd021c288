// Package device defines the contract between tensorgl's tensor layer and its
// compute backends.
//
// A Device owns memory (Buffers) and runs a small set of primitive kernels on
// it: fill, strided copy, unary and broadcasting binary element-wise math,
// single-axis reductions, batched matrix multiplication, 2-D convolution and
// pooling with their backward passes, softmax, gather/scatter-add, a
// counter-based random generator and fused optimizer updates. Everything
// else — autograd, layers, losses — is written once in package tensor on top
// of these primitives.
//
// Each op of Unary, Binary and Reduce, and each Random distribution, is
// declared once in the op catalogue (OpInfo): its name, code, GLSL define,
// test inputs and tolerance. The backends' dispatch tables, the shaders'
// defines, the conformance suite, tensorgl check and the benchmarks all
// follow from it, so adding an op touches the catalogue, the CPU kernel,
// the GLSL body and the tensor method, and a test fails while any is
// missing.
//
// Kernels check nothing: package tensor validates shapes before it calls a
// kernel. Kernels may run asynchronously; Read and Sync wait for the queued
// work and return any error that occurred while it ran.
//
// Backends register themselves with Register, as database/sql drivers do.
// Package device/cpu is always available; device/gl registers itself when a
// program imports it. Open("auto") picks the fastest real device.
package device
