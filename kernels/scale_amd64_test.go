//go:build amd64 && !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestScaleAsm checks every scale kernel this CPU can run, not only the
// one Scale picks, against the Go loop bit for bit (NaN payloads too).
func TestScaleAsm(t *testing.T) {
	type kernel struct {
		name  string
		lanes int // whole vectors only below this many; 0: any length
		f     func(d, s *float32, n int, a float32)
	}
	var ks []kernel
	if cpu.X86.HasAVX512F {
		ks = append(ks, kernel{"avx512", 0, scaleAVX512})
	}
	if cpu.X86.HasAVX2 {
		ks = append(ks, kernel{"avx2", 8, scaleAVX2})
	}
	if len(ks) == 0 {
		t.Skip("no AVX2 or AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(5, 3))
	for _, k := range ks {
		for n := 1; n <= 150; n++ {
			if k.lanes > 0 && n%k.lanes != 0 {
				continue
			}
			for _, a := range scaleScalars {
				src := scaleCases(rng, n)
				want := make([]float32, n)
				scaleGo(want, src, a)
				got := make([]float32, n+1) // the element after must stay
				got[n] = 42
				k.f(&got[0], &src[0], n, a)
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s n=%d a=%v: [%d] = %v (%#x), Go %v (%#x)", k.name, n, a, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
					}
				}
				if got[n] != 42 {
					t.Fatalf("%s n=%d: wrote past the end", k.name, n)
				}
			}
		}
	}
}
