//go:build !cgo || nogl

package gl

import (
	"fmt"

	"github.com/tensorgl/tensorgl/device"
)

func init() {
	device.Register("gl", func() (device.Device, error) {
		return nil, fmt.Errorf("gl: %w: %s", device.ErrUnavailable, why)
	})
}
