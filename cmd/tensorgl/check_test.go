package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/device/devicetest"
	"github.com/tensorgl/tensorgl/internal/testdevices"
)

// checkOn runs `tensorgl check -device name` and returns its output.
func checkOn(t *testing.T, name string) string {
	t.Helper()
	var out strings.Builder
	err := check(&out, &out, []string{"-device", name})
	if errors.Is(err, device.ErrUnavailable) && !testdevices.GLRequired() {
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

// TestCommandLine checks the exit status and where the usage goes for help,
// bad commands and bad flags.
func TestCommandLine(t *testing.T) {
	for _, c := range []struct {
		args           []string
		status         int
		stdout, stderr string
	}{
		{nil, 2, "", "usage:"},
		{[]string{"-h"}, 0, "usage:", ""},
		{[]string{"--help"}, 0, "usage:", ""},
		{[]string{"help"}, 0, "usage:", ""},
		{[]string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{[]string{"check", "-h"}, 0, "", "-device"},
		{[]string{"check", "-bogus"}, 2, "", "flag provided but not defined: -bogus"},
		{[]string{"check", "cpu"}, 2, "", `unexpected argument "cpu"`},
		{[]string{"check", "-device", "tpu"}, 1, "", "tpu"},
	} {
		var out, errOut strings.Builder
		status := run(c.args, &out, &errOut)
		if status != c.status || !strings.Contains(out.String(), c.stdout) || !strings.Contains(errOut.String(), c.stderr) ||
			c.stdout == "" && out.Len() > 0 {
			t.Errorf("tensorgl %q: status %d, stdout %q, stderr %q; want %d, stdout with %q, stderr with %q",
				c.args, status, out.String(), errOut.String(), c.status, c.stdout, c.stderr)
		}
	}
}
