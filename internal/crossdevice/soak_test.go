package crossdevice

import (
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/nn/optim"
	"github.com/tensorgl/tensorgl/tensor"
)

// soakSteps is the length of the soak runs: short in the default suite,
// long under make soak (TENSORGL_SOAK_STEPS).
func soakSteps(t *testing.T, short int) int {
	if v := os.Getenv("TENSORGL_SOAK_STEPS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("TENSORGL_SOAK_STEPS=%q, want a positive number of steps", v)
		}
		return n
	}
	return short
}

type memory struct {
	inUse, pooled int64
	heap          uint64
}

func measure(t *testing.T, dev device.Device) memory {
	t.Helper()
	if err := dev.Sync(); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s := dev.Stats()
	return memory{s.BytesInUse, s.BytesPooled, ms.HeapAlloc}
}

// TestSoak trains an MLP step after step in scopes, with an evaluation and
// gradient clipping each step, and checks that device memory in use, the
// device pool and the Go heap stay flat after the warm-up: nothing a step
// allocates outlives it except the model and optimizer state.
func TestSoak(t *testing.T) {
	for _, dc := range []struct {
		name        string
		open        func(*testing.T) device.Device
		warm, short int // llvmpipe is slow: fewer steps in the default suite
	}{{"cpu", openCPU, 20, 200}, {"gl", openGL, 10, 25}} {
		t.Run(dc.name, func(t *testing.T) {
			steps := soakSteps(t, dc.short)
			dev := dc.open(t)
			tensor.SetDefaultDevice(dev)
			defer tensor.SetDefaultDevice(nil)
			const batch = 16
			m := models[0]
			net := m.build(tensor.NewGenerator(4))
			opt, err := optim.NewSGD(nn.Parameters(net), optim.SGDConfig{LR: 0.01, Momentum: 0.9, WeightDecay: 1e-4})
			if err != nil {
				t.Fatal(err)
			}
			xs, ys := batches(2, batch, m.input)
			shape := append([]int{batch}, m.input...)
			step := func(i int) {
				tensor.Tidy(func(s *tensor.Scope) {
					opt.ZeroGrad()
					x := s.FromSlice(xs[i%2], shape...)
					loss := nn.CrossEntropyLoss(net.Forward(x), s.FromInts(ys[i%2]), nn.CrossEntropyOpts{})
					loss.Backward()
					optim.ClipGradNorm(nn.Parameters(net), 5)
					opt.Step()
					s.NoGrad(func(*tensor.Scope) { net.Forward(x).ArgMax(1).Ints() })
				})
			}
			warm := dc.warm
			for i := range warm {
				step(i)
			}
			base := measure(t, dev)
			for i := warm; i < warm+steps; i++ {
				step(i)
			}
			end := measure(t, dev)
			runtime.KeepAlive(net) // its parameters are part of the baseline
			runtime.KeepAlive(opt)
			if end.inUse != base.inUse {
				t.Errorf("device bytes in use went from %d after warm-up to %d after %d more steps", base.inUse, end.inUse, steps)
			}
			if end.pooled > base.pooled {
				t.Errorf("device pool grew from %d to %d bytes over %d steps", base.pooled, end.pooled, steps)
			}
			// The heap may wobble by a few allocator spans, not by steps.
			if end.heap > base.heap+1<<20 {
				t.Errorf("Go heap grew from %d to %d bytes over %d steps", base.heap, end.heap, steps)
			}
			t.Logf("%s, %d steps: in use %d B, pooled %d B, heap %d → %d B", dc.name, steps, end.inUse, end.pooled, base.heap, end.heap)
		})
	}
}
