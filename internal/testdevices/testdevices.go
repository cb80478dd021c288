// Package testdevices runs a package's whole test suite once per available
// device, the way Burn runs its tensor and autodiff suites per backend: a
// test file calls Main from TestMain, and every test, written against the
// default device, then runs on the CPU backend and on GL.
//
// TENSORGL_TEST_DEVICES (default "cpu,gl") names the devices, and
// TENSORGL_TEST_RENDERER the renderer GL must be (RendererEnv). GL is skipped
// with a line on stderr when no context opens, unless the binary has the GL
// backend (cgo, no nogl tag) and TENSORGL_REQUIRE_GL is set (CI sets it), in
// which case failing to open it fails the run.
package testdevices

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/device"
	_ "github.com/tensorgl/tensorgl/device/cpu"
	_ "github.com/tensorgl/tensorgl/device/gl"
)

// Main runs m once per device, after passing the device to setDefault
// (tensor.SetDefaultDevice: a parameter, so that tensor's own tests can use
// this package), and exits with the first failing run's code.
func Main(m *testing.M, setDefault func(device.Device)) {
	code := 0
	for _, name := range Names() {
		dev, err := device.Open(name)
		if err != nil {
			if name == "gl" && errors.Is(err, device.ErrUnavailable) && !GLRequired() {
				fmt.Fprintf(os.Stderr, "testdevices: skipping the gl run: %v\n", err)
				continue
			}
			fmt.Fprintf(os.Stderr, "testdevices: open %s: %v\n", name, err)
			os.Exit(1)
		}
		if want := os.Getenv(RendererEnv); want != "" && name != "cpu" && !strings.Contains(dev.Info().Renderer, want) {
			fmt.Fprintf(os.Stderr, "testdevices: %s=%s, but %s opened on %s\n", RendererEnv, want, name, dev.Info().Renderer)
			os.Exit(1)
		}
		if name != "cpu" && flag.Lookup("test.run").Value.String() == "" {
			// Examples document the API with the CPU's output; they run
			// on the CPU only (TENSORGL_TEST_DEVICES=gl runs none).
			flag.Set("test.run", "^(Test|Fuzz)")
		}
		current = name
		setDefault(dev)
		if c := m.Run(); c != 0 && code == 0 {
			fmt.Fprintf(os.Stderr, "testdevices: the run on %s failed\n", name)
			code = c
		}
		if err := dev.Sync(); err != nil {
			fmt.Fprintf(os.Stderr, "testdevices: %s reported after the run: %v\n", name, err)
			code = 1
		}
	}
	setDefault(nil)
	os.Exit(code)
}

// GLRequired reports whether a GL device that does not open must fail a
// test rather than skip it: the binary has the GL backend (cgo, no nogl
// tag) and TENSORGL_REQUIRE_GL is set, as CI sets it.
func GLRequired() bool { return glBuilt && os.Getenv("TENSORGL_REQUIRE_GL") != "" }

// GLBuilt reports whether the binary has the GL backend (cgo, no nogl tag).
func GLBuilt() bool { return glBuilt }

// RendererEnv, when set, names the renderer a GL run must open on (a part of
// its name, such as "zink"): Main, and the tests that open GL themselves,
// fail rather than run on another.
const RendererEnv = "TENSORGL_TEST_RENDERER"

// Names lists the devices Main runs on.
func Names() []string {
	v := os.Getenv("TENSORGL_TEST_DEVICES")
	if v == "" {
		v = "cpu,gl"
	}
	return strings.Split(v, ",")
}

var current string

// Current names the device of the run in progress ("cpu" or "gl"), for
// tests whose tolerance or expected dispatch count depends on it.
func Current() string { return current }
