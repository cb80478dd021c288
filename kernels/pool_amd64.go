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

// maxPool2x2PairsAVX512 pools planes whole planes of 2·oh rows of w =
// 2·ow values, ow ≤ maxPoolPairsOW, two output rows a vector step (see
// poolPairs); indices restart at each plane.
//
//go:noescape
func maxPool2x2PairsAVX512(out *float32, idx *int32, x *float32, planes, oh, w int, p *poolPairs)

// maxPool2x2PairsBackAVX512 is its gradient: it writes every value of
// the planes at dx.
//
//go:noescape
func maxPool2x2PairsBackAVX512(dx, dy *float32, idx *int32, planes, oh, w int, p *poolPairs)

// poolPairs holds the tables of the pairs kernels for one width ow: the
// 32 floats read from a row pair's top row hold that row (w = 2·ow
// floats), its bottom row and the next pair's top row. Lane l of a step
// is window l of the first output row for l < ow, window l − ow of the
// second for ow ≤ l < 2·ow.
type poolPairs struct {
	off      [16]int32 // lane l's window's first value among the 32 floats (and its index less the row's)
	ilo, ihi [16]int32 // float m's (m < 16; 16 + m) lane among a window's left values (l) and right ones (16 + l)
	pairs    uint32    // the floats of a step's two rows among the 32: [0, w) and [2w, 3w)
	single   uint32    // those of a step's one row, [0, w); also a pair's 2·ow = w windows
	one      uint32    // a one-row step's ow windows
}

// newPoolPairs returns the tables for windows ow to a row.
func newPoolPairs(ow int) *poolPairs {
	w := 2 * ow
	p := &poolPairs{pairs: 1<<w - 1 | (1<<w-1)<<(2*w), single: 1<<w - 1, one: 1<<ow - 1}
	for l := range 2 * ow {
		first := 2 * l
		if l >= ow {
			first = 2*w + 2*(l-ow)
		}
		p.off[l] = int32(first)
		for k := range 2 { // the left and right values: positions first and first + 1
			lane := int32(l + 16*k)
			if m := first + k; m < 16 {
				p.ilo[m] = lane
			} else {
				p.ihi[m-16] = lane
			}
		}
	}
	return p
}

// maxPoolPairsOW is the widest output rows the pairs kernels take: the
// floats of two input row pairs' top rows, 3·w, fit the 32 of two vectors.
const maxPoolPairsOW = 5

// poolPairsTabs are the tables for each width up to maxPoolPairsOW.
var poolPairsTabs = func() (t [maxPoolPairsOW + 1]*poolPairs) {
	for ow := 1; ow <= maxPoolPairsOW; ow++ {
		t[ow] = newPoolPairs(ow)
	}
	return t
}()

// maxPool2x2Pairs is max pooling of planes whole planes of 2·oh rows of
// 2·ow values (ow ≤ maxPoolPairsOW) by 2×2 windows at stride 2, two
// output rows a vector step: nil where the CPU has no AVX-512.
var maxPool2x2Pairs = func() func(out []float32, oi []int32, x []float32, planes, oh, ow int) {
	if !cpu.X86.HasAVX512F {
		return nil
	}
	return func(out []float32, oi []int32, x []float32, planes, oh, ow int) {
		n := planes * oh * ow
		if n == 0 {
			return
		}
		// Touch the last value the assembly writes and reads.
		_, _, _ = out[n-1], oi[n-1], x[planes*4*oh*ow-1]
		maxPool2x2PairsAVX512(&out[0], &oi[0], &x[0], planes, oh, 2*ow, poolPairsTabs[ow])
	}
}()

// maxPool2x2PairsBack is maxPool2x2Pairs' gradient: it writes every value
// of the planes of dx.
var maxPool2x2PairsBack = func() func(dx, dy []float32, idx []int32, planes, oh, ow int) {
	if !cpu.X86.HasAVX512F {
		return nil
	}
	return func(dx, dy []float32, idx []int32, planes, oh, ow int) {
		n := planes * oh * ow
		if n == 0 {
			return
		}
		_, _, _ = dy[n-1], idx[n-1], dx[planes*4*oh*ow-1]
		maxPool2x2PairsBackAVX512(&dx[0], &dy[0], &idx[0], planes, oh, 2*ow, poolPairsTabs[ow])
	}
}()
