//go:build amd64 && !purego

package kernels

import "testing"

// TestMaxPool2x2AVX2: the AVX2 kernel (what CPUs without AVX-512 run)
// passes TestMaxPool2x2Vec's checks too, on any CPU with AVX2.
func TestMaxPool2x2AVX2(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2 on this CPU")
	}
	testMaxPool2x2Vec(t, maxPool2x2VecOf(maxPool2x2AVX2))
}

// TestMaxPool2x2BackAVX2 likewise passes TestMaxPool2x2BackVec's checks.
func TestMaxPool2x2BackAVX2(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2 on this CPU")
	}
	testMaxPool2x2BackVec(t, maxPool2x2BackVecOf(maxPool2x2BackAVX2))
}
