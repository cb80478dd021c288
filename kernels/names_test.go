package kernels

import (
	"fmt"
	"testing"
)

// checkNames fails unless names gives every op below n exactly one name.
func checkNames[Op ~uint8](t *testing.T, kind string, names map[string]Op, n Op) {
	t.Helper()
	count := map[Op]int{}
	for name, op := range names {
		if op >= n {
			t.Errorf("%s name %q maps onto %d, past the last op", kind, name, op)
		}
		count[op]++
	}
	for op := range n {
		if count[op] != 1 {
			t.Errorf("%s op %d has %d names; the CPU backend finds it only by exactly one", kind, op, count[op])
		}
	}
}

// TestOpNames: every kernel op has one catalogue name, and every named op
// has a kernel (running it does not panic with "unknown op").
func TestOpNames(t *testing.T) {
	checkNames(t, "unary", unaryNames, numUnaryOps)
	checkNames(t, "binary", binaryNames, numBinaryOps)
	checkNames(t, "reduce", reduceNames, numReduceOps)
	checkNames(t, "distribution", distributionNames, numDistributions)
	src := []float32{-2, -0.5, 0, 0.5, 3}
	dst := make([]float32, len(src))
	idx := make([]int32, 1)
	for name, op := range unaryNames {
		runs(t, "unary "+name, func() { unarySpan(op, 0.5, 1, dst, src) })
	}
	for name, op := range binaryNames {
		runs(t, "binary "+name, func() { binarySpan(op, 0.5, dst, src, src) })
	}
	for name, op := range reduceNames {
		runs(t, "reduce "+name, func() {
			if op == ArgMax || op == ArgMin {
				ArgReduce(op, idx, src, []int{1, len(src), 1}, midAxis)
				return
			}
			Reduce(op, dst[:1], src, []int{1, len(src), 1}, midAxis)
		})
	}
	for name, d := range distributionNames {
		runs(t, "distribution "+name, func() { Random(dst, d, 0.5, 1, 1, 0) })
	}
}

// runs fails t if f panics.
func runs(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: %v", what, fmt.Sprint(r))
		}
	}()
	f()
}
