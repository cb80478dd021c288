#!/usr/bin/env bash
# run.sh runs, on a lent GPU machine, the measurements prepared by
# bench/gpu/prepare.sh: no Go toolchain, no network, minutes counted. From
# the repository root:
#
#	bash bench/gpu/run.sh [results-dir]     (a path without spaces)
#
# Steps, most wanted first, each with its own timeout, continuing after a
# failure: the machine (nvidia-smi, libraries, tensorgl info),
# BenchmarkDispatch, BenchmarkTrainStep (GL and CPU), a profile of every
# kernel of the training steps (TestStepProfile), BenchmarkMatMul,
# BenchmarkTrainStepLarge on GL, PyTorch (bench/torch_ref.py --device cuda
# --large, when python3 has torch and CUDA), the CNN example on
# Fashion-MNIST on GL, the RNN example on GL and on the CPU, inference
# (BenchmarkInfer on GL and the CPU, torch_ref.py --infer on CUDA), the Elman
# recurrences' weights in registers or read each step
# (TENSORGL_GL_ELMANREGS, alternated), the GL conformance tests, the GEMM tilings (gemm-ab: the defaults, unrolled,
# tuned anew), tensorgl check, the character and rows RNN steps' products
# tuned (gemm-tune-rnn); then the A/Bs, alternated: the
# Elman, LSTM and GRU recurrences a step at a time or fused
# (TENSORGL_GL_RECURRENCE), the GL thread and its waiting callers polling
# before they sleep, the GL thread flushing when idle, and Reads staged
# (TENSORGL_GL_SPIN, TENSORGL_GL_FLUSH, TENSORGL_GL_READ), small products
# on direct GEMM tilings (TENSORGL_GL_DIRECT) and the profile again so,
# LeNet's convolutions direct, as implicit GEMMs with the input gradient
# by columns, or all implicit (TENSORGL_GL_CONVDIRECT,
# TENSORGL_GL_CONVCOLS), split GEMMs summed in a second dispatch or their
# own (TENSORGL_GL_SPLITFUSE), the ResNet-18 step and its layers with
# convolutions direct or by F(2×2, 3×3) (TENSORGL_GL_WINOGRAD), and its
# batch-norm reductions whole or split (TENSORGL_GL_BNSPLIT), the LSTM and
# GRU steps as two kernels or one (TENSORGL_GL_RNNSTEP), the GL host path
# with its elision of redundant state and barriers off and on
# (TENSORGL_GL_ELIDE); BenchmarkKernel on GL, the large steps at batch
# 1024 on the CPU, BenchmarkKernel on the CPU, and the CPU and
# cross-device suites. A step that would end after the budget is cut
# short or skipped. The end of the output is a pass/fail table of the
# steps, also in summary.txt.
#
# Every raw output goes to results-dir (default $OUT/gpu-<UTC time> when
# $OUT is set, else /tmp/gpu-<UTC time>). Under $OUT, which brings back at
# most 8 files of at most 16 MiB, the outputs are packed into logs.tar.gz
# beside summary.txt, and the programs the GEMM tuner built
# (TENSORGL_GL_DUMP: their index and the driver's assembly, or binary
# where it holds none) into programs.tar.gz.
#
# Environment:
#	TENSORGL_GPU_PREPARED  the prepared folder (default bench/gpu/prepared)
#	TENSORGL_GPU_BUDGET    seconds for all the steps (default 540: the
#	                       device tool's call of 600 s with room to pack)
#	TENSORGL_GPU_PYTHON    the Python to run torch_ref.py with (default: the
#	                       first of python3 on the PATH, /usr/bin/python3,
#	                       /usr/local/bin/python3 and conda's whose torch sees
#	                       CUDA, else the first with torch)
#	TENSORGL_GPU_QUICK=1   a dry run: each benchmark once (-benchtime 1x),
#	                       short tests, one short epoch of each example
#	TENSORGL_GPU_STEPS     a regular expression (grep -E): only the steps
#	                       whose names match run (a second call's rerun of
#	                       what the first left out), e.g.
#	                       '^(info|check-gl|example-cnn)$'
#	TENSORGL_GPU_TESTRUN   the GL conformance step's -test.run (default:
#	                       every test)
#	TENSORGL_GPU_GEMM_ARMS the GEMM comparison's settings, of: scalar,
#	                       vec4,db, vec4,db,gvec4, gvec4,small,pad,
#	                       gvec4,small,unroll (the default tiling so, the
#	                       built-in table off), default (the defaults, the
#	                       table off), known (the defaults, the built-in
#	                       table's tilings), tune (timed per product, every
#	                       program built written to programs/ as the
#	                       driver compiled it); default: default,
#	                       gvec4,small,unroll and tune
#
# The binaries link libEGL.so.1 and libGL.so.1 (glvnd) and, through the GLFW
# path, libX11; glvnd loads NVIDIA's libEGL_nvidia.so.0 as its vendor file
# (10_nvidia.json) says. Libraries missing from the machine are taken from
# the copies prepare.sh made (Debian 12's); a vendor file under
# /usr/local/nvidia (containers) is used when glvnd's folders have none.
set -uo pipefail

root=$(pwd)
if [ ! -f "$root/bench/gpu/run.sh" ]; then
	echo "run.sh: run it from the repository root" >&2
	exit 2
fi
prep=$(cd "${TENSORGL_GPU_PREPARED:-bench/gpu/prepared}" 2>/dev/null && pwd) || {
	echo "run.sh: no prepared folder ${TENSORGL_GPU_PREPARED:-bench/gpu/prepared}: run bench/gpu/prepare.sh and carry it" >&2
	exit 2
}
budget=${TENSORGL_GPU_BUDGET:-540}
quick=${TENSORGL_GPU_QUICK:-}
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
res=${1:-${OUT:-/tmp}/gpu-$stamp}
mkdir -p "$res"
res=$(cd "$res" && pwd)
work=$(mktemp -d /tmp/tensorgl-gpu.XXXXXX)
trap 'rm -rf "$work"' EXIT
start=$SECONDS
summary=()

log() { echo "[$(date -u +%T) +$((SECONDS - start))s] $*"; }

# step NAME TIMEOUT DIR CMD...: runs CMD in DIR (relative to the repository
# root) into $res/NAME.txt, for at most TIMEOUT seconds and never past the
# budget, and records the outcome.
step() {
	local name=$1 limit=$2 dir=$3
	shift 3
	if [ -n "${TENSORGL_GPU_STEPS:-}" ] && ! grep -qE -- "$TENSORGL_GPU_STEPS" <<<"$name"; then
		return
	fi
	local left=$((budget - (SECONDS - start)))
	if ((left < 15)); then
		summary+=("$(printf '%-22s %-8s %6s  %s' "$name" SKIPPED - "budget spent")")
		log "$name: skipped, budget spent"
		return
	fi
	((limit > left)) && limit=$left
	log "$name (at most ${limit}s): $*"
	local t0=$SECONDS rc
	(cd "$root/$dir" && timeout -k 10 "$limit" "$@") >"$res/$name.txt" 2>&1
	rc=$?
	local verdict=ok
	case $rc in
	0) ;;
	124 | 137) verdict=TIMEOUT ;;
	*) verdict="FAIL($rc)" ;;
	esac
	summary+=("$(printf '%-22s %-8s %5ss  %s' "$name" "$verdict" $((SECONDS - t0)) "$name.txt")")
	log "$name: $verdict in $((SECONDS - t0))s"
	grep -E '^--- FAIL|^(FAIL|panic)' "$res/$name.txt" | head -5
	return 0
}

# digest FILE...: the benchmarks' figures that matter, one short line each
# (ms per op and the rates), and PyTorch's lines.
digest() {
	cat "$@" 2>/dev/null | awk '
		/^Benchmark/ {
			name = $1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$/, "", name)
			line = sprintf("%-58s %10.3f ms", name, $3 / 1e6)
			for (i = 5; i < NF; i += 2)
				if ($(i+1) ~ /^(µs\/dispatch|µs\/enqueue|µs\/read|wait-µs\/step|barriers\/(dispatch|step)|state-calls\/(dispatch|step)|flushes\/(dispatch|step)|samples\/s|dispatches\/step|GFLOP\/s)$/)
					line = line sprintf("  %s %s", $i, $(i+1))
			print line
		}
		/^(torch=|[a-z0-9-]+(\/[a-z0-9-]+)*: [0-9.]+ (ms|us))/ { print }'
}

# unpack FILE: FILE (.xz or .gz, as prepare.sh packed it) to standard
# output, by xz or, on a machine without it, Python's lzma module.
unpack() {
	case $1 in
	*.gz) gzip -dc "$1" ;;
	*.xz)
		if command -v xz >/dev/null; then
			xz -dc "$1"
		else
			python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"
		fi
		;;
	*) echo "run.sh: $1: want a .xz or .gz file" >&2; return 1 ;;
	esac
}
# packed DIR NAME: the packed copy of NAME in DIR, if there is one.
packed() { for f in "$1/$2.xz" "$1/$2.gz"; do [ -f "$f" ] && echo "$f" && return; done; }

# Unpack the binaries and find the libraries.
mkdir -p "$work/bin" "$work/lib"
for f in "$prep"/bin/*.xz "$prep"/bin/*.gz; do
	[ -f "$f" ] || continue
	b=$work/bin/$(basename "${f%.*}")
	unpack "$f" >"$b" && chmod +x "$b"
done
bin=$work/bin
{
	echo "# $(date -u +%FT%TZ) $(uname -srm), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
	echo "# prepared:"
	cat "$prep/MANIFEST.txt"
	echo "# nvidia-smi:"
	nvidia-smi 2>&1 || echo "(no nvidia-smi)"
} >"$res/machine.txt"

# NVIDIA's EGL vendor file and library, where a container keeps them apart.
vendor_dirs="/usr/share/glvnd/egl_vendor.d /etc/glvnd/egl_vendor.d"
if [ -z "${__EGL_VENDOR_LIBRARY_FILENAMES:-}" ] && ! ls $vendor_dirs 2>/dev/null | grep -q nvidia; then
	for f in /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json /usr/local/share/glvnd/egl_vendor.d/10_nvidia.json; do
		if [ -f "$f" ]; then
			export __EGL_VENDOR_LIBRARY_FILENAMES=$f
			break
		fi
	done
fi
libpath=""
if ! ldconfig -p 2>/dev/null | grep -q libEGL_nvidia.so.0; then
	for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
		[ -e "$d/libEGL_nvidia.so.0" ] && libpath=$d
	done
fi
# Libraries the binaries miss: the prepared copies, only those, a few
# passes (a copied library may need another).
missing() { for b in "$bin"/*; do LD_LIBRARY_PATH=$work/lib${libpath:+:$libpath} ldd "$b" 2>/dev/null; done | awk '/not found/ {print $1}' | sort -u; }
for _ in 1 2 3 4; do
	m=$(missing)
	[ -z "$m" ] && break
	for l in $m; do
		p=$(packed "$prep/lib" "$l")
		if [ -n "$p" ]; then unpack "$p" >"$work/lib/$l"; else echo "no copy of $l" >>"$res/machine.txt"; fi
	done
done
export LD_LIBRARY_PATH=$work/lib${libpath:+:$libpath}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
{
	echo "# EGL vendor files: $(ls -d $(printf '%s/* ' $vendor_dirs) 2>/dev/null | tr '\n' ' ')"
	echo "# __EGL_VENDOR_LIBRARY_FILENAMES=${__EGL_VENDOR_LIBRARY_FILENAMES:-unset}"
	echo "# libraries taken from the prepared copies: $(ls "$work/lib" | tr '\n' ' ')"
	echo "# LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
	echo "# ldd bench.test:"
	ldd "$bin/bench.test"
} >>"$res/machine.txt" 2>&1
log "results in $res; budget ${budget}s${quick:+; QUICK: a dry run}"
grep -E '^# (EGL|__EGL|libraries)' "$res/machine.txt"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "no nvidia-smi"

# Fashion-MNIST: the carried copy (xz-packed files unpacked, gzipped ones
# read as they are), else what the examples find themselves.
data=()
if [ -d "$prep/data/fashion-mnist" ]; then
	data=(-data "$prep/data/fashion-mnist")
	if ls "$prep"/data/fashion-mnist/*.xz >/dev/null 2>&1; then
		mkdir -p "$work/data"
		for f in "$prep"/data/fashion-mnist/*.xz; do
			unpack "$f" >"$work/data/$(basename "$f" .xz)"
		done
		data=(-data "$work/data")
	fi
fi

# Benchmark time per measurement: QUICK runs each benchmark once.
bt() { if [ -n "$quick" ]; then echo 1x; else echo "$1"; fi; }
bench=("$bin/bench.test" -test.run '^$' -test.benchmem -test.bench)
# The GL suite took 104 s on the H200 (2026-12-04), before two more
# conformance runs (direct GEMM tilings, 2026-12-05): three minutes.
count=3 torch_seconds=1 short=() conformance=180
# A dry run on llvmpipe compiling the suite's shaders for the first time
# (Mesa keeps them in ~/.cache/mesa_shader_cache) needs more than two
# minutes for the conformance suite alone, 19 s from the cache (2-core
# Zen 5): there it gets four.
[ -n "$quick" ] && count=1 torch_seconds=0 short=(-test.short) conformance=240
# The steps, most wanted first, in the order that puts every figure the
# GPU targets need (bench/RESULTS.md) inside one call of the device tool (a lent machine's
# 15 minutes hold its start, one call of 600 s and a short second call at
# most; the second was refused on 2026-12-04): the host cost of a
# dispatch, the training steps, where their GPU time goes (a second), the
# products, PyTorch's same steps and products, the examples (the
# character RNN on GL and on the CPU: the GPU's speed-up), the Elman
# recurrences' weights in registers or not (the character RNN's kernel,
# 30 s), the GL suite
# (correctness), the GEMM tilings timed (the MatMul target and the card's
# table), tensorgl check, and last the A/Bs that set
# other hardware defaults (the recurrences, the host path, direct
# tilings, the convolutions, split sums), the kernel tables and the CPU
# suites.
rounds=2
[ -n "$quick" ] && rounds=1
# ab TAG ROUNDS BIN MODES PATTERN:BENCHTIME...: runs each benchmark
# pattern under each of MODES in turn (LABEL|VAR=value VAR=value ..., the
# modes separated by ;), ROUNDS times, the label written into the benchmark
# names (Benchmark<Name>/TAG=<label>/...).
ab='
	set -o pipefail
	rc=0 tag=$1 rounds=$2 bin=$3
	IFS=";" read -ra modes <<<"$4"
	shift 4
	for r in $(seq "$rounds"); do
		for m in "${modes[@]}"; do
			for pb in "$@"; do
				env ${m#*|} "$bin" -test.run "^\$" -test.benchmem -test.benchtime "${pb##*:}" -test.bench "${pb%:*}" |
					sed "s|^Benchmark\([A-Za-z]*\)/|Benchmark\1/$tag=${m%%|*}/|" || rc=1
			done
		done
	done
	exit $rc'
# settings VAR VALUE...: ab's modes setting VAR to each VALUE in turn.
settings() {
	local v=$1 out= m
	shift
	for m; do out+="${out:+;}$m|$v=$m"; done
	echo "$out"
}
step info 30 . "$bin/tensorgl" info
step dispatch 60 bench "${bench[@]}" '^BenchmarkDispatch$' -test.benchtime "$(bt 0.5s)"
step trainstep 120 bench "${bench[@]}" '^BenchmarkTrainStep$' -test.benchtime "$(bt 1s)" -test.count "$count"
# Every kernel of warm training steps timed by GL timestamps (the seed's
# steps at batch 64 and, but on a dry run, the large steps; 20 steps each,
# 3 on a dry run): where a step's time goes on the GPU, kernel by kernel.
plarge=1 psteps=20
[ -n "$quick" ] && plarge=0 psteps=3
step profile 90 bench env TENSORGL_PROFILE_LARGE=$plarge TENSORGL_PROFILE_STEPS=$psteps "$bin/bench.test" -test.run '^TestStepProfile$' -test.v -test.count=1
step matmul 90 bench "${bench[@]}" '^BenchmarkMatMul$' -test.benchtime "$(bt 0.5s)"
step trainstep-large-gl 180 bench "${bench[@]}" '^BenchmarkTrainStepLarge$/./^gl' -test.benchtime "$(bt 2s)"

# PyTorch: the same steps and kernels, fp32 (TF32 off), when it is there.
# Without TENSORGL_GPU_PYTHON, the first of the usual Pythons whose torch
# sees a CUDA device, else the first with torch at all (a pyenv or venv
# python3 on the PATH often lacks the system's torch).
torch_of() { "$1" -c 'import torch; print(torch.__version__, torch.cuda.is_available())' 2>/dev/null; }
py=${TENSORGL_GPU_PYTHON:-}
if [ -z "$py" ]; then
	pys=()
	for c in "$(command -v python3 || true)" /usr/bin/python3 /usr/local/bin/python3 /opt/conda/bin/python3 "${HOME:-/nonexistent}/miniconda3/bin/python3"; do
		[ -n "$c" ] && [ -x "$c" ] && pys+=("$c")
	done
	for c in "${pys[@]}"; do
		t=$(torch_of "$c") || continue
		[ -z "$py" ] && py=$c
		if [ "${t#* }" = True ]; then py=$c; break; fi
	done
	[ -z "$py" ] && [ ${#pys[@]} -gt 0 ] && py=${pys[0]}
fi
if [ -z "$py" ]; then
	summary+=("$(printf '%-22s %-8s %6s  %s' torch-ref ABSENT - "no python3 on this machine")")
	log "torch-ref: no python3 here"
elif ! torch=$(torch_of "$py"); then
	summary+=("$(printf '%-22s %-8s %6s  %s' torch-ref ABSENT - "$py has no torch")")
	log "torch-ref: $py has no torch"
elif [ "${torch#* }" = True ]; then
	log "torch-ref: $py, torch ${torch% *}, CUDA"
	step torch-ref-cuda 200 . env PYTHONUNBUFFERED=1 "$py" bench/torch_ref.py --device cuda --large --seconds "$torch_seconds"
	torch_cuda=1
else
	log "torch-ref: $py, torch ${torch% *}, no CUDA device: a short CPU run only"
	summary+=("$(printf '%-22s %-8s %6s  %s' torch-ref-cuda ABSENT - "torch ${torch% *} sees no CUDA device")")
	step torch-ref-cpu 120 . env PYTHONUNBUFFERED=1 "$py" bench/torch_ref.py --only mlp,cnn --seconds 0 --gemm-sizes 256
fi


if [ -n "$quick" ]; then
	step example-cnn 240 . "$bin/cnn" -device gl "${data[@]}" -epochs 1 -limit 1024 -out "$res/cnn-out"
else
	step example-cnn 150 . "$bin/cnn" -device gl "${data[@]}" -out "$res/cnn-out"
fi
if [ -n "$quick" ]; then
	step example-rnn 120 . "$bin/rnn" -device gl -epochs 1 -limit 20000 -out "$res/rnn-out"
else
	step example-rnn 90 . "$bin/rnn" -device gl -out "$res/rnn-out"
	# The same program on this machine's CPUs: the GPU's speed-up.
	step example-rnn-cpu 90 . "$bin/rnn" -device cpu -out "$res/rnn-cpu-out"
fi
# Inference (BenchmarkInfer: the MLP, LeNet and ResNet-18 at batch 1 and
# 64, evaluation mode, the logits read back) on GL and on this machine's
# CPUs, and PyTorch CUDA's same passes (torch_ref.py --infer).
step infer 60 bench "${bench[@]}" '^BenchmarkInfer$' -test.benchtime "$(bt 0.5s)"
if [ -n "${torch_cuda:-}" ]; then
	step torch-infer-cuda 60 . env PYTHONUNBUFFERED=1 "$py" bench/torch_ref.py --device cuda --only '' --infer --no-kernels --seconds "$torch_seconds"
fi
# The one-dispatch Elman recurrences with each unit's weights in
# registers, read once (TENSORGL_GL_ELMANREGS=1, the hardware default since
# 2026-12-05), or read from memory at every step (0), the same bits: the
# character and rows RNN steps and the recurrences' kernels, alternated.
step elmanregs-ab 45 bench bash -c "$ab" _ elmanregs "$rounds" "$bin/bench.test" "$(settings TENSORGL_GL_ELMANREGS 1 0)" \
	"^BenchmarkTrainStep\$/^(rnn|rows)\$/^gl:$(bt 1s)" "^BenchmarkKernel\$/^Elman(Backward)?\$/^gl/64x64x128:$(bt 0.3s)"
step gl-conformance "$conformance" device/gl "$bin/gl.test" -test.count=1 -test.v "${short[@]}" ${TENSORGL_GPU_TESTRUN:+-test.run "$TENSORGL_GPU_TESTRUN"}
# The GEMM tilings (TENSORGL_GPU_GEMM_ARMS, of these): the GEMM core's
# shared-memory tiles and MatMul's loads all scalar, on
# 128×128 tiles (scalar: TENSORGL_GL_GEMM=scalar, the hardware default before
# 2026-12-04), as the defaults have them (default: vec4 loads, 64×64 tiles
# for MatMuls of at most 64 rows or columns or fewer than 16 work groups),
# those with the scalar tiles'
# rows padded (gvec4,small,pad), as vec4 double-buffered tiles
# (TENSORGL_GL_GEMM=vec4,db), that with MatMul's operands also loaded as
# vec4 (vec4,db,gvec4), these with the built-in table of tilings off
# (TENSORGL_GL_TUNE=0), the defaults with the table (known: its tilings,
# device/gl/tuned.json, on the cards it lists), and
# the tiling chosen per product by timing (among the candidates direct
# tilings: no shared memory, a split K summed in one dispatch; TENSORGL_GL_TUNE=log: each choice, with
# every candidate's time, is printed to stderr, into gemm-ab.txt, and the
# choices are kept in gemm-tune.json, the card's per-shape table; the
# trials run in the benchmark's first, unreported pass), all with the same
# results: the large products, the MLP, LeNet, GAN, ResNet-18 and LSTM LM steps
# (the last's forward products of 64 rows take the small tiles),
# alternated, the mode in the benchmark names. By default three: the
# defaults without the built-in table, the same with every loop of
# constant trip count unrolled (NVIDIA's optionNV pragma: on the H200 the
# vec4 tiles were 6.5–7.7× slower, as if their register tiles lived in
# local memory), and tuning anew (the tune arm writes each program it
# builds, the driver's assembly among it, to programs/, whose index.tsv
# names the local memory each declares); the defaults with the table
# (known) are what the matmul and trainstep steps above time.
gemm=
for g in ${TENSORGL_GPU_GEMM_ARMS:-default gvec4,small,unroll tune}; do
	case $g in
	default) m="default|TENSORGL_GL_GEMM= TENSORGL_GL_TUNE=0" ;;
	known) m="known|TENSORGL_GL_TUNE=" ;;
	tune) m="tune|TENSORGL_GL_TUNE=log TENSORGL_GL_TUNE_FILE=$res/gemm-tune.json TENSORGL_GL_DUMP=$res/programs" ;;
	*) m="$g|TENSORGL_GL_GEMM=$g TENSORGL_GL_TUNE=0" ;;
	esac
	gemm+="${gemm:+;}$m"
done
step gemm-ab 150 bench bash -c "$ab" _ gemm "$rounds" "$bin/bench.test" "$gemm" \
	"^BenchmarkMatMul\$/^gl/^(1024|2048|4096)x:$(bt 0.3s)" "^BenchmarkTrainStep\$/^(mlp|cnn|gan)\$/^gl:$(bt 1s)" \
	"^BenchmarkTrainStepLarge\$/^(resnet18|lstm)/^gl:$(bt 1s)"
step check-gl 90 . "$bin/tensorgl" check -device gl
# The character and rows RNN steps' products tuned as gemm-ab's tune arm
# tuned the other steps' (TENSORGL_GL_TUNE=log, its gemm-tune.json read
# first and added to), and the two steps timed under the tilings chosen:
# the built-in table holds none of the character RNN example's products.
step gemm-tune-rnn 45 bench env TENSORGL_GL_TUNE=log TENSORGL_GL_TUNE_FILE="$res/gemm-tune.json" "$bin/bench.test" -test.run '^$' -test.benchmem \
	-test.bench '^BenchmarkTrainStep$/^(rnn|rows)$/^gl' -test.benchtime "$(bt 1s)"
# The Elman, LSTM and GRU recurrences a step at a time or fused into one
# dispatch each way (TENSORGL_GL_RECURRENCE=steps, fused: the hardware
# default up to batch × a step's gates·units² of 2²⁴), the same results
# where K is not split: the character and rows RNN steps at batch 64 and
# 1 024 and the whole recurrences' kernels, alternated.
step recurrence-ab 110 bench bash -c "$ab" _ recurrence "$rounds" "$bin/bench.test" "$(settings TENSORGL_GL_RECURRENCE steps fused)" \
	"^BenchmarkTrainStep\$/^(rnn|rows)\$/^gl:$(bt 1s)" "^BenchmarkTrainStepLarge\$/^(rnn|rows)-b1024\$/^gl:$(bt 1s)" \
	"^BenchmarkKernel\$/^(Elman|LSTM|GRU)(Backward)?\$/^gl/(64x64x128|8x64x128|16x256x512):$(bt 0.3s)"
# The GL thread, and callers waiting for it, polling before they sleep
# (TENSORGL_GL_SPIN) and the GL thread calling glFlush when it runs out of
# commands (TENSORGL_GL_FLUSH), both hardware defaults since 2026-12-04,
# against neither (park: the behaviour before) and each alone, and the
# defaults with Reads through a staging buffer (TENSORGL_GL_READ=staged),
# and the defaults with NVIDIA's driver polling instead of yielding the
# CPU where it waits for the GPU in glFinish and glGetBufferSubData
# (__GL_YIELD=NOTHING; other drivers ignore it): the seed models' steps,
# single dispatches waited for and a value read back, alternated.
step host-ab 110 bench bash -c "$ab" _ host "$rounds" "$bin/bench.test" \
	"park|TENSORGL_GL_SPIN=0 TENSORGL_GL_FLUSH=0;spin|TENSORGL_GL_SPIN=2ms TENSORGL_GL_FLUSH=0;flush|TENSORGL_GL_SPIN=0 TENSORGL_GL_FLUSH=1;default|;staged|TENSORGL_GL_READ=staged;noyield|__GL_YIELD=NOTHING" \
	"^BenchmarkTrainStep\$/^(mlp|cnn|rnn|gan)\$/^gl:$(bt 1s)" "^BenchmarkDispatch\$/^gl/(sync|read)\$:$(bt 0.3s)"
# The GEMM core's products of at most 2²², 2²⁴ or 2²⁶ multiply-adds on a
# direct tiling (TENSORGL_GL_DIRECT: no tiles in shared memory, a split
# product's slices shared by a work group's invocations, one dispatch, the
# same bits) against none (off, the default), 2²⁶ with LeNet's input
# gradient as one implicit GEMM (direct) instead of columns and their
# fold (TENSORGL_GL_CONVCOLS=0), and 2²⁶ with the LSTM and GRU forward
# steps fused too (TENSORGL_GL_RNNSTEP=fused: one dispatch a step each way,
# the cell in the direct product's store, no vec4 tiles): the seed
# models' steps and the LSTM and GRU LM steps, alternated.
step direct-ab 140 bench bash -c "$ab" _ direct "$rounds" "$bin/bench.test" \
	"$(settings TENSORGL_GL_DIRECT 0 4194304 16777216 67108864);67108864-implicit|TENSORGL_GL_DIRECT=67108864 TENSORGL_GL_CONVCOLS=0;67108864-fused|TENSORGL_GL_DIRECT=67108864 TENSORGL_GL_RNNSTEP=fused" \
	"^BenchmarkTrainStep\$/^(mlp|cnn|rnn|gan)\$/^gl:$(bt 1s)" "^BenchmarkTrainStepLarge\$/^(lstm|gru)-/^gl:$(bt 1s)"
# The seed models' steps again with the products of at most 2²⁴
# multiply-adds on direct tilings (TENSORGL_GL_DIRECT): each product's time
# against the profile above.
step profile-direct 60 bench env TENSORGL_GL_DIRECT=16777216 TENSORGL_PROFILE_STEPS=$psteps "$bin/bench.test" -test.run '^TestStepProfile$' -test.v -test.count=1
# The convolutions of few channels (LeNet's) direct (TENSORGL_GL_CONVDIRECT=1),
# as implicit GEMMs with the input gradient by columns and their fold
# (cols: TENSORGL_GL_CONVDIRECT=0, the hardware default since 2026-12-04),
# or all as implicit GEMMs (TENSORGL_GL_CONVCOLS=0 too, the hardware default
# before), the forward pass with the same bits where K is not split: the
# LeNet step and its layers' kernels, alternated.
step convdirect-ab 60 bench bash -c "$ab" _ convdirect "$rounds" "$bin/bench.test" \
	"direct|TENSORGL_GL_CONVDIRECT=1;cols|TENSORGL_GL_CONVDIRECT=0;implicit|TENSORGL_GL_CONVDIRECT=0 TENSORGL_GL_CONVCOLS=0" \
	"^BenchmarkTrainStep\$/^cnn\$/^gl:$(bt 1s)" "^BenchmarkKernel\$/^Conv2d/^gl/lenet:$(bt 0.2s)"
# Split GEMMs summing their slices in a second dispatch or in their own
# (TENSORGL_GL_SPLITFUSE=0, the default, and 1), the same bits (the GL
# suite's TestConformanceSplitFused and TestSplitFusedSameBits ran it
# above): the LSTM and GRU LM steps (nearly half their dispatches were
# second passes on the H200), ResNet-18's and LeNet's, alternated.
step splitfuse-ab 90 bench bash -c "$ab" _ splitfuse "$rounds" "$bin/bench.test" "$(settings TENSORGL_GL_SPLITFUSE 0 1)" \
	"^BenchmarkTrainStepLarge\$/^(lstm|gru|resnet18)-/^gl:$(bt 1s)" "^BenchmarkTrainStep\$/^(cnn|rnn)\$/^gl:$(bt 1s)"
# The wide 3×3 stride-1 convolutions (all three passes) direct or by F(2×2, 3×3)
# (TENSORGL_GL_WINOGRAD=0, 1: every one that can, the default from 2²⁷
# multiply-adds), the same results within the tolerances: the ResNet-18
# step and the ResNet layers' kernels, alternated.
step winograd-ab 90 bench bash -c "$ab" _ winograd "$rounds" "$bin/bench.test" "$(settings TENSORGL_GL_WINOGRAD 0 1)" \
	"^BenchmarkTrainStepLarge\$/^resnet18-/^gl:$(bt 1s)" "^BenchmarkKernel\$/^Conv2d/^gl/resnet:$(bt 0.2s)"
# The batch-norm statistics and backward reduction one work group a channel
# or in slices of each channel where the channels are too few to fill the
# GPU (TENSORGL_GL_BNSPLIT=0, 1: the hardware default), the same results
# within the tolerances: the ResNet-18 steps and the two kernels,
# alternated.
step bnsplit-ab 60 bench bash -c "$ab" _ bnsplit "$rounds" "$bin/bench.test" "$(settings TENSORGL_GL_BNSPLIT 0 1)" \
	"^BenchmarkTrainStepLarge\$/^resnet18-/^gl:$(bt 1s)" "^BenchmarkKernel\$/^BatchNorm(Stats|BackwardReduce)/^gl:$(bt 0.2s)"
# The LSTM and GRU steps as two kernels or fused into one each way
# (TENSORGL_GL_RNNSTEP=pair, fused; by default on hardware the forward
# steps as pairs, the backwards fused), the same bits:
# the language models' training steps and the step kernels, alternated.
step rnnstep-ab 90 bench bash -c "$ab" _ rnnstep "$rounds" "$bin/bench.test" "$(settings TENSORGL_GL_RNNSTEP pair fused)" \
	"^BenchmarkTrainStepLarge\$/^(lstm|gru)-/^gl:$(bt 1s)" "^BenchmarkKernel\$/^(LSTM|GRU)Step/^gl:$(bt 0.2s)"
# The A/B of the GL host path: each round runs three settings, so drift
# hits all alike: elide=0-batch=1 is the old path (every state call and
# barrier, each command handed over alone), elide=1-batch=1 skips the
# redundant calls (the default), elide=1-batch=32 also hands commands over
# 32 at a time; the mode is written into the benchmark names
# (BenchmarkDispatch/elide=0-batch=1/...).
step elide-ab 90 bench bash -c "$ab" _ elide "$rounds" "$bin/bench.test" \
	"0-batch=1|TENSORGL_GL_ELIDE=0 TENSORGL_GL_BATCH=1;1-batch=1|TENSORGL_GL_ELIDE=1 TENSORGL_GL_BATCH=1;1-batch=32|TENSORGL_GL_ELIDE=1 TENSORGL_GL_BATCH=32" \
	"^BenchmarkDispatch\$/^gl/x1000\$:$(bt 0.3s)" "^BenchmarkTrainStep\$/^gan\$/^gl:$(bt 1s)"
step kernels-gl 120 bench "${bench[@]}" '^BenchmarkKernel$/./^gl' -test.benchtime "$(bt 0.1s)"
step trainstep-large-cpu 120 bench "${bench[@]}" '^BenchmarkTrainStepLarge$/-b1024$/^cpu$' -test.benchtime "$(bt 1s)"
step kernels-cpu 120 bench "${bench[@]}" '^BenchmarkKernel$/./^cpu$' -test.benchtime "$(bt 0.1s)"
step devicetest 60 device/devicetest "$bin/devicetest.test" -test.count=1 "${short[@]}"
step crossdevice 120 internal/crossdevice "$bin/crossdevice.test" -test.count=1 "${short[@]}"

{
	echo "tensorgl GPU run $stamp: $((SECONDS - start))s of a ${budget}s budget${quick:+ (QUICK: a dry run)}; raw outputs in $res"
	printf '%-22s %-8s %6s  %s\n' step result time output
	printf '%s\n' "${summary[@]}"
} >"$res/summary.txt"

echo
digest "$res"/{dispatch,elmanregs-ab,host-ab,direct-ab,elide-ab,recurrence-ab,rnnstep-ab,splitfuse-ab,winograd-ab,convdirect-ab,bnsplit-ab,gemm-ab,trainstep,trainstep-large-gl,matmul,torch-ref-cuda,torch-ref-cpu,infer,torch-infer-cuda}.txt
# The programs the tuner built that keep arrays in local memory (their
# register tiles, where the compiler did not unroll the loops over them).
if [ -f "$res/programs/index.tsv" ]; then
	awk -F'\t' 'NR > 1 { n++; if ($5 > 0) a++; if ($6 != "-") { l++; print $2 "\t" $6 } }
		END { printf "%d of %d programs built declare or use local memory (%d with the driver'"'"'s assembly to tell)\n", l, n, a }' \
		"$res/programs/index.tsv" >"$res/programs-lmem.txt"
	echo
	tail -n 1 "$res/programs-lmem.txt"
	grep -E '^(matmul|conv)' "$res/programs-lmem.txt" | cut -c1-200 | head -20
fi
echo
cat "$res/summary.txt"
if [ -n "${OUT:-}" ] && [[ $res == "$OUT"/* ]]; then
	if [ -d "$res/programs" ]; then
		# The driver's assembly where there is some, else the binary; the
		# index alone if that is still past 15 MiB packed.
		(cd "$res/programs" && for f in *.bin; do [ -e "${f%.bin}.asm" ] && rm -f "$f"; done)
		tar czf "$work/programs.tar.gz" -C "$res" programs
		if (($(stat -c %s "$work/programs.tar.gz") > 15 << 20)); then
			tar czf "$work/programs.tar.gz" -C "$res" programs/index.tsv
		fi
		rm -rf "$res/programs"
	fi
	tar czf "$work/logs.tar.gz" -C "$res" --exclude ./summary.txt . &&
		find "$res" -mindepth 1 -maxdepth 1 ! -name summary.txt -exec rm -rf {} + &&
		mv "$work/logs.tar.gz" "$res/"
	[ -f "$work/programs.tar.gz" ] && mv "$work/programs.tar.gz" "$res/"
	echo "packed the raw outputs into $res/logs.tar.gz ($(du -h "$res/logs.tar.gz" | cut -f1))$([ -f "$res/programs.tar.gz" ] && echo " and the programs into programs.tar.gz ($(du -h "$res/programs.tar.gz" | cut -f1))")" | tee -a "$res/summary.txt"
fi
