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
	if _, err := device.Open("cuda"); err == nil || !strings.Contains(err.Error(), "want auto, cpu or gl") {
		t.Fatalf("Open(cuda): %v", err)
	}
}
