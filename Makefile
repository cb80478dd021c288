# tensorgl — see README.md. Every target works on a fresh Debian 12 machine
# with Go; `make deps` installs the system packages (needs root).

GO ?= go
PKGS := ./...

DEPS := gcc pkg-config libgl1-mesa-dri libegl-mesa0 libegl-dev libgl-dev \
	libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev \
	xvfb xauth dataset-fashion-mnist
# Khronos' GLSL reference compiler: device/gl's tests check every shader they compile with it.
DEPS += glslang-tools
# Lavapipe (Vulkan on the CPU), under Mesa's zink: a second OpenGL implementation, another shader compiler,
# on which cmd/tensorgl's TestCheckZink runs tensorgl check.
DEPS += mesa-vulkan-drivers
DEPS += openmpi-bin libopenmpi-dev
# MPICH beside it (Open MPI stays the default "mpi"): dist's TestMPICH builds against it.
DEPS += mpich libmpich-dev

.PHONY: test test-race test-zink soak bench-vs-torch bench-vs-torch-large bench-vs-torch-infer deps-torch test-glfw fuzz-short vet bench demo deps deps-check
.PHONY: demo-mpi bench-mpi gpu-prepare gpu-dry-run

## test: vet (amd64 with and without cgo, and 386), gofmt, the full suite with cgo (GL on Mesa llvmpipe through
## EGL; tensor and nn suites run once per device), the kernels and the CPU device again on their AVX2 code (as
## on a CPU without AVX-512), the curve tables of a build without plotting (tag noplot), the pure-Go suite
## without cgo, the concurrency tests under the race detector, the GLFW path under Xvfb, the tensor and nn
## suites on a second OpenGL implementation (zink over lavapipe), and each fuzz target briefly.
test: deps-check vet
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) $(PKGS)
	GODEBUG=cpu.avx512f=off $(GO) test -count=1 ./kernels ./device/cpu
	$(GO) test -count=1 -tags noplot -run TestWritePanelsCSV ./internal/train
	CGO_ENABLED=0 $(GO) test -count=1 -timeout $(TEST_TIMEOUT) $(PKGS)
	$(MAKE) test-race
	$(MAKE) test-glfw
	$(MAKE) test-zink
	$(MAKE) fuzz-short

# The GL suite builds every shader variant it tests under every tiling: on
# llvmpipe with an empty shader cache (a fresh machine), device/gl alone took
# 544–577 s of go test's default 10-minute limit.
TEST_TIMEOUT ?= 30m

## fuzz-short: every fuzz target (each func FuzzXxx in a _test.go file, found
## by name, so a new one is included) for FUZZTIME, beyond its seed corpus.
# A count, not a duration: with -fuzztime 3s the fuzzing engine now and then
# fails a clean target with "context deadline exceeded" when the deadline
# falls while a worker is mid-input (seen once in make test here).
FUZZTIME ?= 50000x
fuzz-short:
	@targets=$$(grep -ro --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' . | sed 's/:func /:/'); \
	if [ -z "$$targets" ]; then echo "no fuzz targets found"; exit 1; fi; \
	for t in $$targets; do \
	  file=$${t%%:*}; fn=$${t##*:}; pkg=$$(dirname $$file); \
	  echo "fuzz $$fn in $$pkg for $(FUZZTIME)"; \
	  $(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

## soak: the soak test at length (3000 training steps per device): device memory, pool and heap stay flat.
soak:
	TENSORGL_SOAK_STEPS=3000 $(GO) test -count=1 -timeout 0 -run 'TestSoak' -v ./internal/crossdevice/

## test-race: goroutines training their own models on one device (CPU and GL), the CPU kernels' worker pool, and
## the tensor suite, under -race.
test-race:
	$(GO) test -race -count=1 -run 'TestConcurrent' ./internal/crossdevice/
	$(GO) test -race -count=1 -run 'TestParallel' ./kernels/
	$(GO) test -race -count=1 ./tensor/

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)
	CGO_ENABLED=0 $(GO) vet $(PKGS)
	CGO_ENABLED=0 $(GO) build $(PKGS)
	GOARCH=386 CGO_ENABLED=0 $(GO) vet $(PKGS)
	$(GO) vet -tags mpi $(PKGS)

## test-glfw: the hidden-GLFW-window context path, under a virtual X server.
test-glfw:
	@if command -v xvfb-run >/dev/null; then \
	  TENSORGL_GL_CONTEXT=glfw xvfb-run -a $(GO) test -count=1 -run 'GLFW' ./device/gl/; \
	else echo "xvfb-run not installed: skipping the GLFW test (make deps installs it)"; exit 1; fi

## test-zink: the tensor and nn suites on GL alone with a GPU's settings (TENSORGL_GL_DEFAULTS=hardware: its GEMM
## tiles, split K, whole recurrences, ...; llvmpipe's run above has a software renderer's), and the GL profiler's
## tests, under a second OpenGL implementation: Mesa's zink over lavapipe (OpenGL on Vulkan, its shaders through
## SPIR-V to another compiler than llvmpipe's, its commands submitted when flushed; mesa-vulkan-drivers, from make
## deps). Without it the GL runs skip, unless TENSORGL_REQUIRE_GL is set; a GL run on another renderer fails.
ZINK_ENV := MESA_LOADER_DRIVER_OVERRIDE=zink LIBGL_ALWAYS_SOFTWARE=1 TENSORGL_GL_CONTEXT=egl \
	TENSORGL_TEST_DEVICES=gl TENSORGL_TEST_RENDERER=zink
test-zink:
	XDG_RUNTIME_DIR=$$(mktemp -d) $(ZINK_ENV) TENSORGL_GL_DEFAULTS=hardware $(GO) test -count=1 ./tensor/... ./nn/...
	XDG_RUNTIME_DIR=$$(mktemp -d) $(ZINK_ENV) $(GO) test -count=1 -run '^TestProfile' ./device/gl

## bench: kernel, dispatch, matrix-product and training-step benchmarks, CPU and GL side by side (not the
## large training steps, BenchmarkTrainStepLarge: ResNet-18 takes seconds a step on two cores).
bench:
	$(GO) test -run '^$$' -bench '^Benchmark(Kernel|Sgemm|MatMul|Dispatch|TrainStep)$$' -benchtime 2s ./bench/

## deps-torch: the PyTorch baseline's packages: Debian's PyTorch, OpenBLAS (without it PyTorch runs on the
## reference BLAS) and tcmalloc, the allocator sidebyside.py also tries.
deps-torch:
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-torch libopenblas0-pthread libtcmalloc-minimal4

## bench-vs-torch: tensorgl's CPU backend and PyTorch (with OpenBLAS) side by side, interleaved, 3 rounds:
## each training step's and kernel's ratio and the medians (installs deps-torch first).
## The table goes to bench/results/sidebyside-<date>.txt, every tool's raw output beside it.
bench-vs-torch: deps-torch
	$(GO) test -c -o bench/bench.test ./bench
	/usr/bin/python3 bench/sidebyside.py --go-bench bench/bench.test --rounds 3 \
	  --raw bench/results/sidebyside-$$(date -u +%F)-raw.txt | tee bench/results/sidebyside-$$(date -u +%F).txt

## bench-vs-torch-large: the same for ResNet-18 (batch 128 and 8) and the LSTM, GRU and Transformer language models (batch 64), 3 rounds
## (about 15 minutes on 2 cores); the table goes to bench/results/sidebyside-large-<date>.txt.
bench-vs-torch-large: deps-torch
	$(GO) test -c -o bench/bench.test ./bench
	/usr/bin/python3 bench/sidebyside.py --go-bench bench/bench.test --rounds 3 --large \
	  --raw bench/results/sidebyside-large-$$(date -u +%F)-raw.txt | tee bench/results/sidebyside-large-$$(date -u +%F).txt

## bench-vs-torch-infer: the same for inference (the MLP, LeNet and ResNet-18 at batch 1 and 64, evaluation mode,
## no autograd graph), 3 rounds; the table goes to bench/results/sidebyside-infer-<date>.txt.
bench-vs-torch-infer: deps-torch
	$(GO) test -c -o bench/bench.test ./bench
	/usr/bin/python3 bench/sidebyside.py --go-bench bench/bench.test --rounds 3 --infer \
	  --raw bench/results/sidebyside-infer-$$(date -u +%F)-raw.txt | tee bench/results/sidebyside-infer-$$(date -u +%F).txt

## gpu-prepare: build what bench/gpu/run.sh needs on a lent GPU machine (no Go there) into bench/gpu/prepared,
## and check it fits the 64 MB the device tool sends (bench/doc.go, README "GPU runs").
gpu-prepare:
	bench/gpu/prepare.sh

## gpu-dry-run: bench/gpu/run.sh here, each benchmark once (2–3 minutes on llvmpipe; the first run also compiles the shaders, over 2 minutes more), into out/gpu-<time>.
# prepare.sh exits 2 when the folder and the working tree exceed what the device tool sends: no matter here.
gpu-dry-run:
	bench/gpu/prepare.sh || test $$? = 2
	TENSORGL_GPU_QUICK=1 bash bench/gpu/run.sh out/gpu-dry-run-$$(date -u +%FT%H%M%SZ)

## demo: the main job — train LeNet on Fashion-MNIST on the best device.
demo: deps-check
	$(GO) run ./examples/cnn

## deps-check: install the system packages when some are missing and we
## are root; otherwise say what is missing and carry on.
deps-check:
	@missing=$$(for p in $(DEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then $(MAKE) deps; \
	  else echo "missing system packages:" $$missing "- run 'sudo make deps'; continuing with what is here"; fi; \
	fi

## deps: system packages for GL (Mesa EGL/llvmpipe), GLFW headers, Xvfb,
## glslangValidator and the Fashion-MNIST dataset.
deps:
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEPS)

# Open MPI refuses to run as root without these. MPIRUN (tests, demo) runs on one machine
# over the loopback network, two processes on however many cores there are,
# and a waiting process yields its core rather than spin (a shared machine).
MPIRUN_BASE := OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun --oversubscribe --bind-to none \
	--mca btl_tcp_if_include lo --mca oob_tcp_if_include lo
MPIRUN := $(MPIRUN_BASE) --mca btl self,tcp --mca mpi_yield_when_idle 1

## demo-mpi: the CNN example trained data-parallel by two processes on this machine (README, "Several processes").
demo-mpi: deps-check
	$(GO) build -tags mpi -o bin/cnn-mpi ./examples/cnn
	$(MPIRUN) -np 2 bin/cnn-mpi -device cpu -epochs 2 -out out/cnn-mpi

## bench-mpi: weak scaling of LeNet training, 1 process against 2 (one thread each), interleaved; see bench/mpi-scaling.sh.
bench-mpi: deps-check
	$(GO) build -tags mpi -o bin/cnn-mpi ./examples/cnn
	$(GO) build -tags mpi -o bin/allreduce ./bench/allreduce
	MPIRUN="$(MPIRUN_BASE)" ALLREDUCE=bin/allreduce bench/mpi-scaling.sh bin/cnn-mpi
