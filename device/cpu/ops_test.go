package cpu

import (
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

// TestOpTables checks that the tables built from the device catalogue map
// every device op onto a kernel op of its own: two catalogue entries
// sharing a name would make them share a kernel. (A catalogue op with no
// kernel of its name stops the package at init, before any test.)
func TestOpTables(t *testing.T) {
	check := func(kind string, ops int, kernelOps []uint8) {
		t.Helper()
		if len(kernelOps) != ops {
			t.Errorf("%s: %d device ops, %d table entries", kind, ops, len(kernelOps))
		}
		seen := map[uint8]bool{}
		for i, k := range kernelOps {
			if seen[k] {
				t.Errorf("%s: op %d maps onto kernel op %d twice", kind, i, k)
			}
			seen[k] = true
		}
	}
	check("unary", len(device.UnaryOps()), convert(unaryOps))
	check("binary", len(device.BinaryOps()), convert(binaryOps))
	check("reduce", len(device.ReduceOps()), convert(reduceOps))
	check("distribution", len(device.Distributions()), convert(distributions))
}

func convert[T ~uint8](s []T) []uint8 {
	out := make([]uint8, len(s))
	for i, v := range s {
		out[i] = uint8(v)
	}
	return out
}
