package bench

import (
	"slices"
	"testing"

	"github.com/tensorgl/tensorgl/device/cpu"
	"github.com/tensorgl/tensorgl/internal/testdevices"
	"github.com/tensorgl/tensorgl/tensor"
)

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
			dev := testdevices.NewGarbageWatcher(cpu.New())
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
			for range warmupSteps {
				step()
			}
			if left := dev.Watch(func() {
				for range 3 {
					step()
				}
			}); left != nil {
				t.Errorf("3 steps in tensor.Tidy left buffers to the garbage collector (elements: count): %v", left)
			}
		})
	}
}
