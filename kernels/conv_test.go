package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

var convGeoms = []Conv2dGeom{
	{N: 2, C: 1, H: 8, W: 8, K: 3, R: 3, S: 3, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, Groups: 1},
	{N: 3, C: 4, H: 7, W: 9, K: 6, R: 3, S: 2, StrideH: 2, StrideW: 3, PadH: 1, PadW: 2, DilH: 1, DilW: 2, Groups: 2},
	{N: 1, C: 6, H: 5, W: 5, K: 6, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 2, PadW: 1, DilH: 2, DilW: 1, Groups: 6},
	{N: 5, C: 3, H: 4, W: 6, K: 2, R: 1, S: 1, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, Groups: 1},
	{N: 9, C: 2, H: 6, W: 5, K: 4, R: 1, S: 1, StrideH: 2, StrideW: 1, PadH: 1, DilH: 1, DilW: 1, Groups: 1},
	{N: 1, C: 1, H: 1, W: 1, K: 1, R: 1, S: 1, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, Groups: 1},
	// Images share products (Conv2dGeom.batch) in batches of two with a
	// last one of one image, and across the weight gradient's parts.
	{N: 19, C: 6, H: 19, W: 17, K: 4, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 2},
	{N: 7, C: 3, H: 20, W: 21, K: 5, R: 2, S: 3, StrideH: 2, StrideW: 2, PadH: 1, DilH: 1, DilW: 1, Groups: 1},
}

func withOut(g Conv2dGeom) Conv2dGeom {
	g.OH = (g.H+2*g.PadH-g.DilH*(g.R-1)-1)/g.StrideH + 1
	g.OW = (g.W+2*g.PadW-g.DilW*(g.S-1)-1)/g.StrideW + 1
	return g
}

// refConv computes the forward pass and both gradients by the definition,
// in float64: y[n,k,oh,ow] = Σ x[n,c,ih,iw]·w[k,c',r,s].
func refConv(x, w, dy []float32, g Conv2dGeom) (y, dx, dw []float64) {
	cg, kg := g.C/g.Groups, g.K/g.Groups
	y = make([]float64, g.N*g.K*g.OH*g.OW)
	dx = make([]float64, len(x))
	dw = make([]float64, len(w))
	for n := 0; n < g.N; n++ {
		for k := 0; k < g.K; k++ {
			grp := k / kg
			for oh := 0; oh < g.OH; oh++ {
				for ow := 0; ow < g.OW; ow++ {
					o := ((n*g.K+k)*g.OH+oh)*g.OW + ow
					for c := 0; c < cg; c++ {
						for r := 0; r < g.R; r++ {
							for s := 0; s < g.S; s++ {
								ih, iw := oh*g.StrideH-g.PadH+r*g.DilH, ow*g.StrideW-g.PadW+s*g.DilW
								if ih < 0 || ih >= g.H || iw < 0 || iw >= g.W {
									continue
								}
								xi := ((n*g.C+grp*cg+c)*g.H+ih)*g.W + iw
								wi := ((k*cg+c)*g.R+r)*g.S + s
								y[o] += float64(x[xi]) * float64(w[wi])
								dx[xi] += float64(dy[o]) * float64(w[wi])
								dw[wi] += float64(dy[o]) * float64(x[xi])
							}
						}
					}
				}
			}
		}
	}
	return y, dx, dw
}

func TestConv2d(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, g := range convGeoms {
		g = withOut(g)
		x := randSlice(rng, g.N*g.C*g.H*g.W, 1)
		w := randSlice(rng, g.K*g.C/g.Groups*g.R*g.S, 1)
		dy := randSlice(rng, g.N*g.K*g.OH*g.OW, 1)
		wantY, wantDx, wantDw := refConv(x, w, dy, g)
		y, dx, dw := nanSlice(len(wantY)), nanSlice(len(wantDx)), nanSlice(len(wantDw))
		Conv2d(y, x, w, g, nil)
		Conv2dBackwardInput(dx, dy, w, g)
		Conv2dBackwardWeight(dw, x, dy, g)
		for _, c := range []struct {
			name string
			got  []float32
			want []float64
		}{{"y", y, wantY}, {"dx", dx, wantDx}, {"dw", dw, wantDw}} {
			for i, v := range c.want {
				if math.Abs(float64(c.got[i])-v) > 1e-5*(1+math.Abs(v)) {
					t.Fatalf("%+v: %s[%d] = %g, want %g", g, c.name, i, c.got[i], v)
				}
			}
		}
	}
}

// nanSlice returns n NaNs: a kernel that must overwrite its output and
// misses an element leaves a NaN the comparison catches.
func nanSlice(n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(math.NaN())
	}
	return s
}

// TestConv2dDeterministic checks that all three passes give the same bits
// whatever GOMAXPROCS is.
func TestConv2dDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	g := withOut(Conv2dGeom{N: 13, C: 3, H: 12, W: 12, K: 8, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1})
	x := randSlice(rng, g.N*g.C*g.H*g.W, 1)
	w := randSlice(rng, g.K*g.C*g.R*g.S, 1)
	dy := randSlice(rng, g.N*g.K*g.OH*g.OW, 1)
	var want [3][]float32
	for _, procs := range []int{1, 2, 5} {
		got := [3][]float32{make([]float32, len(dy)), make([]float32, len(x)), make([]float32, len(w))}
		withProcs(procs, func() {
			Conv2d(got[0], x, w, g, nil)
			Conv2dBackwardInput(got[1], dy, w, g)
			Conv2dBackwardWeight(got[2], x, dy, g)
		})
		if want[0] == nil {
			want = got
			continue
		}
		for p := range got {
			for i := range got[p] {
				if math.Float32bits(got[p][i]) != math.Float32bits(want[p][i]) {
					t.Fatalf("GOMAXPROCS=%d: pass %d element %d = %g, with 1: %g", procs, p, i, got[p][i], want[p][i])
				}
			}
		}
	}
}
