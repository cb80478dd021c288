// Package interpret attributes a classifier's scores to its inputs: which
// input elements, and in which direction, a class score depends on.
//
//   - Saliency: |∂ score / ∂ x|, the magnitude of the gradient of the class
//     score with respect to each input element (Simonyan, Vedaldi and
//     Zisserman, "Deep Inside Convolutional Networks", 2014).
//   - IntegratedGradients: (x − x₀) times the gradient averaged along the
//     straight path from a baseline x₀ to x (Sundararajan, Taly and Yan,
//     "Axiomatic Attribution for Deep Networks", 2017). Its attributions
//     add up to score(x) − score(x₀) (completeness), up to the error of
//     the path integral's midpoint rule.
//   - GradCAM: ReLU(Σₖ αₖ·Aₖ) over the feature maps Aₖ of a convolutional
//     layer, αₖ the mean over positions of ∂ score / ∂ Aₖ (Selvaraju et
//     al., "Grad-CAM: Visual Explanations from Deep Networks via
//     Gradient-based Localization", 2017): where in the image, at the
//     layer's resolution, the evidence for the class lies.
//
// The score of sample i is the model's output [i, class[i]] (a logit for
// nn.CrossEntropyLoss models). Call model.Train(false) first, so that
// dropout and batch statistics do not change the model between calls. The
// functions compute gradients with respect to the input only: the model's
// parameters stop requiring gradients for the call and get no gradients;
// the setting is restored afterwards.
package interpret

import (
	"fmt"
	"slices"

	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/tensor"
)

// Saliency returns |∂ score / ∂ x| for the batch x [N, …]: one score per
// sample, the model's output at [i, class[i]]. The result has x's shape.
func Saliency(m nn.Module, x *tensor.Tensor, class []int) (*tensor.Tensor, error) {
	if err := check(m, x, class); err != nil {
		return nil, fmt.Errorf("interpret.Saliency: %w", err)
	}
	var out *tensor.Tensor
	var err error
	withFrozen(m, func() {
		tensor.Tidy(func(s *tensor.Scope) {
			var g *tensor.Tensor
			if g, err = inputGrad(m, s.Use(x.Detach()), class); err == nil {
				out = g.Abs()
				s.Keep(out)
			}
		})
	})
	if err != nil {
		return nil, fmt.Errorf("interpret.Saliency: %w", err)
	}
	return out, nil
}

// IntegratedGradients returns (x − baseline) · (1/steps) Σₖ ∂score/∂x at
// baseline + ((k − ½)/steps)·(x − baseline), k = 1 … steps, for the batch x
// [N, …] and a baseline of x's shape (for images often all zeros, i.e. the
// dataset mean after normalisation, or a black image). The result has x's
// shape; each sample's attributions sum to about
// score(x) − score(baseline).
func IntegratedGradients(m nn.Module, x, baseline *tensor.Tensor, class []int, steps int) (*tensor.Tensor, error) {
	if err := check(m, x, class); err != nil {
		return nil, fmt.Errorf("interpret.IntegratedGradients: %w", err)
	}
	if baseline == nil || !slices.Equal(baseline.Shape(), x.Shape()) {
		return nil, fmt.Errorf("interpret.IntegratedGradients: baseline shape %v, want the input's %v", shapeOf(baseline), x.Shape())
	}
	if steps < 1 {
		return nil, fmt.Errorf("interpret.IntegratedGradients: steps %d, want at least 1", steps)
	}
	var out *tensor.Tensor
	var err error
	withFrozen(m, func() {
		tensor.Tidy(func(s *tensor.Scope) {
			x0, dx := s.Use(baseline.Detach()), s.Use(x.Detach()).Sub(baseline.Detach())
			var sum *tensor.Tensor
			for k := 1; k <= steps && err == nil; k++ {
				// Each step's graph is released as soon as its gradient
				// is added in.
				s.Tidy(func(ks *tensor.Scope) {
					p := x0.Add(dx.MulScalar((float32(k) - 0.5) / float32(steps)))
					var g *tensor.Tensor
					if g, err = inputGrad(m, p, class); err != nil {
						return
					}
					if sum == nil {
						sum = g
					} else {
						sum = sum.Add(g)
					}
					ks.Keep(sum)
				})
			}
			if err == nil {
				out = sum.Mul(dx).MulScalar(1 / float32(steps))
				s.Keep(out)
			}
		})
	})
	if err != nil {
		return nil, fmt.Errorf("interpret.IntegratedGradients: %w", err)
	}
	return out, nil
}

// GradCAM returns the Grad-CAM maps [N, h, w] of the batch x [N, …] for a
// model split in two: features maps x to feature maps A [N, K, h, w]
// (usually up to the last convolution and its activation) and head maps A
// to the outputs, whose [i, class[i]] is sample i's score. Each map is
// ReLU(Σₖ αₖ·Aₖ) with αₖ the mean of ∂score/∂Aₖ over the h×w positions;
// upsample it to the input's size to overlay it on the image.
func GradCAM(features, head nn.Module, x *tensor.Tensor, class []int) (*tensor.Tensor, error) {
	if err := check(head, x, class); err != nil || features == nil {
		if err == nil {
			err = fmt.Errorf("nil features")
		}
		return nil, fmt.Errorf("interpret.GradCAM: %w", err)
	}
	var out *tensor.Tensor
	var err error
	withFrozen(features, func() {
		withFrozen(head, func() {
			tensor.Tidy(func(s *tensor.Scope) {
				a := features.Forward(s.Use(x.Detach()))
				if a.Dim() != 4 {
					err = fmt.Errorf("features give %v, want feature maps [N, K, h, w]", a.Shape())
					return
				}
				var g *tensor.Tensor
				if g, err = inputGrad(head, a, class); err != nil {
					return
				}
				out = g.MeanKeep(2, 3).Mul(a).Sum(1).Relu()
				s.Keep(out)
			})
		})
	})
	if err != nil {
		return nil, fmt.Errorf("interpret.GradCAM: %w", err)
	}
	return out, nil
}

// Scores returns the model's output at [i, class[i]] for the batch x, as a
// float32 per sample: what Saliency and IntegratedGradients attribute.
func Scores(m nn.Module, x *tensor.Tensor, class []int) ([]float32, error) {
	if err := check(m, x, class); err != nil {
		return nil, fmt.Errorf("interpret.Scores: %w", err)
	}
	var s []float32
	var err error
	tensor.NoGrad(func(ns *tensor.Scope) {
		var sc *tensor.Tensor
		if sc, err = pick(m.Forward(ns.Use(x.Detach())), class, x); err == nil {
			s = sc.Data()
		}
	})
	if err != nil {
		return nil, fmt.Errorf("interpret.Scores: %w", err)
	}
	return s, nil
}

// inputGrad returns ∂(Σᵢ score_i)/∂x at x; the samples do not interact, so
// row i is the gradient of sample i's own score. The result belongs to x's
// scope.
func inputGrad(m nn.Module, x *tensor.Tensor, class []int) (*tensor.Tensor, error) {
	leaf := x.Detach().SetRequiresGrad(true)
	sc, err := pick(m.Forward(leaf), class, x)
	if err != nil {
		return nil, err
	}
	sc.Sum().Backward()
	// A leaf's gradient outlives every scope: copy it into x's and free
	// the leaf's.
	g := tensor.ScopeOf(x).Own(leaf.Grad().Clone())
	leaf.ZeroGrad()
	return g, nil
}

// pick gathers out[i, class[i]] into [N, 1].
func pick(out *tensor.Tensor, class []int, x *tensor.Tensor) (*tensor.Tensor, error) {
	sh := out.Shape()
	if len(sh) != 2 || sh[0] != len(class) {
		return nil, fmt.Errorf("model output %v, want [%d, classes]", sh, len(class))
	}
	idx := make([]int32, len(class))
	for i, c := range class {
		if c < 0 || c >= sh[1] {
			return nil, fmt.Errorf("class[%d] = %d outside the model's %d outputs", i, c, sh[1])
		}
		idx[i] = int32(c)
	}
	return out.Gather(1, tensor.ScopeOf(out).Own(tensor.FromInts(idx, len(idx), 1).To(x.Device()))), nil
}

// check validates the arguments shared by every function; the class
// indices are checked against the model's output in pick.
func check(m nn.Module, x *tensor.Tensor, class []int) error {
	switch {
	case m == nil:
		return fmt.Errorf("nil model")
	case x == nil || len(x.Shape()) < 1:
		return fmt.Errorf("input %v, want a batch [N, …]", shapeOf(x))
	case x.Shape()[0] != len(class):
		return fmt.Errorf("%d classes for a batch of %d: want one class per sample", len(class), x.Shape()[0])
	}
	return nil
}

// withFrozen runs fn with every parameter of m not requiring gradients,
// then restores each one's setting.
func withFrozen(m nn.Module, fn func()) {
	var frozen []*tensor.Tensor
	for _, e := range m.State() {
		if e.Tensor != nil && e.Tensor.RequiresGrad() {
			frozen = append(frozen, e.Tensor)
			e.Tensor.SetRequiresGrad(false)
		}
	}
	defer func() {
		for _, t := range frozen {
			t.SetRequiresGrad(true)
		}
	}()
	fn()
}

func shapeOf(t *tensor.Tensor) any {
	if t == nil {
		return "nil"
	}
	return t.Shape()
}
