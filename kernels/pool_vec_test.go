package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMaxPool2x2Vec checks the vector kernel for 2×2 windows at stride 2
// against the Go tree of picks, bit for bit and index for index, on rows
// of every length up to 40 windows (whole vectors and masked tails), odd
// widths, ties, signed zeros, NaNs and infinities.
func TestMaxPool2x2Vec(t *testing.T) {
	if maxPool2x2Vec == nil {
		t.Skip("no vector kernel on this CPU or build")
	}
	testMaxPool2x2Vec(t, maxPool2x2Vec)
}

// testMaxPool2x2Vec is TestMaxPool2x2Vec for the kernel vec.
func testMaxPool2x2Vec(t *testing.T, vec func(out []float32, oi []int32, r0, r1 []float32, i0, i1 int)) {
	defer func(saved func(out []float32, oi []int32, r0, r1 []float32, i0, i1 int)) { maxPool2x2Vec = saved }(maxPool2x2Vec)
	rng := rand.New(rand.NewPCG(1, 7))
	specials := []float32{0, float32(math.Copysign(0, -1)), 1, 1, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}
	for ow := 1; ow <= 40; ow++ {
		for _, extra := range []int{0, 1} { // an odd width leaves a column out
			W := 2*ow + extra
			plane := make([]float32, 2*W+8)
			for i := range plane {
				if rng.IntN(4) == 0 {
					plane[i] = specials[rng.IntN(len(specials))]
				} else {
					plane[i] = float32(rng.IntN(5)) - 2 // many ties
				}
			}
			plane = plane[:2*W]
			h0 := 0
			if ow%3 == 0 { // the second row pair: indices past a plane's first rows
				plane = append(make([]float32, 2*W), plane...)
				h0 = 2
			}
			want, wantIdx := make([]float32, ow), make([]int32, ow)
			got, gotIdx := make([]float32, ow), make([]int32, ow)
			maxPool2x2Vec = nil
			maxPool2x2Row(want, wantIdx, plane, h0, W, 2)
			maxPool2x2Vec = vec
			maxPool2x2Row(got, gotIdx, plane, h0, W, 2)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) || gotIdx[i] != wantIdx[i] {
					t.Fatalf("width %d, window %d: vector %v at %d, Go %v at %d (rows %v)", W, i, got[i], gotIdx[i], want[i], wantIdx[i], plane)
				}
			}
		}
	}
}
