package main

import (
	"bytes"
	"errors"
	"image/png"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/data"
	"github.com/tensorgl/tensorgl/internal/train"
	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/tensor"
)

// TestDiscriminatorSeparates checks that discriminator steps alone, against
// a fixed untrained generator, drive D(x) on real images up and D(G(z)) on
// generated ones down from the undecided 0.5.
func TestDiscriminatorSeparates(t *testing.T) {
	full, _, err := data.FashionMNISTSample()
	if err != nil {
		t.Fatal(err)
	}
	ds, _ := full.Subset(0, 64)
	loader, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: 64, Mean: []float32{0.5}, Std: []float32{0.5}})
	if err != nil {
		t.Fatal(err)
	}
	var real *tensor.Tensor
	for b := range loader.Epoch(0) {
		real = tensor.FromSlice(b.X, b.Shape...)
	}
	g := tensor.NewGenerator(3)
	m, err := newGAN([]int{1, 28, 28}, &ganOpts{noise: 16, dropout: 0.3}, 2e-4, g)
	if err != nil {
		t.Fatal(err)
	}
	var fake *tensor.Tensor
	tensor.NoGrad(func(s *tensor.Scope) { fake = m.g.Forward(s.Own(tensor.RandN(g, 64, 16))); s.Keep(fake) })
	verdicts := func() (dReal, dFake, loss float32) {
		l, r, f := m.dStep(real, fake)
		return r.Item(), f.Item(), l.Item()
	}
	r0, f0, l0 := verdicts()
	if !(math.Abs(float64(r0-0.5)) <= 0.1) || !(math.Abs(float64(f0-0.5)) <= 0.1) || !(math.Abs(float64(l0)-2*math.Ln2) <= 0.2) {
		t.Errorf("untrained discriminator: D(x) %.3f, D(G(z)) %.3f, loss %.3f; want about 0.5, 0.5 and 2 ln 2", r0, f0, l0)
	}
	var r, f, l float32
	for range 40 {
		r, f, l = verdicts()
	}
	if !(r > 0.9 && f < 0.1 && l < 0.3) {
		t.Errorf("after 40 discriminator steps: D(x) %.3f, D(G(z)) %.3f, loss %.3f; want D(x) > 0.9, D(G(z)) < 0.1, loss < 0.3", r, f, l)
	}
}

// TestTrainsOnSample runs the program for two short epochs and checks the
// statistics, and that the generator checkpoint, reloaded, draws the grid
// the program wrote.
func TestTrainsOnSample(t *testing.T) {
	dir := t.TempDir()
	var out, errs bytes.Buffer
	res, err := run([]string{"-device", "cpu", "-data", "sample", "-limit", "640", "-epochs", "2", "-out", dir}, &out, &errs)
	if err != nil {
		t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", err, &out, &errs)
	}
	t.Logf("\n%s", &out)
	if len(res.History) != 2 {
		t.Fatalf("%d epochs recorded, want 2", len(res.History))
	}
	for i, e := range res.History {
		if !(e.DLoss > 0 && e.DLoss < 5 && e.GLoss > 0 && e.GLoss < 20) || !(e.DReal > 0 && e.DReal < 1 && e.DFake > 0 && e.DFake < 1) {
			t.Errorf("epoch %d: %+v, want finite positive losses and probabilities in (0, 1)", i+1, e)
		}
	}
	// The discriminator learns faster than the generator at first.
	if e := res.History[1]; !(e.DReal > e.DFake+0.1) {
		t.Errorf("second epoch: D(x) %.3f, D(G(z)) %.3f; want real images judged more real", e.DReal, e.DFake)
	}
	for _, want := range []string{"640 training", "epoch 2/2: D loss", "D(G(z))", "on cpu", "wall time"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}

	f, err := os.Open(res.Samples)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if side := gridSide*(28+2) + 2; img.Bounds().Dx() != side || img.Bounds().Dy() != side {
		t.Fatalf("sample grid is %v, want %d×%d", img.Bounds(), side, side)
	}
	if p, err := os.ReadFile(res.Plot); err != nil || !bytes.HasPrefix(p, []byte("\x89PNG")) {
		t.Errorf("plot %s is not a PNG (error %v)", res.Plot, err)
	}
	m, err := newGAN([]int{1, 28, 28}, &ganOpts{noise: 64}, 2e-4, tensor.NewGenerator(7))
	if err != nil {
		t.Fatal(err)
	}
	if err := nn.Load(res.Gen, m.g); err != nil {
		t.Fatal(err)
	}
	if err := nn.Load(res.Disc, m.d); err != nil {
		t.Fatal(err)
	}
	var pix []float32
	tensor.NoGrad(func(s *tensor.Scope) {
		pix = m.g.Forward(s.Own(tensor.RandN(tensor.NewGenerator(2), gridSide*gridSide, 64))).Data()
	})
	for _, k := range []int{0, 9, 63} {
		for _, at := range [][2]int{{0, 0}, {14, 14}, {27, 5}} {
			x0, y0 := 2+(k%gridSide)*30, 2+(k/gridSide)*30
			got, _, _, _ := img.At(x0+at[0], y0+at[1]).RGBA()
			want := 255 * (float64(pix[k*784+at[1]*28+at[0]]) + 1) / 2
			if !(math.Abs(float64(got>>8)-want) <= 1) {
				t.Errorf("image %d pixel %v: grid has %d, the reloaded generator draws %.1f", k, at, got>>8, want)
			}
		}
	}
}

func TestRejectsBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-noise", "0"}, "-noise 0: want at least 1"},
		{[]string{"-dropout", "1"}, "-dropout 1: want a probability in [0, 1)"},
		{[]string{"-limit", "-3"}, "-limit -3"},
		{[]string{"-batch", "0"}, "-batch 0: want at least 1"},
		{[]string{"-lr", "0"}, "-lr 0: want a learning rate > 0"},
		{[]string{"-lr", "inf"}, "-lr +Inf: want a learning rate of at most"},
	} {
		var out, errs bytes.Buffer
		_, err := run(tc.args, &out, &errs)
		var usage *train.UsageError
		if !errors.As(err, &usage) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(errs.String(), tc.want) {
			t.Errorf("%q: error %v, stderr %q, want a UsageError saying %q", tc.args, err, &errs, tc.want)
		}
	}
	_, err := run([]string{"-device", "cpu", "-data", "sample", "-limit", "10", "-out", t.TempDir()}, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "10 samples make no batch of 64") {
		t.Errorf("fewer images than a batch: error %v", err)
	}
}

// TestDCGANJudged trains -arch dcgan for one short epoch and scores it with
// an (untrained) LeNet judge: the Inception-Score-style numbers lie between
// 1 and the 10 classes, and the barely trained generator's images are
// farther from the real training images than the real test images are.
func TestDCGANJudged(t *testing.T) {
	dir := t.TempDir()
	judge := dir + "/judge.safetensors"
	if err := nn.Save(judge, train.LeNet([]int{1, 28, 28}, 10, tensor.NewGenerator(5)), nil); err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	res, err := run([]string{"-device", "cpu", "-arch", "dcgan", "-width", "8", "-data", "sample", "-limit", "128", "-epochs", "1",
		"-judge", judge, "-out", dir}, &out, &errs)
	if err != nil {
		t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", err, &out, &errs)
	}
	t.Logf("\n%s", &out)
	// The checkpoints are written before the judge runs, so a failure of
	// judging loses nothing.
	if w, j := strings.Index(out.String(), "generator.safetensors"), strings.Index(out.String(), "judge "+judge); w < 0 || j < w {
		t.Errorf("output names the checkpoints at %d and the judge's figures at %d: want the checkpoints written first", w, j)
	}
	q := res.Quality
	if q == nil || !(q.ISGenerated >= 1 && q.ISGenerated <= 10 && q.ISTest >= 1 && q.ISTest <= 10) ||
		!(q.FDTest >= 0 && q.FDGenerated > q.FDTest) {
		t.Errorf("judge's figures %+v: want scores in [1, 10] and generated images farther than test images", q)
	}
	m, err := newGAN([]int{1, 28, 28}, &ganOpts{arch: "dcgan", noise: 64, width: 8}, 2e-4, tensor.NewGenerator(7))
	if err != nil {
		t.Fatal(err)
	}
	if err := nn.Load(res.Gen, m.g); err != nil {
		t.Fatal(err)
	}
}

// TestBadJudgeFailsBeforeTraining checks that a -judge that is missing, or
// that holds another model, stops the run before its first epoch.
func TestBadJudgeFailsBeforeTraining(t *testing.T) {
	dir := t.TempDir()
	other := dir + "/mlp.safetensors"
	if err := nn.Save(other, nn.NewSequential(nn.NewLinear(784, 10, tensor.NewGenerator(1))), nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ judge, want string }{
		{dir + "/missing.safetensors", "-judge " + dir + "/missing.safetensors: judge: "},
		{other, "-judge " + other + ": judge: "},
	} {
		var out, errs bytes.Buffer
		_, err := run([]string{"-device", "cpu", "-data", "sample", "-limit", "128", "-epochs", "1", "-judge", tc.judge, "-out", dir}, &out, &errs)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("-judge %s: error %v, want one starting %q", tc.judge, err, tc.want)
		}
		if strings.Contains(out.String(), "epoch 1/1") {
			t.Errorf("-judge %s: trained before failing:\n%s", tc.judge, &out)
		}
	}
}
