// Package bench holds the benchmarks of tensorgl: kernels and whole training
// steps, backend against backend and against other libraries. It has no
// code of its own; run it with
//
//	go test ./bench -run '^$' -bench .
//
// BenchmarkKernel/<Method>/<device>/<size> times every compute method of
// device.Device (and Write and Read) on the CPU device and, when it opens,
// the GL device; a software GL renderer is labelled by name (gl-llvmpipe)
// and runs only the smaller sizes. BenchmarkTrainStep/<model>/<device> times
// one training step of an MLP and of LeNet-5 at batch 64; torch_ref.py times
// the same steps in PyTorch. BenchmarkSgemm compares the CPU GEMM with
// gonum's.
//
// Every benchmark reports a rate (GFLOP/s, GB/s, Gelem/s, samples/s) beside
// ns/op, so runs at different sizes compare directly, and its time includes
// waiting for the device to finish. TestKernelCasesComplete fails when a
// method of device.Device or an op has no benchmark. RESULTS.md records the
// figures measured so far and the commands that produced them.
package bench
