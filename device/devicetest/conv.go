package devicetest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tensorgl/tensorgl/device"
)

// convCases cover stride, padding, dilation, groups (depthwise included),
// 1×1 kernels, asymmetric settings, batch 1, a stride larger than the
// kernel, which leaves input pixels no window touches, and layers wide
// enough for the CPU backend's F(2×2, 3×3).
var convCases = append([]convCase{
	{"basic", conv(2, 3, 7, 6, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1)},
	{"stride", conv(1, 2, 9, 8, 3, 3, 2, 2, 3, 0, 0, 1, 1, 1)},
	{"padding", conv(2, 3, 5, 5, 2, 3, 3, 1, 1, 1, 2, 1, 1, 1)},
	{"dilation", conv(1, 2, 9, 10, 3, 3, 2, 1, 1, 2, 1, 2, 3, 1)},
	{"groups", conv(2, 4, 6, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 2)},
	{"depthwise", conv(2, 3, 7, 7, 3, 3, 3, 2, 2, 1, 1, 1, 1, 3)},
	{"pointwise", conv(3, 5, 4, 3, 7, 1, 1, 1, 1, 0, 0, 1, 1, 1)},
	{"strideGtKernel", conv(1, 2, 7, 7, 2, 1, 2, 3, 3, 0, 0, 1, 1, 1)},
	{"asymmetric", conv(1, 3, 6, 9, 2, 2, 4, 1, 2, 1, 0, 1, 2, 1)},
	{"deep", conv(1, 16, 8, 8, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1)},
	// Enough channels and 2×2 output tiles (128) for F(2×2, 3×3) on the
	// forward and input-gradient passes (the CPU backend's; GL's where it
	// takes that size): odd planes, padding 1, and 2 by 0 (the input
	// gradient's 0 by 2).
	{"winograd", conv(15, 64, 6, 5, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1)},
	{"winogradPad", conv(11, 64, 5, 7, 80, 3, 3, 1, 1, 2, 0, 1, 1, 1)},
	// And for its weight gradient: 1 024 terms in each weight's sum, with
	// 128 channels (C·K = 128², the most it sums in groups of chunks).
	{"winogradWgrad", conv(64, 128, 4, 4, 128, 3, 3, 1, 1, 1, 1, 1, 1, 1)},
	// Odd output planes (5×7, the last tiles cut) with 1 120 terms.
	{"winogradWgradOdd", conv(32, 64, 5, 7, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1)},
}, randomConvCases(rand.New(rand.NewPCG(1, 2)), 8)...)

type convCase struct {
	name string
	p    device.Conv2dParams
}

// epilogueConvCases run convolutions through each fused epilogue, the bias
// by output channel, grouped ones included, and wide enough for F(2×2, 3×3)
// (its output transform applies the epilogue).
var epilogueConvCases = withEpilogues(rand.New(rand.NewPCG(9, 10)),
	conv(2, 3, 7, 6, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1),
	conv(2, 4, 6, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 2),
	conv(3, 5, 4, 3, 7, 1, 1, 1, 1, 0, 0, 1, 1, 1),
	conv(2, 1, 12, 12, 6, 5, 5, 1, 1, 2, 2, 1, 1, 1),
	conv(9, 64, 5, 7, 64, 3, 3, 1, 1, 1, 2, 1, 1, 1))

// withEpilogues returns 20 cases, the convolutions of base in turn with
// the random epilogues drawn from r.
func withEpilogues(r *rand.Rand, base ...device.Conv2dParams) []epilogueConvCase {
	var cases []epilogueConvCase
	for i, e := range randomEpilogues(r, 20) {
		cases = append(cases, epilogueConvCase{convCase{fmt.Sprintf("epilogue%d", i), base[i%len(base)]}, e})
	}
	return cases
}

// epilogueConvCase is a forward convolution with a fused epilogue.
type epilogueConvCase struct {
	convCase
	e epilogueCase
}

// epilogueBackwardInputCases run input gradients through each fused
// epilogue, the bias by input channel: strided (a sum scattered back),
// grouped, pointwise, and wide enough for F(2×2, 3×3) (the CPU backend's, and
// GL's where it takes that size).
var epilogueBackwardInputCases = withEpilogues(rand.New(rand.NewPCG(11, 12)),
	conv(2, 3, 7, 6, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1),
	conv(2, 4, 6, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 2),
	conv(3, 5, 4, 3, 7, 1, 1, 1, 1, 0, 0, 1, 1, 1),
	conv(15, 64, 6, 5, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1),
	conv(2, 6, 9, 9, 5, 1, 1, 2, 2, 0, 0, 1, 1, 1))

// plainThen returns convCases without an epilogue, then with.
func plainThen(with []epilogueConvCase) []epilogueConvCase {
	var cs []epilogueConvCase
	for _, c := range convCases {
		cs = append(cs, epilogueConvCase{convCase: c})
	}
	return append(cs, with...)
}

// randomConvCases draws n convolutions with every setting random.
func randomConvCases(r *rand.Rand, n int) []convCase {
	var cases []convCase
	for len(cases) < n {
		g := 1 + r.IntN(3)
		rr, s := 1+r.IntN(3), 1+r.IntN(3)
		p := conv(1+r.IntN(2), g*(1+r.IntN(3)), 1+r.IntN(9), 1+r.IntN(9), g*(1+r.IntN(3)), rr, s,
			1+r.IntN(3), 1+r.IntN(3), r.IntN(rr), r.IntN(s), 1+r.IntN(2), 1+r.IntN(2), g)
		if p.OutH() >= 1 && p.OutW() >= 1 {
			cases = append(cases, convCase{fmt.Sprintf("random%d", len(cases)), p})
		}
	}
	return cases
}

func conv(n, c, h, w, k, r, s, strideH, strideW, padH, padW, dilH, dilW, groups int) device.Conv2dParams {
	return device.Conv2dParams{N: n, C: c, H: h, W: w, K: k, R: r, S: s, StrideH: strideH, StrideW: strideW,
		PadH: padH, PadW: padW, DilH: dilH, DilW: dilW, Groups: groups}
}

// ConvTaps calls fn with the indices into Y, X and Wt of every product
// Y[n,k,oh,ow] += X[n,c,ih,iw]·Wt[k,c',r,s] of the convolution: the one
// definition from which the forward and both backward references follow.
func ConvTaps(p device.Conv2dParams, fn func(yi, xi, wi int)) {
	oh, ow := p.OutH(), p.OutW()
	kg, cg := p.K/p.Groups, p.C/p.Groups
	for n := range p.N {
		for k := range p.K {
			g := k / kg
			for y := range oh {
				for x := range ow {
					yi := ((n*p.K+k)*oh+y)*ow + x
					for cc := range cg {
						c := g*cg + cc
						for r := range p.R {
							ih := y*p.StrideH - p.PadH + r*p.DilH
							if ih < 0 || ih >= p.H {
								continue
							}
							for s := range p.S {
								iw := x*p.StrideW - p.PadW + s*p.DilW
								if iw < 0 || iw >= p.W {
									continue
								}
								fn(yi, ((n*p.C+c)*p.H+ih)*p.W+iw, ((k*cg+cc)*p.R+r)*p.S+s)
							}
						}
					}
				}
			}
		}
	}
}

// convSizes returns the element counts of X, Wt and Y.
func convSizes(p device.Conv2dParams) (nx, nw, ny int) {
	return p.N * p.C * p.H * p.W, p.K * (p.C / p.Groups) * p.R * p.S, p.N * p.K * p.OutH() * p.OutW()
}

func testConv2d(t tb, d device.Device) {
	for _, c := range plainThen(epilogueConvCases) {
		subtest(t, c.name, func(t tb) {
			r := newRand(t)
			nx, nw, ny := convSizes(c.p)
			x, w := draw(r, nx, device.Mostly(device.Between(-1, 1), device.Wide(3))), draw(r, nw, device.Between(-1, 1))
			acc := newAccumulator(ny)
			ConvTaps(c.p, func(yi, xi, wi int) { acc.add(yi, float64(x[xi])*float64(w[wi])) })
			want, bound := acc.sum, acc.bounds(1)
			e, h := c.e.make(t, d, r, c.p.K, ny)
			plane := c.p.OutH() * c.p.OutW()
			for i := range want {
				want[i], bound[i] = c.e.apply(want[i], bound[i], h, i, i/plane%c.p.K)
			}
			y := upload(t, d, filled(ny, float32(math.NaN())))
			d.Conv2d(y, upload(t, d, x), upload(t, d, w), e, c.p)
			expectClose(t, describe(c.p)+" "+c.e.String(), download(t, d, y, ny), want, bound)
		})
	}
}

func testConv2dBackwardInput(t tb, d device.Device) {
	for _, c := range plainThen(epilogueBackwardInputCases) {
		subtest(t, c.name, func(t tb) {
			r := newRand(t)
			nx, nw, ny := convSizes(c.p)
			dy, w := draw(r, ny, device.Mostly(device.Between(-1, 1), device.Wide(3))), draw(r, nw, device.Between(-1, 1))
			acc := newAccumulator(nx)
			ConvTaps(c.p, func(yi, xi, wi int) { acc.add(xi, float64(dy[yi])*float64(w[wi])) })
			want, bound := acc.sum, acc.bounds(1)
			e, h := c.e.make(t, d, r, c.p.C, nx)
			plane := c.p.H * c.p.W
			for i := range want {
				want[i], bound[i] = c.e.apply(want[i], bound[i], h, i, i/plane%c.p.C)
			}
			dx := upload(t, d, filled(nx, float32(math.NaN()))) // overwritten, not accumulated
			d.Conv2dBackwardInput(dx, upload(t, d, dy), upload(t, d, w), e, c.p)
			expectClose(t, describe(c.p)+" "+c.e.String(), download(t, d, dx, nx), want, bound)
		})
	}
}

func testConv2dBackwardWeight(t tb, d device.Device) {
	for _, c := range convCases {
		subtest(t, c.name, func(t tb) {
			r := newRand(t)
			nx, nw, ny := convSizes(c.p)
			x, dy := draw(r, nx, device.Mostly(device.Between(-1, 1), device.Wide(3))), draw(r, ny, device.Between(-1, 1))
			acc := newAccumulator(nw)
			ConvTaps(c.p, func(yi, xi, wi int) { acc.add(wi, float64(x[xi])*float64(dy[yi])) })
			bias := newAccumulator(c.p.K) // each filter's sum of dy
			plane := c.p.OutH() * c.p.OutW()
			for i, v := range dy {
				bias.add(i/plane%c.p.K, float64(v))
			}
			xb, dyb := upload(t, d, x), upload(t, d, dy)
			dw := upload(t, d, filled(nw, float32(math.NaN()))) // overwritten, not accumulated
			db := upload(t, d, filled(c.p.K, float32(math.NaN())))
			d.Conv2dBackwardWeight(dw, db, xb, dyb, c.p)
			got := download(t, d, dw, nw)
			expectClose(t, describe(c.p), got, acc.sum, acc.bounds(1))
			expectClose(t, describe(c.p)+" bias", download(t, d, db, c.p.K), bias.sum, bias.bounds(0))
			// Without the bias gradient, the same weight gradient.
			d.Conv2dBackwardWeight(dw, nil, xb, dyb, c.p)
			for i, v := range download(t, d, dw, nw) {
				if math.Float32bits(v) != math.Float32bits(got[i]) {
					t.Errorf("%s: dw[%d] = %v without the bias gradient, %v with it", describe(c.p), i, v, got[i])
					break
				}
			}
		})
	}
}
