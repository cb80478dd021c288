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
