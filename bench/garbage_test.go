package bench

import (
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/device/cpu"
	"github.com/tensorgl/tensorgl/tensor"
)

// collectedCounter is the CPU device counting, by size, the buffers
// allocated while watching that the garbage collector's cleanups return
// (device.CollectedFreer).
type collectedCounter struct {
	device.Device
	mu        sync.Mutex
	watching  bool
	watched   map[device.Buffer]bool
	collected map[int]int // elements → buffers
}

func (c *collectedCounter) Alloc(dt device.DType, n int) device.Buffer {
	b := c.Device.Alloc(dt, n)
	c.mu.Lock()
	if c.watching {
		c.watched[b] = true
	}
	c.mu.Unlock()
	return b
}

func (c *collectedCounter) FreeCollected(b device.Buffer) {
	c.mu.Lock()
	if c.watched[b] {
		c.collected[b.Len()]++
	}
	c.mu.Unlock()
	c.Device.Free(b)
}

// TestStepsLeaveNoGarbage runs warm training steps of every model of the
// benchmarks in tensor.Tidy at batch 2 and checks that none of their
// tensors is left for the garbage collector to free: each one belongs to
// the step's scope (or is a parameter, gradient or optimizer state kept on
// purpose). A tensor computed from parameters alone belongs to no scope
// (the sum of an RNN's two biases was one): it cost the LSTM language
// model new buffers every step.
func TestStepsLeaveNoGarbage(t *testing.T) {
	if testing.Short() {
		t.Skip("runs steps of every model, ResNet-18 among them")
	}
	for _, m := range slices.Concat(trainModels, largeModels) {
		t.Run(m.name, func(t *testing.T) {
			dev := &collectedCounter{Device: cpu.New(), watched: map[device.Buffer]bool{}, collected: map[int]int{}}
			defer dev.Close()
			defer tensor.SetDefaultDevice(tensor.DefaultDevice())
			tensor.SetDefaultDevice(dev)
			held, run := m.setup(tensor.NewGenerator(1), 2)
			defer func() {
				for _, h := range held {
					h.Release()
				}
			}()
			step := func() { tensor.Tidy(func(s *tensor.Scope) { run(s).Item() }) }
			collect := func() {
				for range 3 {
					runtime.GC()
					time.Sleep(time.Millisecond) // cleanups run on their own goroutine
				}
			}
			for range warmupSteps {
				step()
			}
			dev.mu.Lock()
			dev.watching = true
			dev.mu.Unlock()
			for range 3 {
				step()
			}
			dev.mu.Lock()
			dev.watching = false
			dev.mu.Unlock()
			collect()
			dev.mu.Lock()
			defer dev.mu.Unlock()
			if len(dev.collected) > 0 {
				t.Errorf("3 steps in tensor.Tidy left buffers to the garbage collector (elements: count): %v", dev.collected)
			}
		})
	}
}
