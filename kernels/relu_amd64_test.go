//go:build amd64 && !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestReluAsm checks every ReLU and LeakyReLU assembly kernel this CPU runs against its
// Go twin bit for bit, on lengths across whole vectors and tails, with
// signed zeros, NaNs, infinities and biases that cancel.
func TestReluAsm(t *testing.T) {
	type kernels struct {
		name  string
		lanes int // whole vectors only below this many; 0: any length
		relu  func(d, s *float32, n int, b float32)
		grad  func(d, x, y *float32, n int)
		leaky func(d, x, y *float32, n int, a float32)
	}
	var ks []kernels
	if cpu.X86.HasAVX512F {
		ks = append(ks, kernels{"avx512", 0, biasReluAVX512, reluGradAVX512, leakyAVX512})
	}
	if cpu.X86.HasAVX2 {
		ks = append(ks, kernels{"avx2", 8, biasReluAVX2, reluGradAVX2, leakyAVX2})
	}
	if len(ks) == 0 {
		t.Skip("no AVX2 or AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(2, 9))
	specials := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 1e-40, -1e-40}
	draw := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			if rng.IntN(3) == 0 {
				v[i] = specials[rng.IntN(len(specials))]
			} else {
				v[i] = float32(rng.NormFloat64())
			}
		}
		return v
	}
	same := func(a, b []float32) bool {
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
				return false
			}
		}
		return true
	}
	for _, k := range ks {
		for n := 1; n <= 70; n++ {
			if k.lanes > 0 && n%k.lanes != 0 {
				continue
			}
			for _, b := range []float32{0, 0.5, -0.25, float32(math.Copysign(0, -1))} {
				s := draw(n)
				want, got := make([]float32, n), draw(n)
				biasReluGo(want, s, b)
				k.relu(&got[0], &s[0], n, b)
				if !same(got, want) {
					t.Fatalf("%s biasRelu n=%d b=%v: %v, Go %v (s %v)", k.name, n, b, got, want, s)
				}
			}
			x, y := draw(n), draw(n)
			want, got := make([]float32, n), draw(n)
			reluGradGo(want, x, y)
			k.grad(&got[0], &x[0], &y[0], n)
			if !same(got, want) {
				t.Fatalf("%s reluGrad n=%d: %v, Go %v", k.name, n, got, want)
			}
			for _, a := range []float32{0.01, 0.2, -0.5} {
				for _, fwd := range []bool{true, false} {
					yy := y
					if fwd {
						yy = x
					}
					want, got := make([]float32, n), draw(n)
					leakyGo(want, x, yy, a)
					k.leaky(&got[0], &x[0], &yy[0], n, a)
					if !same(got, want) {
						t.Fatalf("%s leaky n=%d a=%v forward=%v: %v, Go %v", k.name, n, a, fwd, got, want)
					}
				}
			}
		}
	}
}
