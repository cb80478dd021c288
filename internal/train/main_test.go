package train

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/tensor"
)

// poisoned is a model whose logits become NaN from its (after+1)th
// training step on, as a diverging run's do.
type poisoned struct {
	nn.Module
	training bool
	steps    int
	after    int
}

func (m *poisoned) Train(on bool) { m.training = on; m.Module.Train(on) }

func (m *poisoned) Forward(x *tensor.Tensor) *tensor.Tensor {
	y := m.Module.Forward(x)
	if m.training {
		if m.steps++; m.steps > m.after {
			y = y.MulScalar(float32(math.NaN()))
		}
	}
	return y
}

// skipWithMPI skips a test that runs Main in the test process itself
// under -tags mpi: Main initialises and finalises MPI, which a process
// may do once (the data-parallel tests run Main in processes of their
// own, dist_test.go).
func skipWithMPI(t *testing.T) {
	if builtWithMPI {
		t.Skip("runs Main in this process, which MPI lets initialise once; run without -tags mpi")
	}
}

// linearSpec is a linear classifier: a program that trains in
// milliseconds.
func linearSpec() Spec {
	return Spec{Name: "linear", About: "linear classifies.",
		Defaults: Options{Device: "cpu", Dataset: "fashion-mnist", Epochs: 3, Batch: 64, LR: 0.01, Momentum: 0.9, Seed: 1},
		Model: func(shape []int, classes int, g *tensor.Generator) nn.Module {
			return nn.NewSequential(nn.NewFlatten(), nn.NewLinear(784, classes, g))
		}}
}

// TestResumeChecksEpochs checks that -resume refuses a model and an
// optimizer checkpoint of different epochs, as a run killed between the
// two saves leaves them, and takes an optimizer file that records no
// epoch (written before they did) as the model's, saying so.
func TestResumeChecksEpochs(t *testing.T) {
	skipWithMPI(t)
	useDevice(t, openDevice(t, "cpu"))
	dir := t.TempDir()
	optPath := filepath.Join(dir, "optimizer.safetensors")
	train := func(epochs string, resume bool) (string, error) {
		args := []string{"-data", "sample", "-limit", "128", "-epochs", epochs, "-out", dir}
		if resume {
			args = append(args, "-resume")
		}
		var out bytes.Buffer
		_, err := Main(linearSpec(), args, &out, &bytes.Buffer{})
		return out.String(), err
	}
	if out, err := train("1", false); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	first, err := os.ReadFile(optPath)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := train("2", true); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	second, err := os.ReadFile(optPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(optPath, first, 0o644); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "model.safetensors") + " is from epoch 2 but " + optPath + " from epoch 1"
	if out, err := train("3", true); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("mixed epochs: error %v, want one saying %q\n%s", err, want, out)
	}

	// The epoch-2 optimizer file without its record, as written before.
	if err := os.WriteFile(optPath, second, 0o644); err != nil {
		t.Fatal(err)
	}
	meta, err := nn.ReadMeta(optPath)
	if err != nil {
		t.Fatal(err)
	}
	ts := map[string]*tensor.Tensor{}
	if err := nn.LoadTensors(optPath, ts); err != nil {
		t.Fatal(err)
	}
	delete(meta, "epoch")
	if err := nn.SaveTensors(optPath, ts, meta); err != nil {
		t.Fatal(err)
	}
	out, err := train("3", true)
	if err != nil || !strings.Contains(out, optPath+" records no epoch") || !strings.Contains(out, "epoch 3/3:") {
		t.Errorf("optimizer file without an epoch: error %v, want a resumed run that says so:\n%s", err, out)
	}
}

// divergedRun runs spec on 256 sample images (epochs of 4 steps of 64)
// into a new folder, which it returns, and checks that Main failed saying
// want with epoch 1's checkpoint left in place.
func divergedRun(t *testing.T, name string, model func(nn.Module) nn.Module, want string) string {
	t.Helper()
	spec := Spec{Name: name, About: name + " diverges.",
		Defaults: Options{Device: "cpu", Dataset: "fashion-mnist", Epochs: 3, Batch: 64, LR: 0.01, Seed: 1},
		Model: func(shape []int, classes int, g *tensor.Generator) nn.Module {
			return model(nn.NewSequential(nn.NewFlatten(), nn.NewLinear(784, classes, g)))
		}}
	dir := t.TempDir()
	var out bytes.Buffer
	_, err := Main(spec, []string{"-data", "sample", "-limit", "256", "-out", dir}, &out, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want one saying %q\n%s", err, want, &out)
	}
	meta, err := nn.ReadMeta(filepath.Join(dir, "model.safetensors"))
	if err != nil || meta["epoch"] != "1" {
		t.Errorf("checkpoint after the failed epoch 2: meta %v (error %v), want epoch 1's", meta, err)
	}
	return dir
}

// TestDivergenceStops checks that Main stops when the loss becomes NaN,
// with an error naming the epoch, the step and the loss, and leaves the
// checkpoint of the last good epoch in place.
func TestDivergenceStops(t *testing.T) {
	skipWithMPI(t)
	useDevice(t, openDevice(t, "cpu"))
	// The second step of epoch 2 is the first NaN.
	dir := divergedRun(t, "poisoned", func(m nn.Module) nn.Module { return &poisoned{Module: m, training: true, after: 5} },
		"epoch 2: step 2 (after 64 samples): the loss became NaN")
	m := nn.NewSequential(nn.NewFlatten(), nn.NewLinear(784, 10, tensor.NewGenerator(2)))
	if err := nn.Load(filepath.Join(dir, "model.safetensors"), m); err != nil {
		t.Fatal(err)
	}
	for _, p := range nn.Parameters(m) {
		for _, v := range p.Data() {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Fatalf("checkpoint holds %v", v)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "training"+PlotExt)); err == nil {
		t.Errorf("a diverged run wrote its plot")
	}
}

// nanGrad is a linear classifier with an extra parameter e = 0 whose
// gradient becomes NaN at its (at)th training step while the loss stays
// finite (√e·0 adds 0; its derivative is 0·∞): the update then makes e
// NaN after the loss was read.
type nanGrad struct {
	nn.Module
	e        *tensor.Tensor
	training bool
	steps    int
	at       int
}

func (m *nanGrad) Train(on bool) { m.training = on; m.Module.Train(on) }

func (m *nanGrad) State() []nn.Entry {
	return append(m.Module.State(), nn.Entry{Name: "e", Tensor: m.e, Param: true})
}

func (m *nanGrad) Forward(x *tensor.Tensor) *tensor.Tensor {
	y := m.Module.Forward(x)
	if m.training {
		if m.steps++; m.steps == m.at {
			y = y.Add(m.e.PowScalar(0.5).MulScalar(0))
		}
	}
	return y
}

// TestDivergenceInLastUpdateStops checks that Main stops when an epoch's
// last update makes a parameter NaN though every loss it read was finite,
// naming the parameter, before that epoch's checkpoint is written.
func TestDivergenceInLastUpdateStops(t *testing.T) {
	skipWithMPI(t)
	useDevice(t, openDevice(t, "cpu"))
	// The last step of epoch 2.
	divergedRun(t, "nangrad", func(m nn.Module) nn.Module {
		return &nanGrad{Module: m, e: tensor.Zeros(1).SetRequiresGrad(true), training: true, at: 8}
	}, "epoch 2: after its last step parameter e[0] is NaN")
}
