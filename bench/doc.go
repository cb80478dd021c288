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
// one training step of each of the seed's models at batch 64 — mlp, cnn
// (LeNet-5), rnn (the character model: embedding, 2-layer tanh RNN, Adam),
// rows (Fashion-MNIST read as 28 rows by an RNN) and gan (one discriminator
// and one generator step, Adam) — with samples/s, dispatches per step and
// heap allocations per step; torch_ref.py times the same steps, GEMMs and
// LeNet convolutions in PyTorch. BenchmarkSgemm compares the CPU GEMM with
// gonum's.
//
// The side-by-side comparison with PyTorch (with OpenBLAS installed:
// apt-get install python3-torch libopenblas0-pthread) is one command,
//
//	make bench-vs-torch
//
// which runs sidebyside.py: tensorgl's CPU steps and kernels and PyTorch's,
// interleaved for 3 rounds, PyTorch at its fastest thread setting per step
// (torch threads 1 or 2, OMP_WAIT_POLICY default or PASSIVE; numpy's SGEMM
// with 1 or 2 OpenBLAS threads), printing each ratio and the medians
// against the CPU backend's targets, into bench/results/sidebyside-<date>.txt.
//
// Every benchmark reports a rate (GFLOP/s, GB/s, Gelem/s, samples/s) beside
// ns/op, so runs at different sizes compare directly, and its time includes
// waiting for the device to finish. TestKernelCasesComplete fails when a
// method of device.Device or an op has no benchmark. RESULTS.md records the
// figures measured so far and the commands that produced them.
package bench
