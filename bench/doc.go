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
// and one generator step, Adam) — with samples/s, dispatches per step,
// heap allocations per step and the time a step waited for its loss after
// its Go code had queued it (wait-µs/step: near the step's time on GL, the
// device is the bound); torch_ref.py times the same steps, GEMMs and
// LeNet convolutions in PyTorch. BenchmarkSgemm compares the CPU GEMM with
// gonum's. TestDispatchesPerStep (a test, run by go test ./...) counts the
// kernels of one warm step of each model on every device and fails when a
// count exceeds its pinned limit (maxDispatches: MLP 18, LeNet 36), so that
// fused kernels cannot quietly come apart again. TestStepProfile times
// every kernel of warm training steps on a device that can
// (device.Profiler: GL, by timestamp queries; the CPU, by the wall time of
// each op) and logs a table per step, each kind of kernel's calls and
// device and host time, the longest first (go test ./bench -run
// StepProfile -v; TENSORGL_PROFILE_LARGE=1 adds the large steps below,
// TENSORGL_PROFILE_STEPS sets how many warm steps, 3 unset), so that it
// shows where a step's time goes on a GPU or a CPU.
//
// Three benchmarks are sized for a GPU. BenchmarkDispatch/<device>/<kernel>
// measures launch cost: 1000 tiny kernels (Fill, Unary relu, a tensor Add
// inside tensor.Tidy) back to back and then one Sync, and one kernel with
// its Sync, in µs/dispatch (and µs/enqueue, the host's share), with the GL
// backend's glMemoryBarrier and state calls (glUseProgram,
// glBindBufferBase, glUniform*) per dispatch; BenchmarkTrainStep reports
// them per step on GL. TENSORGL_GL_ELIDE=0 makes the GL backend issue every
// state call and a barrier before every dispatch, as it did before it
// skipped redundant ones, so both can be timed on one machine.
// BenchmarkMatMul/<device>/<n>x<n>x<n> multiplies square matrices from 256
// to 4096 (8192 on a GPU, or on the CPU with TENSORGL_BENCH_HUGE=1) in
// GFLOP/s. BenchmarkTrainStepLarge/<model>-b<batch>/<device> times the
// seed's models at batch 1024, a CIFAR-10 ResNet-18 at batch 128 and 8,
// 2-layer LSTM and GRU language models (hidden 512) and a 2-layer causal
// Transformer language model (width 256, 4 heads) at batch 64; on two CPU cores
// ResNet-18 takes seconds a step, so select by name
// ('TrainStepLarge/-b1024/cpu'), and a software renderer skips them.
// torch_ref.py --large times the same in PyTorch; make bench leaves them out.
// BenchmarkTrainStepBatch1/<model>/<device> times the seed's steps at batch
// 1, where per-call costs weigh most.
// BenchmarkInfer/<model>-b<batch>/<device> times inference by the MLP,
// LeNet-5 and ResNet-18 at batch 1 and 64: evaluation mode, the forward
// pass under tensor.NoGrad, the logits read back, with samples/s and
// dispatches per call (torch_ref.py --infer: the same under
// torch.inference_mode(); make bench-vs-torch-infer puts them side by
// side).
//
// A lent GPU machine (no Go toolchain, no network, minutes counted) runs
// what bench/gpu/prepare.sh builds here (make gpu-prepare): the test
// binaries of bench, device/gl, device/devicetest and internal/crossdevice,
// tensorgl and the cnn and rnn examples, stripped and packed by xz (gzip
// without it), copies of the shared libraries they link (used there only
// where missing) and Fashion-MNIST, into the git-ignored
// bench/gpu/prepared, which it checks, counted in 4 KiB blocks, against
// the 64 MB the device tool sends with the working tree (it refused 63.3
// MiB of files). There,
//
//	bash bench/gpu/run.sh [results-dir]
//
// runs, most wanted first (the dispatch cost, the training steps and their
// kernel profile, the products, PyTorch's same steps, the examples, the
// GL suite, the GEMM tilings timed, tensorgl check, then the A/Bs: run.sh's
// header has the order), the GL conformance tests, tensorgl check, the benchmarks above and
// BenchmarkTrainStep and BenchmarkKernel on GL and the CPU, an A/B of the GL
// host path (the dispatch bursts and the GAN step on GL with
// TENSORGL_GL_ELIDE=0 and 1 and TENSORGL_GL_BATCH=1 and 32, alternated, in
// elide-ab.txt; the seed models' steps and single dispatches waited for with
// the GL thread and its waiting callers polling before they sleep and the
// GL thread flushing when idle, each on and off, with Reads staged, and
// with NVIDIA's driver polling where it waits for the GPU: TENSORGL_GL_SPIN,
// TENSORGL_GL_FLUSH, TENSORGL_GL_READ and __GL_YIELD=NOTHING, host-ab.txt),
// the RNN steps and the Elman, LSTM and GRU recurrences a step at a time
// or fused (TENSORGL_GL_RECURRENCE, recurrence-ab.txt), the kernel profile of every
// training step with the device's idle time before each kernel
// (TestStepProfile with the large steps, profile.txt), the
// LSTM and GRU language models'
// steps and step kernels with each step two kernels or one
// (TENSORGL_GL_RNNSTEP, rnnstep-ab.txt), the ResNet-18 step and its layers'
// kernels with the 3×3 convolutions direct or by F(2×2, 3×3)
// (TENSORGL_GL_WINOGRAD=0 and 1, winograd-ab.txt), the LeNet step and its
// layers' kernels with the convolutions of few channels direct or as
// implicit GEMMs (TENSORGL_GL_CONVDIRECT=0 and 1, convdirect-ab.txt), the
// recurrent, ResNet-18 and LeNet steps with split GEMMs summed in a
// second dispatch or their own (TENSORGL_GL_SPLITFUSE=0 and 1,
// splitfuse-ab.txt), the seed models' and the LSTM and GRU LM steps with
// the small products on direct GEMM tilings (TENSORGL_GL_DIRECT=0, 2²²,
// 2²⁴, 2²⁶, direct-ab.txt), the
// same for the GEMM core's tiles and loads all scalar, as the defaults
// have them (vec4 loads of MatMul's operands, small tiles for MatMuls of
// few work groups) or vec4 double-buffered (TENSORGL_GL_GEMM), for the built-in table of a
// card's tilings and for the tiling picked per product by timing
// (TENSORGL_GL_TUNE=log, its choices printed) on the large products and the
// LeNet and ResNet-18 steps (gemm-ab.txt, the choices in gemm-tune.json,
// the programs built as the driver compiled them in programs/, each one's
// local memory in programs/index.tsv and programs-lmem.txt; an arm with
// every loop of the default tiles unrolled, gvec4,small,unroll) and then
// on the character and rows RNN steps, added to the same gemm-tune.json
// (gemm-tune-rnn.txt),
// torch_ref.py --device cuda --large when python3 has torch with CUDA, the
// CNN example on GL and the RNN example on GL and on the CPU, each step
// under its own timeout within one budget (TENSORGL_GPU_BUDGET, 540 s),
// into $OUT/gpu-<time>/ (packed as logs.tar.gz and programs.tar.gz beside
// summary.txt), ending
// with a digest of the figures and a pass/fail table. TENSORGL_GPU_STEPS
// runs only the steps whose names match it (a second call's rerun),
// TENSORGL_GPU_TESTRUN narrows the GL suite, TENSORGL_GPU_GEMM_ARMS the
// GEMM comparison. TENSORGL_GPU_QUICK=1 makes it a dry run of a few
// minutes (each benchmark once), as on Mesa llvmpipe here.
//
// The side-by-side comparison with PyTorch (with OpenBLAS and tcmalloc
// installed: apt-get install python3-torch libopenblas0-pthread
// libtcmalloc-minimal4) is one command,
//
//	make bench-vs-torch
//
// which runs sidebyside.py: tensorgl's CPU steps and kernels and PyTorch's,
// interleaved for 3 rounds, PyTorch at its fastest setting per step (torch
// threads 1 or 2, OMP_WAIT_POLICY default or PASSIVE, 1 or 2 OpenBLAS
// threads, glibc's malloc or tcmalloc, ATen's element-wise code as it
// picks it or ATEN_CPU_CAPABILITY=avx512) with OpenBLAS on the kernels it
// picks for the CPU
// (OPENBLAS_CORETYPE removed from the environment), printing the kernels
// each side runs, each ratio and the medians against the CPU backend's
// targets, into bench/results/sidebyside-<date>.txt. make
// bench-vs-torch-large does the same for BenchmarkTrainStepLarge's
// ResNet-18 and LSTM, GRU and Transformer language model steps (sidebyside.py --large;
// about 20 minutes on two cores), into
// bench/results/sidebyside-large-<date>.txt. sidebyside.py --isa avx2 runs
// both sides on their AVX2 code, as on a CPU without AVX-512.
//
// Every benchmark reports a rate (GFLOP/s, GB/s, Gelem/s, samples/s) beside
// ns/op, so runs at different sizes compare directly, and its time includes
// waiting for the device to finish. TestKernelCasesComplete fails when a
// method of device.Device or an op has no benchmark. RESULTS.md records the
// figures measured so far and the commands that produced them; HISTORY.md
// keeps every side-by-side run with PyTorch and what each session changed.
package bench
