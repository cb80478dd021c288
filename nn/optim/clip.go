package optim

import (
	"fmt"
	"math"

	"github.com/tensorgl/tensorgl/tensor"
)

// ClipGradNorm rescales the gradients of params so that their total 2-norm
// (over all parameters together) is at most maxNorm, and returns the norm
// they had before. As in PyTorch's clip_grad_norm_, gradients are scaled in
// place by maxNorm/(norm+1e-6) when that factor is below 1, and parameters
// without a gradient are skipped (a parameter listed twice counts once). A
// NaN or infinite norm is returned as is and leaves the gradients alone,
// for the caller to notice.
//
// Two kernels whatever the number of parameters: the norm's square in one
// (tensor.SumSquares), then the scaling, with its factor read on the device
// (tensor.ClipScale). Only the one number is read back, for the return
// value.
func ClipGradNorm(params []*tensor.Tensor, maxNorm float32) float32 {
	var norm float32
	// Gradients record nothing; the scope releases the norm's square.
	tensor.Tidy(func(sc *tensor.Scope) {
		if sq, _ := clipGrads(sc, params, maxNorm, false); sq != nil {
			norm = float32(math.Sqrt(float64(sq.Item())))
		}
	})
	return norm
}

// ClipGradNormTensor clips as ClipGradNorm does and returns the norm the
// gradients had as a one-element tensor on their device (0 without
// gradients: on the default device), without waiting for it: on a GPU
// nothing reads back, so the step's kernels stay queued, as with PyTorch's
// clip_grad_norm_. The kernel that sums the squares writes the norm too
// (tensor.SumSquaresNorm): no kernel more than ClipGradNorm. The norm
// belongs to s, which releases it.
func ClipGradNormTensor(s *tensor.Scope, params []*tensor.Tensor, maxNorm float32) *tensor.Tensor {
	_, norm := clipGrads(s, params, maxNorm, true)
	if norm == nil {
		return s.Own(tensor.Zeros())
	}
	return norm
}

// clipGrads scales the gradients of params in place as ClipGradNorm
// describes and returns their norm's square and, withNorm, the norm, in s
// (nil without gradients).
func clipGrads(s *tensor.Scope, params []*tensor.Tensor, maxNorm float32, withNorm bool) (sq, norm *tensor.Tensor) {
	var gs []*tensor.Tensor
	seen := map[*tensor.Tensor]bool{}
	for _, p := range params {
		g := p.Grad()
		if g == nil || seen[p] {
			continue
		}
		seen[p] = true
		// Scaled in place: a gradient that is not a whole contiguous
		// tensor (one set to a view) is replaced by a contiguous copy.
		u := s.Use(g)
		c := u.Contiguous()
		if c != u {
			p.SetGrad(c)
			g.Release()
		}
		gs = append(gs, c)
	}
	if len(gs) == 0 {
		return nil, nil
	}
	if withNorm {
		sq, norm = tensor.SumSquaresNorm(gs...)
	} else {
		sq = tensor.SumSquares(gs...)
	}
	tensor.ClipScale(gs, sq, maxNorm)
	return sq, norm
}

// ClipGradValue clamps every element of the gradients of params to
// [−clip, clip] in place (torch.nn.utils.clip_grad_value_). Parameters
// without a gradient are skipped, as is a parameter listed again. Values
// exactly ±clip stay as they are, and a NaN stays NaN, as with PyTorch's
// clamp. It panics if clip is negative or NaN (PyTorch would set every
// element to −|clip| or NaN); +Inf clips nothing.
//
// Each gradient takes two kernels, the clamp and the copy back into the
// gradient's own storage (a gradient that is a view, not a whole
// contiguous tensor, is replaced by its clamped copy instead, as
// ClipGradNorm does), and nothing is read back.
func ClipGradValue(params []*tensor.Tensor, clip float32) {
	if !(clip >= 0) {
		panic(fmt.Sprintf("optim: ClipGradValue: clip %v, want ≥ 0", clip))
	}
	seen := map[*tensor.Tensor]bool{}
	tensor.Tidy(func(s *tensor.Scope) {
		for _, p := range params {
			g := p.Grad()
			if g == nil || seen[p] {
				continue
			}
			seen[p] = true
			c := s.Use(g).Clamp(-clip, clip)
			if g.IsContiguous() {
				g.CopyFrom(c)
				continue
			}
			p.SetGrad(c)
			g.Release()
		}
	})
}
