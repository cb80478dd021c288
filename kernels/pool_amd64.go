//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// maxPool2x2AVX512 writes the maxima of n 2×2 windows at stride 2 of the
// rows r0 (top, plane index i0 at its start) and r1 (bottom, index i1)
// into out and their plane indices into idx, choosing as pick does: 16
// windows a step, a masked step for the rest. It reads 2n values of each row.
//
//go:noescape
func maxPool2x2AVX512(out *float32, idx *int32, r0, r1 *float32, n int, i0, i1 int32)

// maxPool2x2AVX2 is maxPool2x2AVX512 on 8 windows a step, n a positive
// multiple of 8.
//
//go:noescape
func maxPool2x2AVX2(out *float32, idx *int32, r0, r1 *float32, n int, i0, i1 int32)

// maxPool2x2Vec is the vector kernel for 2×2 windows at stride 2, nil
// where the CPU has none.
var maxPool2x2Vec = func() func(out []float32, oi []int32, r0, r1 []float32, i0, i1 int) {
	switch {
	case cpu.X86.HasAVX512F:
		return func(out []float32, oi []int32, r0, r1 []float32, i0, i1 int) {
			n := len(out)
			_, _, _ = oi[n-1], r0[2*n-1], r1[2*n-1]
			maxPool2x2AVX512(&out[0], &oi[0], &r0[0], &r1[0], n, int32(i0), int32(i1))
		}
	case cpu.X86.HasAVX2:
		return maxPool2x2VecAVX2
	}
	return nil
}()

// maxPool2x2VecAVX2 is maxPool2x2Vec in AVX2 code, 8 windows a step; a
// ragged end of fewer goes through the same code on a padded copy.
func maxPool2x2VecAVX2(out []float32, oi []int32, r0, r1 []float32, i0, i1 int) {
	n := len(out)
	full := n &^ 7
	if full > 0 {
		_, _, _ = oi[full-1], r0[2*full-1], r1[2*full-1]
		maxPool2x2AVX2(&out[0], &oi[0], &r0[0], &r1[0], full, int32(i0), int32(i1))
	}
	if rest := n - full; rest > 0 {
		var a, b [16]float32
		var v [8]float32
		var vi [8]int32
		copy(a[:], r0[2*full:2*n])
		copy(b[:], r1[2*full:2*n])
		maxPool2x2AVX2(&v[0], &vi[0], &a[0], &b[0], 8, int32(i0+2*full), int32(i1+2*full))
		copy(out[full:], v[:rest])
		copy(oi[full:n], vi[:rest])
	}
}
