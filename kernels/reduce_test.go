package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

var reduceShapes = [][3]int{{1, 1, 1}, {1, 7, 1}, {3, 5, 4}, {2, 1, 9}, {1, 3000, 1}, {4, 33, 300}, {2, 5, 2100}, {50, 2, 1}}

func TestReduce(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, sh := range reduceShapes {
		outer, n, inner := sh[0], sh[1], sh[2]
		src := randSlice(rng, outer*n*inner, 1)
		src[len(src)/2] = src[0] // ties: the first wins
		for _, op := range []ReduceOp{Sum, Max, Min, ArgMax, ArgMin} {
			dst := make([]float32, outer*inner)
			idx := make([]int32, outer*inner)
			if op == ArgMax || op == ArgMin {
				ArgReduce(op, idx, src, []int{outer, n, inner}, midAxis)
			} else {
				Reduce(op, dst, src, []int{outer, n, inner}, midAxis)
			}
			for o := 0; o < outer; o++ {
				for i := 0; i < inner; i++ {
					var sum float64
					best := [2]int{} // argmax, argmin
					for k := 0; k < n; k++ {
						v := src[(o*n+k)*inner+i]
						sum += float64(v)
						if v > src[(o*n+best[0])*inner+i] {
							best[0] = k
						}
						if v < src[(o*n+best[1])*inner+i] {
							best[1] = k
						}
					}
					j := o*inner + i
					var ok bool
					switch op {
					case Sum:
						ok = math.Abs(float64(dst[j])-sum) <= 1e-6*float64(n)
					case Max:
						ok = dst[j] == src[(o*n+best[0])*inner+i]
					case Min:
						ok = dst[j] == src[(o*n+best[1])*inner+i]
					case ArgMax:
						ok = int(idx[j]) == best[0]
					case ArgMin:
						ok = int(idx[j]) == best[1]
					}
					if !ok {
						t.Fatalf("op %d %v: output %d wrong (dst %g, idx %d; sum %g, best %v)", op, sh, j, dst[j], idx[j], sum, best)
					}
				}
			}
		}
	}
}

func TestReduceNaN(t *testing.T) {
	src := []float32{1, float32(math.NaN()), 3}
	dst := make([]float32, 1)
	for _, op := range []ReduceOp{Max, Min} {
		Reduce(op, dst, src, []int{1, 3, 1}, midAxis)
		if !math.IsNaN(float64(dst[0])) {
			t.Errorf("op %d over %v = %g, want NaN", op, src, dst[0])
		}
	}
}

// TestReduceRowsScan: rows (inner = 1), reduced in four interleaved lanes,
// give a left-to-right scan's answer: NaN in any lane or in the tail
// propagates, ±0 and ±Inf compare as Go's max/min, and ArgMax/ArgMin
// return the first of equal extremes and a NaN only in first place.
func TestReduceRowsScan(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	negz := float32(math.Copysign(0, -1))
	rows := [][]float32{
		{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5},
		{1, 2, nan, 4, 5, 6, 7, 8},
		{1, 2, 3, 4, 5, 6, 7, 8, nan},
		{nan, 2, 3, 4, 5, 6, 7},
		{0, negz, negz, 0, negz, 0, 0, negz, 0},
		{negz, 0, negz, 0, negz},
		{-inf, 7, 7, inf, -inf, inf, 7, 7, 1},
		{5},
		{2, 2, 2, 2, 2, 2},
	}
	for r, row := range rows {
		n := len(row)
		var wantMax, wantMin float32 = row[0], row[0]
		wantArg := [2]int32{0, 0}
		for k, v := range row {
			wantMax, wantMin = max(wantMax, v), min(wantMin, v)
			// The first NaN is both arg reductions' extreme.
			nanFirst := math.IsNaN(float64(v)) && !math.IsNaN(float64(row[wantArg[0]]))
			if v > row[wantArg[0]] || nanFirst {
				wantArg[0] = int32(k)
			}
			if v < row[wantArg[1]] || nanFirst {
				wantArg[1] = int32(k)
			}
		}
		dst := make([]float32, 1)
		for _, c := range []struct {
			op   ReduceOp
			want float32
		}{{Max, wantMax}, {Min, wantMin}} {
			Reduce(c.op, dst, row, []int{1, n, 1}, midAxis)
			if math.Float32bits(dst[0]) != math.Float32bits(c.want) && !(math.IsNaN(float64(dst[0])) && math.IsNaN(float64(c.want))) {
				t.Errorf("row %d %v: op %d = %g, want %g", r, row, c.op, dst[0], c.want)
			}
		}
		idx := make([]int32, 1)
		for i, op := range []ReduceOp{ArgMax, ArgMin} {
			ArgReduce(op, idx, row, []int{1, n, 1}, midAxis)
			if idx[0] != wantArg[i] {
				t.Errorf("row %d %v: op %d = %d, want %d", r, row, op, idx[0], wantArg[i])
			}
		}
	}
}

// withProcs runs fn with GOMAXPROCS set to n.
func withProcs(n int, fn func()) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))
	fn()
}

func TestReduceDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	const outer, n, inner = 37, 129, 301
	src := randSlice(rng, outer*n*inner, 1)
	var want []float32
	for _, procs := range []int{1, 2, 3, 8} {
		dst := make([]float32, outer*inner)
		withProcs(procs, func() { Reduce(Sum, dst, src, []int{outer, n, inner}, midAxis) })
		if want == nil {
			want = dst
			continue
		}
		for i := range dst {
			if math.Float32bits(dst[i]) != math.Float32bits(want[i]) {
				t.Fatalf("GOMAXPROCS=%d: dst[%d] = %g, with 1: %g", procs, i, dst[i], want[i])
			}
		}
	}
}

// midAxis marks the middle axis of [outer, n, inner] as reduced.
var midAxis = []bool{false, true, false}

// TestReduceAxes reduces shapes with 1-sized and odd axes over every subset
// of their axes, against a naive walk of the reduced positions in row-major
// order (Sum to rounding, the others exactly).
func TestReduceAxes(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for _, shape := range [][]int{{4, 3, 5, 2}, {1, 7, 1, 3}, {6, 1, 300}, {2, 3, 2, 3, 2}, {5}, {3, 260}, {3, 1030}} {
		n := 1
		for _, s := range shape {
			n *= s
		}
		src := randSlice(rng, n, 1)
		src[n/2] = src[0]
		for mask := 1; mask < 1<<len(shape); mask++ {
			reduced := make([]bool, len(shape))
			var outShape, redShape []int
			for i := range shape {
				reduced[i] = mask>>i&1 == 1
				if reduced[i] {
					redShape = append(redShape, shape[i])
				} else {
					outShape = append(outShape, shape[i])
				}
			}
			nout, nred := numElements(outShape), numElements(redShape)
			dst, idx := make([]float32, nout), make([]int32, nout)
			// positions[o] lists the source offsets of output o's reduced
			// positions in row-major order.
			positions := make([][]int, nout)
			coord := make([]int, len(shape))
			for off := range n {
				rem := off
				for i := len(shape) - 1; i >= 0; i-- {
					coord[i], rem = rem%shape[i], rem/shape[i]
				}
				o := 0
				for i := range shape {
					if !reduced[i] {
						o = o*shape[i] + coord[i]
					}
				}
				positions[o] = append(positions[o], off)
			}
			for _, op := range []ReduceOp{Sum, Max, Min, ArgMax, ArgMin} {
				if op == ArgMax || op == ArgMin {
					ArgReduce(op, idx, src, shape, reduced)
				} else {
					Reduce(op, dst, src, shape, reduced)
				}
				for o, pos := range positions {
					if len(pos) != nred {
						t.Fatalf("reference walked %d positions, want %d", len(pos), nred)
					}
					var sum, abs float64
					bmax, bmin := 0, 0
					for k, off := range pos {
						sum += float64(src[off])
						abs += math.Abs(float64(src[off]))
						if src[off] > src[pos[bmax]] {
							bmax = k
						}
						if src[off] < src[pos[bmin]] {
							bmin = k
						}
					}
					var ok bool
					switch op {
					case Sum:
						ok = math.Abs(float64(dst[o])-sum) <= 1e-6*abs+1e-30
					case Max:
						ok = dst[o] == src[pos[bmax]]
					case Min:
						ok = dst[o] == src[pos[bmin]]
					case ArgMax:
						ok = int(idx[o]) == bmax
					case ArgMin:
						ok = int(idx[o]) == bmin
					}
					if !ok {
						t.Fatalf("op %d shape %v reduced %v: output %d wrong (dst %g, idx %d; sum %g, argmax %d, argmin %d)", op, shape, reduced, o, dst[o], idx[o], sum, bmax, bmin)
					}
				}
			}
		}
	}
}

// TestReduceAxesDeterministic: a bias gradient's reduction (axes 0, 2, 3
// of [N K H W]) and a whole-tensor sum give the same bits on any number of
// goroutines.
func TestReduceAxesDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	shape := []int{33, 17, 9, 11}
	src := randSlice(rng, numElements(shape), 1)
	for _, reduced := range [][]bool{{true, false, true, true}, {true, true, true, true}, {true, false, true, false}} {
		var want []float32
		for _, procs := range []int{1, 2, 3, 8} {
			dst := make([]float32, numElements(shape))
			withProcs(procs, func() { Reduce(Sum, dst, src, shape, reduced) })
			if want == nil {
				want = dst
				continue
			}
			for i := range dst {
				if math.Float32bits(dst[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%v: GOMAXPROCS=%d: dst[%d] = %g, with 1: %g", reduced, procs, i, dst[i], want[i])
				}
			}
		}
	}
}

// TestAccAdd: the column accumulation this CPU runs gives the Go loop's
// bits on lengths around the vector width, with specials among the values.
func TestAccAdd(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	for _, n := range []int{1, 5, 7, 8, 9, 15, 16, 17, 256} {
		want := make([]float64, n)
		for j := range want {
			want[j] = rng.NormFloat64() * 1e3
		}
		got := append([]float64(nil), want...)
		for range 3 {
			s := withSpecials(rng, n, 7, 8)
			accAddGo(want, s)
			accAdd(got, s)
		}
		for j := range want {
			if math.Float64bits(got[j]) != math.Float64bits(want[j]) && !(got[j] != got[j] && want[j] != want[j]) {
				t.Fatalf("n=%d: a[%d] = %g, Go loop %g", n, j, got[j], want[j])
			}
		}
	}
}

// TestSumRuns: the 8-run sums this CPU runs give sum64's bits for each run,
// on run lengths around the vector width and the threshold, runs at any
// offsets (overlapping, unaligned, the last ending at the slice's end),
// with specials among the values; and a Reduce whose outputs take their
// runs 8 at a time gives the one-run-at-a-time bits.
func TestSumRuns(t *testing.T) {
	rng := rand.New(rand.NewPCG(53, 54))
	for _, n := range []int{1, 4, 15, 16, 17, 18, 19, 20, 31, 100, 784, 1001} {
		for _, k := range []int{0, 1, 7, 8} {
			src := withSpecials(rng, 9*n+13, 40, 8)
			offs := make([]int, k)
			for r := range offs {
				offs[r] = rng.IntN(len(src) - n + 1)
			}
			if k > 0 {
				offs[k-1] = len(src) - n
			}
			got := make([]float64, k)
			sumRuns(src, offs, n, got)
			for r, off := range offs {
				want := sum64(src[off : off+n])
				if math.Float64bits(got[r]) != math.Float64bits(want) && !(got[r] != got[r] && want != want) {
					t.Fatalf("n=%d runs=%d: run %d at %d sums to %g, sum64 %g", n, k, r, off, got[r], want)
				}
			}
		}
	}
	// A bias gradient's shape: 19 outputs of 21 runs of 37 (both ends of
	// the 8-run groups), and the same sums one run at a time.
	shape := []int{21, 19, 37}
	src := withSpecials(rng, 21*19*37, 50, 8)
	got, want := make([]float32, 19), make([]float32, 19)
	Reduce(Sum, got, src, shape, []bool{true, false, true})
	for c := range want {
		var s float64
		for b := range 21 {
			s += sum64(src[(b*19+c)*37:][:37])
		}
		want[c] = float32(s)
	}
	for c := range want {
		if !sameFloat(got[c], want[c]) {
			t.Fatalf("Reduce of %v over axes 0, 2: [%d] = %g, runs one at a time %g", shape, c, got[c], want[c])
		}
	}
}

// BenchmarkSumRuns times 8 runs of n values summed by sumRuns (8 at once
// where the CPU has a kernel) and by sum64 one at a time, in GB/s read.
func BenchmarkSumRuns(b *testing.B) {
	rng := rand.New(rand.NewPCG(55, 56))
	for _, n := range []int{4, 5, 8, 12, 16, 25, 49, 100, 784} {
		src := randSlice(rng, 8*n, 1)
		offs := make([]int, 8)
		for r := range offs {
			offs[r] = r * n
		}
		out := make([]float64, 8)
		for _, way := range []struct {
			name string
			f    func([]float32, []int, int, []float64)
		}{{"sum64", sumRunsGo}, {"runs8", sumRuns}} {
			b.Run(fmt.Sprintf("n=%d/%s", n, way.name), func(b *testing.B) {
				for range b.N {
					way.f(src, offs, n, out)
				}
				b.ReportMetric(float64(32*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
			})
		}
	}
}

// BenchmarkReduceBiasGrad times the bias gradients of LeNet's convolutions
// at batch 64 (dY summed over batch and plane), in GB/s read.
func BenchmarkReduceBiasGrad(b *testing.B) {
	rng := rand.New(rand.NewPCG(57, 58))
	for _, sh := range [][3]int{{64, 6, 28 * 28}, {64, 16, 10 * 10}, {128, 64, 32 * 32}} {
		src := randSlice(rng, sh[0]*sh[1]*sh[2], 1)
		dst := make([]float32, sh[1])
		b.Run(fmt.Sprintf("%dx%dx%d", sh[0], sh[1], sh[2]), func(b *testing.B) {
			for range b.N {
				Reduce(Sum, dst, src, sh[:], []bool{true, false, true})
			}
			b.ReportMetric(float64(4*len(src))*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
	}
}
