package tensor

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// composedLayerNorm is LayerNorm written as separate ops (nn.LayerNorm's
// former body).
func composedLayerNorm(x *Tensor, normalized []int, w, b *Tensor, eps float32) *Tensor {
	dims := make([]int, len(normalized))
	for i := range dims {
		dims[i] = x.Dim() - len(normalized) + i
	}
	d := x.Sub(x.MeanKeep(dims...))
	y := d.Mul(d.Square().MeanKeep(dims...).AddScalar(eps).Rsqrt())
	if w != nil {
		y = y.Mul(w).Add(b)
	}
	return y
}

// TestLayerNormMatchesComposed checks LayerNorm's output and gradients
// against the separate ops, over one and two trailing dimensions, with and
// without the affine map, with row means far from 0 (where a one-pass
// variance would cancel) and single-value rows.
func TestLayerNormMatchesComposed(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 10))
	for _, c := range []struct{ shape, normalized []int }{
		{[]int{4, 3}, []int{3}}, {[]int{2, 3, 5}, []int{5}}, {[]int{2, 3, 4}, []int{3, 4}}, {[]int{3, 1}, []int{1}}, {[]int{7}, []int{7}},
	} {
		for _, affine := range []bool{true, false} {
			for _, center := range []float32{0, 100} {
				name := fmt.Sprintf("%v/%v/affine=%v/center=%g", c.shape, c.normalized, affine, center)
				x0 := input(rng, 0.1, 2, c.shape...).AddScalar(center).Detach()
				w0, b0 := input(rng, 0.2, 1.5, c.normalized...), input(rng, 0, 1, c.normalized...)
				g0 := input(rng, -1, 1, c.shape...)
				run := func(fused bool) (out [][]float32) {
					x := x0.Clone().SetRequiresGrad(true)
					var w, b *Tensor
					if affine {
						w, b = w0.Clone().SetRequiresGrad(true), b0.Clone().SetRequiresGrad(true)
					}
					Tidy(func(s *Scope) {
						var y *Tensor
						if fused {
							y = LayerNorm(x, c.normalized, w, b, 1e-5)
						} else {
							y = composedLayerNorm(x, c.normalized, w, b, 1e-5)
						}
						out = append(out, y.Data())
						y.Mul(g0).Sum().Backward()
					})
					out = append(out, x.Grad().Data())
					if affine {
						out = append(out, w.Grad().Data(), b.Grad().Data())
					}
					return out
				}
				got, want := run(true), run(false)
				for i, what := range []string{"y", "dx", "dweight", "dbias"}[:len(got)] {
					// The separate ops form the mean of a row of 100s
					// in float32: their dx is off by about 1e-5·100·|g|.
					if !near(got[i], want[i], 2e-4*(1+float64(center))) {
						t.Errorf("%s: %s = %v, separate ops give %v", name, what, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestLayerNormGradients checks LayerNorm's gradients against finite
// differences.
func TestLayerNormGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 12))
	for _, c := range []struct{ shape, normalized []int }{{[]int{3, 5}, []int{5}}, {[]int{2, 2, 3}, []int{2, 3}}} {
		gradCheck(t, fmt.Sprintf("LayerNorm%v/%v", c.shape, c.normalized), func(xs ...*Tensor) *Tensor {
			return LayerNorm(xs[0], c.normalized, xs[1], xs[2], 1e-5)
		}, input(rng, 0.2, 1.5, c.shape...), input(rng, 0.2, 1.5, c.normalized...), input(rng, -1, 1, c.normalized...))
		gradCheck(t, fmt.Sprintf("LayerNorm%v/%v/no affine", c.shape, c.normalized), func(xs ...*Tensor) *Tensor {
			return LayerNorm(xs[0], c.normalized, nil, nil, 1e-5)
		}, input(rng, 0.2, 1.5, c.shape...))
	}
}

// TestLayerNormErrors checks that bad shapes and operands are errors naming
// what was expected and what was found.
func TestLayerNormErrors(t *testing.T) {
	x := Zeros(2, 3)
	mustPanic(t, "LayerNorm: input [2 3] does not end in the normalized shape [4]", func() { LayerNorm(x, []int{4}, nil, nil, 1e-5) })
	mustPanic(t, "LayerNorm: want weight and bias [3], got [2]", func() { LayerNorm(x, []int{3}, Ones(2), Zeros(2), 1e-5) })
}

// TestLayerNormOneAffine: a weight without a bias, or a bias without a
// weight (PyTorch's layer_norm takes either alone), gives the bits of the
// missing one's identity given, and its gradients check against finite
// differences.
func TestLayerNormOneAffine(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	x, w, b := input(r, 0.2, 1.5, 3, 5), input(r, 0.2, 1.5, 5), input(r, -1, 1, 5)
	for _, c := range []struct {
		name           string
		got, identical *Tensor
	}{
		{"weight only", LayerNorm(x, []int{5}, w, nil, 1e-5), LayerNorm(x, []int{5}, w, Zeros(5), 1e-5)},
		{"bias only", LayerNorm(x, []int{5}, nil, b, 1e-5), LayerNorm(x, []int{5}, Ones(5), b, 1e-5)},
	} {
		if got, want := c.got.Data(), c.identical.Data(); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", c.name, got, want)
		}
	}
	gradCheck(t, "LayerNorm/weight only", func(xs ...*Tensor) *Tensor { return LayerNorm(xs[0], []int{5}, xs[1], nil, 1e-5) },
		input(r, 0.2, 1.5, 3, 5), input(r, 0.2, 1.5, 5))
	gradCheck(t, "LayerNorm/bias only", func(xs ...*Tensor) *Tensor { return LayerNorm(xs[0], []int{5}, nil, xs[1], 1e-5) },
		input(r, 0.2, 1.5, 3, 5), input(r, -1, 1, 5))
}
