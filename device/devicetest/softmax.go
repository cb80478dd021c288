package devicetest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tensorgl/tensorgl/device"
)

// softmaxCases are [Rows, N] inputs: a single element, odd and long rows,
// rows far from 0 (e^x overflows unless the max is subtracted), a wide
// spread whose small terms underflow, and more short rows than a GPU work
// group takes (a group holds 128, 32 or 4 rows of 3, 10 or 96 elements on
// GL), the last group part full, and more than one group of 1 024
// invocations holds (GL's cross-entropy sums the rows of fewer in its
// kernel).
var softmaxCases = []struct {
	name       string
	rows, n    int
	gen        device.Domain
	rowOffsets bool // shift row r by ±1000
}{
	{"single", 1, 1, device.Between(-3, 3), false},
	{"row", 1, 10, device.Between(-3, 3), false},
	{"rows", 5, 7, device.Between(-3, 3), false},
	{"odd", 7, 33, device.Between(-5, 5), false},
	{"long", 3, 1000, device.Between(-5, 5), false},
	{"offset", 4, 17, device.Between(-5, 5), true},
	{"spread", 3, 50, device.Between(-40, 40), false},
	{"tall", 8, 3, device.Between(-3, 3), false},
	{"many", 300, 3, device.Between(-3, 3), false},
	{"many-classes", 70, 10, device.Between(-5, 5), true},
	{"many-vocab", 19, 96, device.Between(-5, 5), false},
	{"tall-vocab", 40, 96, device.Between(-5, 5), false},
}

// softmaxInput draws a case's input.
func softmaxInput(r *rand.Rand, rows, n int, gen device.Domain, rowOffsets bool) []float32 {
	x := draw(r, rows*n, gen)
	if rowOffsets {
		for i := range x {
			if (i/n)%2 == 0 {
				x[i] += 1000
			} else {
				x[i] -= 1000
			}
		}
	}
	return x
}

// rowExpSum returns, in float64, a row's maximum m, s = Σ e^(x−m) and the
// spread max(m − x) that the softmax's error bounds grow with.
func rowExpSum(row []float32) (m, s, spread float64) {
	m = math.Inf(-1)
	for _, v := range row {
		m = math.Max(m, float64(v))
	}
	for _, v := range row {
		s += math.Exp(float64(v) - m)
		spread = math.Max(spread, m-float64(v))
	}
	return m, s, spread
}

// softmaxRef returns the softmax (or log-softmax) of each row of x, with
// error bounds; with causal = L > 0, row r takes its first r mod L + 1
// elements and is 0 beyond them (exactly).
func softmaxRef(x []float32, rows, n, causal int, log bool) (want, bound []float64) {
	want, bound = make([]float64, len(x)), make([]float64, len(x))
	for r := range rows {
		row := x[r*n : (r+1)*n]
		if causal > 0 {
			row = row[:min(n, r%causal+1)]
		}
		m, s, spread := rowExpSum(row)
		for i, v := range row {
			dv := float64(v) - m
			j := r*n + i
			if log {
				want[j] = dv - math.Log(s)
				bound[j] = tol("logsoftmax").Bound(math.Abs(dv)+math.Log(s)+1, spread) + tol("accumulate").Bound(float64(n), 0)
			} else {
				want[j] = math.Exp(dv) / s
				bound[j] = tol("softmax").Bound(want[j], spread) + tol("accumulate").Bound(float64(n)*want[j], 0)
			}
		}
	}
	return want, bound
}

// softmaxKinds are the two variants of each kernel.
var softmaxKinds = []struct {
	name string
	log  bool
}{{"softmax", false}, {"log", true}}

// softmaxCausal returns the query blocks (device.SoftmaxParams.Causal) the
// causal forward pass is tested with on a case: one block of all its rows,
// and blocks of 2 where that divides them (query counts below, at and above
// the row length all occur among the cases).
func softmaxCausal(rows int) []int {
	if rows%2 == 0 {
		return []int{rows, 2}
	}
	return []int{rows}
}

func testSoftmax(t tb, d device.Device) {
	for _, k := range softmaxKinds {
		for _, c := range softmaxCases {
			causal := []int{0}
			if !k.log {
				causal = append(causal, softmaxCausal(c.rows)...)
			}
			for _, q := range causal {
				name := k.name + "/" + c.name
				if q > 0 {
					name = fmt.Sprintf("causal%d/%s", q, c.name)
				}
				subtest(t, name, func(t tb) {
					r := newRand(t)
					p := device.SoftmaxParams{Rows: c.rows, N: c.n, Log: k.log, Causal: q}
					x := softmaxInput(r, c.rows, c.n, c.gen, c.rowOffsets)
					want, bound := softmaxRef(x, c.rows, c.n, q, k.log)
					dst := upload(t, d, filled(len(x), float32(math.NaN())))
					d.Softmax(dst, upload(t, d, x), p)
					expectClose(t, describe(p), download(t, d, dst, len(x)), want, bound)
				})
			}
		}
	}
}

func testSoftmaxBackward(t tb, d device.Device) {
	for _, k := range softmaxKinds {
		for _, c := range softmaxCases {
			subtest(t, k.name+"/"+c.name, func(t tb) {
				r := newRand(t)
				p := device.SoftmaxParams{Rows: c.rows, N: c.n, Log: k.log}
				ref, _ := softmaxRef(softmaxInput(r, c.rows, c.n, c.gen, c.rowOffsets), c.rows, c.n, 0, k.log)
				y := make([]float32, len(ref))
				for i, v := range ref {
					y[i] = float32(v)
				}
				dy := draw(r, len(y), device.Mostly(device.Between(-1, 1), device.Wide(3)))
				want, bound := make([]float64, len(y)), make([]float64, len(y))
				for row := range c.rows {
					dot, absDot, sum, absSum := 0.0, 0.0, 0.0, 0.0
					for i := row * c.n; i < (row+1)*c.n; i++ {
						dot += float64(dy[i]) * float64(y[i])
						absDot += math.Abs(float64(dy[i]) * float64(y[i]))
						sum += float64(dy[i])
						absSum += math.Abs(float64(dy[i]))
					}
					for i := row * c.n; i < (row+1)*c.n; i++ {
						yi, dyi := float64(y[i]), float64(dy[i])
						terms := float64(c.n + 2)
						if k.log {
							e := math.Exp(yi)
							want[i] = dyi - e*sum
							bound[i] = tol("exp").Bound(e*sum, yi) + tol("accumulate").Bound(terms*(math.Abs(dyi)+e*absSum), 0)
						} else {
							want[i] = yi * (dyi - dot)
							bound[i] = tol("accumulate").Bound(terms*math.Abs(yi)*(math.Abs(dyi)+absDot), 0)
						}
					}
				}
				dx := upload(t, d, filled(len(y), float32(math.NaN())))
				d.SoftmaxBackward(dx, upload(t, d, y), upload(t, d, dy), p)
				expectClose(t, describe(p), download(t, d, dx, len(y)), want, bound)
			})
		}
	}
}
