package tensor

import (
	"math"
	"slices"
	"sync"

	"github.com/tensorgl/tensorgl/device"
)

// Zeros returns a tensor of zeros on the default device.
func Zeros(shape ...int) *Tensor { return Full(0, shape...) }

// Ones returns a tensor of ones on the default device.
func Ones(shape ...int) *Tensor { return Full(1, shape...) }

// Full returns a tensor filled with v on the default device.
func Full(v float32, shape ...int) *Tensor { return fullOn(nil, DefaultDevice(), v, shape) }

// ZerosLike returns zeros with t's shape on t's device, in t's scope.
func ZerosLike(t *Tensor) *Tensor { return FullLike(t, 0) }

// OnesLike returns ones with t's shape on t's device, in t's scope.
func OnesLike(t *Tensor) *Tensor { return FullLike(t, 1) }

// FullLike returns a tensor filled with v with t's shape on t's device. It
// joins the scope a result computed from t would (see Scope).
func FullLike(t *Tensor, v float32) *Tensor { return fullOn(ScopeOf(t), t.st.dev, v, t.shape) }

func fullOn(sc *Scope, dev device.Device, v float32, shape []int) *Tensor {
	t := newTensor(sc, dev, device.Float32, shape)
	if n := t.NumEl(); n > 0 {
		dev.Fill(t.st.buf, 0, n, v)
	}
	return t
}

// Scalar returns a zero-dimensional tensor holding v.
func Scalar(v float32) *Tensor { return Full(v) }

// FromSlice returns a float32 tensor of the given shape holding a copy of
// data (row-major). With no shape it is one-dimensional.
func FromSlice(data []float32, shape ...int) *Tensor {
	shape = sliceShape("FromSlice", len(data), shape)
	t := newTensor(nil, DefaultDevice(), device.Float32, shape)
	if len(data) > 0 {
		t.st.dev.Write(t.st.buf, data)
	}
	return t
}

// FromInts returns an int32 tensor (labels, indices) holding a copy of data.
func FromInts(data []int32, shape ...int) *Tensor {
	shape = sliceShape("FromInts", len(data), shape)
	t := newTensor(nil, DefaultDevice(), device.Int32, shape)
	if len(data) > 0 {
		t.st.dev.Write(t.st.buf, data)
	}
	t.st.lo, t.st.hi, t.st.known = intRange(data)
	return t
}

func sliceShape(op string, n int, shape []int) []int {
	if len(shape) == 0 {
		return []int{n}
	}
	if device.NumElements(shape) != n {
		fail(op, "%d values do not fill shape %v (%d elements)", n, shape, device.NumElements(shape))
	}
	return shape
}

// Arange returns the one-dimensional tensor start, start+step, … < stop.
func Arange(start, stop, step float32) *Tensor {
	if step == 0 || (stop-start)/step < 0 {
		fail("Arange", "empty or endless range start=%g stop=%g step=%g", start, stop, step)
	}
	n := int(math.Ceil(float64((stop - start) / step)))
	data := make([]float32, n)
	for i := range data {
		data[i] = start + float32(i)*step
	}
	return FromSlice(data)
}

// Generator is a seeded source of random tensors. It draws from the
// devices' counter-based Philox generator, so a given seed yields the same
// numbers on every backend. A Generator is safe for concurrent use.
type Generator struct {
	mu     sync.Mutex
	seed   uint64
	offset uint64
}

// NewGenerator returns a generator seeded with seed.
func NewGenerator(seed uint64) *Generator { return &Generator{seed: seed} }

// Seed returns the generator's seed.
func (g *Generator) Seed() uint64 { return g.seed }

// take reserves n counters.
func (g *Generator) take(n int) uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	off := g.offset
	g.offset += uint64(n)
	return off
}

func (g *Generator) draw(dist device.Distribution, a, b float32, shape []int) *Tensor {
	t := newTensor(nil, DefaultDevice(), device.Float32, slices.Clone(shape))
	if n := t.NumEl(); n > 0 {
		t.st.dev.Random(t.st.buf, device.RandomParams{Dist: dist, A: a, B: b, Seed: g.seed, Offset: g.take(n)})
	}
	return t
}

// Rand returns uniform samples on [0, 1).
func Rand(g *Generator, shape ...int) *Tensor { return g.draw(device.Uniform, 0, 1, shape) }

// Uniform returns uniform samples on [lo, hi).
func Uniform(g *Generator, lo, hi float32, shape ...int) *Tensor {
	return g.draw(device.Uniform, lo, hi, shape)
}

// RandN returns standard normal samples.
func RandN(g *Generator, shape ...int) *Tensor { return g.draw(device.Normal, 0, 1, shape) }

// Normal returns normal samples with the given mean and standard deviation.
func Normal(g *Generator, mean, std float32, shape ...int) *Tensor {
	return g.draw(device.Normal, mean, std, shape)
}

// Bernoulli returns samples that are 1 with probability p, else 0.
func Bernoulli(g *Generator, p float32, shape ...int) *Tensor {
	return g.draw(device.Bernoulli, p, 0, shape)
}

// ScaledBernoulli returns samples that are scale with probability p, else
// 0: Bernoulli's samples times scale, drawn from the same numbers, in one
// kernel (a dropout mask that keeps with probability p and scales by 1/p).
func ScaledBernoulli(g *Generator, p, scale float32, shape ...int) *Tensor {
	return g.draw(device.ScaledBernoulli, p, scale, shape)
}
