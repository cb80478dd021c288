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
