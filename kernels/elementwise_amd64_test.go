//go:build amd64 && !purego

package kernels

import "testing"

// TestElementwiseVectorAVX2 runs TestElementwiseVector's checks on the AVX2
// kernels where the CPU would pick AVX-512 ones, so that an AVX-512
// machine tests both widths.
func TestElementwiseVectorAVX2(t *testing.T) {
	if !hasAVX512 {
		t.Skip("TestElementwiseVector runs this CPU's AVX2 kernels already")
	}
	hasAVX512 = false
	defer func() { hasAVX512 = true }()
	checkElementwiseVector(t)
}
