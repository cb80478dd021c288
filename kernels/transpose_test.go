package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestTransposePaths checks the transposes that lay values out for the
// kernels against a loop of one value at a time, under every vector width
// this CPU runs: packSliver across rows (the GEMM's slivers, images across
// the lanes), unpackLanes (back to rows: AVX-512's 16×16 blocks, eight
// values at a time, one) and transpose16 alone, for widths and counts on
// both sides of 8 and 16, with every value outside what they should write
// left as it was.
func TestTransposePaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const canary = -12345
	fresh := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = canary
		}
		return s
	}
	random := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(rng.NormFloat64())
		}
		return s
	}
	for _, vw := range logWidths() {
		t.Run(vw.name, func(t *testing.T) {
			defer vw.set()()
			// packSliver across: dst[p·w+r] = src[r·ld+p], r < width, p < kc, and zeros
			// past width up to w.
			for _, width := range []int{1, 5, 8, 15, 16, 17, 24, 32, 33} {
				for _, kc := range []int{1, 7, 15, 16, 17, 31, 48, 50} {
					ld := kc + rng.IntN(5)
					w := width + rng.IntN(3)
					src := random((width-1)*ld + kc)
					got := fresh(kc*w + 3)
					packSliver(got, src, ld, width, w, kc, false)
					for i, v := range got {
						p, r := i/w, i%w
						want := float32(canary)
						switch {
						case p < kc && r < width:
							want = src[r*ld+p]
						case p < kc:
							want = 0
						}
						if math.Float32bits(v) != math.Float32bits(want) {
							t.Fatalf("packSliver width %d, kc %d, ld %d, w %d: dst[%d] (step %d, row %d) = %v, want %v", width, kc, ld, w, i, p, r, v, want)
						}
					}
				}
			}
			// unpackLanes: dst[p·ldd+i] = src[i·lanes+p], i < width, p < cnt.
			for _, lanes := range []int{8, 16, 32} {
				for _, cnt := range []int{1, 8, 15, 16, 17, 31, 32} {
					if cnt > lanes {
						continue
					}
					for _, width := range []int{1, 7, 8, 16, 17, 40, 100} {
						ldd := width + rng.IntN(20)
						src := random(width * lanes)
						got := fresh((cnt-1)*ldd + width + 2)
						unpackLanes(got, ldd, src, lanes, width, cnt)
						for j, v := range got {
							p, i := j/ldd, j%ldd
							want := float32(canary)
							if p < cnt && i < width {
								want = src[i*lanes+p]
							}
							if math.Float32bits(v) != math.Float32bits(want) {
								t.Fatalf("unpackLanes lanes %d, cnt %d, width %d, ldd %d: dst[%d] (image %d, value %d) = %v, want %v", lanes, cnt, width, ldd, j, p, i, v, want)
							}
						}
					}
				}
			}
			// transpose16 on its own: blocks strided both ways.
			for _, n := range []int{0, 1, 3} {
				lds, ldd := 16+rng.IntN(9), 16+rng.IntN(9)
				srcStep, dstStep := 16+rng.IntN(40), 16*ldd+rng.IntN(7)
				src := random(max(n-1, 0)*srcStep + 15*lds + 16)
				got := fresh(max(n-1, 0)*dstStep + 15*ldd + 16 + 5)
				if !transpose16(got, ldd, src, lds, n, dstStep, srcStep) {
					continue // no 16×16 kernel at this width
				}
				want := fresh(len(got))
				for b := range n {
					for r := range 16 {
						for p := range 16 {
							want[b*dstStep+p*ldd+r] = src[b*srcStep+r*lds+p]
						}
					}
				}
				for j := range got {
					if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
						t.Fatalf("transpose16 n %d, lds %d, ldd %d, steps %d and %d: dst[%d] = %v, want %v", n, lds, ldd, dstStep, srcStep, j, got[j], want[j])
					}
				}
			}
		})
	}
}
