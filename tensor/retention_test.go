package tensor

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// Storage created outside every scope is freed once unreachable. These
// tests run a forward outside every scope, collect garbage and allocate
// tensors of the size of what the backward saved (which would take their
// buffers from the pool, were they freed), then check the gradients
// against a run with no collection: an op's backward must keep what it
// saved reachable, not hold bare buffers.

// reuseFreed collects garbage and allocates tensors of n elements, so
// that freed buffers of that size are taken and overwritten; the result
// is kept alive by the caller.
func reuseFreed(n int) []*Tensor {
	var junk []*Tensor
	for range 5 {
		runtime.GC()
		time.Sleep(time.Millisecond) // cleanups run on their own goroutine
		for range 4 {
			junk = append(junk, Full(1e6, n))
		}
	}
	return junk
}

func TestBatchNormBackwardAfterCollection(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 1))
	const c = 3
	x0 := input(rng, -2, 2, 5, c, 2).Detach()
	w0, b0 := input(rng, 0.2, 1.5, c), input(rng, 0, 1, c)
	o := BatchNormOpts{Training: true, Momentum: 0.1, Eps: 1e-5}
	grads := func(collect bool) [][]float32 {
		x, w := x0.Clone().SetRequiresGrad(true), w0.Clone().SetRequiresGrad(true)
		y := BatchNorm(x, w, b0.Clone(), nil, nil, o)
		if collect {
			defer runtime.KeepAlive(reuseFreed(c))
		}
		y.Mul(FromSlice(harmonic(y.NumEl()), y.Shape()...)).Sum().Backward()
		return [][]float32{x.Grad().Data(), w.Grad().Data()}
	}
	want, got := grads(false), grads(true)
	for i, what := range []string{"dx", "dweight"} {
		if !near(got[i], want[i], 0) {
			t.Errorf("%s after a collection = %v, want %v", what, got[i], want[i])
		}
	}
}

// TestCrossEntropyBackwardAfterCollection passes a strided class weight,
// whose contiguous copy only the op holds.
func TestCrossEntropyBackwardAfterCollection(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 2))
	const c = 4
	x0 := input(rng, -2, 2, 3, c).Detach()
	target := FromInts([]int32{2, 0, 3})
	weight := func() *Tensor {
		return FromSlice([]float32{0.5, 9, 2, 9, 1, 9, 3, 9}).Reshape(c, 2).Narrow(1, 0, 1).Reshape(c)
	}
	grad := func(collect bool) []float32 {
		x := x0.Clone().SetRequiresGrad(true)
		loss := CrossEntropy(x, target, CrossEntropyOpts{Weight: weight(), Mean: true})
		if collect {
			defer runtime.KeepAlive(reuseFreed(c))
		}
		loss.Mul(FromSlice(harmonic(3), 3)).Sum().Backward()
		return x.Grad().Data()
	}
	want, got := grad(false), grad(true)
	if !near(got, want, 0) {
		t.Errorf("dlogits after a collection = %v, want %v", got, want)
	}
}
