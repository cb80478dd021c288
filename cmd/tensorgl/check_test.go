package main

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/device/devicetest"
)

// checkOn runs `tensorgl check -device name` and returns its output.
func checkOn(t *testing.T, name string) string {
	t.Helper()
	var out strings.Builder
	err := check(&out, []string{"-device", name})
	if errors.Is(err, device.ErrUnavailable) && os.Getenv("TENSORGL_REQUIRE_GL") == "" {
		t.Skipf("%s unavailable: %v", name, err)
	}
	if err != nil {
		t.Fatalf("check -device %s: %v\n%s", name, err, out.String())
	}
	// A line per op of the catalogue, so the ops are those devicetest
	// checks against its float64 references.
	for _, w := range append(devicetest.Ops(), "MatMul/", "Conv2dBackwardWeight/", "Pool2dBackward/", "SoftmaxBackward/", "ScatterAdd/", "AdamStep/") {
		if !strings.Contains(out.String(), "PASS "+w) {
			t.Errorf("output lacks a PASS line for %s:\n%s", w, out.String())
		}
	}
	if strings.Contains(out.String(), "FAIL") {
		t.Errorf("check passed but printed a FAIL line:\n%s", out.String())
	}
	return out.String()
}

func TestCheckCPU(t *testing.T) { checkOn(t, "cpu") }

func TestCheckGL(t *testing.T) { t.Log(checkOn(t, "gl")) }
