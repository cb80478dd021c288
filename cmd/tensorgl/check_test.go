package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
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
	if want := os.Getenv(testdevices.RendererEnv); want != "" && name != "cpu" {
		if first, _, _ := strings.Cut(out.String(), "\n"); !strings.Contains(first, want) {
			t.Errorf("%s=%s: the check ran on another renderer: %s", testdevices.RendererEnv, want, first)
		}
	}
	return out.String()
}

func TestCheckCPU(t *testing.T) { checkOn(t, "cpu") }

func TestCheckGL(t *testing.T) { t.Log(checkOn(t, "gl")) }

// TestCheckZink runs TestCheckGL on a second OpenGL implementation: Mesa's
// zink, OpenGL on Vulkan, over lavapipe (Vulkan on the CPU), whose shaders
// go from GLSL through NIR and SPIR-V to lavapipe's compiler, another path
// than llvmpipe's, and whose optimisations are others (its inlined uniforms
// gave wrong results; see gl.ZinkInlineUniformsEnv). Mesa picks its driver
// once a process, so the check runs in a child process of this test binary.
// Without lavapipe's Vulkan driver (Debian's mesa-vulkan-drivers, which make
// deps installs) it skips, unless TENSORGL_REQUIRE_GL is set.
func TestCheckZink(t *testing.T) {
	if !testdevices.GLBuilt() {
		t.Skip("built without the GL backend")
	}
	if icds, _ := filepath.Glob("/usr/share/vulkan/icd.d/lvp_icd*.json"); len(icds) == 0 {
		if testdevices.GLRequired() {
			t.Fatal("no lavapipe Vulkan driver (/usr/share/vulkan/icd.d/lvp_icd*.json) for zink: install mesa-vulkan-drivers (make deps)")
		}
		t.Skip("no lavapipe Vulkan driver for zink (mesa-vulkan-drivers)")
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestCheckGL$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(),
		"MESA_LOADER_DRIVER_OVERRIDE=zink", "LIBGL_ALWAYS_SOFTWARE=1", // zink on lavapipe
		"XDG_RUNTIME_DIR="+t.TempDir(), // which zink's window-system code asks for
		"TENSORGL_GL_CONTEXT=egl", testdevices.RendererEnv+"=zink")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("TestCheckGL on zink: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "--- PASS: TestCheckGL") {
		if testdevices.GLRequired() {
			t.Fatalf("TestCheckGL on zink did not pass:\n%s", out)
		}
		t.Skipf("TestCheckGL on zink did not run:\n%s", out)
	}
	if i := strings.Index(string(out), "checking gl ("); i >= 0 {
		line, _, _ := strings.Cut(string(out[i:]), "\n")
		t.Log(line)
	}
}

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
		{[]string{"info", "-h"}, 0, "", "usage: tensorgl info"},
		{[]string{"info", "extra"}, 2, "", `tensorgl info: unexpected argument "extra"`},
		{[]string{"info", "-device", "cpu"}, 2, "", "flag provided but not defined: -device"},
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

// TestInfo checks that info describes the CPU backend, how near its
// workers' cores are among it, and which device auto picks.
func TestInfo(t *testing.T) {
	var out, errOut strings.Builder
	if status := run([]string{"info"}, &out, &errOut); status != 0 {
		t.Fatalf("tensorgl info: status %d, stderr %q", status, errOut.String())
	}
	cpu, _, _ := strings.Cut(out.String(), "\n\n")
	if !strings.HasPrefix(cpu, "cpu:\n") || !strings.Contains(out.String(), "auto picks ") {
		t.Fatalf("tensorgl info printed %q; want the cpu backend first and the auto pick", out.String())
	}
	var cores string
	for _, line := range strings.Split(cpu, "\n") {
		if rest, ok := strings.CutPrefix(line, "  cores     "); ok {
			cores = rest
		}
	}
	if !strings.HasPrefix(cores, "near: ") && !strings.HasPrefix(cores, "far: ") && !strings.HasPrefix(cores, "one worker") {
		t.Errorf("the cpu backend's cores line reads %q; want near, far or one worker", cores)
	}
}
