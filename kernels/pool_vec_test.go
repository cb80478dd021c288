package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMaxPool2x2Vec checks the vector kernel for 2×2 windows at stride 2
// against the Go tree of picks, bit for bit and index for index, on rows
// of every length up to 40 windows (whole vectors and masked tails), odd
// widths, ties, signed zeros, NaNs and infinities, one to three output
// rows a call, with row pairs 2 or 3 rows apart and from a plane's first
// or a later row.
func TestMaxPool2x2Vec(t *testing.T) {
	if maxPool2x2Vec == nil {
		t.Skip("no vector kernel on this CPU or build")
	}
	testMaxPool2x2Vec(t, maxPool2x2Vec)
}

// testMaxPool2x2Vec is TestMaxPool2x2Vec for the kernel vec.
func testMaxPool2x2Vec(t *testing.T, vec func(out []float32, oi []int32, plane []float32, n, rows, h0, W, sh int)) {
	rng := rand.New(rand.NewPCG(1, 7))
	specials := []float32{0, float32(math.Copysign(0, -1)), 1, 1, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}
	for ow := 1; ow <= 40; ow++ {
		for _, extra := range []int{0, 1} { // an odd width leaves a column out
			for _, rows := range []int{1, 2, 3} {
				W := 2*ow + extra
				sh := 2 + (ow+rows)%2 // 3: a row between the pairs that no window reads
				h0 := 2 * (ow % 3)    // past a plane's first rows: indices from h0·W
				H := h0 + (rows-1)*sh + 2
				plane := make([]float32, H*W+8) // values past the plane's end that no window reads
				for i := range plane {
					if rng.IntN(4) == 0 {
						plane[i] = specials[rng.IntN(len(specials))]
					} else {
						plane[i] = float32(rng.IntN(5)) - 2 // many ties
					}
				}
				plane = plane[:H*W]
				want, wantIdx := make([]float32, rows*ow), make([]int32, rows*ow)
				got, gotIdx := make([]float32, rows*ow+1), make([]int32, rows*ow+1) // a canary past the end
				got[rows*ow], gotIdx[rows*ow] = 7, 7
				for j := range rows {
					maxPool2x2Row(want[j*ow:(j+1)*ow], wantIdx[j*ow:(j+1)*ow], plane, h0+j*sh, W, 2)
				}
				vec(got[:rows*ow], gotIdx[:rows*ow], plane, ow, rows, h0, W, sh)
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) || gotIdx[i] != wantIdx[i] {
						t.Fatalf("width %d, %d rows %d apart from row %d, window %d: vector %v at %d, Go %v at %d (plane %v)",
							W, rows, sh, h0, i, got[i], gotIdx[i], want[i], wantIdx[i], plane)
					}
				}
				if got[rows*ow] != 7 || gotIdx[rows*ow] != 7 {
					t.Fatalf("width %d, %d rows: the kernel wrote past its output", W, rows)
				}
			}
		}
	}
}

// TestMaxPool2x2BackVec checks the vector kernel of MaxPool2dBackward's
// non-overlapping 2×2 windows against adding each dy to a cleared plane at
// its index, bit for bit (−0 becomes +0 as 0 + −0 does; NaNs pass), on the
// shapes of TestMaxPool2x2Vec; values outside the windows (an odd width's
// last column, rows between or after the row pairs) must stay as they were.
func TestMaxPool2x2BackVec(t *testing.T) {
	if maxPool2x2BackVec == nil {
		t.Skip("no vector kernel on this CPU or build")
	}
	testMaxPool2x2BackVec(t, maxPool2x2BackVec)
}

// testMaxPool2x2BackVec is TestMaxPool2x2BackVec for the kernel vec.
func testMaxPool2x2BackVec(t *testing.T, vec func(dx, dy []float32, idx []int32, n, rows, h0, W, sh int)) {
	rng := rand.New(rand.NewPCG(3, 9))
	specials := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(-1)), 1e30}
	const outside = 7
	for ow := 1; ow <= 40; ow++ {
		for _, extra := range []int{0, 1} {
			for _, rows := range []int{1, 2, 3} {
				W := 2*ow + extra
				sh := 2 + (ow+rows)%2
				h0 := 2 * (ow % 3)
				H := h0 + (rows-1)*sh + 2 + extra
				dy := make([]float32, rows*ow)
				idx := make([]int32, rows*ow)
				want := make([]float32, H*W)
				for i := range want {
					want[i] = outside
				}
				for j := range rows {
					top := (h0 + j*sh) * W
					for k := range ow {
						v := float32(rng.NormFloat64())
						if rng.IntN(4) == 0 {
							v = specials[rng.IntN(len(specials))]
						}
						at := top + 2*k + rng.IntN(2) + W*rng.IntN(2)
						dy[j*ow+k], idx[j*ow+k] = v, int32(at)
						for _, q := range []int{top + 2*k, top + 2*k + 1, top + W + 2*k, top + W + 2*k + 1} {
							want[q] = 0
						}
						want[at] += v
					}
				}
				got := make([]float32, H*W+1) // a canary past the end
				for i := range got {
					got[i] = outside
				}
				vec(got[:H*W], dy, idx, ow, rows, h0, W, sh)
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("width %d, %d rows %d apart from row %d: dx[%d] = %v, want %v", W, rows, sh, h0, i, got[i], want[i])
					}
				}
				if got[H*W] != outside {
					t.Fatalf("width %d, %d rows: the kernel wrote past the plane", W, rows)
				}
			}
		}
	}
}

// TestMaxPool2x2Pairs checks the kernels that take two output rows a
// vector step against the Go tree of picks (forward, bit for bit and index
// for index) and against adding each dy to a cleared plane at its index
// (backward, −0 becoming +0), on one to three whole planes of every width
// they take and one to six output rows (an odd count leaves a plane's
// last row to a step of its own), with ties, signed zeros, NaNs and
// infinities; neither may write past its output.
func TestMaxPool2x2Pairs(t *testing.T) {
	if maxPool2x2Pairs == nil {
		t.Skip("no pairs kernels on this CPU or build")
	}
	rng := rand.New(rand.NewPCG(5, 11))
	specials := []float32{0, float32(math.Copysign(0, -1)), 1, 1, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}
	for ow := 1; ow <= maxPoolPairsOW; ow++ {
		for oh := 1; oh <= 6; oh++ {
			for planes := 1; planes <= 3; planes++ {
				W, H := 2*ow, 2*oh
				x := make([]float32, planes*H*W)
				for i := range x {
					if rng.IntN(4) == 0 {
						x[i] = specials[rng.IntN(len(specials))]
					} else {
						x[i] = float32(rng.IntN(5)) - 2
					}
				}
				n := planes * oh * ow
				want, wantIdx := make([]float32, n), make([]int32, n)
				for p := range planes {
					for j := range oh {
						o := (p*oh + j) * ow
						maxPool2x2Row(want[o:o+ow], wantIdx[o:o+ow], x[p*H*W:(p+1)*H*W], 2*j, W, 2)
					}
				}
				got, gotIdx := make([]float32, n+1), make([]int32, n+1) // a canary past the end
				got[n], gotIdx[n] = 7, 7
				maxPool2x2Pairs(got[:n], gotIdx[:n], x, planes, oh, ow)
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) || gotIdx[i] != wantIdx[i] {
						t.Fatalf("%d planes of %d×%d, window %d: vector %v at %d, Go %v at %d", planes, H, W, i, got[i], gotIdx[i], want[i], wantIdx[i])
					}
				}
				if got[n] != 7 || gotIdx[n] != 7 {
					t.Fatalf("%d planes of %d×%d: the kernel wrote past its output", planes, H, W)
				}

				dy := make([]float32, n)
				for i := range dy {
					dy[i] = float32(rng.NormFloat64())
					if rng.IntN(4) == 0 {
						dy[i] = specials[rng.IntN(len(specials))]
					}
				}
				wantDx := make([]float32, planes*H*W)
				for i, v := range dy {
					wantDx[i/(oh*ow)*H*W+int(wantIdx[i])] += v
				}
				gotDx := make([]float32, planes*H*W+1)
				for i := range gotDx {
					gotDx[i] = 7 // every value but the canary must be written
				}
				maxPool2x2PairsBack(gotDx[:planes*H*W], dy, wantIdx, planes, oh, ow)
				for i := range wantDx {
					if math.Float32bits(gotDx[i]) != math.Float32bits(wantDx[i]) {
						t.Fatalf("%d planes of %d×%d: dx[%d] = %v, want %v", planes, H, W, i, gotDx[i], wantDx[i])
					}
				}
				if gotDx[planes*H*W] != 7 {
					t.Fatalf("%d planes of %d×%d: the gradient kernel wrote past the planes", planes, H, W)
				}
			}
		}
	}
}
