//go:build cgo && !nogl

package gl

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

// TestEGLDeviceNumbers opens every device of the EGL device platform by
// number, directly and as "gl:N", spreads local ranks over them, and checks
// the error for a number past the last. Mesa exposes its software device
// (llvmpipe) there, so a machine without a GPU still enumerates one.
func TestEGLDeviceNumbers(t *testing.T) {
	devs, hw, err := eglDevices()
	if err == nil && len(devs) == 0 {
		err = errors.New("the EGL device platform lists no device")
	}
	if err != nil {
		if os.Getenv("TENSORGL_REQUIRE_GL") == "" {
			t.Skipf("no EGL device enumeration here: %v", err)
		}
		t.Fatal(err)
	}
	n, err := CountDevices()
	if err != nil || n < 1 || (hw > 0 && n != hw) || (hw == 0 && n != len(devs)) {
		t.Fatalf("CountDevices = %d, %v; %d devices, %d of them hardware", n, err, len(devs), hw)
	}
	t.Logf("%d EGL device(s), %d hardware; local ranks spread over %d", len(devs), hw, n)
	for i := range devs {
		for _, how := range []string{"OpenIndex", "Open"} {
			var d device.Device
			if how == "OpenIndex" {
				d, err = OpenIndex(i)
			} else {
				d, err = device.Open(fmt.Sprintf("gl:%d", i))
			}
			if err != nil {
				t.Fatalf("%s gl:%d: %v", how, i, err)
			}
			ctx := d.(*Device).Context()
			if want := fmt.Sprintf("EGL device %d of %d", i, len(devs)); !strings.HasPrefix(ctx, want) {
				t.Errorf("%s gl:%d made context %q, want %q…", how, i, ctx, want)
			}
			t.Logf("gl:%d: %s (%s)", i, ctx, d.Info().Renderer)
			d.Close()
		}
	}
	for local := range 2*n + 1 {
		d, err := device.OpenLocal("gl", local)
		if err != nil {
			t.Fatalf("OpenLocal(gl, %d): %v", local, err)
		}
		if want := fmt.Sprintf("EGL device %d of", local%n); !strings.HasPrefix(d.(*Device).Context(), want) {
			t.Errorf("local rank %d got %q, want %q…", local, d.(*Device).Context(), want)
		}
		d.Close()
	}
	_, err = device.Open(fmt.Sprintf("gl:%d", len(devs)))
	if want := fmt.Sprintf("no such EGL device: the EGL device platform lists %d", len(devs)); err == nil ||
		!strings.Contains(err.Error(), want) || !errors.Is(err, device.ErrUnavailable) {
		t.Errorf("gl:%d: got %v, want ErrUnavailable and %q", len(devs), err, want)
	}
}
