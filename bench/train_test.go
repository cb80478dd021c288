package bench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/nn/optim"
	"github.com/tensorgl/tensorgl/tensor"
)

// seedBatch is the batch size of BenchmarkTrainStep.
const seedBatch = 64

// trainModel is a training step: setup builds the model and its optimizer
// on the default device with a fixed random batch of the given size
// resident there, and returns the tensors it holds and a step that runs in
// the scope it is given and returns the loss (not yet read back).
type trainModel struct {
	name  string
	setup func(g *tensor.Generator, batch int) (held []*tensor.Tensor, step func(s *tensor.Scope) *tensor.Tensor)
}

// The character model's vocabulary, embedding, hidden size and window: as
// in torch_ref.py.
const rnnVocab, rnnEmbed, rnnHidden, rnnSeq = 96, 32, 128, 64

// trainModels are the steps bench/torch_ref.py times in PyTorch.
var trainModels = []trainModel{
	{"mlp", classifier([]int{784}, optim.SGDConfig{LR: 0.01}, mlpNet)},
	{"cnn", classifier([]int{1, 28, 28}, optim.SGDConfig{LR: 0.01, Momentum: 0.9}, lenet5)},
	{"rnn", languageModel(nn.NewRNN, rnnVocab, rnnEmbed, rnnHidden, rnnSeq)},
	{"rows", classifier([]int{1, 28, 28}, optim.SGDConfig{LR: 0.005, Momentum: 0.9}, func(g *tensor.Generator) nn.Module {
		return &rowsRNN{nn.NewLinear(28, 32, g), nn.NewRNN(32, 128, nn.RNNOpts{NumLayers: 2, BatchFirst: true}, g), nn.NewLinear(128, 10, g)}
	})},
	{"gan", ganStep},
}

// mlpNet is the MLP 784-128-64-10 with ReLUs.
func mlpNet(g *tensor.Generator) nn.Module {
	return nn.NewSequential(
		nn.NewLinear(784, 128, g), nn.NewReLU(),
		nn.NewLinear(128, 64, g), nn.NewReLU(),
		nn.NewLinear(64, 10, g))
}

// lenet5 is LeNet-5 for 28×28 images: conv 5×5 to 6 (padded by 2), max
// pool, conv 5×5 to 16, max pool, FC 120-84-10, ReLUs.
func lenet5(g *tensor.Generator) nn.Module {
	return nn.NewSequential(
		nn.NewConv2d(1, 6, 5, nn.Conv2dOpts{Padding: 2}, g), nn.NewReLU(), nn.NewMaxPool2d(2, 2, 0),
		nn.NewConv2d(6, 16, 5, nn.Conv2dOpts{}, g), nn.NewReLU(), nn.NewMaxPool2d(2, 2, 0),
		nn.NewFlatten(),
		nn.NewLinear(16*5*5, 120, g), nn.NewReLU(),
		nn.NewLinear(120, 84, g), nn.NewReLU(),
		nn.NewLinear(84, 10, g))
}

// classifier is the step of an image classifier: cross-entropy on a fixed
// batch, labels i mod 10.
func classifier(input []int, sgd optim.SGDConfig, build func(*tensor.Generator) nn.Module) func(*tensor.Generator, int) ([]*tensor.Tensor, func(*tensor.Scope) *tensor.Tensor) {
	return func(g *tensor.Generator, batch int) ([]*tensor.Tensor, func(*tensor.Scope) *tensor.Tensor) {
		model := build(g)
		params := nn.Parameters(model)
		opt, err := optim.NewSGD(params, sgd)
		if err != nil {
			panic(err)
		}
		x := tensor.RandN(g, append([]int{batch}, input...)...)
		y := tensor.FromInts(labelsMod(10, batch))
		return append(stateTensors(model), x, y), func(s *tensor.Scope) *tensor.Tensor {
			opt.ZeroGrad()
			l := nn.CrossEntropyLoss(model.Forward(s.Use(x)), s.Use(y), nn.CrossEntropyOpts{})
			l.Backward()
			opt.Step()
			return l
		}
	}
}

// stateTensors returns every tensor of m's state: parameters and buffers
// (running statistics).
func stateTensors(m nn.Module) []*tensor.Tensor {
	var ts []*tensor.Tensor
	for _, e := range m.State() {
		if e.Tensor != nil {
			ts = append(ts, e.Tensor)
		}
	}
	return ts
}

func labelsMod(k, n int) []int32 {
	l := make([]int32, n)
	for i := range l {
		l[i] = int32(i % k)
	}
	return l
}

// rowsRNN reads a [B 1 28 28] image as 28 rows: as examples/rnn -task rows.
type rowsRNN struct {
	proj *nn.Linear
	rnn  *nn.RNN
	head *nn.Linear
}

func (m *rowsRNN) Forward(x *tensor.Tensor) *tensor.Tensor {
	out := m.rnn.Forward(m.proj.Forward(x.Reshape(x.Size(0), 28, 28)))
	return m.head.Forward(out.Select(1, -1))
}

func (m *rowsRNN) State() []nn.Entry {
	return slices.Concat(nn.Prefixed("proj", m.proj.State()), nn.Prefixed("rnn", m.rnn.State()), nn.Prefixed("head", m.head.State()))
}

func (m *rowsRNN) Train(on bool) { m.rnn.Train(on) }

// languageModel is the step of a recurrent language model as in
// examples/rnn: embedding of vocab into embed, a 2-layer recurrent layer of
// hidden made by newRecurrent over seq time steps of batch streams, linear
// head; cross-entropy against random targets, Adam with the gradient norm
// clipped to 1. The seed's character model is an RNN (96, 32, 128, 64).
func languageModel[R nn.Module](newRecurrent func(input, hidden int, o nn.RNNOpts, g *tensor.Generator) R, vocab, embed, hidden, seq int) func(*tensor.Generator, int) ([]*tensor.Tensor, func(*tensor.Scope) *tensor.Tensor) {
	return func(g *tensor.Generator, batch int) ([]*tensor.Tensor, func(*tensor.Scope) *tensor.Tensor) {
		emb := nn.NewEmbedding(vocab, embed, g)
		rec := newRecurrent(embed, hidden, nn.RNNOpts{NumLayers: 2}, g)
		head := nn.NewLinear(hidden, vocab, g)
		params := slices.Concat(nn.Parameters(emb), nn.Parameters(rec), nn.Parameters(head))
		opt, err := optim.NewAdam(params, optim.AdamConfig{LR: 2e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
		if err != nil {
			panic(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		ids, targets := make([]int32, seq*batch), make([]int32, seq*batch)
		for i := range ids {
			ids[i], targets[i] = int32(rng.IntN(vocab)), int32(rng.IntN(vocab))
		}
		x, y := tensor.FromInts(ids, seq, batch), tensor.FromInts(targets)
		return append(params, x, y), func(s *tensor.Scope) *tensor.Tensor {
			opt.ZeroGrad()
			out := rec.Forward(emb.Forward(s.Use(x)))
			l := nn.CrossEntropyLoss(head.Forward(out.Reshape(-1, hidden)), s.Use(y), nn.CrossEntropyOpts{})
			l.Backward()
			optim.ClipGradNormTensor(s, params, 1) // as clip_grad_norm_: nothing read back
			opt.Step()
			return l
		}
	}
}

// ganStep is one discriminator and one generator step of examples/gan's
// MLP GAN on a fixed batch of real images, Adam (betas 0.5, 0.999).
func ganStep(g *tensor.Generator, batch int) ([]*tensor.Tensor, func(*tensor.Scope) *tensor.Tensor) {
	gen := nn.NewSequential(
		nn.NewLinear(64, 256, g), nn.NewLeakyReLU(0.2),
		nn.NewLinear(256, 512, g), nn.NewLeakyReLU(0.2),
		nn.NewLinear(512, 784, g), nn.NewTanh())
	dis := nn.NewSequential(
		nn.NewLinear(784, 512, g), nn.NewLeakyReLU(0.2), nn.NewDropout(0.3, g),
		nn.NewLinear(512, 256, g), nn.NewLeakyReLU(0.2), nn.NewDropout(0.3, g),
		nn.NewLinear(256, 1, g))
	cfg := optim.AdamConfig{LR: 2e-4, Beta1: 0.5, Beta2: 0.999, Eps: 1e-8}
	optG, err := optim.NewAdam(nn.Parameters(gen), cfg)
	if err != nil {
		panic(err)
	}
	optD, err := optim.NewAdam(nn.Parameters(dis), cfg)
	if err != nil {
		panic(err)
	}
	real := tensor.Uniform(g, -1, 1, batch, 784)
	return append(slices.Concat(nn.Parameters(gen), nn.Parameters(dis)), real), func(s *tensor.Scope) *tensor.Tensor {
		fake := gen.Forward(s.Own(tensor.RandN(g, batch, 64)))
		optD.ZeroGrad()
		lr, lf := dis.Forward(s.Use(real)), dis.Forward(fake.Detach())
		dLoss := nn.BCEWithLogitsLoss(lr, tensor.OnesLike(lr), nn.ReduceMean).Add(nn.BCEWithLogitsLoss(lf, tensor.ZerosLike(lf), nn.ReduceMean))
		dLoss.Backward()
		optD.Step()
		optG.ZeroGrad()
		lg := dis.Forward(fake)
		gLoss := nn.BCEWithLogitsLoss(lg, tensor.OnesLike(lg), nn.ReduceMean)
		gLoss.Backward()
		optG.Step()
		return dLoss.Detach().Add(gLoss.Detach())
	}
}

// warmupSteps run before the timer starts: the first step creates the
// momentum buffers, compiles every shader variant and fills the buffer pool.
const warmupSteps = 3

// BenchmarkTrainStep times one training step — forward, cross-entropy loss,
// backward, SGD update, inside tensor.Tidy, reading back only the loss — at
// batch 64 on a fixed batch of random data resident on the device, as
// BenchmarkTrainStep/<model>/<device>. Besides samples/s it reports the
// kernels dispatched per step, the buffers the device had to allocate
// afresh per step once warm (0 when the pool serves every allocation) and
// the time a step waited for its loss after queuing its work (wait-µs/step:
// on GL the step's time less this is what its Go code took to queue it;
// near the step's time, the device is the bound, near 0 the host).
// BenchmarkTrainStepLarge times larger steps the same way.
func BenchmarkTrainStep(b *testing.B) { benchSeedSteps(b, seedBatch) }

// BenchmarkTrainStepBatch1 times the seed's steps at batch 1 (a sample at
// a time, as online learning runs), as BenchmarkTrainStepBatch1/<model>/<device>:
// per-call costs and products of depth one (a linear layer's weight
// gradient, kernels/outer.go) rather than throughput.
func BenchmarkTrainStepBatch1(b *testing.B) { benchSeedSteps(b, 1) }

// benchSeedSteps times the seed's steps at the given batch on every device,
// as <model>/<device>.
func benchSeedSteps(b *testing.B, batch int) {
	devs, note := openDevices()
	b.Log(note)
	for _, m := range trainModels {
		b.Run(m.name, func(b *testing.B) {
			for _, d := range devs {
				b.Run(d.label, func(b *testing.B) { runTrainStep(b, d.dev, m, batch) })
			}
		})
	}
}

// failedStep, deferred by a training step, turns the step's panic (a
// device's error surfacing in a read: a kernel its driver would not build,
// a lost context) into the test's or benchmark's failure, naming the model,
// the batch and the device: the other steps of the same process (the
// prepared GPU run times every model in one) still run.
func failedStep(tb testing.TB, model string, batch int, dev device.Device) {
	if r := recover(); r != nil {
		tb.Fatalf("%s at batch %d on %s (%s): %v", model, batch, dev.Info().Name, dev.Info().Renderer, r)
	}
}

// runTrainStep times b.N steps of m at the given batch size on dev, after
// warmupSteps untimed ones.
func runTrainStep(b *testing.B, dev device.Device, m trainModel, batch int) {
	defer tensor.SetDefaultDevice(tensor.DefaultDevice())
	tensor.SetDefaultDevice(dev)

	held, run := m.setup(tensor.NewGenerator(1), batch)
	defer func() {
		for _, t := range held {
			t.Release()
		}
		// The pool keeps this model's peak; the next benchmark starts
		// from an empty one (ResNet-18's peak is 2.1 GiB).
		device.EmptyCache(dev)
	}()
	// wait is the time the steps spent in the loss's Item: with a device
	// that runs its kernels asynchronously (GL), how far the device (its
	// command thread, the driver and the GPU) ended behind the Go code that
	// queued the step.
	var wait time.Duration
	step := func() float32 {
		defer failedStep(b, m.name, batch, dev)
		var loss float32
		tensor.Tidy(func(s *tensor.Scope) {
			l := run(s)
			start := time.Now()
			loss = l.Item()
			wait += time.Since(start)
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
	b.ReportAllocs()
	wait = 0
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
	n, s := float64(b.N), after.Sub(before)
	b.ReportMetric(float64(batch)*n/b.Elapsed().Seconds(), "samples/s")
	b.ReportMetric(float64(s.Dispatches)/n, "dispatches/step")
	b.ReportMetric(float64(s.BuffersAllocated)/n, "newbufs/step")
	b.ReportMetric(1e6*wait.Seconds()/n, "wait-µs/step")
	if dev.Info().Name == "gl" {
		// The GL host path's calls (see BenchmarkDispatch).
		b.ReportMetric(float64(s.Barriers)/n, "barriers/step")
		b.ReportMetric(float64(s.StateCalls)/n, "state-calls/step")
		b.ReportMetric(float64(s.Flushes)/n, "flushes/step")
	}
}

// fatalRecorder is a testing.TB whose Fatalf records its message and
// returns, for TestFailedStep.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Fatalf(format string, args ...any) { r.msg = fmt.Sprintf(format, args...) }

// TestFailedStep checks that a step's panic becomes a failure naming the
// model, batch and device and the panic's error, and that the device trains
// on afterwards: on each device, a step whose read panics (Item of a
// tensor of two elements), then warm MLP steps.
func TestFailedStep(t *testing.T) {
	devs, _ := openDevices()
	for _, d := range devs {
		t.Run(d.label, func(t *testing.T) {
			rec := &fatalRecorder{TB: t}
			defer tensor.SetDefaultDevice(tensor.DefaultDevice())
			tensor.SetDefaultDevice(d.dev)
			func() {
				defer failedStep(rec, "broken", 3, d.dev)
				tensor.Tidy(func(s *tensor.Scope) {
					x := s.FromSlice([]float32{1, 2}, 2)
					x.Add(x).Item()
				})
			}()
			want := fmt.Sprintf("broken at batch 3 on %s (%s): ", d.dev.Info().Name, d.dev.Info().Renderer)
			if !strings.HasPrefix(rec.msg, want) || !strings.Contains(rec.msg, "one-element") {
				t.Errorf("failure %q: want it to start %q and name the panic", rec.msg, want)
			}
			step, done := warmStep(t, d.dev, trainModels[0], 8, 2)
			defer done()
			step()
		})
	}
}
