//go:build cgo && !nogl

package gl

import (
	"testing"

	"github.com/tensorgl/tensorgl/device/devicetest"
)

// TestConformance runs the device contract's conformance suite on GL.
func TestConformance(t *testing.T) {
	devicetest.Run(t, openOrSkip(t))
}

// TestConformanceSplitGrids reruns the suite with a work-group-count limit
// of 2 on every axis, so every kernel's grid is split into many dispatches
// along x, y and z: the splitting must not change any result.
func TestConformanceSplitGrids(t *testing.T) {
	d := openOrSkip(t)
	d.groupCap = [3]int{2, 2, 2}
	devicetest.Run(t, d)
}
