package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestCrossEntropyAgainstLogSoftmax: without weights or smoothing, a row's
// loss is −logsoftmax[target] and its gradient softmax − one-hot, times the
// upstream gradient (read with stride 0 here) divided by the rows for the
// mean.
func TestCrossEntropyAgainstLogSoftmax(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	const rows, n = 6, 9
	x := randSlice(rng, rows*n, 4)
	target := make([]int32, rows)
	for i := range target {
		target[i] = int32(rng.IntN(n))
	}
	logp, p := make([]float32, rows*n), make([]float32, rows*n)
	Softmax(logp, x, rows, n, 0, true)
	Softmax(p, x, rows, n, 0, false)
	for _, mean := range []bool{false, true} {
		c := CrossEntropyConfig{Rows: rows, N: n, Mean: mean}
		div := 1.0
		if mean {
			div = rows
		}
		loss, dx := make([]float32, rows), make([]float32, rows*n)
		CrossEntropy(loss, x, target, c)
		CrossEntropyBackward(dx, x, target, []float32{9, 0.5}, 1, 0, c)
		for r := range rows {
			want := -float64(logp[r*n+int(target[r])]) / div
			if !(math.Abs(float64(loss[r])-want) <= 1e-5*math.Abs(want)+1e-6) {
				t.Errorf("mean %v: loss[%d] = %g, want %g", mean, r, loss[r], want)
			}
			for k := range n {
				want := float64(p[r*n+k])
				if k == int(target[r]) {
					want--
				}
				want *= 0.5 / div
				if got := dx[r*n+k]; !(math.Abs(float64(got)-want) <= 1e-6) {
					t.Errorf("mean %v: dx[%d,%d] = %g, want %g", mean, r, k, got, want)
				}
			}
		}
	}
}

// TestRowMax: the row maximum (vector kernel and Go loop) is Go's max over
// the row, bit for bit, NaN and signed zeros included, at every length up
// to 100.
func TestRowMax(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	specials := []float32{float32(math.NaN()), 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1))}
	for n := 1; n <= 100; n++ {
		for row := range 90 {
			x := make([]float32, n)
			for i := range x {
				// A third of the rows as below, a third with few specials
				// (the vector path's), a third of zeros and negatives only.
				c := rng.IntN(4)
				switch row % 3 {
				case 1:
					c = rng.IntN(40)
				case 2:
					c = 1
				}
				switch c {
				case 0:
					x[i] = specials[rng.IntN(len(specials))]
				case 1: // only zeros and negatives: the signed zeros decide
					x[i] = -float32(rng.IntN(3))
				default:
					x[i] = float32(rng.NormFloat64())
				}
			}
			want := x[0]
			for _, v := range x[1:] {
				want = max(want, v)
			}
			if got := rowMax(x); math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
				t.Fatalf("rowMax(%v) = %v, want %v", x, got, want)
			}
			if got := rowMaxGo(x); math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
				t.Fatalf("rowMaxGo(%v) = %v, want %v", x, got, want)
			}
		}
	}
}

// TestCrossEntropyRowAlone: the kernels take rows in blocks (ceBlock, their
// exponentials in one vector call), and each row's loss and gradient must
// have the bits it has alone, whatever block, position or thread it falls
// in: rows past several blocks with a ragged end, narrow rows and rows of
// one a block, smoothing and class weights, values far from 0 and a −Inf
// logit.
func TestCrossEntropyRowAlone(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for _, n := range []int{1, 3, 10, 16, 17, 100, ceFloats + 3} {
		for mode := range 3 {
			rows := 2*ceRows + 37
			x := randSlice(rng, rows*n, []float32{4, 300, 4}[mode])
			if n > 1 {
				x[n+1] = float32(math.Inf(-1))
			}
			target := make([]int32, rows)
			for i := range target {
				target[i] = int32(rng.IntN(n))
			}
			c := CrossEntropyConfig{Rows: rows, N: n}
			if mode == 1 {
				c.Smoothing = 0.1
			}
			if mode == 2 {
				c.Weight = randSlice(rng, n, 1)
				for i := range c.Weight {
					c.Weight[i] += 1.5
				}
			}
			dloss := randSlice(rng, 2*rows, 2)
			loss, dx := make([]float32, rows), make([]float32, rows*n)
			CrossEntropy(loss, x, target, c)
			CrossEntropyBackward(dx, x, target, dloss, 1, 2, c)
			one := c
			one.Rows = 1
			l1, d1 := make([]float32, 1), make([]float32, n)
			for r := range rows {
				xr := x[r*n : (r+1)*n]
				CrossEntropy(l1, xr, target[r:r+1], one)
				CrossEntropyBackward(d1, xr, target[r:r+1], dloss[1+2*r:], 0, 0, one)
				if math.Float32bits(l1[0]) != math.Float32bits(loss[r]) {
					t.Fatalf("n %d mode %d: loss[%d] = %g among %d rows, %g alone", n, mode, r, loss[r], rows, l1[0])
				}
				for k := range n {
					if math.Float32bits(d1[k]) != math.Float32bits(dx[r*n+k]) {
						t.Fatalf("n %d mode %d: dx[%d][%d] = %g among %d rows, %g alone", n, mode, r, k, dx[r*n+k], rows, d1[k])
					}
				}
			}
		}
	}
}

// TestLSERows checks lseRows against expShifted and math.Log row by row,
// bit for bit: the rows' sums go 8 at a time through sumRuns where there
// are 8 rows (sumRuns itself adds runs shorter than sumRunsMin one by
// one), the rest through sum64.
func TestLSERows(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	for _, n := range []int{1, 3, 4, 5, 17, 96, 100} {
		for _, rows := range []int{1, 7, 8, 9, 16, 23} {
			if rows > ceBlock(n) {
				continue
			}
			x := randSlice(rng, rows*n, 8)
			e := make([]float32, rows*n)
			var m, s, ls [ceRows]float64
			lseRows(x, n, e, &m, &s, &ls)
			for r := range rows {
				we := make([]float32, n)
				wm, sum := expShifted(x[r*n:(r+1)*n], we)
				if wl := math.Log(sum); m[r] != wm || math.Float64bits(s[r]) != math.Float64bits(sum) || math.Float64bits(ls[r]) != math.Float64bits(wl) {
					t.Fatalf("n %d, rows %d: row %d gives max %v, sum %v, log-sum %v; one row at a time %v, %v, %v", n, rows, r, m[r], s[r], ls[r], wm, sum, wl)
				}
				for k, v := range we {
					if math.Float32bits(e[r*n+k]) != math.Float32bits(v) {
						t.Fatalf("n %d, rows %d: e[%d][%d] = %v, one row at a time %v", n, rows, r, k, e[r*n+k], v)
					}
				}
			}
		}
	}
}
