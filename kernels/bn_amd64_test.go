//go:build amd64 && !purego

package kernels

import "testing"

// TestBatchNormReduceAVX2: the AVX2 sums (what CPUs without AVX-512 run)
// give bnReduceGo's bits too, whole rows of vectors and ragged ends, with
// and without a ReLU's output, on any CPU with AVX2.
func TestBatchNormReduceAVX2(t *testing.T) { asAVX2(t, TestBatchNormReduce) }

// TestBatchNormPassesAVX2: the element-wise passes' AVX2 code (what CPUs
// without AVX-512 run) gives the Go loops' bits too, on any CPU with AVX2.
func TestBatchNormPassesAVX2(t *testing.T) { asAVX2(t, TestBatchNormPasses) }

// TestBatchNormMomentsAVX2: the AVX2 one-pass sums (what CPUs without
// AVX-512 run) give bnMomentsGo's bits too, on any CPU with AVX2.
func TestBatchNormMomentsAVX2(t *testing.T) { asAVX2(t, TestBatchNormMoments) }

// TestBatchNormRowsAVX2: the AVX2 rows kernels (what CPUs without AVX-512
// run) give the Go loops' bits too, on any CPU with AVX2.
func TestBatchNormRowsAVX2(t *testing.T) { asAVX2(t, TestBatchNormRows) }
