package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// composedBatchNorm is BatchNorm written as separate ops (nn.BatchNorm's
// former body), updating the running statistics the same way.
func composedBatchNorm(x, w, b, rm, rv *Tensor, o BatchNormOpts) *Tensor {
	c := x.Size(1)
	dims, bshape := []int{0}, []int{1, c}
	for d := 2; d < x.Dim(); d++ {
		dims, bshape = append(dims, d), append(bshape, 1)
	}
	var y *Tensor
	if o.Training {
		n := x.NumEl() / c
		mean := x.MeanKeep(dims...)
		xc := x.Sub(mean)
		v := xc.Square().MeanKeep(dims...)
		y = xc.Mul(v.AddScalar(o.Eps).Rsqrt())
		if rm != nil {
			m, unbias := o.Momentum, float32(float64(n)/float64(n-1))
			rm.CopyFrom(rm.MulScalar(1 - m).Add(mean.Detach().Reshape(c).MulScalar(m)))
			rv.CopyFrom(rv.MulScalar(1 - m).Add(v.Detach().Reshape(c).MulScalar(m * unbias)))
		}
	} else {
		y = x.Sub(rm.Reshape(bshape...)).Mul(rv.Reshape(bshape...).AddScalar(o.Eps).Rsqrt())
	}
	return y.Mul(w.Reshape(bshape...)).Add(b.Reshape(bshape...))
}

// TestBatchNormMatchesComposed checks BatchNorm's output, running
// statistics and gradients against the separate ops, for BatchNorm1d on
// [N C] and [N C L] and BatchNorm2d, in training and evaluation, with
// channel means far from 0 (where a one-pass variance would cancel).
func TestBatchNormMatchesComposed(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	for _, shape := range [][]int{{4, 3}, {2, 1}, {3, 2, 5}, {2, 3, 4, 3}, {1, 2, 1, 7}} {
		for _, training := range []bool{true, false} {
			for _, center := range []float32{0, 100} {
				for _, residual := range []bool{false, true} {
					// The fused ReLU and residual against BatchNorm, Add
					// and Relu.
					relu := center == 0
					name := fmt.Sprintf("%v/training=%v/center=%g/relu=%v/residual=%v", shape, training, center, relu, residual)
					c := shape[1]
					x0 := input(rng, 0.1, 2, shape...).AddScalar(center).Detach()
					w0, b0 := input(rng, 0.2, 1.5, c), input(rng, 0, 1, c)
					rm0, rv0 := input(rng, 0, 1, c), positive(rng, 0.5, 2, c)
					r0 := input(rng, -1, 1, shape...)
					run := func(fused bool) (out [][]float32) {
						x, w, b := x0.Clone().SetRequiresGrad(true), w0.Clone().SetRequiresGrad(true), b0.Clone().SetRequiresGrad(true)
						r := r0.Clone().SetRequiresGrad(true)
						rm, rv := rm0.Clone(), rv0.Clone()
						o := BatchNormOpts{Training: training, Momentum: 0.1, Eps: 1e-5}
						Tidy(func(s *Scope) {
							var y *Tensor
							if fused {
								o.Relu = relu
								if residual {
									o.Residual = r
								}
								y = BatchNorm(x, w, b, rm, rv, o)
							} else {
								y = composedBatchNorm(x, w, b, rm, rv, o)
								if residual {
									y = y.Add(r)
								}
								if relu {
									y = y.Relu()
								}
							}
							out = append(out, y.Data())
							y.Mul(FromSlice(harmonic(y.NumEl()), y.Shape()...)).Sum().Backward()
						})
						dr := make([]float32, r.NumEl())
						if r.Grad() != nil {
							dr = r.Grad().Data()
						}
						return append(out, rm.Data(), rv.Data(), x.Grad().Data(), w.Grad().Data(), b.Grad().Data(), dr)
					}
					got, want := run(true), run(false)
					for i, what := range []string{"y", "running mean", "running var", "dx", "dweight", "dbias", "dresidual"} {
						if !near(got[i], want[i], 2e-4) {
							t.Errorf("%s: %s = %v, separate ops give %v", name, what, got[i], want[i])
						}
					}
				}
			}
		}
	}
}

func TestBatchNormGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, shape := range [][]int{{5, 3}, {2, 2, 3}, {2, 3, 2, 2}} {
		for _, training := range []bool{true, false} {
			c := shape[1]
			rm, rv := input(rng, 0, 1, c), positive(rng, 0.5, 2, c)
			// The ReLU's kink is no place for finite differences: the fused
			// ReLU is checked against BatchNorm then Relu in
			// TestBatchNormMatchesComposed; the residual is linear.
			o := BatchNormOpts{Training: training, Momentum: 0.1, Eps: 1e-5}
			gradCheck(t, fmt.Sprintf("BatchNorm%v/training=%v", shape, training), func(xs ...*Tensor) *Tensor {
				return BatchNorm(xs[0], xs[1], xs[2], rm, rv, o)
			}, input(rng, 0.2, 1.5, shape...), input(rng, 0.2, 1.5, c), input(rng, 0.2, 1.5, c))
			gradCheck(t, fmt.Sprintf("BatchNorm%v/training=%v/residual", shape, training), func(xs ...*Tensor) *Tensor {
				o := o
				o.Residual = xs[3]
				return BatchNorm(xs[0], xs[1], xs[2], rm, rv, o)
			}, input(rng, 0.2, 1.5, shape...), input(rng, 0.2, 1.5, c), input(rng, 0.2, 1.5, c), input(rng, -1, 1, shape...))
		}
	}
}

// TestBatchNormDispatches pins the kernels of a training step's
// normalisation: statistics and normalise forward, two backward.
func TestBatchNormDispatches(t *testing.T) {
	x := RandN(NewGenerator(1), 4, 3, 5).SetRequiresGrad(true)
	w, b := Ones(3).SetRequiresGrad(true), Zeros(3).SetRequiresGrad(true)
	rm, rv := Zeros(3), Ones(3)
	g := RandN(NewGenerator(2), 4, 3, 5)
	dev := DefaultDevice()
	count := func() int64 {
		if err := dev.Sync(); err != nil {
			t.Fatal(err)
		}
		return dev.Stats().Dispatches
	}
	before := count()
	y := BatchNorm(x, w, b, rm, rv, BatchNormOpts{Training: true, Momentum: 0.1, Eps: 1e-5})
	if n := count() - before; n != 2 {
		t.Errorf("BatchNorm took %d kernels, want 2", n)
	}
	before = count()
	y.Backward(BackwardOpts{Grad: g})
	if n := count() - before; n != 3 {
		t.Errorf("its backward took %d kernels, want 3 (the seed's copy, then two)", n)
	}
}

func TestBatchNormErrors(t *testing.T) {
	w, b := Ones(3), Zeros(3)
	train := BatchNormOpts{Training: true, Eps: 1e-5}
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"rank 1", func() { BatchNorm(Zeros(3), w, b, nil, nil, train) }},
		{"channels", func() { BatchNorm(Zeros(2, 4), w, b, nil, nil, train) }},
		{"one value per channel", func() { BatchNorm(Zeros(1, 3), w, b, nil, nil, train) }},
		{"evaluation without statistics", func() { BatchNorm(Zeros(2, 3), w, b, nil, nil, BatchNormOpts{}) }},
		{"one running statistic", func() { BatchNorm(Zeros(2, 3), w, b, Zeros(3), nil, train) }},
		{"running statistic a view", func() { BatchNorm(Zeros(2, 3), w, b, Zeros(4).Narrow(0, 1, 3), Ones(3), train) }},
		{"residual shape", func() {
			o := train
			o.Residual = Zeros(3, 2)
			BatchNorm(Zeros(2, 3), w, b, nil, nil, o)
		}},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("%s: no panic", c.name)
				} else if _, ok := r.(*ShapeError); !ok {
					t.Errorf("%s: panic %v, want a *ShapeError", c.name, r)
				}
			}()
			c.f()
		}()
	}
}
