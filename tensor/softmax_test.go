package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestCausalSoftmaxMatchesMask checks CausalSoftmax, output and gradient,
// against Softmax(−1) of the scores plus an additive −∞ mask above the
// diagonal, with fewer queries than keys, as many, and more (whose last
// rows take every key), in a batch of blocks: the masked entries are 0
// exactly, the rest within a few rounding errors.
func TestCausalSoftmaxMatchesMask(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, shape := range [][]int{{3, 5}, {2, 4, 4}, {2, 3, 6, 4}, {1, 1}} {
		l, s := shape[len(shape)-2], shape[len(shape)-1]
		x0 := input(rng, 0, 3, shape...)
		g0 := input(rng, 0.5, 2, shape...)
		mask := make([]float32, l*s)
		for i := range l {
			for j := i + 1; j < s; j++ {
				mask[i*s+j] = float32(math.Inf(-1))
			}
		}
		m := FromSlice(mask, l, s).To(x0.Device())
		run := func(fused bool) (y, dx []float32) {
			x := x0.Clone().SetRequiresGrad(true)
			Tidy(func(sc *Scope) {
				var out *Tensor
				if fused {
					out = x.CausalSoftmax()
				} else {
					out = x.Add(sc.Use(m)).Softmax(-1)
				}
				y = out.Data()
				out.Mul(g0).Sum().Backward()
			})
			return y, x.Grad().Data()
		}
		gy, gdx := run(true)
		wy, wdx := run(false)
		name := fmt.Sprint(shape)
		for i := range gy {
			if j, q := i%s, (i/s)%l; j > q && (gy[i] != 0 || gdx[i] != 0) {
				t.Errorf("%s: masked element %d (query %d, key %d) = %g, gradient %g; want 0 and 0", name, i, q, j, gy[i], gdx[i])
			}
		}
		if !near(gy, wy, 1e-6) || !near(gdx, wdx, 1e-5) {
			t.Errorf("%s: CausalSoftmax %v, gradient %v; the masked softmax gives %v and %v", name, gy, gdx, wy, wdx)
		}
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "at least two dimensions") {
			t.Errorf("CausalSoftmax of a vector: recovered %v, want an error naming the two dimensions it needs", r)
		}
	}()
	FromSlice([]float32{1, 2, 3}, 3).CausalSoftmax()
}
