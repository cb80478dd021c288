//go:build amd64 && !purego

package kernels

import "testing"

// TestCellArithmeticAVX2 runs the LSTM and GRU cells' checks on the AVX2
// kernels where the CPU would pick AVX-512 ones, so that an AVX-512
// machine tests both widths.
func TestCellArithmeticAVX2(t *testing.T) {
	if !hasAVX512 {
		t.Skip("TestLSTMCellArithmetic and TestGRUCellArithmetic run this CPU's AVX2 kernels already")
	}
	hasAVX512 = false
	defer func() { hasAVX512 = true }()
	TestLSTMCellArithmetic(t)
	TestGRUCellArithmetic(t)
}
