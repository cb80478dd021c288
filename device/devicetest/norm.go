package devicetest

import (
	"math"
	"math/rand/v2"

	"github.com/tensorgl/tensorgl/device"
)

// normCases are the tensor lists of the gradient-norm tests: one element;
// odd sizes around the partial sums' lengths (a GL work group squares 4096
// elements, a CPU chunk 16384), more tensors than one dispatch binds, and
// values spanning decades.
var normCases = []struct {
	name  string
	sizes []int
	dom   device.Domain
}{
	{"one", []int{1}, device.Between(-1, 1)},
	{"odd", []int{3, 4097, 1, 16385, 255}, device.Mostly(device.Between(-1, 1), device.Wide(3))},
	{"many", manySizes(), device.Between(-2, 2)},
	{"long", []int{70001}, device.Mostly(device.Between(-1e-3, 1e-3), device.Wide(6))},
}

// manySizes are 40 tensor sizes, more than any backend binds in one
// dispatch (GL at most 32): Fibonacci's to 377, then 7·i + 1.
func manySizes() []int {
	s := []int{1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377}
	for i := len(s); i < 40; i++ {
		s = append(s, 7*i+1)
	}
	return s
}

// normSpans uploads each tensor of sizes drawn from dom, followed by
// optimTail sentinels, and returns the spans with their values.
func normSpans(t tb, d device.Device, r *rand.Rand, sizes []int, dom device.Domain) ([]device.Span, [][]float32) {
	spans, vals := make([]device.Span, len(sizes)), make([][]float32, len(sizes))
	for i, n := range sizes {
		vals[i] = draw(r, n, dom)
		spans[i] = device.Span{Buf: upload(t, d, append(append([]float32(nil), vals[i]...), filled(optimTail, sentinel)...)), N: n}
	}
	return spans, vals
}

// sumSquares64 returns Σ x² over vals in float64 and the bound on a float32
// sum of its terms in any order.
func sumSquares64(vals [][]float32) (sum, bound float64) {
	n := 0
	for _, v := range vals {
		for _, x := range v {
			sum += f64(x) * f64(x)
		}
		n += len(v)
	}
	return sum, tol("accumulate").Bound(float64(n+2)*sum, 0)
}

// testSumSquares checks the sum (and, where asked for, the norm, except
// in the first case) of every case, and that the norm is Unary Sqrt's of
// the sum, bit for bit.
func testSumSquares(t tb, d device.Device) {
	for ci, c := range normCases {
		subtest(t, c.name, func(t tb) {
			r := newRand(t)
			spans, vals := normSpans(t, d, r, c.sizes, c.dom)
			dst := upload(t, d, filled(1+optimTail, sentinel))
			var norm device.Buffer
			if ci > 0 {
				norm = upload(t, d, filled(1+optimTail, sentinel))
			}
			d.SumSquares(dst, norm, spans)
			want, bound := sumSquares64(vals)
			got := download(t, d, dst, 1+optimTail)
			expectClose(t, "Σx²", got, append([]float64{want}, exact(filled(optimTail, sentinel))...),
				append([]float64{bound}, make([]float64, optimTail)...))
			for i, s := range spans {
				expectEqual(t, "tensor after SumSquares", download(t, d, s.Buf, s.N+optimTail), append(vals[i], filled(optimTail, sentinel)...))
			}
			if norm == nil {
				return
			}
			// √(s(1 + e)) = √s(1 + e/2 + …), then the square root's error.
			root := math.Sqrt(want)
			expectClose(t, "√Σx²", download(t, d, norm, 1+optimTail), append([]float64{root}, exact(filled(optimTail, sentinel))...),
				append([]float64{root*bound/want/2 + tol("sqrt").Bound(root, 0)}, make([]float64, optimTail)...))
			sqrt := upload(t, d, filled(1, sentinel))
			d.Unary(sqrt, device.Strided{Buf: dst, Strides: []int{1}}, device.UnaryParams{Op: device.Sqrt, Shape: []int{1}})
			expectEqual(t, "√Σx² against Unary Sqrt of Σx²", download(t, d, norm, 1), download(t, d, sqrt, 1))
		})
	}
	subtest(t, "none", func(t tb) {
		dst, norm := upload(t, d, filled(1, sentinel)), upload(t, d, filled(1, sentinel))
		d.SumSquares(dst, norm, nil)
		expectEqual(t, "Σx² of no tensor", download(t, d, dst, 1), []float32{0})
		expectEqual(t, "√Σx² of no tensor", download(t, d, norm, 1), []float32{0})
	})
}

// clipCases are the factors of the clipping tests: the norm's square sq
// against maxNorm, clipping (a factor below 1) or not, and non-finite
// squares, which leave the tensors alone.
var clipCases = []struct {
	name        string
	sq, maxNorm float32
}{
	{"clips", 37.5, 1},
	{"clips-hard", 3e12, 0.25},
	{"below", 0.81, 1},
	{"zero", 0, 1},
	{"inf", float32(math.Inf(1)), 1},
	{"nan", float32(math.NaN()), 1},
}

func testClipScale(t tb, d device.Device) {
	for ci, c := range clipCases {
		subtest(t, c.name, func(t tb) {
			r := newRand(t)
			sizes := normCases[1+ci%3].sizes
			spans, vals := normSpans(t, d, r, sizes, device.Mostly(device.Between(-1, 1), device.Wide(3)))
			sq := upload(t, d, []float32{c.sq})
			d.ClipScale(spans, sq, c.maxNorm)
			coef := float64(c.maxNorm) / (math.Sqrt(float64(c.sq)) + 1e-6)
			clips := coef < 1 && !math.IsNaN(coef) && !math.IsInf(float64(c.sq), 0)
			for i, s := range spans {
				want, bound := exact(vals[i]), make([]float64, len(vals[i]))
				if clips {
					for j := range want {
						// The factor: a square root and a division in float32
						// (one rounding of the sum between them), then the
						// product's rounding.
						want[j] *= coef
						bound[j] = math.Abs(want[j]) * (tol("sqrt").Bound(1, 0) + tol("div").Bound(1, 0) + 2*tol("round").Bound(1, 0))
					}
				}
				expectOptim(t, d, describe(c)+": tensor", s.Buf, want, bound, sentinel)
			}
		})
	}
}
