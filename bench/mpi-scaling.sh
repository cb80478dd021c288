#!/usr/bin/env bash
# Weak scaling of data-parallel training: LeNet (the cnn example, built with
# -tags mpi) on Fashion-MNIST, batch 64 per process, one thread per process
# (GOMAXPROCS=1). Each round runs 1 process, then 2 processes over each
# transport: the loopback TCP network (what the tests use, and what works in
# any container) and shared memory (Open MPI's vader, what mpirun picks by
# itself on one machine; the processes poll instead of yielding, as there is
# a core for each). Interleaved ROUNDS times so that all see the same
# machine load; prints the command, the machine, every run's training rate
# (samples/s over all processes, evaluation excluded) and, for 2 processes,
# rank 0's summary of the gradient exchange. `ARGS` adds flags to every run
# (e.g. ARGS="-bucket 59134"). With ALLREDUCE naming a build of
# bench/allreduce, each round ends with the allreduce alone over both
# transports (LeNet's 61 706 gradients, 2 ms of work between calls).
#
# usage: MPIRUN="mpirun …" bench/mpi-scaling.sh path/to/cnn-mpi [limit]
# MPIRUN must not choose the transport (--mca btl): the script does.
set -euo pipefail
bin=$1
limit=${2:-60000}
rounds=${ROUNDS:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "# $(date -u +%FT%TZ) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs," \
	"avx512f: $(grep -qw avx512f /proc/cpuinfo && echo yes || echo no)"
run() { # label, np, mpirun flags
	local cmd="$MPIRUN $3 -np $2 -x GOMAXPROCS=1 $bin -device cpu -epochs 1 -batch 64 -limit $limit -out $out/np$2 ${ARGS:-}"
	local res rate ex
	res=$(eval "$cmd" </dev/null 2>&1 | tr '\r' '\n')
	rate=$(echo "$res" | sed -n 's/^epoch 1\/1: .*, \([0-9]*\) samples\/s.*/\1/p')
	ex=$(echo "$res" | sed -n 's/^gradient exchange on rank 0: .*; per step /per step: /p')
	echo "round $round: $1: $2 process(es): $rate samples/s  ${ex}   ($cmd)"
}
for round in $(seq "$rounds"); do
	run one 1 "--mca btl self,tcp --mca mpi_yield_when_idle 1"
	run tcp 2 "--mca btl self,tcp --mca mpi_yield_when_idle 1"
	run shm 2 "--mca btl self,vader --mca mpi_yield_when_idle 0"
	if [ -n "${ALLREDUCE:-}" ]; then
		for t in "tcp|--mca btl self,tcp --mca mpi_yield_when_idle 1" "shm|--mca btl self,vader --mca mpi_yield_when_idle 0"; do
			cmd="$MPIRUN ${t#*|} -np 2 -x GOMAXPROCS=1 $ALLREDUCE -n 61706 -busy 2ms"
			echo "round $round: allreduce ${t%%|*}: $(eval "$cmd" </dev/null 2>&1 | grep 'µs in the allreduce')   ($cmd)"
		done
	fi
done
