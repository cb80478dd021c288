package nn

import (
	"fmt"
	"testing"

	"github.com/tensorgl/tensorgl/tensor"
)

// BenchmarkBCEWithLogitsLoss times BCEWithLogitsLoss (mean) forward,
// backward and the loss read back, on n logits with targets in [0, 1].
func BenchmarkBCEWithLogitsLoss(b *testing.B) {
	for _, n := range []int{64, 1 << 20} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			g := tensor.NewGenerator(1)
			r := tensor.RandN(g, n)
			x := r.MulScalar(5).SetRequiresGrad(true)
			y := tensor.Uniform(g, 0, 1, n)
			r.Release()
			defer func() { x.ZeroGrad(); x.Release(); y.Release() }()
			for range 20 {
				tensor.Tidy(func(s *tensor.Scope) { BCEWithLogitsLoss(x, y, ReduceMean).Backward() })
				x.ZeroGrad()
			}
			for b.Loop() {
				tensor.Tidy(func(s *tensor.Scope) {
					l := BCEWithLogitsLoss(x, y, ReduceMean)
					l.Backward()
					l.Item()
				})
				x.ZeroGrad()
			}
		})
	}
}
