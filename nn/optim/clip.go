package optim

import (
	"math"

	"github.com/tensorgl/tensorgl/tensor"
)

// ClipGradNorm rescales the gradients of params so that their total 2-norm
// (over all parameters together) is at most maxNorm, and returns the norm
// they had before. As in PyTorch's clip_grad_norm_, gradients are scaled by
// maxNorm/(norm+1e-6) when that factor is below 1, and parameters without a
// gradient are skipped. A NaN or infinite norm is returned as is and leaves
// the gradients alone, for the caller to notice.
//
// The norm is reduced on the device; only the one number is read back.
func ClipGradNorm(params []*tensor.Tensor, maxNorm float32) float32 {
	var norm float32
	// Gradients record nothing; the scope releases the partial sums.
	tensor.Tidy(func(sc *tensor.Scope) {
		var sq *tensor.Tensor
		for _, p := range params {
			if g := p.Grad(); g != nil {
				s := sc.Use(g).Square().Sum()
				if sq != nil {
					s = sq.Add(s)
				}
				sq = s
			}
		}
		if sq == nil {
			return
		}
		norm = sq.Sqrt().Item()
		coef := float64(maxNorm) / (float64(norm) + 1e-6)
		if coef >= 1 || math.IsInf(float64(norm), 0) || math.IsNaN(float64(norm)) {
			return
		}
		for _, p := range params {
			if g := p.Grad(); g != nil {
				p.SetGrad(g.MulScalar(float32(coef)))
				g.Release()
			}
		}
	})
	return norm
}
