//go:build cgo && !nogl

package gl

import (
	"math"
	"math/rand/v2"
	"testing"
)

// fdivGo is the shaders' fdiv.
func fdivGo(x int, m [2]uint32) int {
	hi := uint32(uint64(uint32(x)) * uint64(m[0]) >> 32)
	return int((hi + uint32(x)) >> m[1])
}

// TestDivMagic checks fdiv with divMagic's pairs against division for
// every divisor up to 4096, powers of two and their neighbours up to 2³¹,
// random ones, at dividends near multiples of the divisor, near 2³¹ and
// random.
func TestDivMagic(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var ds []int
	for d := 1; d <= 4096; d++ {
		ds = append(ds, d)
	}
	for l := 12; l <= 31; l++ {
		ds = append(ds, 1<<l-1, 1<<l+1)
		if l < 31 {
			ds = append(ds, 1<<l)
		}
	}
	for range 2000 {
		ds = append(ds, 1+r.IntN(math.MaxInt32))
	}
	for _, d := range ds {
		m := divMagic(d)
		xs := []int{0, 1, d - 1, d, d + 1, 2*d - 1, math.MaxInt32, math.MaxInt32 - 1}
		for q := math.MaxInt32 / d; q > math.MaxInt32/d-3 && q >= 0; q-- {
			xs = append(xs, q*d, q*d-1, q*d+d-1)
		}
		for range 64 {
			xs = append(xs, r.IntN(math.MaxInt32))
		}
		for _, x := range xs {
			if x < 0 || x > math.MaxInt32 {
				continue
			}
			if got := fdivGo(x, m); got != x/d {
				t.Fatalf("fdiv(%d, divMagic(%d) = %v) = %d, want %d", x, d, m, got, x/d)
			}
		}
	}
}
