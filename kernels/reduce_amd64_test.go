//go:build amd64 && !purego

package kernels

import "testing"

// TestAccAddAVX2: the column accumulation's AVX2 code gives the Go loop's
// bits too, on any CPU with AVX2.
func TestAccAddAVX2(t *testing.T) { asAVX2(t, TestAccAdd) }

// asAVX2 runs test as on a CPU with AVX2 and without AVX-512, for the
// kernels that choose by hasAVX512 at each call; it skips without AVX2.
func asAVX2(t *testing.T, test func(*testing.T)) {
	if !hasAVX2 {
		t.Skip("no AVX2 on this CPU")
	}
	defer func(saved bool) { hasAVX512 = saved }(hasAVX512)
	hasAVX512 = false
	test(t)
}

// TestSumRunsAVX2: the 8-run sums' AVX2 code gives sum64's bits too.
func TestSumRunsAVX2(t *testing.T) { asAVX2(t, TestSumRuns) }
