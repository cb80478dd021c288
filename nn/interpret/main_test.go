package interpret

import (
	"testing"

	"github.com/tensorgl/tensorgl/internal/testdevices"
	"github.com/tensorgl/tensorgl/tensor"
)

// TestMain runs every test of the package on each device (CPU, then GL).
func TestMain(m *testing.M) { testdevices.Main(m, tensor.SetDefaultDevice) }
