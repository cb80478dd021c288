package cpu

import (
	"runtime"
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

// TestSmallOpsNoGarbage checks that a product of one matrix with an
// epilogue allocates nothing on one worker once the pools are warm, and
// that a recurrence allocates no more for more time steps: a batch-1
// training step makes dozens of such calls, and its allocations cost it
// time (bench/RESULTS.md).
func TestSmallOpsNoGarbage(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop values")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	d := New()
	defer d.Close()
	fill := func(n int) device.Buffer {
		b := d.Alloc(device.Float32, n)
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(i%7) - 3
		}
		d.Write(b, v)
		return b
	}
	for _, m := range []int{1, 5} {
		a, b, c, bias := fill(m*40), fill(40*30), fill(m*30), fill(30)
		p := device.MatMulParams{Batch: 1, M: m, N: 30, K: 40, Alpha: 1}
		e := device.Epilogue{Bias: bias, Act: device.ActRelu}
		if allocs := testing.AllocsPerRun(20, func() { d.MatMul(c, a, b, e, p) }); allocs != 0 {
			t.Errorf("MatMul of %d×30×40 with bias and ReLU allocates %v times a call, want 0", m, allocs)
		}
	}
	const batch, hidden = 1, 16
	elman := func(steps int) float64 {
		y, xw, whh, h0 := fill(steps*batch*hidden), fill(steps*batch*hidden), fill(hidden*hidden), fill(batch*hidden)
		p := device.ElmanParams{Steps: steps, Batch: batch, Hidden: hidden, Act: device.ActTanh}
		return testing.AllocsPerRun(20, func() { d.Elman(y, xw, whh, h0, p) })
	}
	if few, many := elman(2), elman(32); many != few {
		t.Errorf("Elman allocates %v times a call over 2 steps and %v over 32, want the same", few, many)
	}
}
