package bench

import (
	"strings"
	"sync"

	"github.com/tensorgl/tensorgl/device"
	_ "github.com/tensorgl/tensorgl/device/cpu"
	_ "github.com/tensorgl/tensorgl/device/gl"
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
// process exits. note says why GL is missing, if it is.
var openDevices = sync.OnceValues(func() (devs []benchDevice, note string) {
	cpu, err := device.Open("cpu")
	if err != nil {
		panic("bench: the CPU device always opens: " + err.Error())
	}
	devs = append(devs, benchDevice{label: "cpu", dev: cpu})
	gl, err := device.Open("gl")
	if err != nil {
		return devs, "no GL benchmarks: " + err.Error()
	}
	bd := benchDevice{label: "gl", dev: gl, soft: gl.Info().Software}
	if bd.soft {
		bd.label = "gl-" + strings.ToLower(strings.Fields(gl.Info().Renderer + " software")[0])
	}
	return append(devs, bd), "GL renderer: " + gl.Info().Renderer + ", " + gl.Info().Version
})
