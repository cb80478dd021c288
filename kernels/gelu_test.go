package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestErf32 checks erf32 against math.Erf on a dense grid of [−5, 5] and
// at tiny arguments, in ULP of the float64 value: the GLSL erff's bound
// (device/tolerance.go's "erf" is 7 ULP with GLSL's division).
func TestErf32(t *testing.T) {
	worst, at := 0.0, 0.0
	check := func(x float32) {
		want := math.Erf(float64(x))
		got := float64(erf32(x))
		if want == 0 {
			if got != 0 {
				t.Fatalf("erf32(%g) = %g, want 0", x, got)
			}
			return
		}
		ulp := math.Abs(want) * 0x1p-23
		if e := math.Abs(got-want) / ulp; e > worst || e != e { // a NaN is the worst
			worst, at = e, float64(x)
		}
	}
	for i := -500000; i <= 500000; i++ {
		check(float32(i) * 1e-5)
	}
	for _, x := range []float32{1e-30, -1e-30, 3e-8, 1e-3, 4, -4, 6, 40, -40} {
		check(x)
	}
	if !(worst <= 4) {
		t.Errorf("erf32 is %.2f ULP from math.Erf at %g, want at most 4", worst, at)
	}
	if got := erf32(float32(math.NaN())); got == got {
		t.Errorf("erf32(NaN) = %g", got)
	}
	t.Logf("largest error %.2f ULP at %g", worst, at)
}

// TestGeluVector: the GELUs and their slopes as the CPU runs them (vgelu,
// vgeluTanh, vgeluGrad, vgeluTanhGrad: vector code where there is some)
// give the Go functions' bits for every length, ragged tails included,
// and in place.
func TestGeluVector(t *testing.T) {
	xs := transcendInputs()
	gs := make([]float32, len(xs))
	for i := range gs {
		gs[i] = float32(i%7) - 2.5 + float32(i%3)*1e3
	}
	gs[0], gs[1] = float32(math.Inf(1)), float32(math.NaN())
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 33, len(xs)} {
		want, got := make([]float32, n), make([]float32, n)
		geluGo(want, xs[:n])
		vgelu(got, xs[:n])
		inPlace := append([]float32(nil), xs[:n]...)
		vgelu(inPlace, inPlace)
		geluSame(t, "gelu", n, xs, want, got, inPlace)

		geluTanhGo(want, xs[:n])
		vgeluTanh(got, xs[:n])
		inPlace = append(inPlace[:0], xs[:n]...)
		vgeluTanh(inPlace, inPlace)
		geluSame(t, "gelu (tanh)", n, xs, want, got, inPlace)

		for _, tanh := range []bool{false, true} {
			goSlope, vecSlope := geluGradGo, vgeluGrad
			if tanh {
				goSlope, vecSlope = geluTanhGradGo, vgeluTanhGrad
			}
			goSlope(want, gs[:n], xs[:n])
			vecSlope(got, gs[:n], xs[:n])
			inPlace = append(inPlace[:0], xs[:n]...)
			vecSlope(inPlace, gs[:n], inPlace)
			geluSame(t, map[bool]string{false: "gelu slope", true: "gelu (tanh) slope"}[tanh], n, xs, want, got, inPlace)
		}
	}
}

// geluSame fails unless got and inPlace hold want's bits (NaN for NaN).
func geluSame(t *testing.T, name string, n int, xs, want, got, inPlace []float32) {
	t.Helper()
	for i := range want {
		if !sameBits(got[i], want[i]) || !sameBits(inPlace[i], want[i]) {
			t.Fatalf("%s at x=%g (n=%d): got %g and in place %g, Go %g", name, xs[i], n, got[i], inPlace[i], want[i])
		}
	}
}

// BenchmarkGeluKernels times the kernels on the values a layer's
// pre-activations take (normal, σ = 2; transcendInputs' far tails make
// subnormal exponentials, which x86 computes a hundred times slower).
func BenchmarkGeluKernels(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	xs, gs, d := make([]float32, 1<<14), make([]float32, 1<<14), make([]float32, 1<<14)
	for i := range xs {
		xs[i], gs[i] = float32(2*rng.NormFloat64()), float32(rng.NormFloat64())
	}
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"gelu/vector", func() { vgelu(d, xs) }}, {"gelu/go", func() { geluGo(d, xs) }},
		{"slope/vector", func() { vgeluGrad(d, gs, xs) }}, {"slope/go", func() { geluGradGo(d, gs, xs) }},
		{"tanh/vector", func() { vgeluTanh(d, xs) }}, {"tanh/go", func() { geluTanhGo(d, xs) }},
		{"tanh-slope/vector", func() { vgeluTanhGrad(d, gs, xs) }}, {"tanh-slope/go", func() { geluTanhGradGo(d, gs, xs) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				c.f()
			}
			b.ReportMetric(float64(len(xs))*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
		})
	}
}
