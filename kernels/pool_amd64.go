//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// maxPool2x2AVX512 is maxPool2x2Vec's AVX-512 kernel: row j of rows
// takes the n windows at stride 2 of the plane rows at r0 + j·step (plane
// index i0 + j·step at their start) and w floats below, into out[j·n:]
// and idx[j·n:], choosing as pick does: 16 windows a step, a masked step
// for the rest. It reads 2n values of each row.
//
//go:noescape
func maxPool2x2AVX512(out *float32, idx *int32, r0 *float32, n, rows, w, step, i0 int)

// maxPool2x2AVX2 is maxPool2x2AVX512 in AVX2 code, 8 windows a step.
//
//go:noescape
func maxPool2x2AVX2(out *float32, idx *int32, r0 *float32, n, rows, w, step, i0 int)

// maxPool2x2BackAVX512 is maxPool2x2BackVec's AVX-512 kernel: row j of
// rows writes every value of the n windows whose top row is at
// dx + j·step (plane index i0 + j·step at its start) and bottom row w
// floats below: dy[j·n+k] + 0 where idx[j·n+k] is that value's index,
// else 0.
//
//go:noescape
func maxPool2x2BackAVX512(dx, dy *float32, idx *int32, n, rows, w, step, i0 int)

// maxPool2x2BackAVX2 is maxPool2x2BackAVX512 in AVX2 code, 8 windows a
// step.
//
//go:noescape
func maxPool2x2BackAVX2(dx, dy *float32, idx *int32, n, rows, w, step, i0 int)

// maxPool2x2VecOf wraps a forward kernel as maxPool2x2Vec.
func maxPool2x2VecOf(k func(out *float32, idx *int32, r0 *float32, n, rows, w, step, i0 int)) func(out []float32, oi []int32, plane []float32, n, rows, h0, W, sh int) {
	return func(out []float32, oi []int32, plane []float32, n, rows, h0, W, sh int) {
		// Touch the last value the assembly writes and reads.
		_, _, _ = out[rows*n-1], oi[rows*n-1], plane[(h0+(rows-1)*sh+1)*W+2*n-1]
		k(&out[0], &oi[0], &plane[h0*W], n, rows, W, sh*W, h0*W)
	}
}

// maxPool2x2BackVecOf wraps a backward kernel as maxPool2x2BackVec.
func maxPool2x2BackVecOf(k func(dx, dy *float32, idx *int32, n, rows, w, step, i0 int)) func(dx, dy []float32, idx []int32, n, rows, h0, W, sh int) {
	return func(dx, dy []float32, idx []int32, n, rows, h0, W, sh int) {
		// Touch the last value the assembly reads and writes.
		_, _, _ = dy[rows*n-1], idx[rows*n-1], dx[(h0+(rows-1)*sh+1)*W+2*n-1]
		k(&dx[h0*W], &dy[0], &idx[0], n, rows, W, sh*W, h0*W)
	}
}

// maxPool2x2Vec is the vector kernel for 2×2 windows at stride 2 (see
// maxPool2x2Rows), nil where the CPU has none.
var maxPool2x2Vec = func() func(out []float32, oi []int32, plane []float32, n, rows, h0, W, sh int) {
	switch {
	case cpu.X86.HasAVX512F:
		return maxPool2x2VecOf(maxPool2x2AVX512)
	case cpu.X86.HasAVX2:
		return maxPool2x2VecOf(maxPool2x2AVX2)
	}
	return nil
}()

// maxPool2x2BackVec writes, for rows output rows of n 2×2 windows at
// stride 2 (dy and idx hold rows·n), every value of the windows whose top
// rows are the plane rows h0 + j·sh of dx: the window's dy + 0 (as added
// to a cleared dx) at its recorded index, 0 at its other three; nil where
// the CPU has no vector kernel.
var maxPool2x2BackVec = func() func(dx, dy []float32, idx []int32, n, rows, h0, W, sh int) {
	switch {
	case cpu.X86.HasAVX512F:
		return maxPool2x2BackVecOf(maxPool2x2BackAVX512)
	case cpu.X86.HasAVX2:
		return maxPool2x2BackVecOf(maxPool2x2BackAVX2)
	}
	return nil
}()
