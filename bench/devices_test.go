package bench

import (
	"strings"
	"sync"
	"testing"

	"github.com/tensorgl/tensorgl/device"
	_ "github.com/tensorgl/tensorgl/device/cpu"
	_ "github.com/tensorgl/tensorgl/device/gl"
	"github.com/tensorgl/tensorgl/kernels"
)

// benchDevice is a device the benchmarks run on.
type benchDevice struct {
	// label names the device in benchmark names: "cpu", "gl", or
	// "gl-llvmpipe" (the renderer's first word) on a software renderer, so
	// figures from a software renderer are never mistaken for a GPU's.
	label string
	dev   device.Device
	soft  bool // a software renderer: benchmarks use their small sizes only
}

// openDevices opens the CPU device and, when it opens, the GL device, once
// per test binary: a GL context costs tens of milliseconds to create and
// each new one recompiles every shader. The devices stay open until the
// process exits. note names the CPU device's renderer (its kernels'
// instruction set) and the GL one's, or why GL is missing.
var openDevices = sync.OnceValues(func() (devs []benchDevice, note string) {
	cpu, err := device.Open("cpu")
	if err != nil {
		panic("bench: the CPU device always opens: " + err.Error())
	}
	devs = append(devs, benchDevice{label: "cpu", dev: cpu})
	note = "CPU: " + cpu.Info().Renderer + "; "
	gl, err := device.Open("gl")
	if err != nil {
		return devs, note + "no GL benchmarks: " + err.Error()
	}
	bd := benchDevice{label: "gl", dev: gl, soft: gl.Info().Software}
	if bd.soft {
		bd.label = "gl-" + strings.ToLower(strings.Fields(gl.Info().Renderer + " software")[0])
	}
	return append(devs, bd), note + "GL renderer: " + gl.Info().Renderer + ", " + gl.Info().Version
})

// TestDevices logs the devices the benchmarks run on (bench/sidebyside.py
// reads the CPU's kernels from it) and checks that the CPU device names
// the instruction set its kernels run.
func TestDevices(t *testing.T) {
	devs, note := openDevices()
	t.Log(note)
	if r := devs[0].dev.Info().Renderer; !strings.HasSuffix(r, ", "+kernels.ISA()+" kernels") {
		t.Errorf("CPU renderer %q does not name its kernels' instruction set (%s)", r, kernels.ISA())
	}
}
