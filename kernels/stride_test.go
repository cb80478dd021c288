package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestStride2: gather2Vec and scatterAdd2Vec set and add what the scalar
// loops of im2col and col2im would, for the leading part they report, on
// every length, with the source or destination ending early (a row's last
// tap at a plane's end), signed zeros and NaNs; a scatter leaves the odd
// floats (−0 included) and everything past its part as they were.
func TestStride2(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(-1)), 1e-40}
	draw := func(n int) []float32 {
		s := randSlice(rng, n, 10)
		for i := range s {
			if rng.IntN(5) == 0 {
				s[i] = special[rng.IntN(len(special))]
			}
		}
		return s
	}
	for n := 0; n <= 70; n++ {
		for _, short := range []int{0, 1, 2, 17} { // floats the other side lacks
			what := fmt.Sprintf("n=%d short=%d", n, short)
			// gather: dst n long, src 2n − short
			src := draw(max(0, 2*n-short))
			dst := draw(n)
			was := append([]float32(nil), dst...)
			k := gather2Vec(dst, src)
			if k < 0 || k > n || 2*k > len(src) {
				t.Fatalf("%s: gather2Vec set %d", what, k)
			}
			for i := range dst {
				want := was[i]
				if i < k {
					want = src[2*i]
				}
				if !sameFloat(dst[i], want) {
					t.Fatalf("%s: gather dst[%d] = %g, want %g", what, i, dst[i], want)
				}
			}
			// scatter-add: src n long, dst 2n − short
			in := draw(n)
			out := draw(max(0, 2*n-short))
			was = append([]float32(nil), out...)
			k = scatterAdd2Vec(out, in)
			if k < 0 || k > n || 2*k > len(out) {
				t.Fatalf("%s: scatterAdd2Vec added %d", what, k)
			}
			for i := range out {
				want := was[i]
				if i%2 == 0 && i/2 < k {
					want = was[i] + in[i/2]
				}
				if math.Float32bits(out[i]) != math.Float32bits(want) && !(out[i] != out[i] && want != want) {
					t.Fatalf("%s: scatter dst[%d] = %g (%#x), want %g (%#x)", what, i, out[i], math.Float32bits(out[i]), want, math.Float32bits(want))
				}
			}
		}
	}
}

// TestCol2imS2: col2im of a 3×3 stride-2 convolution padded by 1, on planes
// twice its output's size, writes what clearing the planes and adding each
// tap's (c, r, s) rows in order gives, to the bit (NaNs as NaNs), and
// im2col each tap's values (zeros in the padding) and nothing between rows,
// with signed zeros, NaNs and infinities among the values, on outputs 1 to 9
// rows high and 1 to 24 wide (the vector code where s2RowsFast holds);
// col2imS2RowGo and im2colS2RowGo, the portable twins, write the same.
func TestCol2imS2(t *testing.T) {
	rng := rand.New(rand.NewPCG(45, 46))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), 1e-40}
	for _, ow := range []int{1, 3, 4, 8, 16, 24} {
		for _, oh := range []int{1, 2, 3, 9} {
			for _, cg := range []int{1, 3} {
				g := Conv2dGeom{N: 1, C: cg, H: 2 * oh, W: 2 * ow, K: 4, R: 3, S: 3, OH: oh, OW: ow,
					StrideH: 2, StrideW: 2, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1}
				ohw, hw := oh*ow, 4*oh*ow
				ld := ohw + rng.IntN(3) // rows of col may lie further apart
				sprinkle := func(v []float32) []float32 {
					for i := range v {
						if rng.IntN(6) == 0 {
							v[i] = special[rng.IntN(len(special))]
						}
					}
					return v
				}
				// eachTap calls f with the index in col of each tap (c, r, s)
				// at each output pixel, the index in the planes of the input
				// it reads, and whether that lies inside the plane.
				eachTap := func(f func(ci, xi int, inside bool)) {
					for c := range cg {
						for r := range 3 {
							for s := range 3 {
								for oy := range oh {
									for ox := range ow {
										y, x := 2*oy-1+r, 2*ox-1+s
										f(((c*3+r)*3+s)*ld+oy*ow+ox, c*hw+y*g.W+x, y >= 0 && y < g.H && x >= 0 && x < g.W)
									}
								}
							}
						}
					}
				}
				col := sprinkle(randSlice(rng, cg*9*ld, 100))
				want := make([]float32, cg*hw)
				eachTap(func(ci, xi int, inside bool) {
					if inside {
						want[xi] += col[ci]
					}
				})
				check := func(how string, got []float32) {
					t.Helper()
					for i := range want {
						if !sameFloat(got[i], want[i]) {
							t.Fatalf("%s oh=%d ow=%d cg=%d: dx[%d] = %g (%#x), want %g (%#x)", how, oh, ow, cg, i,
								got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
						}
					}
				}
				got := randSlice(rng, cg*hw+5, 1) // past the planes: left as it was
				tail := append([]float32(nil), got[cg*hw:]...)
				if g.s2Rows() != s2RowsFast(ow) {
					t.Fatalf("oh=%d ow=%d: s2Rows %v, s2RowsFast %v", oh, ow, g.s2Rows(), s2RowsFast(ow))
				}
				if !g.s2Rows() {
					clear(got[:cg*hw])
				}
				col2im(got[:cg*hw], col, cg, &g, ld)
				check("col2im", got)
				for i, v := range got[cg*hw:] {
					if v != tail[i] {
						t.Fatalf("oh=%d ow=%d cg=%d: wrote past the planes", oh, ow, cg)
					}
				}
				// The portable rows, whatever the CPU.
				goRows := make([]float32, cg*hw)
				col2imS2By(goRows, col, cg, oh, ow, ld, col2imS2RowGo)
				check("col2imS2RowGo", goRows)

				// im2col: the planes' values at each tap, zeros in the
				// padding, and nothing written between rows ld apart.
				x := sprinkle(randSlice(rng, cg*hw, 100))
				wantCol := randSlice(rng, len(col), 1)
				gotCol := append([]float32(nil), wantCol...)
				eachTap(func(ci, xi int, inside bool) {
					wantCol[ci] = 0
					if inside {
						wantCol[ci] = x[xi]
					}
				})
				checkCol := func(how string, got []float32) {
					t.Helper()
					for i := range wantCol {
						if math.Float32bits(got[i]) != math.Float32bits(wantCol[i]) {
							t.Fatalf("%s oh=%d ow=%d cg=%d: col[%d] = %g (%#x), want %g (%#x)", how, oh, ow, cg, i,
								got[i], math.Float32bits(got[i]), wantCol[i], math.Float32bits(wantCol[i]))
						}
					}
				}
				im2col(gotCol, x, cg, &g, ld)
				checkCol("im2col", gotCol)
				if g.s2Rows() {
					goCol := append([]float32(nil), wantCol...)
					im2colS2By(goCol, x, cg, oh, ow, ld, im2colS2RowGo)
					checkCol("im2colS2RowGo", goCol)
				}
			}
		}
	}
}
