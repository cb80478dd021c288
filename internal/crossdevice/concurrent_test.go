package crossdevice

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/nn/optim"
	"github.com/tensorgl/tensorgl/tensor"
)

// job is one training run: a model from a seed, steps of SGD each in its
// own scope, and after every step an evaluation under NoGrad (whose scope
// must not switch recording off for anyone else) and a nested scope.
type job struct {
	m     model
	seed  uint64
	batch int
	steps int
}

type outcome struct {
	params [][]float32
	losses []float32
	evals  []float32
}

func (j job) run(dev device.Device) outcome {
	net := j.m.build(tensor.NewGenerator(j.seed))
	opt, err := optim.NewSGD(nn.Parameters(net), optim.SGDConfig{LR: 0.05, Momentum: 0.9})
	if err != nil {
		panic(err)
	}
	xs, ys := batches(j.steps, j.batch, j.m.input)
	shape := append([]int{j.batch}, j.m.input...)
	var o outcome
	for s := range j.steps {
		tensor.Tidy(func(sc *tensor.Scope) {
			opt.ZeroGrad()
			x := sc.FromSlice(xs[s], shape...)
			loss := nn.CrossEntropyLoss(net.Forward(x), sc.FromInts(ys[s]), nn.CrossEntropyOpts{})
			loss.Backward()
			optim.ClipGradNorm(nn.Parameters(net), 10)
			opt.Step()
			o.losses = append(o.losses, loss.Item())
			sc.NoGrad(func(ev *tensor.Scope) {
				out := net.Forward(x)
				if out.RequiresGrad() {
					panic("an evaluation under NoGrad recorded a graph")
				}
				o.evals = append(o.evals, out.Sum().Item())
			})
		})
	}
	for _, p := range nn.Parameters(net) {
		o.params = append(o.params, p.Data())
		p.Release()
	}
	return o
}

// TestConcurrentTraining: several goroutines, each training its own model
// on one shared device, end with exactly the parameters, losses and
// evaluations of the same runs done one after the other. Run under -race
// (make test does), it also checks that the tensor layer shares no
// unguarded state between computations.
func TestConcurrentTraining(t *testing.T) {
	jobs := []job{
		{models[0], 1, 8, 4},
		{models[0], 2, 5, 4},
		{models[1], 3, 2, 3},
	}
	for _, dc := range []struct {
		name string
		open func(*testing.T) device.Device
	}{{"cpu", openCPU}, {"gl", openGL}} {
		t.Run(dc.name, func(t *testing.T) {
			dev := dc.open(t)
			tensor.SetDefaultDevice(dev)
			defer tensor.SetDefaultDevice(nil)
			want := make([]outcome, len(jobs))
			for i, j := range jobs {
				want[i] = j.run(dev)
			}
			for round := range 2 {
				got := make([]outcome, len(jobs))
				var wg sync.WaitGroup
				for i, j := range jobs {
					wg.Go(func() { got[i] = j.run(dev) })
				}
				wg.Wait()
				for i := range jobs {
					if err := sameOutcome(got[i], want[i]); err != nil {
						t.Errorf("round %d, job %d (%s, seed %d): %v", round, i, jobs[i].m.name, jobs[i].seed, err)
					}
				}
			}
			if err := dev.Sync(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// sameOutcome compares bit for bit: concurrency must not change a result.
func sameOutcome(got, want outcome) error {
	bits := func(v []float32) []uint32 {
		b := make([]uint32, len(v))
		for i, x := range v {
			b[i] = math.Float32bits(x)
		}
		return b
	}
	if !slices.Equal(bits(got.losses), bits(want.losses)) {
		return fmt.Errorf("losses %v, alone %v", got.losses, want.losses)
	}
	if !slices.Equal(bits(got.evals), bits(want.evals)) {
		return fmt.Errorf("evaluations %v, alone %v", got.evals, want.evals)
	}
	for k := range want.params {
		if !slices.Equal(bits(got.params[k]), bits(want.params[k])) {
			return fmt.Errorf("parameter %d differs from the run alone", k)
		}
	}
	return nil
}
