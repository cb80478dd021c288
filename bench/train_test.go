package bench

import (
	"math"
	"testing"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/nn/optim"
	"github.com/tensorgl/tensorgl/tensor"
)

// batch is the training batch size of every step benchmark.
const batch = 64

// trainModel is a network, its input shape and its optimizer settings.
type trainModel struct {
	name  string
	input []int // one sample's shape
	build func(g *tensor.Generator) nn.Module
	sgd   optim.SGDConfig
}

// trainModels are the two networks bench/torch_ref.py times in PyTorch.
var trainModels = []trainModel{
	{
		name:  "mlp", // 784-128-64-10, plain SGD
		input: []int{784},
		build: func(g *tensor.Generator) nn.Module {
			return nn.NewSequential(
				nn.NewLinear(784, 128, g), nn.NewReLU(),
				nn.NewLinear(128, 64, g), nn.NewReLU(),
				nn.NewLinear(64, 10, g))
		},
		sgd: optim.SGDConfig{LR: 0.01},
	},
	{
		name:  "cnn", // LeNet-5 on 28×28 inputs, SGD with momentum
		input: []int{1, 28, 28},
		build: func(g *tensor.Generator) nn.Module {
			return nn.NewSequential(
				nn.NewConv2d(1, 6, 5, nn.Conv2dOpts{Padding: 2}, g), nn.NewReLU(), nn.NewMaxPool2d(2, 2, 0),
				nn.NewConv2d(6, 16, 5, nn.Conv2dOpts{}, g), nn.NewReLU(), nn.NewMaxPool2d(2, 2, 0),
				nn.NewFlatten(),
				nn.NewLinear(16*5*5, 120, g), nn.NewReLU(),
				nn.NewLinear(120, 84, g), nn.NewReLU(),
				nn.NewLinear(84, 10, g))
		},
		sgd: optim.SGDConfig{LR: 0.01, Momentum: 0.9},
	},
}

// warmupSteps run before the timer starts: the first step creates the
// momentum buffers, compiles every shader variant and fills the buffer pool.
const warmupSteps = 3

// BenchmarkTrainStep times one training step — forward, cross-entropy loss,
// backward, SGD update, inside tensor.Tidy, reading back only the loss — at
// batch 64 on a fixed batch of random data resident on the device, as
// BenchmarkTrainStep/<model>/<device>. Besides samples/s it reports the
// kernels dispatched per step and the buffers the device had to allocate
// afresh per step once warm (0 when the pool serves every allocation).
func BenchmarkTrainStep(b *testing.B) {
	devs, note := openDevices()
	b.Log(note)
	for _, m := range trainModels {
		b.Run(m.name, func(b *testing.B) {
			for _, d := range devs {
				b.Run(d.label, func(b *testing.B) { runTrainStep(b, d.dev, m) })
			}
		})
	}
}

func runTrainStep(b *testing.B, dev device.Device, m trainModel) {
	defer tensor.SetDefaultDevice(tensor.DefaultDevice())
	tensor.SetDefaultDevice(dev)

	g := tensor.NewGenerator(1)
	model := m.build(g)
	params := nn.Parameters(model)
	opt, err := optim.NewSGD(params, m.sgd)
	if err != nil {
		b.Fatal(err)
	}
	x := tensor.RandN(g, append([]int{batch}, m.input...)...)
	labels := make([]int32, batch)
	for i := range labels {
		labels[i] = int32(i % 10)
	}
	y := tensor.FromInts(labels, batch)
	defer func() {
		for _, t := range append(params, x, y) {
			t.Release()
		}
	}()

	step := func() float32 {
		var loss float32
		tensor.Tidy(func(s *tensor.Scope) {
			opt.ZeroGrad()
			l := nn.CrossEntropyLoss(model.Forward(s.Use(x)), s.Use(y), nn.CrossEntropyOpts{})
			l.Backward()
			opt.Step()
			loss = l.Item()
		})
		return loss
	}
	for range warmupSteps {
		step()
	}
	if err := dev.Sync(); err != nil {
		b.Fatal(err)
	}
	before := dev.Stats()
	b.ResetTimer()
	var loss float32
	for range b.N {
		loss = step()
	}
	b.StopTimer()
	after := dev.Stats()
	if err := dev.Sync(); err != nil {
		b.Fatal(err)
	}
	if math.IsNaN(float64(loss)) || math.IsInf(float64(loss), 0) {
		b.Fatalf("loss is %v after %d steps", loss, warmupSteps+b.N)
	}
	n := float64(b.N)
	b.ReportMetric(batch*n/b.Elapsed().Seconds(), "samples/s")
	b.ReportMetric(float64(after.Dispatches-before.Dispatches)/n, "dispatches/step")
	b.ReportMetric(float64(after.BuffersAllocated-before.BuffersAllocated)/n, "newbufs/step")
}
