//go:build amd64 && !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestAdamAsm checks each Adam assembly kernel this CPU runs against
// adamSpanGo bit for bit (any NaN equals any NaN), coupled and decoupled
// weight decay, on lengths across whole vectors and tails.
func TestAdamAsm(t *testing.T) {
	type kernel struct {
		name  string
		lanes int // whole vectors only below this many; 0: any length
		run   func(param, grad, m, v *float32, n int, k *adamConsts)
	}
	var ks []kernel
	if cpu.X86.HasAVX512F {
		ks = append(ks, kernel{"avx512", 0, adamAVX512})
	}
	if cpu.X86.HasAVX2 {
		ks = append(ks, kernel{"avx2", 8, adamAVX2})
	}
	if len(ks) == 0 {
		t.Skip("no AVX2 or AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(4, 4))
	draw := func(n int, scale float64, positive bool) []float32 {
		x := make([]float32, n)
		for i := range x {
			v := rng.NormFloat64() * scale
			if positive {
				v = math.Abs(v)
			}
			x[i] = float32(v)
		}
		return x
	}
	same := func(a, b []float32) bool {
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) && !(a[i] != a[i] && b[i] != b[i]) {
				return false
			}
		}
		return true
	}
	for _, kr := range ks {
		for n := 1; n <= 70; n++ {
			if kr.lanes > 0 && n%kr.lanes != 0 {
				continue
			}
			for _, dec := range []uint32{0, 1} {
				k := &adamConsts{B1: 0.9, B2: 0.999, A1: 1 - 0.9, A2: 1 - 0.999, WD: 0.01, Decay: 1 - 1e-3*0.01,
					LRC: 1e-3 / 0.271, RSC: float32(1 / math.Sqrt(0.003)), Eps: 1e-8, Decoupled: dec}
				p, g, m, v := draw(n, 1, false), draw(n, 0.1, false), draw(n, 0.01, false), draw(n, 1e-4, true)
				if n > 3 {
					g[1], v[2] = float32(math.Inf(1)), 0 // an infinite gradient, a zero second moment
				}
				wp, wm, wv := slices.Clone(p), slices.Clone(m), slices.Clone(v)
				adamSpanGo(wp, g, wm, wv, k)
				kr.run(&p[0], &g[0], &m[0], &v[0], n, k)
				if !same(p, wp) || !same(m, wm) || !same(v, wv) {
					t.Fatalf("%s n=%d decoupled=%d: param %v m %v v %v, Go %v %v %v", kr.name, n, dec, p, m, v, wp, wm, wv)
				}
			}
		}
	}
}
