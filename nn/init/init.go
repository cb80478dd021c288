package nninit

import (
	"fmt"
	"math"

	"github.com/tensorgl/tensorgl/tensor"
)

// Nonlinearity names the activation that follows a layer, for Gain. The
// zero value is LeakyReLU because that is PyTorch's default for the Kaiming
// functions.
type Nonlinearity int

const (
	LeakyReLU Nonlinearity = iota // gain √(2/(1+a²)) with negative slope a
	ReLU                          // gain √2
	Tanh                          // gain 5/3
	Linear                        // gain 1 (also for convolutions)
	Sigmoid                       // gain 1
)

// Gain returns PyTorch's calculate_gain for nl; a is the negative slope of
// LeakyReLU and is ignored otherwise.
func Gain(nl Nonlinearity, a float64) float64 {
	switch nl {
	case LeakyReLU:
		return math.Sqrt(2 / (1 + a*a))
	case ReLU:
		return math.Sqrt2
	case Tanh:
		return 5.0 / 3
	case Linear, Sigmoid:
		return 1
	}
	panic(fmt.Sprintf("nninit: unknown nonlinearity %d", nl))
}

// Fans returns fan_in and fan_out of a weight of at least two dimensions:
// [out, in, receptive field...] as PyTorch lays out Linear and Conv weights.
func Fans(shape []int) (fanIn, fanOut int) {
	if len(shape) < 2 {
		panic(&tensor.ShapeError{Op: "nninit.Fans", Msg: fmt.Sprintf("fan in and fan out need at least 2 dimensions, got %v", shape)})
	}
	field := 1
	for _, d := range shape[2:] {
		field *= d
	}
	return shape[1] * field, shape[0] * field
}

// Mode selects which fan the Kaiming functions preserve the variance of.
type Mode int

const (
	FanIn  Mode = iota // the forward pass (PyTorch's default)
	FanOut             // the backward pass
)

// KaimingOpts configures KaimingUniform and KaimingNormal. The zero value
// is PyTorch's default: a = 0, fan_in, leaky_relu (hence gain √2).
type KaimingOpts struct {
	A            float64 // negative slope of a LeakyReLU nonlinearity
	Mode         Mode
	Nonlinearity Nonlinearity
}

func (o KaimingOpts) std(shape []int) float64 {
	fanIn, fanOut := Fans(shape)
	fan := fanIn
	if o.Mode == FanOut {
		fan = fanOut
	}
	return Gain(o.Nonlinearity, o.A) / math.Sqrt(float64(fan))
}

// KaimingUniform fills t with U(−b, b), b = gain·√(3/fan).
func KaimingUniform(t *tensor.Tensor, g *tensor.Generator, o KaimingOpts) {
	b := math.Sqrt(3) * o.std(t.Shape())
	Uniform(t, g, -b, b)
}

// KaimingNormal fills t with N(0, std²), std = gain/√fan.
func KaimingNormal(t *tensor.Tensor, g *tensor.Generator, o KaimingOpts) {
	Normal(t, g, 0, o.std(t.Shape()))
}

// XavierUniform fills t with U(−b, b), b = gain·√(6/(fan_in+fan_out)).
func XavierUniform(t *tensor.Tensor, g *tensor.Generator, gain float64) {
	fanIn, fanOut := Fans(t.Shape())
	b := gain * math.Sqrt(6/float64(fanIn+fanOut))
	Uniform(t, g, -b, b)
}

// XavierNormal fills t with N(0, std²), std = gain·√(2/(fan_in+fan_out)).
func XavierNormal(t *tensor.Tensor, g *tensor.Generator, gain float64) {
	fanIn, fanOut := Fans(t.Shape())
	Normal(t, g, 0, gain*math.Sqrt(2/float64(fanIn+fanOut)))
}

// Uniform fills t with U(lo, hi).
func Uniform(t *tensor.Tensor, g *tensor.Generator, lo, hi float64) {
	fill(t, tensor.Uniform(g, float32(lo), float32(hi), t.Shape()...))
}

// Normal fills t with N(mean, std²).
func Normal(t *tensor.Tensor, g *tensor.Generator, mean, std float64) {
	fill(t, tensor.Normal(g, float32(mean), float32(std), t.Shape()...))
}

// fill copies the samples, drawn on the default device, into t and frees
// them at once rather than leaving them to the enclosing scope.
func fill(t, samples *tensor.Tensor) {
	src := samples.To(t.Device())
	t.CopyFrom(src)
	src.Release()
	samples.Release()
}
