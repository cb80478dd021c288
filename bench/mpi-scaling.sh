#!/usr/bin/env bash
# Weak scaling of data-parallel training: LeNet (the cnn example, built with
# -tags mpi) on Fashion-MNIST, batch 64 per process, one thread per process
# (GOMAXPROCS=1), 1 process against 2, interleaved ROUNDS times so that both
# see the same machine load. Prints the command, the machine and every
# run's training rate (samples/s over all processes, evaluation excluded).
#
# usage: MPIRUN="mpirun …" bench/mpi-scaling.sh path/to/cnn-mpi [limit]
set -euo pipefail
bin=$1
limit=${2:-60000}
rounds=${ROUNDS:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "# $(date -u +%FT%TZ) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) CPUs," \
	"avx512f: $(grep -qw avx512f /proc/cpuinfo && echo yes || echo no)"
for round in $(seq "$rounds"); do
	for np in 1 2; do
		cmd="$MPIRUN -np $np -x GOMAXPROCS=1 $bin -device cpu -epochs 1 -batch 64 -limit $limit -out $out/np$np"
		rate=$(eval "$cmd" 2>&1 | tr '\r' '\n' | sed -n 's/^epoch 1\/1: .*, \([0-9]*\) samples\/s.*/\1/p')
		echo "round $round: $np process(es): $rate samples/s    ($cmd)"
	done
done
