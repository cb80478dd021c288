package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestBatchNormPasses: the element-wise passes of BatchNorm and
// BatchNormBackward this CPU runs give the Go loops' bits on every length
// (whole vectors and ragged ends), with signed zeros, NaNs, infinities,
// subnormals and values over decades, out of place and in place.
func TestBatchNormPasses(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, n := range []int{0, 1, 7, 15, 16, 17, 31, 33, 64, 1000} {
		x, r, g := withSpecials(rng, n, 9, 12), withSpecials(rng, n, 9, 12), withSpecials(rng, n, 9, 12)
		mu, k, bias, a, c := float32(rng.NormFloat64()), float32(rng.NormFloat64()*3), float32(rng.NormFloat64()), float32(rng.NormFloat64()), float32(rng.NormFloat64())
		check := func(what string, got, want []float32) {
			t.Helper()
			for i := range want {
				if !sameFloat(got[i], want[i]) {
					t.Fatalf("%s n=%d: [%d] = %g, Go loop %g", what, n, i, got[i], want[i])
				}
			}
		}
		for _, res := range [][]float32{nil, r} {
			want, got := make([]float32, n), make([]float32, n)
			bnNormGo(want, x, res, mu, k, bias)
			bnNorm(got, x, res, mu, k, bias)
			check("bnNorm", got, want)
			inPlace := append([]float32(nil), x...)
			bnNorm(inPlace, inPlace, res, mu, k, bias)
			check("bnNorm in place", inPlace, want)
		}
		want, got := make([]float32, n), make([]float32, n)
		bnBackGo(want, g, x, k, a, c, mu)
		bnBack(got, g, x, k, a, c, mu)
		check("bnBack", got, want)
		inPlace := append([]float32(nil), g...)
		bnBack(inPlace, inPlace, x, k, a, c, mu)
		check("bnBack in place", inPlace, want)
	}
}

// TestBatchNormRows: the passes over runs of rows, each row with its own
// parameters (bnNormRows with and without a residual and a ReLU,
// bnBackRows), give the bits of the Go loops a row at a time, on rows of
// whole vectors and ragged ones, over special values, out of place and in
// place, and write nothing past their rows.
func TestBatchNormRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	for _, n := range []int{1, 7, 8, 16, 24, 33, 64} {
		for _, rows := range []int{1, 3, 17} {
			m := rows * n
			x, r, g := withSpecials(rng, m, 9, 12), withSpecials(rng, m, 9, 12), withSpecials(rng, m, 9, 12)
			mu, k, bias := withSpecials(rng, rows, 9, 4), withSpecials(rng, rows, 9, 4), withSpecials(rng, rows, 9, 4)
			a, c := withSpecials(rng, rows, 9, 4), withSpecials(rng, rows, 9, 4)
			check := func(what string, got, want []float32) {
				t.Helper()
				for i := range want {
					if !sameFloat(got[i], want[i]) {
						t.Fatalf("%s, %d rows of %d: [%d] = %g, Go loop %g", what, rows, n, i, got[i], want[i])
					}
				}
				for i := len(want); i < len(got); i++ {
					if !math.IsNaN(float64(got[i])) {
						t.Fatalf("%s, %d rows of %d: wrote %g at [%d], past the rows", what, rows, n, got[i], i)
					}
				}
			}
			for _, res := range [][]float32{nil, r} {
				for _, relu := range []bool{false, true} {
					want := make([]float32, m)
					for i := range rows {
						wr := want[i*n : (i+1)*n]
						var rr []float32
						if res != nil {
							rr = res[i*n : (i+1)*n]
						}
						bnNormGo(wr, x[i*n:(i+1)*n], rr, mu[i], k[i], bias[i])
						if relu {
							biasReluGo(wr, wr, 0)
						}
					}
					what := fmt.Sprintf("bnNormRows residual %v relu %v", res != nil, relu)
					got := nanSlice(m + 8)
					bnNormRows(got, x, res, rows, n, mu, k, bias, relu)
					check(what, got, want)
					inPlace := append(append(make([]float32, 0, m+8), x...), nanSlice(8)...)
					bnNormRows(inPlace, inPlace, res, rows, n, mu, k, bias, relu)
					check(what+" in place", inPlace, want)
				}
			}
			want := make([]float32, m)
			for i := range rows {
				bnBackGo(want[i*n:(i+1)*n], g[i*n:(i+1)*n], x[i*n:(i+1)*n], k[i], a[i], c[i], mu[i])
			}
			got := nanSlice(m + 8)
			bnBackRows(got, g, x, rows, n, k, a, c, mu)
			check("bnBackRows", got, want)
			inPlace := append(append(make([]float32, 0, m+8), g...), nanSlice(8)...)
			bnBackRows(inPlace, inPlace, x, rows, n, k, a, c, mu)
			check("bnBackRows in place", inPlace, want)
		}
	}
}

// TestBatchNormChannelRuns: BatchNorm and BatchNormBackward (training and
// eval) give the bits of the Go loops a row at a time, each row with its
// channel's parameters, on shapes whose rows the threads share out from
// the middle of an image (more rows than a thread's grain) and on small
// ones.
func TestBatchNormChannelRuns(t *testing.T) {
	rng := rand.New(rand.NewPCG(35, 36))
	const eps = 1e-5
	for _, s := range []BatchNormShape{{70, 509, 16}, {3, 5, 7}, {2, 3, 8}, {1, 1, 1}} {
		m, rows := s.N*s.C*s.Inner, s.N*s.C
		x, res, dy := randSlice(rng, m, 2), randSlice(rng, m, 2), randSlice(rng, m, 2)
		mean, w, b := randSlice(rng, s.C, 1), randSlice(rng, s.C, 1), randSlice(rng, s.C, 1)
		dw, db := randSlice(rng, s.C, 3), randSlice(rng, s.C, 3)
		invstd := make([]float32, s.C)
		for i := range invstd {
			invstd[i] = 0.5 + rng.Float32()
		}
		fm := float32(s.N * s.Inner)
		for _, eval := range []bool{false, true} {
			for _, relu := range []bool{false, true} {
				want, got := make([]float32, m), nanSlice(m)
				for r := range rows {
					ch, at := r%s.C, r*s.Inner
					wr := want[at : at+s.Inner]
					bnNormGo(wr, x[at:at+s.Inner], res[at:at+s.Inner], mean[ch], bnScale(invstd, ch, eps, eval)*w[ch], b[ch])
					if relu {
						biasReluGo(wr, wr, 0)
					}
				}
				BatchNorm(got, x, mean, invstd, w, b, res, s, eps, eval, relu)
				for i := range want {
					if !sameFloat(got[i], want[i]) {
						t.Fatalf("BatchNorm %+v eval %v relu %v: y[%d] = %g, Go loop %g", s, eval, relu, i, got[i], want[i])
					}
				}
			}
			want, got := make([]float32, m), nanSlice(m)
			for r := range rows {
				ch, at := r%s.C, r*s.Inner
				is := bnScale(invstd, ch, eps, eval)
				for i := at; i < at+s.Inner; i++ {
					if eval {
						want[i] = w[ch] * is * dy[i]
					}
				}
				if !eval {
					bnBackGo(want[at:at+s.Inner], dy[at:at+s.Inner], x[at:at+s.Inner], w[ch]*is, db[ch]/fm, dw[ch]/fm*is, mean[ch])
				}
			}
			BatchNormBackward(got, dy, x, mean, invstd, w, dw, db, s, eps, eval)
			for i := range want {
				if !sameFloat(got[i], want[i]) {
					t.Fatalf("BatchNormBackward %+v eval %v: dx[%d] = %g, Go loop %g", s, eval, i, got[i], want[i])
				}
			}
		}
	}
}

// TestBatchNormReduce: the sums of BatchNormBackwardReduce this CPU runs
// give bnReduceGo's bits, sums and masked gradient, on every row length,
// over one row and several with gaps between (left untouched), with and
// without a ReLU's output, over special values; and on finite values the
// sums agree with plain float64 sums.
func TestBatchNormReduce(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	same64 := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) || a != a && b != b }
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 64, 1000} {
		for _, rows := range []int{1, 3} {
			stride := n + 5
			size := max(0, (rows-1)*stride+n)
			for _, special := range []bool{false, true} {
				dy, x, y := randSlice(rng, size, 3), randSlice(rng, size, 100), randSlice(rng, size, 1)
				for i := range dy {
					dy[i] = 1 + float32(math.Abs(float64(dy[i]))) // one sign: Σ dy·(x−∞) = −∞, not NaN
				}
				if special {
					dy, x, y = withSpecials(rng, size, 9, 12), withSpecials(rng, size, 9, 12), withSpecials(rng, size, 9, 12)
				}
				mu := rng.NormFloat64() * 10
				for _, relu := range []bool{false, true} {
					what := fmt.Sprintf("n=%d rows=%d relu=%v special=%v", n, rows, relu, special)
					var yr, want, got []float32
					if relu {
						yr, want, got = y, make([]float32, size), make([]float32, size)
						for i := range want {
							want[i], got[i] = 7, 7 // the gaps keep them
						}
					}
					wa, wb := bnReduceGo(want, dy, yr, x, rows, n, stride, mu)
					ga, gb := bnReduce(got, dy, yr, x, rows, n, stride, mu)
					if !same64(ga, wa) || !same64(gb, wb) {
						t.Fatalf("%s: sums %v %v, Go loop %v %v", what, ga, gb, wa, wb)
					}
					// A row a call into the same lanes, as channelSums
					// walks memory: the same bits.
					var acc [32]float64
					for r := range rows {
						var zr, yy []float32
						if relu {
							zr, yy = got[r*stride:], y[r*stride:]
						}
						bnReduceAcc(&acc, zr, dy[r*stride:], yy, x[r*stride:], 1, n, stride, mu)
					}
					if pa, pb := bnSums(&acc); !same64(pa, wa) || !same64(pb, wb) {
						t.Fatalf("%s, a row a call: sums %v %v, Go loop %v %v", what, pa, pb, wa, wb)
					}
					for i := range want {
						if !sameFloat(got[i], want[i]) {
							t.Fatalf("%s: dz[%d] = %g, Go loop %g", what, i, got[i], want[i])
						}
					}
					// An infinite mean: lanes past a ragged end must add
					// nothing, not 0·∞.
					wia, wib := bnReduceGo(want, dy, yr, x, rows, n, stride, math.Inf(1))
					gia, gib := bnReduce(got, dy, yr, x, rows, n, stride, math.Inf(1))
					if !same64(gia, wia) || !same64(gib, wib) {
						t.Fatalf("%s, mean ∞: sums %v %v, Go loop %v %v", what, gia, gib, wia, wib)
					}
					if special {
						continue
					}
					var sa, sb float64
					for r := range rows {
						for i := r * stride; i < r*stride+n; i++ {
							g := dy[i]
							if relu && !(y[i] > 0) {
								g = 0
							}
							if relu && got[i] != g {
								t.Fatalf("%s: dz[%d] = %g, want %g", what, i, got[i], g)
							}
							sa += float64(g)
							sb += float64(g) * (float64(x[i]) - mu)
						}
					}
					for i := range got {
						if relu && i%stride >= n && got[i] != 7 {
							t.Fatalf("%s: dz[%d] = %g in a gap, want it untouched", what, i, got[i])
						}
					}
					if !(math.Abs(ga-sa) <= 1e-12*(1+math.Abs(sa))) || !(math.Abs(gb-sb) <= 1e-12*(1+math.Abs(sb))) {
						t.Fatalf("%s: sums %v %v, in order %v %v", what, ga, gb, sa, sb)
					}
				}
			}
		}
	}
}

// TestBatchNormMoments: the one-pass sums of BatchNormStats this CPU runs
// give bnMomentsGo's bits on every row length, over one row and several
// with gaps between, over special values; on finite values their mean
// and variance agree with a two-pass float64 reference, also where the
// mean is large against the spread.
func TestBatchNormMoments(t *testing.T) {
	rng := rand.New(rand.NewPCG(37, 38))
	same64 := func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) || a != a && b != b }
	for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 31, 33, 64, 1000} {
		for _, rows := range []int{1, 3} {
			stride := n + 5
			size := (rows-1)*stride + n
			for _, kind := range []string{"plain", "offset", "special"} {
				x := randSlice(rng, size, 3)
				switch kind {
				case "offset": // a mean 10⁴ spreads away
					for i := range x {
						x[i] += 3e4
					}
				case "special":
					x = withSpecials(rng, size, 9, 12)
				}
				k := float64(x[0])
				w1, w2 := bnMomentsGo(x, rows, n, stride, k)
				g1, g2 := bnMoments(x, rows, n, stride, k)
				if !same64(g1, w1) || !same64(g2, w2) {
					t.Fatalf("n=%d rows=%d %s: sums %v %v, Go loop %v %v", n, rows, kind, g1, g2, w1, w2)
				}
				var acc [32]float64 // a row a call into the same lanes
				for r := range rows {
					bnMomentsAcc(&acc, x[r*stride:], 1, n, stride, k)
				}
				if p1, p2 := bnSums(&acc); !same64(p1, w1) || !same64(p2, w2) {
					t.Fatalf("n=%d rows=%d %s, a row a call: sums %v %v, Go loop %v %v", n, rows, kind, p1, p2, w1, w2)
				}
				if kind == "special" {
					continue
				}
				var sum, sq float64
				for r := range rows {
					for _, v := range x[r*stride:][:n] {
						sum += float64(v)
					}
				}
				m := float64(rows * n)
				mu := sum / m
				for r := range rows {
					for _, v := range x[r*stride:][:n] {
						sq += (float64(v) - mu) * (float64(v) - mu)
					}
				}
				d := g1 / m
				if got, want := k+d, mu; !(math.Abs(got-want) <= 1e-12*(math.Abs(want)+math.Sqrt(sq/m))) {
					t.Fatalf("n=%d rows=%d %s: mean %v, two passes %v", n, rows, kind, got, want)
				}
				if got, want := g2/m-d*d, sq/m; !(math.Abs(got-want) <= 1e-9*want+1e-300) {
					t.Fatalf("n=%d rows=%d %s: variance %v, two passes %v", n, rows, kind, got, want)
				}
			}
		}
	}
}

// TestBatchNormSumsOrder: BatchNormStats and BatchNormBackwardReduce give
// the same bits whether their sums walk x a channel at a time or in memory
// order (bnRowOrderMin), short rows a run of channels a call or not
// (bnRuns), on 1, 2 and 3 threads, on rows shorter and longer than a
// vector, ragged and whole, a channel or many, an image or several.
func TestBatchNormSumsOrder(t *testing.T) {
	defer func(was int, runs bool) { bnRowOrderMin, bnRuns = was, runs }(bnRowOrderMin, bnRuns)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(39, 40))
	for _, s := range []BatchNormShape{{3, 5, 1}, {2, 7, 7}, {3, 5, 16}, {4, 3, 49}, {1, 1, 300}, {3, 9, 256}, {2, 33, 100}, {5, 64, 65},
		{2, 33, 64}, {3, 7, 32}, {4, 130, 16}, {1, 1, 48}} {
		n := s.N * s.C * s.Inner
		x, dy, y := randSlice(rng, n, 3), randSlice(rng, n, 2), randSlice(rng, n, 1)
		for i := range x {
			x[i] += 40 // a mean away from 0, so the shift matters
		}
		w := randSlice(rng, s.C, 1)
		run := func() [][]float32 {
			mean, invstd, rm, rv := make([]float32, s.C), make([]float32, s.C), make([]float32, s.C), make([]float32, s.C)
			for i := range rv {
				rm[i], rv[i] = 0.5, 2
			}
			BatchNormStats(mean, invstd, rm, rv, x, s, 1e-5, 0.1)
			dw, db, dw2, db2, dz := make([]float32, s.C), make([]float32, s.C), make([]float32, s.C), make([]float32, s.C), make([]float32, n)
			BatchNormBackwardReduce(dw, db, dy, x, mean, invstd, nil, nil, s, 1e-5, false)
			BatchNormBackwardReduce(dw2, db2, dy, x, mean, w, y, dz, s, 1e-5, true)
			return [][]float32{mean, invstd, rm, rv, dw, db, dw2, db2, dz}
		}
		var want [][]float32
		for _, way := range []struct {
			order int
			runs  bool
		}{{1 << 30, false}, {1 << 30, true}, {1, false}} {
			for _, procs := range []int{1, 2, 3} {
				bnRowOrderMin, bnRuns = way.order, way.runs
				runtime.GOMAXPROCS(procs)
				got := run()
				if want == nil {
					want = got
					continue
				}
				for i := range want {
					sameBitsAll(t, fmt.Sprintf("%+v, rows from %d on, runs %v, %d threads: output %d", s, way.order, way.runs, procs, i), got[i], want[i])
				}
			}
		}
	}
}

// BenchmarkBatchNorm times the four passes of batch normalisation on a
// CIFAR ResNet's layers at batch 128 (x [128, C, H·W]) and on its two
// smallest planes at batch 8, reporting the
// bytes each moves: the moments (x), the normalisation with a ReLU (x in,
// y out), the backward sums through a ReLU (dy, y and x in, dz out) and
// the input gradient (dz and x in, dx out).
func BenchmarkBatchNorm(b *testing.B) {
	rng := rand.New(rand.NewPCG(41, 42))
	for _, s := range []BatchNormShape{{128, 64, 1024}, {128, 128, 256}, {128, 256, 64}, {128, 512, 16}, {8, 256, 64}, {8, 512, 16}} {
		n := s.N * s.C * s.Inner
		x, y, dy, dz, dx := randSlice(rng, n, 1), randSlice(rng, n, 1), randSlice(rng, n, 1), make([]float32, n), make([]float32, n)
		mean, invstd, w, bias, dw, db := randSlice(rng, s.C, 1), randSlice(rng, s.C, 1), randSlice(rng, s.C, 1), randSlice(rng, s.C, 1), make([]float32, s.C), make([]float32, s.C)
		for _, pass := range []struct {
			name   string
			floats int // moved per element
			run    func()
		}{
			{"stats", 1, func() { BatchNormStats(mean, invstd, nil, nil, x, s, 1e-5, 0.1) }},
			{"norm-relu", 2, func() { BatchNorm(y, x, mean, invstd, w, bias, nil, s, 1e-5, false, true) }},
			{"reduce-relu", 4, func() { BatchNormBackwardReduce(dw, db, dy, x, mean, invstd, y, dz, s, 1e-5, false) }},
			{"backward", 3, func() { BatchNormBackward(dx, dz, x, mean, invstd, w, dw, db, s, 1e-5, false) }},
		} {
			b.Run(fmt.Sprintf("%dx%dx%d/%s", s.N, s.C, s.Inner, pass.name), func(b *testing.B) {
				pass.run()
				for b.Loop() {
					pass.run()
				}
				b.ReportMetric(float64(pass.floats*n*4)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
			})
		}
	}
}
