package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/tensorgl/tensorgl/data"
	"github.com/tensorgl/tensorgl/internal/train"
	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/nn/optim"
	"github.com/tensorgl/tensorgl/tensor"

	_ "github.com/tensorgl/tensorgl/device/gl" // lets -device auto pick a GPU
)

const about = "gan trains a generative adversarial network (two MLPs, or DCGAN-style convolutional networks) to draw Fashion-MNIST images."

// gridSide is the number of generated images per row and column of the
// sample grid.
const gridSide = 8

func main() {
	_, err := run(os.Args[1:], os.Stdout, os.Stderr)
	train.Exit("gan", err)
}

// ganOpts are the flags besides the shared ones.
type ganOpts struct {
	arch    string  // mlp or dcgan
	noise   int     // size of the generator's input
	dropout float64 // in the discriminator
	width   int     // the DCGAN's base channel count: see dcgan
	limit   int     // training images; 0: all
	judge   string  // examples/cnn checkpoint that scores the samples; empty: none
}

// epochStats are the means over one epoch's steps.
type epochStats struct {
	DLoss, GLoss float64 // the discriminator's and the generator's loss
	DReal, DFake float64 // D(x) and D(G(z)): the probability D gives a real and a generated image of being real
}

// ganResult is what a run measured and wrote.
type ganResult struct {
	History                  []epochStats
	Samples, Plot, Gen, Disc string   // paths
	Quality                  *quality // the judge's figures; nil without -judge
}

func run(args []string, stdout, stderr io.Writer) (*ganResult, error) {
	p := train.NewProgram("gan", about, "Fashion-MNIST `directory`; \"sample\" for the 4000-image sample built into the program (default: $TENSORGL_DATA, then /usr/share/datasets/fashion-mnist, then the sample)",
		train.Program{Device: "auto", Epochs: 20, Batch: 64, LR: 2e-4, Seed: 1, Out: "out/gan"}, stdout, stderr)
	var o ganOpts
	p.Flags.StringVar(&o.arch, "arch", "mlp", "mlp: fully connected networks; dcgan: transposed convolutions and batch norm in the generator, convolutions in the discriminator")
	p.Flags.IntVar(&o.noise, "noise", 64, "size of the generator's noise input")
	p.Flags.IntVar(&o.width, "width", 32, "dcgan: channels of the generator's last and the discriminator's first hidden layer (the other has twice as many)")
	p.Flags.StringVar(&o.judge, "judge", "", "LeNet `checkpoint` written by examples/cnn: score the generated images (Inception-Score-style number, Fréchet distance on its penultimate features), and real test images for scale")
	p.Flags.Float64Var(&o.dropout, "dropout", 0.3, "dropout probability in the discriminator's hidden layers")
	p.Flags.IntVar(&o.limit, "limit", 0, "train on the first `N` images only (0: all)")
	err := p.Parse(args, func() error {
		switch {
		case o.arch != "mlp" && o.arch != "dcgan":
			return fmt.Errorf("-arch %q: want mlp or dcgan", o.arch)
		case o.width < 1:
			return fmt.Errorf("-width %d: want at least 1", o.width)
		case o.noise < 1:
			return fmt.Errorf("-noise %d: want at least 1", o.noise)
		case !(o.dropout >= 0 && o.dropout < 1):
			return fmt.Errorf("-dropout %v: want a probability in [0, 1)", o.dropout)
		case o.limit < 0:
			return fmt.Errorf("-limit %d: want 0 (all) or more", o.limit)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := p.Start(); err != nil {
		return nil, err
	}
	defer p.Close()
	return trainGAN(p, &o)
}

// gan holds the two networks and their optimizers.
type gan struct {
	g, d       *nn.Sequential
	about      string // the architecture, for the log
	optG, optD *optim.Adam
	noise      int
	gen        *tensor.Generator // draws the noise
}

// newGAN builds the generator and the discriminator of o.arch (mlp or
// dcgan) for images of shape [C H W], each with Adam (betas 0.5, 0.999 as
// in DCGAN).
func newGAN(shape []int, o *ganOpts, lr float64, g *tensor.Generator) (*gan, error) {
	m := &gan{noise: o.noise, gen: g}
	if o.arch == "dcgan" {
		m.g, m.d, m.about = dcgan(shape, o, g)
	} else {
		m.g, m.d, m.about = mlpGAN(shape[0]*shape[1]*shape[2], o, g)
	}
	cfg := optim.AdamConfig{LR: float32(lr), Beta1: 0.5, Beta2: 0.999, Eps: 1e-8}
	var err error
	if m.optG, err = optim.NewAdam(nn.Parameters(m.g), cfg); err != nil {
		return nil, err
	}
	m.optD, err = optim.NewAdam(nn.Parameters(m.d), cfg)
	return m, err
}

// dStep updates the discriminator once to tell the real images from the
// fake ones, which must not carry the generator's graph. It returns the
// loss, D(real) and D(fake), the last two as means of probabilities.
func (m *gan) dStep(real, fake *tensor.Tensor) (loss, dReal, dFake *tensor.Tensor) {
	m.optD.ZeroGrad()
	lr, lf := m.d.Forward(real), m.d.Forward(fake)
	loss = nn.BCEWithLogitsLoss(lr, tensor.OnesLike(lr), nn.ReduceMean).
		Add(nn.BCEWithLogitsLoss(lf, tensor.ZerosLike(lf), nn.ReduceMean))
	loss.Backward()
	m.optD.Step()
	return loss.Detach(), lr.Detach().Sigmoid().Mean(), lf.Detach().Sigmoid().Mean()
}

// step trains on one batch of real images in [−1, 1]: a discriminator step
// on them and on generated ones, then a generator step that pushes D's
// verdict on the same generated images towards "real" (the non-saturating
// loss). It returns [D loss, G loss, D(x), D(G(z))].
func (m *gan) step(real *tensor.Tensor) *tensor.Tensor {
	fake := m.g.Forward(tensor.ScopeOf(real).Own(tensor.RandN(m.gen, real.Size(0), m.noise)))
	// Detached, the D step's backward stops at the generated images and
	// leaves the generator's graph for the G step.
	dLoss, dReal, dFake := m.dStep(real, fake.Detach())
	m.optG.ZeroGrad()
	lf := m.d.Forward(fake)
	gLoss := nn.BCEWithLogitsLoss(lf, tensor.OnesLike(lf), nn.ReduceMean)
	gLoss.Backward()
	m.optG.Step()
	return tensor.Stack(0, dLoss, gLoss.Detach(), dReal, dFake)
}

// trainGAN trains on Fashion-MNIST scaled to [−1, 1] and writes the sample
// grid, the plot and both checkpoints.
func trainGAN(p *train.Program, o *ganOpts) (*ganResult, error) {
	trainSet, testSet, from, err := train.LoadImages("fashion-mnist", p.Data, o.limit)
	if err != nil {
		return nil, err
	}
	p.Printf("data: %s\n", from)
	// The judge is known from the command line: a bad -judge fails now, not
	// after the training it would have scored.
	var judge *train.Judge
	if o.judge != "" {
		mean, std := trainSet.ChannelStats()
		if judge, err = train.LoadJudge(o.judge, trainSet.Shape, len(trainSet.Classes), mean, std); err != nil {
			return nil, fmt.Errorf("-judge %s: %w", o.judge, err)
		}
	}
	shape := trainSet.Shape
	pixels := trainSet.SampleSize()
	// (x − 0.5)/0.5 maps pixels from [0, 1] to the generator's [−1, 1].
	loader, err := data.NewLoader(trainSet, data.LoaderConfig{BatchSize: p.Batch, DropLast: true, Shuffle: true, Seed: p.Seed,
		Mean: []float32{0.5}, Std: []float32{0.5}})
	if err != nil {
		return nil, err
	}
	g := tensor.NewGenerator(p.Seed)
	m, err := newGAN(shape, o, p.LR, g)
	if err != nil {
		return nil, err
	}
	// The same noise every time shows how the generator's drawings evolve.
	fixed := tensor.RandN(tensor.NewGenerator(p.Seed+1), gridSide*gridSide, o.noise)
	tensor.Persist(fixed)
	defer fixed.Release()
	p.Printf("model: %s; generator %d parameters, discriminator %d parameters; Adam lr %g betas 0.5, 0.999; batch %d\n",
		m.about, nn.NumParams(m.g), nn.NumParams(m.d), p.LR, p.Batch)

	res := &ganResult{}
	prog := p.Progress()
	for epoch := range p.Epochs {
		prog.Start(epoch, p.Epochs, loader.Len()*p.Batch)
		t0 := time.Now()
		var sum [4]float64
		steps := 0
		scores := train.NewStepLog(len(sum), func(s []float32, images int) error {
			if !(math.Abs(float64(s[0]+s[1])) < math.Inf(1)) {
				return fmt.Errorf("step %d: losses became D %v, G %v", steps+1, s[0], s[1])
			}
			for i, v := range s {
				sum[i] += float64(v)
			}
			steps++
			prog.Step(images, sum[0]/float64(steps))
			return nil
		})
		for b := range loader.Epoch(epoch) {
			// The scores are read back a StepLog's rows at a time.
			tensor.Tidy(func(sc *tensor.Scope) { err = scores.Add(len(b.Y), m.step(sc.FromSlice(b.X, b.Shape...))) })
			if err != nil {
				break
			}
		}
		if err = scores.Finish(err); err != nil {
			return nil, fmt.Errorf("epoch %d: %w", epoch+1, err)
		}
		n := float64(steps)
		e := epochStats{DLoss: sum[0] / n, GLoss: sum[1] / n, DReal: sum[2] / n, DFake: sum[3] / n}
		res.History = append(res.History, e)
		elapsed := time.Since(t0)
		prog.End(fmt.Sprintf("epoch %d/%d: D loss %.4f, G loss %.4f, D(x) %.3f, D(G(z)) %.3f, %.0f images/s, %s",
			epoch+1, p.Epochs, e.DLoss, e.GLoss, e.DReal, e.DFake, n*float64(p.Batch)/elapsed.Seconds(), elapsed.Round(100*time.Millisecond)))
	}

	res.Samples = filepath.Join(p.Out, "samples.png")
	pix := make([]float32, gridSide*gridSide*pixels)
	tensor.NoGrad(func(s *tensor.Scope) { err = m.g.Forward(s.Use(fixed)).ReadTo(pix) })
	if err != nil {
		return nil, err
	}
	if err := train.WriteImageGrid(res.Samples, pix, gridSide*gridSide, shape[1], shape[2], gridSide, -1, 1); err != nil {
		return nil, err
	}
	res.Plot = filepath.Join(p.Out, "training"+train.PlotExt)
	curve := func(label string, f func(e epochStats) float64) train.Curve {
		c := train.Curve{Label: label}
		for _, e := range res.History {
			c.Y = append(c.Y, f(e))
		}
		return c
	}
	err = train.WritePanels(res.Plot,
		train.Panel{Title: "GAN on Fashion-MNIST: losses", YLabel: "BCE loss", Curves: []train.Curve{
			curve("discriminator", func(e epochStats) float64 { return e.DLoss }),
			curve("generator", func(e epochStats) float64 { return e.GLoss })}},
		train.Panel{Title: "discriminator's verdicts", YLabel: "mean probability of real", Curves: []train.Curve{
			curve("D(x), real", func(e epochStats) float64 { return e.DReal }),
			curve("D(G(z)), generated", func(e epochStats) float64 { return e.DFake })}})
	if err != nil {
		return nil, err
	}
	last := res.History[len(res.History)-1]
	meta := map[string]string{"program": "gan", "arch": o.arch, "noise": strconv.Itoa(o.noise), "epochs": strconv.Itoa(p.Epochs),
		"shape": fmt.Sprint(shape), "range": "[-1, 1]"}
	res.Gen, res.Disc = filepath.Join(p.Out, "generator.safetensors"), filepath.Join(p.Out, "discriminator.safetensors")
	if err := nn.Save(res.Gen, m.g, meta); err != nil {
		return nil, err
	}
	if err := nn.Save(res.Disc, m.d, meta); err != nil {
		return nil, err
	}
	p.Printf("wrote %s, %s, %s and %s\n", res.Samples, res.Plot, res.Gen, res.Disc)
	// Judging comes after the checkpoints are written: whatever it meets,
	// the trained models are kept.
	if judge != nil {
		if res.Quality, err = judgeSamples(p, m, judge, o.judge, trainSet, testSet); err != nil {
			return nil, err
		}
	}
	p.Finish(fmt.Sprintf("D loss %.4f, G loss %.4f, D(x) %.3f, D(G(z)) %.3f", last.DLoss, last.GLoss, last.DReal, last.DFake))
	return res, nil
}
