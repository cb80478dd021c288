package devicetest

import (
	"math"
	"slices"

	"github.com/tensorgl/tensorgl/device"
)

// reduceShapes are the [Outer, N, Inner] views Reduce is tested on: 1-sized
// axes, odd sizes and one long axis for backends that reduce in a tree.
var reduceShapes = [][3]int{{1, 1, 1}, {3, 7, 5}, {5, 1, 4}, {1, 13, 1}, {4, 33, 1}, {1, 3001, 1}, {2, 129, 3}}

// reduceAxes are reductions over several axes in one call: a conv bias
// gradient (axes 0, 2, 3 of [N K H W]), whole tensors, alternating and
// 1-sized axes, and one with many reduced elements per output.
var reduceAxes = []struct{ shape, axes []int }{
	{[]int{5, 3, 7, 6}, []int{0, 2, 3}},
	{[]int{2, 4, 1, 9}, []int{0, 2, 3}},
	{[]int{3, 5, 40, 41}, []int{0, 1, 2, 3}},
	{[]int{7}, []int{0}},
	{[]int{4, 3, 5, 2, 3}, []int{1, 3}},
	{[]int{6, 1, 5, 7}, []int{0, 1}},
	{[]int{3, 1, 4}, []int{1}},
	{[]int{2, 3, 17, 1, 5}, []int{0, 2, 4}},
	{[]int{1, 9, 1}, []int{0, 2}},
}

func testReduce(t tb, d device.Device) {
	for _, op := range device.ReduceOps() {
		subtest(t, op.String(), func(t tb) {
			r := newRand(t)
			gen := op.Info().Inputs[0]
			for _, s := range reduceShapes {
				p := device.ReduceAxis(op, s[0], s[1], s[2])
				src := draw(r, s[0]*s[1]*s[2], gen)
				checkReduce(t, d, p, src, describe(p))
			}
			for _, c := range reduceAxes {
				p := device.ReduceParams{Op: op, Shape: c.shape, Axes: c.axes}
				src := draw(r, device.NumElements(c.shape), gen)
				checkReduce(t, d, p, src, describe(p))
			}
			if op != device.Sum {
				p := device.ReduceAxis(op, 3, 9, 2)
				src := draw(r, 3*9*2, gen)
				src[4*2+1] = float32(math.NaN()) // row (0, ·, 1)
				src[(2*9+8)*2] = float32(math.NaN())
				checkReduce(t, d, p, src, "NaN propagates: "+describe(p))
				p = device.ReduceParams{Op: op, Shape: []int{3, 4, 5}, Axes: []int{0, 2}}
				src = draw(r, 3*4*5, gen)
				src[(2*4+1)*5+3] = float32(math.NaN()) // output 1
				checkReduce(t, d, p, src, "NaN propagates: "+describe(p))
				p = device.ReduceAxis(op, 3, 7, 1) // whole rows
				src = draw(r, 3*7, gen)
				src[0], src[7+4], src[7+6] = float32(math.NaN()), float32(math.NaN()), float32(math.NaN())
				checkReduce(t, d, p, src, "NaN propagates: "+describe(p))
			}
		})
	}
}

// checkReduce runs one Reduce and compares it with the float64 reference,
// which walks the source in order: each output's reduced elements come in
// row-major order of the reduced axes.
func checkReduce(t tb, d device.Device, p device.ReduceParams, src []float32, what string) {
	t.Helper()
	n, per := p.Len()
	sum, abs, best := make([]float64, n), make([]float64, n), make([]float64, n)
	arg, seen := make([]int32, n), make([]int32, n)
	coord := make([]int, len(p.Shape))
	for off, v := range src {
		rem := off
		for i := len(p.Shape) - 1; i >= 0; i-- {
			coord[i], rem = rem%p.Shape[i], rem/p.Shape[i]
		}
		j := 0
		for i, c := range coord {
			if !slices.Contains(p.Axes, i) {
				j = j*p.Shape[i] + c
			}
		}
		x, k := float64(v), seen[j]
		seen[j]++
		sum[j] += x
		abs[j] += math.Abs(x)
		switch {
		case k == 0:
			best[j] = x
		case math.IsNaN(best[j]):
		case math.IsNaN(x): // the extreme: the first NaN is the arg reductions' index
			best[j], arg[j] = x, k
		case (p.Op == device.Max || p.Op == device.ArgMax) && x > best[j],
			(p.Op == device.Min || p.Op == device.ArgMin) && x < best[j]:
			best[j], arg[j] = x, k
		}
	}
	want, bound := best, make([]float64, n)
	if p.Op == device.Sum {
		want = sum
		for j := range bound {
			bound[j] = tol(p.Op.Info().Tol).Bound(float64(per)*abs[j], 0)
		}
	}
	src0 := upload(t, d, src)
	if p.Op == device.ArgMax || p.Op == device.ArgMin {
		dst := uploadInt(t, d, make([]int32, n))
		d.Reduce(dst, src0, p)
		expectInts(t, what, downloadInt(t, d, dst, n), arg)
		return
	}
	dst := upload(t, d, filled(n, sentinel))
	d.Reduce(dst, src0, p)
	expectClose(t, what, download(t, d, dst, n), want, bound)
}
