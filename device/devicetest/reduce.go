package devicetest

import (
	"math"

	"github.com/tensorgl/tensorgl/device"
)

// reduceShapes are the [Outer, N, Inner] views Reduce is tested on: 1-sized
// axes, odd sizes and one long axis for backends that reduce in a tree.
var reduceShapes = [][3]int{{1, 1, 1}, {3, 7, 5}, {5, 1, 4}, {1, 13, 1}, {4, 33, 1}, {1, 3001, 1}, {2, 129, 3}}

func testReduce(t tb, d device.Device) {
	for _, op := range device.ReduceOps() {
		subtest(t, op.String(), func(t tb) {
			r := newRand(t)
			gen := op.Info().Inputs[0]
			for _, s := range reduceShapes {
				p := device.ReduceParams{Op: op, Outer: s[0], N: s[1], Inner: s[2]}
				src := draw(r, s[0]*s[1]*s[2], gen)
				checkReduce(t, d, p, src, describe(p))
			}
			if op == device.Max || op == device.Min {
				p := device.ReduceParams{Op: op, Outer: 3, N: 9, Inner: 2}
				src := draw(r, 3*9*2, gen)
				src[4*2+1] = float32(math.NaN()) // row (0, ·, 1)
				src[(2*9+8)*2] = float32(math.NaN())
				checkReduce(t, d, p, src, "NaN propagates: "+describe(p))
			}
		})
	}
}

// checkReduce runs one Reduce and compares it with the float64 reference.
func checkReduce(t tb, d device.Device, p device.ReduceParams, src []float32, what string) {
	t.Helper()
	n := p.Outer * p.Inner
	want, bound := make([]float64, n), make([]float64, n)
	wantIdx := make([]int32, n)
	for o := range p.Outer {
		for i := range p.Inner {
			sum, abs := 0.0, 0.0
			best, arg := float64(src[o*p.N*p.Inner+i]), 0
			for k := range p.N {
				x := float64(src[(o*p.N+k)*p.Inner+i])
				sum += x
				abs += math.Abs(x)
				switch {
				case math.IsNaN(best):
				case math.IsNaN(x):
					best = x
				case (p.Op == device.Max || p.Op == device.ArgMax) && x > best,
					(p.Op == device.Min || p.Op == device.ArgMin) && x < best:
					best, arg = x, k
				}
			}
			j := o*p.Inner + i
			want[j], wantIdx[j] = best, int32(arg)
			if p.Op == device.Sum {
				want[j], bound[j] = sum, tol(p.Op.Info().Tol).Bound(float64(p.N)*abs, 0)
			}
		}
	}
	src0 := upload(t, d, src)
	if p.Op == device.ArgMax || p.Op == device.ArgMin {
		dst := uploadInt(t, d, make([]int32, n))
		d.Reduce(dst, src0, p)
		expectInts(t, what, downloadInt(t, d, dst, n), wantIdx)
		return
	}
	dst := upload(t, d, filled(n, sentinel))
	d.Reduce(dst, src0, p)
	expectClose(t, what, download(t, d, dst, n), want, bound)
}
