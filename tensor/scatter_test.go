package tensor

import (
	"math/rand/v2"
	"testing"
)

// TestScatterWithoutFill: the gradients that scatter into zeros (an
// embedding's, IndexSelect's; max's) and OneHot write their zeros in the
// scatter's kernel (GatherParams.Overwrite), with the values of a host
// reference: IndexSelect's backward is one kernel, OneHot two (the ones
// it scatters, and the scatter); Max's gradient through one.
func TestScatterWithoutFill(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	w := input(rng, -1, 1, 7, 3).SetRequiresGrad(true)
	ids := []int32{4, 0, 4, 6, 4}
	idx := FromInts(ids)
	y := w.IndexSelect(0, idx)
	g := input(rng, -1, 1, 5, 3)
	// Backward copies the gradient it is given, then the scatter.
	if k := kernelsIn(t, func() { y.Backward(BackwardOpts{Grad: g}) }); k != 2 {
		t.Errorf("IndexSelect's gradient: %d kernels, want 2 (the given gradient's copy, the scatter)", k)
	}
	gw := w.Grad()
	want := make([]float32, 7*3)
	gd := g.Data()
	for j, r := range ids {
		for i := range 3 {
			want[int(r)*3+i] += gd[j*3+i]
		}
	}
	sameBits(t, "IndexSelect's gradient", "summed on the host in order", [][]float32{gw.Data()}, [][]float32{want})

	var oh *Tensor
	if k := kernelsIn(t, func() { oh = OneHot(idx, 8) }); k != 2 {
		t.Errorf("OneHot: %d kernels, want 2", k)
	}
	for j, v := range oh.Data() {
		if want := float32(0); int32(j%8) == ids[j/8] {
			if v != 1 {
				t.Fatalf("OneHot[%d] = %v, want 1", j, v)
			}
		} else if v != want {
			t.Fatalf("OneHot[%d] = %v, want 0", j, v)
		}
	}
	gradCheck(t, "Max/dim through a scatter into zeros", func(xs ...*Tensor) *Tensor { return xs[0].Max(1) },
		FromSlice([]float32{1, 5, 2, 9, -3, 4, 0.5, 7, 3}, 3, 3))
}
