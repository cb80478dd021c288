package device_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/device"
	_ "github.com/tensorgl/tensorgl/device/cpu"
)

func captureLog(t *testing.T) *[]string {
	var lines []string
	old := device.Logf
	device.Logf = func(f string, a ...any) { lines = append(lines, fmt.Sprintf(f, a...)) }
	t.Cleanup(func() { device.Logf = old })
	return &lines
}

func TestOpenCPU(t *testing.T) {
	d, err := device.Open("cpu")
	if err != nil {
		t.Fatal(err)
	}
	if d.Info().Name != "cpu" {
		t.Fatalf("Open(cpu) gave %q", d.Info().Name)
	}
}

func TestOpenAutoWithoutGLPicksCPUAndSaysWhy(t *testing.T) {
	t.Setenv(device.EnvVar, "")
	lines := captureLog(t)
	d, err := device.Open("auto")
	if err != nil {
		t.Fatal(err)
	}
	if d.Info().Name != "cpu" {
		t.Fatalf("auto without the gl backend linked chose %q", d.Info().Name)
	}
	if len(*lines) != 1 || !strings.Contains((*lines)[0], "gl backend not linked") {
		t.Fatalf("auto logged %q, want one line naming the reason", *lines)
	}
}

func TestOpenEnvOverride(t *testing.T) {
	t.Setenv(device.EnvVar, "cpu")
	captureLog(t)
	d, err := device.Open("")
	if err != nil || d.Info().Name != "cpu" {
		t.Fatalf("%s=cpu: got %v, %v", device.EnvVar, d, err)
	}
	t.Setenv(device.EnvVar, "tpu")
	if _, err := device.Open("auto"); err == nil || !strings.Contains(err.Error(), `unknown device "tpu"`) {
		t.Fatalf("%s=tpu: want an unknown-device error, got %v", device.EnvVar, err)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := device.Open("gl"); !errors.Is(err, device.ErrUnavailable) {
		t.Fatalf("Open(gl) without the backend linked: want ErrUnavailable, got %v", err)
	}
	if _, err := device.Open("cuda"); err == nil || !strings.Contains(err.Error(), "want auto, cpu, gl or gl:N") {
		t.Fatalf("Open(cuda): %v", err)
	}
}

// TestOpenNumbered checks "name:N" and OpenLocal on a backend registered
// with numbered devices (each a CPU device that remembers its number), and
// the errors for backends without numbers.
func TestOpenNumbered(t *testing.T) {
	opened := -1
	device.Register("numbered", func() (device.Device, error) { return device.Open("cpu") })
	device.RegisterIndexed("numbered", func(i int) (device.Device, error) {
		opened = i
		return device.Open("cpu")
	}, func() (int, error) { return 3, nil })
	for _, tc := range []struct {
		name  string
		local int
		want  int
	}{
		{"numbered:2", -1, 2}, {"numbered:7", -1, 7}, {"numbered", 4, 1}, {"numbered", 2, 2}, {"numbered:0", 5, 0},
	} {
		opened = -1
		if _, err := device.OpenLocal(tc.name, tc.local); err != nil || opened != tc.want {
			t.Errorf("OpenLocal(%q, %d) opened device %d (%v), want %d", tc.name, tc.local, opened, err, tc.want)
		}
	}
	opened = -1
	if _, err := device.Open("numbered"); err != nil || opened != -1 {
		t.Errorf("Open(numbered) without a local rank went to device %d (%v), want the backend's own choice", opened, err)
	}
	if _, err := device.OpenLocal("cpu", 3); err != nil {
		t.Errorf("OpenLocal(cpu, 3): %v", err)
	}
	for name, want := range map[string]string{
		"numbered:-1": "want numbered:N with a device number N ≥ 0",
		"numbered:x":  "want numbered:N with a device number N ≥ 0",
		"cpu:1":       "backend cpu does not number its devices",
		"tpu:0":       `unknown device "tpu:0"`,
	} {
		if _, err := device.Open(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%q): %v, want an error containing %q", name, err, want)
		}
	}
	if _, err := device.Open("gl:0"); !errors.Is(err, device.ErrUnavailable) {
		t.Errorf("Open(gl:0) without the backend linked: want ErrUnavailable, got %v", err)
	}
}
