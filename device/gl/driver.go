//go:build cgo && !nogl

package gl

import (
	"os"
	"sync"
)

// ZinkInlineUniformsEnv names Mesa's option for zink (OpenGL on Vulkan)
// that compiles a shader again with the values of the uniforms its loops
// run to written in. tensorgl sets it to false when a device is first
// opened or counted, unless it is set already: with it on, zink 22.3.6 over
// lavapipe failed 12 of tensorgl check's cases (ScatterAdd, GRU,
// RandomMul at a large offset, a Winograd weight gradient with its bias
// sums), with results that changed from run to run on the same inputs and
// kernels whose every sum has a fixed order; with it off every case passes
// (bench/results/gl-zink-check-2026-12-05.txt). Zink's sources read the
// option with the Vulkan device's being a CPU as its default: on over
// lavapipe, off over a GPU. The kernels take their shapes from uniforms, so
// each new shape would also cost a compile.
const ZinkInlineUniformsEnv = "ZINK_INLINE_UNIFORMS"

// driverDefaults holds the driver options set before any driver loads: a
// driver reads its environment when its screen is created, once.
var driverDefaults = []struct{ name, value string }{
	{ZinkInlineUniformsEnv, "false"},
}

var driverOnce sync.Once

// setDriverDefaults sets each of driverDefaults that the environment does
// not set, once a process, before the first EGL or GLFW call loads a
// driver.
func setDriverDefaults() {
	driverOnce.Do(func() {
		for _, o := range driverDefaults {
			setUnlessSet(o.name, o.value)
		}
	})
}

// setUnlessSet sets the environment variable name to value unless it is
// set (to anything, empty included): the user's choice stands.
func setUnlessSet(name, value string) {
	if _, set := os.LookupEnv(name); !set {
		os.Setenv(name, value)
	}
}
