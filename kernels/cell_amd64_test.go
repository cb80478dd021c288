//go:build amd64 && !purego

package kernels

import "testing"

// TestLSTMCellArithmeticAVX2 and TestGRUCellArithmeticAVX2: the cells'
// AVX2 code gives the Go loops' bits too, on any CPU with AVX2.
func TestLSTMCellArithmeticAVX2(t *testing.T) { asAVX2(t, TestLSTMCellArithmetic) }

func TestGRUCellArithmeticAVX2(t *testing.T) { asAVX2(t, TestGRUCellArithmetic) }

// TestStride2AVX2: im2col's and col2im's stride-2 rows in AVX2 code set
// and add what the scalar loops would, on any CPU with AVX2.
func TestStride2AVX2(t *testing.T) { asAVX2(t, TestStride2) }
