package crossdevice

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tensorgl/tensorgl/device"
	_ "github.com/tensorgl/tensorgl/device/cpu"
	_ "github.com/tensorgl/tensorgl/device/gl"
	"github.com/tensorgl/tensorgl/internal/testdevices"
	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/nn/optim"
	"github.com/tensorgl/tensorgl/tensor"
)

// openGL opens the GL device, skipping the test when no context can be made
// unless the backend is built in and TENSORGL_REQUIRE_GL is set (CI sets
// it, so GL tests cannot be skipped silently there).
func openGL(t *testing.T) device.Device {
	t.Helper()
	d, err := device.Open("gl")
	if err != nil {
		if testdevices.GLRequired() || !errors.Is(err, device.ErrUnavailable) {
			t.Fatalf("open gl: %v", err)
		}
		t.Skipf("no GL device: %v", err)
	}
	return d
}

func openCPU(t *testing.T) device.Device {
	t.Helper()
	d, err := device.Open("cpu")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

type model struct {
	name  string
	build func(g *tensor.Generator) nn.Module
	input []int // per-sample shape
}

var models = []model{
	{"mlp", func(g *tensor.Generator) nn.Module {
		return nn.NewSequential(nn.NewFlatten(), nn.NewLinear(784, 128, g), nn.NewReLU(),
			nn.NewLinear(128, 64, g), nn.NewReLU(), nn.NewLinear(64, 10, g))
	}, []int{1, 28, 28}},
	{"cnn", func(g *tensor.Generator) nn.Module {
		return nn.NewSequential(
			nn.NewConv2d(1, 6, 5, nn.Conv2dOpts{Padding: 2}, g), nn.NewReLU(), nn.NewMaxPool2d(2, 2, 0),
			nn.NewConv2d(6, 16, 5, nn.Conv2dOpts{}, g), nn.NewReLU(), nn.NewMaxPool2d(2, 2, 0),
			nn.NewFlatten(), nn.NewLinear(400, 120, g), nn.NewReLU(), nn.NewLinear(120, 84, g), nn.NewReLU(),
			nn.NewLinear(84, 10, g))
	}, []int{1, 28, 28}},
}

// batches returns fixed host data: steps batches of inputs in [0, 1) and
// labels, cycling through two distinct batches so that the loss must fall
// as the model fits them.
func batches(steps, batch int, sample []int) ([][]float32, [][]int32) {
	rng := rand.New(rand.NewPCG(3, 5))
	n := batch
	for _, d := range sample {
		n *= d
	}
	xs, ys := make([][]float32, steps), make([][]int32, steps)
	for s := range steps {
		if s >= 2 {
			xs[s], ys[s] = xs[s%2], ys[s%2]
			continue
		}
		xs[s], ys[s] = make([]float32, n), make([]int32, batch)
		for i := range xs[s] {
			xs[s][i] = rng.Float32()
		}
		for i := range ys[s] {
			ys[s][i] = int32(rng.IntN(10))
		}
	}
	return xs, ys
}

// train builds the model on dev from seed 1 and runs the given steps of SGD
// with momentum, returning the final parameters and the losses.
func train(dev device.Device, m model, xs [][]float32, ys [][]int32, batch int) ([][]float32, []float32) {
	tensor.SetDefaultDevice(dev)
	net := m.build(tensor.NewGenerator(1))
	opt, err := optim.NewSGD(nn.Parameters(net), optim.SGDConfig{LR: 0.05, Momentum: 0.9})
	if err != nil {
		panic(err)
	}
	shape := append([]int{batch}, m.input...)
	var losses []float32
	for s := range xs {
		tensor.Tidy(func(sc *tensor.Scope) {
			opt.ZeroGrad()
			loss := nn.CrossEntropyLoss(net.Forward(sc.FromSlice(xs[s], shape...)), sc.FromInts(ys[s]), nn.CrossEntropyOpts{})
			loss.Backward()
			opt.Step()
			losses = append(losses, loss.Item())
		})
	}
	var params [][]float32
	for _, p := range nn.Parameters(net) {
		params = append(params, p.Data())
	}
	return params, losses
}

// Twenty SGD steps on each backend from the same seed. Both start from the
// same parameters (the Philox stream is the same on every backend) and then
// differ only by float32 rounding in kernels that sum in different orders.
// Measured on Mesa llvmpipe: 3e-7 of the parameter scale after 20 steps;
// the tolerance leaves room for drivers that contract a·b+c into FMAs.
const paramTol = 1e-5

func TestTrainSameOnCPUAndGL(t *testing.T) {
	gl, cpu := openGL(t), openCPU(t)
	defer tensor.SetDefaultDevice(cpu)
	const steps, batch = 20, 8
	for _, m := range models {
		t.Run(m.name, func(t *testing.T) {
			xs, ys := batches(steps, batch, m.input)
			pc, lc := train(cpu, m, xs, ys, batch)
			pg, lg := train(gl, m, xs, ys, batch)
			worst := 0.0
			for i := range pc {
				scale := 0.0
				for _, v := range pc[i] {
					scale = max(scale, math.Abs(float64(v)))
				}
				for j := range pc[i] {
					worst = max(worst, math.Abs(float64(pc[i][j]-pg[i][j]))/scale)
				}
			}
			t.Logf("%s: loss cpu %.4f→%.4f, gl %.4f→%.4f; max parameter difference %.2e of scale", m.name, lc[0], lc[steps-1], lg[0], lg[steps-1], worst)
			if !(worst <= paramTol) { // NaN fails
				t.Fatalf("parameters differ by %.2e of their scale after %d steps (tolerance %.0e)", worst, steps, paramTol)
			}
			if lc[steps-1] >= lc[0] {
				t.Fatalf("loss did not fall on cpu: %v", lc)
			}
		})
	}
}

// After warm-up a GL training step allocates no new buffers and reads back
// exactly one value: the loss the program asks for.
func TestGLStepSteadyState(t *testing.T) {
	gl, cpu := openGL(t), openCPU(t)
	defer tensor.SetDefaultDevice(cpu)
	const batch = 8
	for _, m := range models {
		t.Run(m.name, func(t *testing.T) {
			tensor.SetDefaultDevice(gl)
			net := m.build(tensor.NewGenerator(2))
			opt, err := optim.NewSGD(nn.Parameters(net), optim.SGDConfig{LR: 0.01, Momentum: 0.9})
			if err != nil {
				t.Fatal(err)
			}
			xs, ys := batches(8, batch, m.input)
			shape := append([]int{batch}, m.input...)
			step := func(s int) {
				tensor.Tidy(func(sc *tensor.Scope) {
					opt.ZeroGrad()
					loss := nn.CrossEntropyLoss(net.Forward(sc.FromSlice(xs[s], shape...)), sc.FromInts(ys[s]), nn.CrossEntropyOpts{})
					loss.Backward()
					opt.Step()
					loss.Item()
				})
			}
			for s := range 3 {
				step(s)
			}
			if err := gl.Sync(); err != nil {
				t.Fatal(err)
			}
			before := gl.Stats()
			for s := 3; s < 8; s++ {
				step(s)
			}
			after := gl.Stats()
			if n := after.BuffersAllocated - before.BuffersAllocated; n != 0 {
				t.Errorf("%d new GL buffers in 5 steady-state steps", n)
			}
			if n := after.Downloads - before.Downloads; n != 5 {
				t.Errorf("%d readbacks in 5 steps, want 5 (the loss)", n)
			}
			t.Logf("%s: %d dispatches, %d uploads per step", m.name, (after.Dispatches-before.Dispatches)/5, (after.Uploads-before.Uploads)/5)
		})
	}
}
