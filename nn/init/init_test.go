package nninit

import (
	"math"
	"testing"

	"github.com/tensorgl/tensorgl/tensor"
)

func TestGain(t *testing.T) {
	for _, tc := range []struct {
		nl   Nonlinearity
		a    float64
		want float64
	}{
		{LeakyReLU, 0, math.Sqrt2},
		{LeakyReLU, 0.2, math.Sqrt(2 / 1.04)},
		{LeakyReLU, math.Sqrt(5), math.Sqrt(1.0 / 3)},
		{ReLU, 0, math.Sqrt2},
		{Tanh, 0, 5.0 / 3},
		{Linear, 0, 1},
		{Sigmoid, 0, 1},
	} {
		if got := Gain(tc.nl, tc.a); !(math.Abs(got-tc.want) <= 1e-12) {
			t.Errorf("Gain(%d, %g) = %g, want %g", tc.nl, tc.a, got, tc.want)
		}
	}
}

func TestFans(t *testing.T) {
	if in, out := Fans([]int{16, 6, 5, 5}); in != 150 || out != 400 {
		t.Errorf("conv fans = %d, %d; want 150, 400", in, out)
	}
	if in, out := Fans([]int{10, 84}); in != 84 || out != 10 {
		t.Errorf("linear fans = %d, %d; want 84, 10", in, out)
	}
}

// stats returns the largest magnitude, mean and standard deviation of t.
func stats(t *tensor.Tensor) (maxAbs, mean, std float64) {
	d := t.Data()
	for _, v := range d {
		maxAbs = max(maxAbs, math.Abs(float64(v)))
		mean += float64(v)
	}
	mean /= float64(len(d))
	for _, v := range d {
		std += (float64(v) - mean) * (float64(v) - mean)
	}
	return maxAbs, mean, math.Sqrt(std / float64(len(d)))
}

func TestDistributions(t *testing.T) {
	// [256, 64, 3, 3]: fan_in 576, fan_out 2304, 147456 samples, so the
	// sample std lies within 1% of the target with overwhelming probability.
	shape := []int{256, 64, 3, 3}
	const fanIn, fanOut = 576.0, 2304.0
	for _, tc := range []struct {
		name    string
		fill    func(*tensor.Tensor, *tensor.Generator)
		std     float64
		uniform bool
	}{
		{"kaiming-uniform", func(x *tensor.Tensor, g *tensor.Generator) { KaimingUniform(x, g, KaimingOpts{}) }, math.Sqrt(2 / fanIn), true},
		{"kaiming-uniform-a√5", func(x *tensor.Tensor, g *tensor.Generator) { KaimingUniform(x, g, KaimingOpts{A: math.Sqrt(5)}) }, 1 / math.Sqrt(3*fanIn), true},
		{"kaiming-normal-fanout-relu", func(x *tensor.Tensor, g *tensor.Generator) {
			KaimingNormal(x, g, KaimingOpts{Mode: FanOut, Nonlinearity: ReLU})
		}, math.Sqrt(2 / fanOut), false},
		{"xavier-uniform-tanh", func(x *tensor.Tensor, g *tensor.Generator) { XavierUniform(x, g, Gain(Tanh, 0)) }, 5.0 / 3 * math.Sqrt(2/(fanIn+fanOut)), true},
		{"xavier-normal", func(x *tensor.Tensor, g *tensor.Generator) { XavierNormal(x, g, 1) }, math.Sqrt(2 / (fanIn + fanOut)), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := tensor.Zeros(shape...).SetRequiresGrad(true)
			tc.fill(x, tensor.NewGenerator(1))
			if !x.IsLeaf() {
				t.Fatal("filling recorded an autograd operation")
			}
			maxAbs, mean, std := stats(x)
			if !(math.Abs(std-tc.std) <= 0.01*tc.std) {
				t.Errorf("std %g, want %g", std, tc.std)
			}
			if !(math.Abs(mean) <= 0.01*tc.std) {
				t.Errorf("mean %g, want 0 (std %g)", mean, tc.std)
			}
			bound := math.Sqrt(3) * tc.std
			switch {
			case tc.uniform && (maxAbs > bound || maxAbs < 0.999*bound):
				t.Errorf("uniform samples reach %g, want just under the bound %g", maxAbs, bound)
			case !tc.uniform && maxAbs < 3.5*tc.std:
				t.Errorf("normal samples reach only %g with std %g", maxAbs, tc.std)
			}
		})
	}
}

func TestReproducible(t *testing.T) {
	a, b := tensor.Zeros(8, 8), tensor.Zeros(8, 8)
	KaimingUniform(a, tensor.NewGenerator(7), KaimingOpts{})
	KaimingUniform(b, tensor.NewGenerator(7), KaimingOpts{})
	da, db := a.Data(), b.Data()
	for i := range da {
		if da[i] != db[i] {
			t.Fatalf("same seed, element %d: %g vs %g", i, da[i], db[i])
		}
	}
}
