package devicetest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tensorgl/tensorgl/device"
)

// poolCases cover non-overlapping, overlapping and padded windows, sizes the
// stride does not divide, rectangular windows and a global pool.
var poolCases = append([]poolCase{
	{"2x2", pool(2, 3, 6, 8, 2, 2, 2, 2, 0, 0)},
	{"3x3s2pad1", pool(1, 2, 7, 9, 3, 3, 2, 2, 1, 1)},
	{"overlap", pool(1, 3, 5, 6, 3, 3, 1, 1, 0, 0)},
	{"ragged", pool(2, 1, 7, 5, 2, 3, 2, 2, 1, 1)},
	{"rect", pool(1, 2, 4, 9, 1, 3, 1, 3, 0, 1)},
	{"global", pool(3, 4, 5, 5, 5, 5, 1, 1, 0, 0)},
	// Dilated windows, max pooling only (PyTorch does not dilate average
	// pooling): taps 2 and 3 apart, with padding and strides.
	{"dilated", dilated(pool(1, 2, 9, 8, 3, 2, 1, 2, 1, 1), 2, 3)},
	{"dilatedS2", dilated(pool(2, 1, 10, 11, 2, 3, 2, 1, 0, 1), 3, 2)},
	// Windows whose taps all fall in the padding (rows −1 and 1 of a
	// one-row plane, rows −2 and 1 of a two-row one): −∞, index −1, and
	// no gradient to any input.
	{"dilatedPadOnly", dilated(pool(1, 1, 1, 2, 2, 1, 1, 1, 1, 0), 2, 1)},
	{"dilatedPadOnlyS3", dilated(pool(2, 1, 2, 3, 2, 2, 1, 1, 1, 1), 3, 2)},
}, randomPoolCases(rand.New(rand.NewPCG(3, 4)), 6)...)

func dilated(p device.Pool2dParams, dh, dw int) device.Pool2dParams {
	p.DilH, p.DilW = dh, dw
	return p
}

// runs reports whether mode m runs case p: average pooling is not dilated.
func runs(mode device.PoolMode, p device.Pool2dParams) bool {
	dh, dw := p.Dilation()
	return mode == device.MaxPool || dh == 1 && dw == 1
}

type poolCase struct {
	name string
	p    device.Pool2dParams
}

// randomPoolCases draws n poolings with every setting random (padding at
// most half the window, as PyTorch requires).
func randomPoolCases(r *rand.Rand, n int) []poolCase {
	var cases []poolCase
	for len(cases) < n {
		kh, kw := 1+r.IntN(3), 1+r.IntN(3)
		p := pool(1+r.IntN(2), 1+r.IntN(3), 1+r.IntN(9), 1+r.IntN(9), kh, kw, 1+r.IntN(3), 1+r.IntN(3), r.IntN(kh/2+1), r.IntN(kw/2+1))
		if p.OutH() >= 1 && p.OutW() >= 1 {
			cases = append(cases, poolCase{fmt.Sprintf("random%d", len(cases)), p})
		}
	}
	return cases
}

func pool(n, c, h, w, kh, kw, strideH, strideW, padH, padW int) device.Pool2dParams {
	return device.Pool2dParams{N: n, C: c, H: h, W: w, KH: kh, KW: kw, StrideH: strideH, StrideW: strideW, PadH: padH, PadW: padW}
}

// poolModes are the pooling variants each case runs in.
var poolModes = []struct {
	name       string
	mode       device.PoolMode
	includePad bool
}{
	{"max", device.MaxPool, false},
	{"avg", device.AvgPool, false},
	{"avgIncludePad", device.AvgPool, true},
}

// poolWindows calls fn for each output element yi (row-major over
// [N, C, OutH, OutW]) with its window: the plane's offset in X, the in-plane
// indices h·W+w of the in-bounds inputs, and the divisor of average pooling.
func poolWindows(p device.Pool2dParams, fn func(yi, plane int, in []int, divisor int)) {
	oh, ow := p.OutH(), p.OutW()
	dh, dw := p.Dilation()
	var in []int
	for nc := range p.N * p.C {
		for y := range oh {
			for x := range ow {
				in = in[:0]
				for i := range p.KH {
					for j := range p.KW {
						h, w := y*p.StrideH-p.PadH+i*dh, x*p.StrideW-p.PadW+j*dw
						if h >= 0 && h < p.H && w >= 0 && w < p.W {
							in = append(in, h*p.W+w)
						}
					}
				}
				divisor := len(in)
				if p.CountIncludePad {
					divisor = p.KH * p.KW
				}
				fn((nc*oh+y)*ow+x, nc*p.H*p.W, in, divisor)
			}
		}
	}
}

// distinct returns n distinct values in random order, all negative when
// negative is set (so that a padding of 0 instead of −∞ would win a max).
func distinct(r *rand.Rand, n int, negative bool) []float32 {
	v := make([]float32, n)
	for i, k := range r.Perm(n) {
		if negative {
			v[i] = -0.5 * float32(k+1)
		} else {
			v[i] = 0.37 * float32(k-n/2)
		}
	}
	return v
}

func testPool2d(t tb, d device.Device) {
	for _, m := range poolModes {
		for ci, c := range poolCases {
			if !runs(m.mode, c.p) {
				continue
			}
			subtest(t, m.name+"/"+c.name, func(t tb) {
				r := newRand(t)
				p := c.p
				p.Mode, p.CountIncludePad = m.mode, m.includePad
				nx, ny := p.N*p.C*p.H*p.W, p.N*p.C*p.OutH()*p.OutW()
				x := distinct(r, nx, ci%2 == 1)
				want, bound := make([]float64, ny), make([]float64, ny)
				wantIdx := make([]int32, ny)
				poolWindows(p, func(yi, plane int, in []int, divisor int) {
					best, arg, sum, abs := math.Inf(-1), -1, 0.0, 0.0
					for _, i := range in {
						v := float64(x[plane+i])
						if v > best {
							best, arg = v, i
						}
						sum += v
						abs += math.Abs(v)
					}
					if m.mode == device.MaxPool {
						want[yi], wantIdx[yi] = best, int32(arg)
						return
					}
					want[yi] = sum / float64(divisor)
					bound[yi] = tol("accumulate").Bound(float64(len(in)+3)*abs/float64(divisor), 0)
				})
				y := upload(t, d, filled(ny, float32(math.NaN())))
				var idx device.Buffer
				if m.mode == device.MaxPool {
					idx = uploadInt(t, d, make([]int32, ny))
				}
				d.Pool2d(y, idx, upload(t, d, x), p)
				expectClose(t, describe(p), download(t, d, y, ny), want, bound)
				if idx != nil {
					expectInts(t, "argmax indices (h·W+w) of "+describe(p), downloadInt(t, d, idx, ny), wantIdx)
				}
			})
		}
	}
}

func testPool2dBackward(t tb, d device.Device) {
	for _, m := range poolModes {
		for _, c := range poolCases {
			if !runs(m.mode, c.p) {
				continue
			}
			subtest(t, m.name+"/"+c.name, func(t tb) {
				r := newRand(t)
				p := c.p
				p.Mode, p.CountIncludePad = m.mode, m.includePad
				nx, ny := p.N*p.C*p.H*p.W, p.N*p.C*p.OutH()*p.OutW()
				x := distinct(r, nx, false)
				dy := draw(r, ny, device.Mostly(device.Between(-1, 1), device.Wide(3)))
				idx := make([]int32, ny)
				acc := newAccumulator(nx)
				poolWindows(p, func(yi, plane int, in []int, divisor int) {
					if m.mode == device.AvgPool {
						for _, i := range in {
							acc.add(plane+i, float64(dy[yi])/float64(divisor))
						}
						return
					}
					if len(in) == 0 { // a window wholly in the padding: index −1, no gradient
						idx[yi] = -1
						return
					}
					arg := in[0]
					for _, i := range in {
						if x[plane+i] > x[plane+arg] {
							arg = i
						}
					}
					idx[yi] = int32(arg)
					acc.add(plane+arg, float64(dy[yi]))
				})
				var idxBuf device.Buffer
				if m.mode == device.MaxPool {
					idxBuf = uploadInt(t, d, idx)
				}
				dx := upload(t, d, filled(nx, float32(math.NaN()))) // overwritten, not accumulated
				d.Pool2dBackward(dx, upload(t, d, dy), idxBuf, p)
				// Average pooling divides each term (a 2.5-ULP division in GLSL).
				expectClose(t, describe(p), download(t, d, dx, nx), acc.sum, acc.bounds(3))
			})
		}
	}
}
