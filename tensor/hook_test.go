package tensor

import (
	"slices"
	"testing"
)

// TestPostAccumulateGradHook: a hook sees its leaf's complete gradient
// (both uses of w added up, plus what an earlier Backward left), hooks of
// leaves nearer the output run first, each once per Backward, in the order
// registered, and a removed hook no longer runs.
func TestPostAccumulateGradHook(t *testing.T) {
	x := FromSlice([]float32{1, 2, 3}).SetRequiresGrad(true)
	w := FromSlice([]float32{2, -1, 4}).SetRequiresGrad(true)
	b := Scalar(0.5).SetRequiresGrad(true)
	var order []string
	var seen [][]float32
	rmW := w.RegisterPostAccumulateGradHook(func(l *Tensor) {
		if l != w {
			t.Errorf("w's hook called with another tensor")
		}
		order = append(order, "w")
		seen = append(seen, l.Grad().Data())
	})
	w.RegisterPostAccumulateGradHook(func(*Tensor) { order = append(order, "w2") })
	b.RegisterPostAccumulateGradHook(func(l *Tensor) { order = append(order, "b"); seen = append(seen, l.Grad().Data()) })
	x.RegisterPostAccumulateGradHook(func(*Tensor) { order = append(order, "x") })

	// loss = Σ (x·w)·w + b: w is used twice, so its gradient is the sum of
	// two contributions, x·w + x·w = 2xw.
	loss := func() *Tensor { return x.Mul(w).Mul(w).Sum().Add(b) }
	loss().Backward()
	if want := []string{"b", "w", "w2", "x"}; !slices.Equal(order, want) {
		t.Errorf("hooks ran in the order %v, want %v", order, want)
	}
	if want := [][]float32{{1}, {4, -4, 24}}; len(seen) != 2 || !slices.Equal(seen[0], want[0]) || !slices.Equal(seen[1], want[1]) {
		t.Errorf("hooks saw gradients %v, want %v (b's, then w's complete 2xw)", seen, want)
	}

	order, seen = nil, nil
	rmW()
	rmW() // a second call does nothing
	loss().Backward()
	if want := []string{"b", "w2", "x"}; !slices.Equal(order, want) {
		t.Errorf("after removing w's first hook, hooks ran in the order %v, want %v", order, want)
	}
	// The gradient accumulates over the two Backwards; the hook sees the sum.
	if want := [][]float32{{2}}; len(seen) != 1 || !slices.Equal(seen[0], want[0]) {
		t.Errorf("b's hook saw %v after a second Backward, want %v", seen, want)
	}

	mustPanic(t, "RegisterPostAccumulateGradHook: tensor [3] is the result of Mul, not a leaf", func() {
		x.Mul(w).RegisterPostAccumulateGradHook(func(*Tensor) {})
	})
}
