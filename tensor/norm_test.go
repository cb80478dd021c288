package tensor

import (
	"math"
	"testing"
)

// TestSumSquaresAndClipScale: SumSquares over tensors of any layout (a
// transposed view, an offset slice) against float64; ClipScale in place,
// and its checks.
func TestSumSquaresAndClipScale(t *testing.T) {
	a := FromSlice([]float32{1, -2, 3, 4, 5, 6}, 2, 3)
	b := FromSlice([]float32{0, 7, -8, 9}, 4).Narrow(0, 1, 3) // 7, −8, 9
	sq := SumSquares(a.T(), b)
	if got, want := sq.Item(), float32(1+4+9+16+25+36+49+64+81); got != want {
		t.Errorf("SumSquares = %v, want %v", got, want)
	}
	if len(sq.Shape()) != 0 {
		t.Errorf("SumSquares shape %v, want a scalar", sq.Shape())
	}
	// SumSquaresNorm: the same square, and the norm with Sqrt's bits.
	sq2, norm := SumSquaresNorm(a.T(), b)
	if got, want := sq2.Item(), sq.Item(); got != want {
		t.Errorf("SumSquaresNorm's square = %v, SumSquares' %v", got, want)
	}
	if got, want := norm.Item(), sq.Sqrt().Item(); got != want || len(norm.Shape()) != 0 {
		t.Errorf("SumSquaresNorm's norm = %v %v, want Sqrt's %v, a scalar", got, norm.Shape(), want)
	}

	c := FromSlice([]float32{3, 4}, 2)
	ClipScale([]*Tensor{c}, SumSquares(c), 1) // ‖c‖ = 5: scaled by 1/(5+1e-6)
	for i, v := range []float64{3, 4} {
		if got, want := float64(c.Data()[i]), v/(5+1e-6); !(math.Abs(got-want) <= 1e-6) {
			t.Errorf("clipped [%d] = %v, want %v", i, got, want)
		}
	}
	ClipScale([]*Tensor{c}, FromSlice([]float32{0.25}), 1) // factor 2: left alone
	if got := c.Data()[0]; !(math.Abs(float64(got)-3/(5+1e-6)) <= 1e-6) {
		t.Errorf("a factor above 1 changed the tensor to %v", got)
	}

	mustPanic(t, "must be a whole contiguous tensor", func() { ClipScale([]*Tensor{a.T()}, sq, 1) })
	mustPanic(t, "shares its storage", func() { ClipScale([]*Tensor{c, c}, sq, 1) })
	mustPanic(t, "want one element", func() { ClipScale([]*Tensor{c}, a, 1) })
	mustPanic(t, "no tensors", func() { SumSquares() })
	mustPanic(t, "SumSquaresNorm: no tensors", func() { SumSquaresNorm() })
	mustPanic(t, "want a float32 tensor", func() { SumSquares(FromInts([]int32{1}, 1)) })
}
