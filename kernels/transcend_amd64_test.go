//go:build amd64 && !purego

package kernels

import (
	"math"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestTranscendEachWidth runs both widths this CPU has, not only the one
// the kernels pick: an AVX-512 machine also checks the AVX2 code.
func TestTranscendEachWidth(t *testing.T) {
	xs := transcendInputs()
	n := len(xs) / 16 * 16
	for _, c := range []struct {
		name  string
		ok    bool
		kern  func(d, s *float32, n int)
		twin  func(float32) float32
		lanes int
	}{
		{"expAVX2", cpu.X86.HasAVX2 && cpu.X86.HasFMA, expAVX2, expf, 8},
		{"tanhAVX2", cpu.X86.HasAVX2 && cpu.X86.HasFMA, tanhAVX2, tanhf, 8},
		{"expAVX512", cpu.X86.HasAVX512F, expAVX512, expf, 16},
		{"tanhAVX512", cpu.X86.HasAVX512F, tanhAVX512, tanhf, 16},
		{"sigmoidAVX2", cpu.X86.HasAVX2 && cpu.X86.HasFMA, sigmoidAVX2, sigmoidf, 8},
		{"sigmoidAVX512", cpu.X86.HasAVX512F, sigmoidAVX512, sigmoidf, 16},
		{"geluAVX2", cpu.X86.HasAVX2 && cpu.X86.HasFMA, geluAVX2, one(geluGo), 8},
		{"geluAVX512", cpu.X86.HasAVX512F, geluAVX512, one(geluGo), 16},
		{"geluGradAVX2", cpu.X86.HasAVX2 && cpu.X86.HasFMA, onesKernel(geluGradAVX2), oneSlope(geluGradGo), 8},
		{"geluGradAVX512", cpu.X86.HasAVX512F, onesKernel(geluGradAVX512), oneSlope(geluGradGo), 16},
		{"geluTanhAVX2", cpu.X86.HasAVX2 && cpu.X86.HasFMA, geluTanhAVX2, one(geluTanhGo), 8},
		{"geluTanhAVX512", cpu.X86.HasAVX512F, geluTanhAVX512, one(geluTanhGo), 16},
		{"geluTanhGradAVX2", cpu.X86.HasAVX2 && cpu.X86.HasFMA, onesKernel(geluTanhGradAVX2), oneSlope(geluTanhGradGo), 8},
		{"geluTanhGradAVX512", cpu.X86.HasAVX512F, onesKernel(geluTanhGradAVX512), oneSlope(geluTanhGradGo), 16},
	} {
		if !c.ok {
			t.Logf("%s: not on this CPU", c.name)
			continue
		}
		d := make([]float32, n)
		c.kern(&d[0], &xs[0], n)
		for i, x := range xs[:n] {
			if want := c.twin(x); ulps(d[i], want) > 1 {
				t.Fatalf("%s(%g) = %g, Go twin %g", c.name, x, d[i], want)
			}
		}
		same := 0
		for i, x := range xs[:n] {
			if math.Float32bits(d[i]) == math.Float32bits(c.twin(x)) {
				same++
			}
		}
		t.Logf("%s: %d of %d bit-identical to the Go twin", c.name, same, n)
	}
}

// one runs a span function on one value.
func one(f func(d, s []float32)) func(float32) float32 {
	return func(x float32) float32 {
		d := []float32{0}
		f(d, []float32{x})
		return d[0]
	}
}

// oneSlope runs a slope's span function on one value, the incoming
// gradient 1.
func oneSlope(f func(d, g, x []float32)) func(float32) float32 {
	return func(x float32) float32 {
		d := []float32{0}
		f(d, []float32{1}, []float32{x})
		return d[0]
	}
}

// onesKernel runs a GELU slope kernel with incoming gradients of 1.
func onesKernel(k func(d, gs, xs *float32, n int)) func(d, s *float32, n int) {
	return func(d, s *float32, n int) {
		ones := make([]float32, n)
		for i := range ones {
			ones[i] = 1
		}
		k(d, &ones[0], s, n)
	}
}
