#!/bin/bash
# ab.sh alternates test binaries (or scripts that exec one with some
# environment), one round at a time, so that a drifting VM spreads over all
# of them alike: each round runs every binary once with the given -bench
# pattern and -benchtime, in order, and prints its Benchmark lines after a
# "== round R BINARY" header. ab_medians.py summarises the output.
#
# usage: bench/results/ab.sh ROUNDS BENCH-REGEXP BENCHTIME binary...
rounds=$1; re=$2; bt=$3; shift 3
for r in $(seq 1 "$rounds"); do
	for b in "$@"; do
		echo "== round $r $b"
		"$b" -test.run XXX -test.bench "$re" -test.benchtime "$bt" | grep Benchmark
	done
done
