package bench

import (
	"fmt"
	"testing"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/tensor"
)

// inferModel is a classifier BenchmarkInfer times: its builder and the
// shape of one input.
type inferModel struct {
	name  string
	input []int
	build func(*tensor.Generator) nn.Module
}

// inferModels are the classifiers BenchmarkInfer times, as torch_ref.py's
// infer-* steps time them in PyTorch.
var inferModels = []inferModel{
	{"mlp", []int{784}, mlpNet},
	{"cnn", []int{1, 28, 28}, lenet5},
	{"resnet18", []int{3, 32, 32}, resnet18},
}

// inferBatches are the batches BenchmarkInfer times: one input at a time,
// as a served model sees them, and the seed's training batch.
var inferBatches = []int{1, seedBatch}

// BenchmarkInfer times inference, BenchmarkInfer/<model>-b<batch>/<device>:
// the model in evaluation mode (batch normalisation on its running
// statistics, dropout off), its forward pass under tensor.NoGrad (no
// autograd graph) on a fixed random batch resident on the device, and the
// logits read back into a Go slice, as PyTorch's model.eval() under
// torch.inference_mode() and a copy of the logits to the host. It reports
// samples/s and the kernels dispatched per call.
func BenchmarkInfer(b *testing.B) {
	devs, note := openDevices()
	b.Log(note)
	for _, m := range inferModels {
		for _, batch := range inferBatches {
			b.Run(fmt.Sprintf("%s-b%d", m.name, batch), func(b *testing.B) {
				for _, d := range devs {
					b.Run(d.label, func(b *testing.B) { runInfer(b, d.dev, m, batch) })
				}
			})
		}
	}
}

// runInfer times b.N forward passes of m at the given batch on dev, after
// warmupSteps untimed ones.
func runInfer(b *testing.B, dev device.Device, m inferModel, batch int) {
	defer tensor.SetDefaultDevice(tensor.DefaultDevice())
	tensor.SetDefaultDevice(dev)
	g := tensor.NewGenerator(1)
	model := m.build(g)
	nn.Eval(model)
	x := tensor.RandN(g, append([]int{batch}, m.input...)...)
	held := append(stateTensors(model), x)
	defer func() {
		for _, t := range held {
			t.Release()
		}
		device.EmptyCache(dev)
	}()
	logits := make([]float32, batch*10)
	infer := func() {
		defer failedStep(b, "inference of "+m.name, batch, dev)
		tensor.NoGrad(func(s *tensor.Scope) {
			if err := model.Forward(s.Use(x)).ReadTo(logits); err != nil {
				b.Fatal(err)
			}
		})
	}
	for range warmupSteps {
		infer()
	}
	before := dev.Stats()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		infer()
	}
	b.StopTimer()
	for _, v := range logits {
		if v != v || v > 1e30 || v < -1e30 {
			b.Fatalf("logit %v after %d passes", v, warmupSteps+b.N)
		}
	}
	n, s := float64(b.N), dev.Stats().Sub(before)
	b.ReportMetric(float64(batch)*n/b.Elapsed().Seconds(), "samples/s")
	b.ReportMetric(float64(s.Dispatches)/n, "dispatches/call")
}
