//go:build amd64 && !purego

package kernels

import "testing"

// TestElementwiseVectorAVX2 runs TestElementwiseVector's checks on the AVX2
// kernels, so that an AVX-512 machine tests both widths.
func TestElementwiseVectorAVX2(t *testing.T) { asAVX2(t, checkElementwiseVector) }
