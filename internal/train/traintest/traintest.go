// Package traintest checks an example program built on package train from
// end to end: flags, training on the embedded sample, the files it writes.
package traintest

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/internal/train"
	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/tensor"
)

// TrainsOnSample runs spec's program for the given epochs on the first
// 2000 images of the embedded Fashion-MNIST sample on the CPU and checks
// that the training loss falls, that the test accuracy reaches minAccuracy, and
// that the checkpoint, reloaded into a freshly initialised model, gives
// the logits the program dumped.
func TrainsOnSample(t *testing.T, spec train.Spec, epochs int, minAccuracy float64) {
	t.Helper()
	dir := t.TempDir()
	logits := filepath.Join(dir, "logits.safetensors")
	var out, errs bytes.Buffer
	res, err := train.Main(spec, []string{"-device", "cpu", "-data", "sample", "-limit", "2000", "-epochs", strconv.Itoa(epochs),
		"-out", dir, "-dump-logits", logits, "-explain"}, &out, &errs)
	if err != nil {
		t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", err, &out, &errs)
	}
	t.Logf("\n%s", &out)
	h := res.History
	if len(h) != epochs || !(h[epochs-1].Loss < h[0].Loss) {
		t.Errorf("training loss per epoch %v, want %d values, the last below the first", h, epochs)
	}
	if res.Accuracy < minAccuracy {
		t.Errorf("test accuracy %.4f after %d epochs, want ≥ %.2f", res.Accuracy, epochs, minAccuracy)
	}
	for _, want := range []string{"embedded 4000-image sample", "2000 training and 1000 test images",
		fmt.Sprintf("epoch %d/%d: train loss", epochs, epochs), "test accuracy", "on cpu", "wall time"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, &out)
		}
	}
	if png, err := os.ReadFile(res.Plot); err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("plot %s is not a PNG file (read error %v)", res.Plot, err)
	}
	checkExplain(t, res.Explain, 10)

	cpu, err := device.Open("cpu")
	if err != nil {
		t.Fatal(err)
	}
	prev := tensor.DefaultDevice()
	tensor.SetDefaultDevice(cpu)
	defer tensor.SetDefaultDevice(prev)
	model := spec.Model([]int{1, 28, 28}, 10, tensor.NewGenerator(99))
	if err := nn.Load(res.Checkpoint, model); err != nil {
		t.Fatal(err)
	}
	dump := map[string]*tensor.Tensor{}
	if err := nn.LoadTensors(logits, dump); err != nil {
		t.Fatal(err)
	}
	nn.Eval(model)
	var got []float32
	tensor.NoGrad(func(s *tensor.Scope) { got = model.Forward(s.Use(dump["input"])).Data() })
	want := dump["logits"].Data()
	if len(got) != len(want) || len(got) != 16*10 {
		t.Fatalf("reloaded model gives %d logits, dump has %d, want 160", len(got), len(want))
	}
	for i := range got {
		if math.Abs(float64(got[i]-want[i])) > 1e-5 {
			t.Fatalf("logit %d: reloaded checkpoint gives %v, the trained model gave %v", i, got[i], want[i])
		}
	}
}

// RejectsBadFlags checks that spec's program reports bad command lines as
// UsageErrors that name the flag, on its error stream, before any work.
func RejectsBadFlags(t *testing.T, spec train.Spec) {
	t.Helper()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-epochs", "x"}, `invalid value "x" for flag -epochs`},
		{[]string{"-bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"-epochs", "0"}, "-epochs 0: want at least 1"},
		{[]string{"-batch", "-5"}, "-batch -5: want at least 1"},
		{[]string{"-lr", "0"}, "-lr 0: want a learning rate > 0"},
		{[]string{"-lr", "inf"}, "-lr +Inf: want a learning rate of at most"},
		{[]string{"-lr", "1e39"}, "-lr 1e+39: want a learning rate of at most"},
		{[]string{"-momentum", "1"}, "-momentum 1: want a value in [0, 1)"},
		{[]string{"-limit", "-1"}, "-limit -1"},
		{[]string{"-device", "tpu"}, `-device "tpu": want one of auto, cpu, gl`},
		{[]string{"-dataset", "imagenet"}, `-dataset "imagenet": want one of fashion-mnist, mnist, cifar10`},
		{[]string{"-dataset", "cifar10"}, "-dataset cifar10 needs -data DIR"},
		{[]string{"-out", ""}, "-out is empty"},
		{[]string{"-device", "cpu", "now"}, `unexpected argument "now"`},
	} {
		var out, errs bytes.Buffer
		_, err := train.Main(spec, tc.args, &out, &errs)
		var usage *train.UsageError
		if !errors.As(err, &usage) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got error %v, want a UsageError containing %q", tc.args, err, tc.want)
		}
		if !strings.Contains(errs.String(), tc.want) {
			t.Errorf("%q: stderr %q does not say %q", tc.args, &errs, tc.want)
		}
		if out.Len() != 0 {
			t.Errorf("%q: wrote to stdout before failing: %q", tc.args, &out)
		}
	}
	var errs bytes.Buffer
	if _, err := train.Main(spec, []string{"-h"}, &bytes.Buffer{}, &errs); !errors.Is(err, flag.ErrHelp) || !strings.Contains(errs.String(), "usage: "+spec.Name) {
		t.Errorf("-h: got error %v and help %q, want flag.ErrHelp and the usage", err, &errs)
	}
	// A dataset directory that does not exist is not a usage error but is
	// reported with the path.
	_, err := train.Main(spec, []string{"-device", "cpu", "-data", "/nonexistent/fmnist", "-out", t.TempDir()}, &bytes.Buffer{}, &errs)
	var usage *train.UsageError
	if err == nil || errors.As(err, &usage) || !strings.Contains(err.Error(), "/nonexistent/fmnist") {
		t.Errorf("missing data directory: got %v, want an error naming it", err)
	}
}

// checkExplain checks what -explain wrote: a PNG of one row of three
// 28×28 panels (four with Grad-CAM, for models with a convolution), drawn
// 4× larger, per image, labels and predictions in range, and integrated
// gradients that add up to the score difference they explain.
func checkExplain(t *testing.T, ex *train.Explanation, classes int) {
	t.Helper()
	if ex == nil {
		t.Fatal("-explain gave no explanation")
	}
	f, err := os.Open(ex.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatalf("%s: %v", ex.Path, err)
	}
	n := len(ex.Labels)
	const panel = 4*28 + 2
	cols := 3
	if ex.GradCAM {
		cols = 4
	}
	if n != 8 || len(ex.Predicted) != n || cfg.Width != cols*panel+2 || cfg.Height != n*panel+2 {
		t.Errorf("explanation of %d images (%d predictions) in a %d×%d PNG, want 8 in %d×%d", n, len(ex.Predicted), cfg.Width, cfg.Height, cols*panel+2, 8*panel+2)
	}
	for i := range n {
		if ex.Labels[i] < 0 || ex.Labels[i] >= classes || ex.Predicted[i] < 0 || ex.Predicted[i] >= classes {
			t.Errorf("image %d: label %d, predicted %d, want both in [0, %d)", i, ex.Labels[i], ex.Predicted[i], classes)
		}
	}
	if !(ex.Gap <= 0.05*ex.Spread+1e-3) {
		t.Errorf("integrated gradients miss score(x) − score(baseline) by %.3g (largest difference %.3g), want within 5%%", ex.Gap, ex.Spread)
	}
	t.Logf("explain: gap %.3g of %.3g", ex.Gap, ex.Spread)
}
