package train_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/dist"
	"github.com/tensorgl/tensorgl/dist/disttest"
	"github.com/tensorgl/tensorgl/internal/safetensors"

	_ "github.com/tensorgl/tensorgl/device/gl"
)

// TestDataParallel trains the MLP example, built with MPI, as jobs of
// several processes under mpirun (see package disttest for when it skips).
func TestDataParallel(t *testing.T) {
	mlp := disttest.Build(t, "../../examples/mlp", false)
	// 1280 images: 20 steps of 64 samples, as 2 processes × 32 or 1 × 64.
	common := []string{"-data", "sample", "-limit", "1280", "-epochs", "1", "-check-sync"}

	t.Run("cpu", func(t *testing.T) { sameAsOneProcess(t, mlp, append(common, "-device", "cpu")) })
	t.Run("gl", func(t *testing.T) {
		if d, err := device.Open("gl"); err != nil {
			if errors.Is(err, device.ErrUnavailable) && os.Getenv("TENSORGL_REQUIRE_GL") == "" {
				t.Skipf("no OpenGL 4.3 context here: %v", err)
			}
			t.Fatal(err)
		} else {
			d.Close()
		}
		sameAsOneProcess(t, mlp, append(common, "-device", "gl"))
	})
	t.Run("killed-then-resumed", func(t *testing.T) { killAndResume(t, mlp) })
}

// sameAsOneProcess trains 2 processes × batch 32 (checking after every
// step that their parameters are bit-identical) and 1 process × batch 64
// from the same seed, and compares the parameters.
func sameAsOneProcess(t *testing.T, prog string, args []string) {
	two, one := t.TempDir(), t.TempDir()
	out := disttest.Run(t, 3*time.Minute, 2, nil, prog, append(args, "-batch", "32", "-out", two)...)
	if !strings.Contains(out, "processes: 2") || !strings.Contains(out, "gradient exchange on rank 0") {
		t.Errorf("the two-process run does not say it ran as two:\n%s", out)
	}
	t.Logf("2 processes:\n%s", out)
	disttest.Run(t, 3*time.Minute, 1, nil, prog, append(args, "-batch", "64", "-out", one)...)
	compareParams(t, filepath.Join(two, "model.safetensors"), filepath.Join(one, "model.safetensors"), 1e-6)
}

// killAndResume kills one of two processes mid-run, checks that the job
// ends with a message within a bounded time, resumes the run from its last
// checkpoint with one process, and compares the result with a run that was
// never interrupted.
func killAndResume(t *testing.T, prog string) {
	dir, ref := t.TempDir(), t.TempDir()
	args := []string{"-device", "cpu", "-data", "sample", "-limit", "640", "-epochs", "8"}
	j := disttest.Start(t, 3*time.Minute, 2, []string{dist.TimeoutEnv + "=10s"}, prog, append(args, "-batch", "32", "-out", dir)...)
	j.WaitFor(t, "epoch 2/8:", time.Minute)
	out := j.Fault(t, 1, syscall.SIGKILL, 20*time.Second)
	if !strings.Contains(out, "rank 0 of 2: stopped by the launcher") {
		t.Errorf("rank 0 did not report the failure:\n%s", out)
	}
	if strings.Contains(out, "epoch 8/8:") {
		t.Fatalf("the job finished before the kill; make it longer:\n%s", out)
	}
	t.Logf("killed:\n%s", out)

	out = disttest.Run(t, 3*time.Minute, 1, nil, prog, append(args, "-batch", "64", "-out", dir, "-resume")...)
	if !strings.Contains(out, "resumed from") || !strings.Contains(out, "epoch 8/8:") {
		t.Errorf("the resumed run did not resume and finish:\n%s", out)
	}
	t.Logf("resumed:\n%s", out)
	disttest.Run(t, 3*time.Minute, 1, nil, prog, append(args, "-batch", "64", "-out", ref)...)
	compareParams(t, filepath.Join(dir, "model.safetensors"), filepath.Join(ref, "model.safetensors"), 1e-5)
}

// compareParams checks that every tensor of two checkpoints agrees within
// tol times the largest magnitude of the tensor (its scale).
func compareParams(t *testing.T, pathA, pathB string, tol float64) {
	t.Helper()
	a, _, err := safetensors.Read(pathA)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := safetensors.Read(pathB)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) || len(a) == 0 {
		t.Fatalf("%d tensors against %d", len(a), len(b))
	}
	worst := 0.0
	for name, ta := range a {
		va, vb := ta.F32, b[name].F32
		if len(va) != len(vb) {
			t.Fatalf("%s: %d values against %d", name, len(va), len(vb))
		}
		scale, diff := 0.0, 0.0
		for i := range va {
			scale = max(scale, math.Abs(float64(va[i])))
			diff = max(diff, math.Abs(float64(va[i])-float64(vb[i])))
		}
		if !(diff <= tol*scale) { // NaN fails
			t.Errorf("%s: largest difference %.3g, more than %g × its scale %.3g", name, diff, tol, scale)
		}
		worst = max(worst, diff/scale)
	}
	t.Logf("largest difference relative to each tensor's scale: %.3g", worst)
}
