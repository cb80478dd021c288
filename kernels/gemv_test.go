package kernels

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestGemv checks the products gemv runs against the float64 reference,
// with TestSgemm's bound: one row with every transposition, two to four
// rows against B transposed (A as it is and transposed), depths around the dot
// kernel's multiples of 8 and 16, widths around its groups of 4 rows and
// the column kernels' blocks of 64 and 8, alpha and beta (beta 0 over NaNs
// in C), values near 1e18, and a Linear layer's epilogue (bias, ReLU).
// Split among 1 to 7 workers, a product must give Sgemm's bits, and
// SgemmPacked (whose packed slivers one-row products do not read) too.
func TestGemv(t *testing.T) {
	if !gemvRuns(1, true) {
		t.Skip("no one-row product kernels on this CPU")
	}
	rng := rand.New(rand.NewPCG(64, 5))
	scalars := [][2]float32{{1, 0}, {1, 1}, {-0.5, 2}, {1.5, -0.25}}
	var shapes [][2]int // n, k
	for _, n := range []int{1, 3, 4, 5, 7, 8, 9, 63, 64, 65, 72, 130, 203} {
		for _, k := range []int{1, 7, 8, 9, 15, 16, 17, 24, 100, 784} {
			if n*k >= sgemmSmallWork {
				shapes = append(shapes, [2]int{n, k})
			}
		}
	}
	shapes = append(shapes, [2]int{300, 300}, [2]int{1000, 129}, [2]int{77, 2049})
	for si, sh := range shapes {
		for tr := range 4 + 2*3 {
			// Four transpositions of one row, then two to four rows
			// against B transposed, A as it is and transposed.
			m, transA, transB := 1, tr&1 != 0, tr&2 != 0
			if tr >= 4 {
				m, transA, transB = 2+(tr-4)/2, tr%2 != 0, true
			}
			if m*sh[0]*sh[1] < sgemmSmallWork || !gemvRuns(m, transB) {
				continue
			}
			ab := scalars[(si+tr)%len(scalars)]
			scale := float32(1)
			if sh[1] <= 100 && si%5 == 3 {
				// Products near 1e36 stay finite in float32 (as
				// TestSgemmLargeValues).
				scale, ab = 1e18, [2]float32{1, 0.5}
			}
			tc := newSgemmCase(rng, transA, transB, m, sh[0], sh[1], ab[0], ab[1], scale)
			got := tc.run(sgemmBest[0])
			tc.check(t, "gemv", got)
			for _, workers := range []int{1, 2, 3, 7} {
				c := append([]float32(nil), tc.c...)
				withProcs(max(2, workers), func() {
					gemvOn(workers, tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, tc.a, tc.lda, tc.b, tc.ldb, tc.beta, c, tc.ldc, nil)
				})
				for j := range c {
					if math.Float32bits(c[j]) != math.Float32bits(got[j]) {
						t.Fatalf("%v: C[%d] = %g on %d workers, %g by Sgemm", tc, j, c[j], workers, got[j])
					}
				}
			}
			if !tc.transA {
				pb := PackB(m, tc.n, tc.k, tc.transB, tc.b, tc.ldb, make([]float32, PackedBLen(m, tc.n, tc.k)))
				c := append([]float32(nil), tc.c...)
				SgemmPacked(false, m, tc.alpha, tc.a, tc.lda, pb, tc.beta, c, tc.ldc, nil)
				for j := range c {
					if math.Float32bits(c[j]) != math.Float32bits(got[j]) {
						t.Fatalf("%v: SgemmPacked C[%d] = %g, Sgemm %g", tc, j, c[j], got[j])
					}
				}
			}
		}
	}
	// A Linear layer's forward pass at batch 1: bias and ReLU applied.
	tc := newSgemmCase(rng, false, true, 1, 130, 100, 1, 0, 1)
	bias := randSlice(rng, 130, 1)
	c := append([]float32(nil), tc.c...)
	SgemmEpilogue(false, true, 1, 130, 100, 1, tc.a, tc.lda, tc.b, tc.ldb, 0, c, tc.ldc, &Epilogue{Bias: bias, Act: Relu, HasAct: true})
	want, bound := tc.reference()
	for j := range 130 {
		w := max(want[j]+float64(bias[j]), 0)
		if d := math.Abs(float64(c[j]) - w); !(d <= bound[j]+math.Abs(float64(bias[j]))*0x1p-23) {
			t.Fatalf("with bias and ReLU: C[%d] = %g, want %g", j, c[j], w)
		}
	}
}

// BenchmarkGemv times one-row products as gemv runs them and as the packed
// GEMM did: a 784-128-64-10 MLP's first layer forward (x·Wᵀ) and input
// gradient (dy·W) at batch 1, and a 512-unit recurrent step's h·Wᵀ.
func BenchmarkGemv(b *testing.B) {
	rng := rand.New(rand.NewPCG(64, 6))
	for _, c := range []struct {
		name   string
		transB bool
		n, k   int
		m      int
	}{{"mlp-784x128-fwd", true, 128, 784, 1}, {"mlp-784x128-fwd-b2", true, 128, 784, 2}, {"mlp-784x128-fwd-b4", true, 128, 784, 4}, {"mlp-784x128-dx", false, 784, 128, 1}, {"rnn-512-step", true, 512, 512, 1}, {"4096x4096", true, 4096, 4096, 1}} {
		tc := newSgemmCase(rng, false, c.transB, c.m, c.n, c.k, 1, 0, 1)
		for _, way := range []string{"gemv", "packed"} {
			b.Run(c.name+"/"+way, func(b *testing.B) {
				defer func(saved bool) { gemvUse = saved }(gemvUse)
				gemvUse = way == "gemv"
				for b.Loop() {
					sgemm(sgemmBest[0], false, c.transB, c.m, c.n, c.k, 1, tc.a, tc.lda, tc.b, tc.ldb, 0, tc.c, tc.ldc, nil)
				}
				b.ReportMetric(2*float64(c.m*c.n*c.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// TestSmallKernelsNoGarbage checks that matrix-vector products and
// reductions on one worker allocate nothing once the pools are warm: a
// batch-1 training step makes dozens of them, and its allocations cost it
// time (the seed's batch-1 steps ran 1.2–1.4× as fast with a third to a
// quarter of the bytes, bench/RESULTS.md).
func TestSmallKernelsNoGarbage(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop buffers")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	rng := rand.New(rand.NewPCG(21, 22))
	for _, s := range []struct {
		transA, transB bool
		m, n, k        int
	}{{false, true, 1, 130, 77}, {false, false, 1, 130, 77}, {false, true, 3, 70, 50}, {true, true, 1, 20, 30}} {
		tc := newSgemmCase(rng, s.transA, s.transB, s.m, s.n, s.k, 1, 0, 1)
		if !gemvRuns(s.m, s.transB) {
			continue
		}
		if allocs := testing.AllocsPerRun(20, func() {
			gemvOn(1, tc.transA, tc.transB, tc.m, tc.n, tc.k, 1, tc.a, tc.lda, tc.b, tc.ldb, 0, tc.c, tc.ldc, nil)
		}); allocs != 0 {
			t.Errorf("%v: gemv on one worker allocates %v times a call", tc, allocs)
		}
	}
	src, dst := randSlice(rng, 6*5*7, 1), make([]float32, 6*7)
	for _, op := range []ReduceOp{Sum, Max} {
		if allocs := testing.AllocsPerRun(20, func() {
			Reduce(op, dst, src, []int{6, 5, 7}, []bool{false, true, false})
		}); allocs != 0 {
			t.Errorf("Reduce(%v) of a 6×5×7 tensor over its middle axis allocates %v times a call", op, allocs)
		}
	}
}
