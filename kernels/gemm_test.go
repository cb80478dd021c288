package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// sgemmTol is the error allowed against the float64 reference, relative to
// |alpha|·Σ|a·b| + |beta·c| for each element. Summing k products in float32
// (in any order, fused or not) errs by at most about k·2⁻²⁴ of Σ|a·b|; we
// allow four times that, plus a few roundings for alpha and beta.
func sgemmTol(k int) float64 { return float64(k+4) * 0x1p-22 }

// sgemmCase is one product with its operands, strides padded to catch
// stride/width mix-ups.
type sgemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
	want, bound    []float64 // the reference result and error bound, once computed
}

func newSgemmCase(rng *rand.Rand, transA, transB bool, m, n, k int, alpha, beta float32, scale float32) *sgemmCase {
	tc := &sgemmCase{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	pad := func() int { return rng.IntN(3) }
	tc.lda, tc.ldb, tc.ldc = ac+pad(), bc+pad(), n+pad()
	tc.a = randSlice(rng, (ar-1)*tc.lda+ac, scale)
	tc.b = randSlice(rng, (br-1)*tc.ldb+bc, scale)
	tc.c = randSlice(rng, (m-1)*tc.ldc+n, scale)
	if beta == 0 {
		for i := range tc.c {
			tc.c[i] = float32(math.NaN())
		}
	}
	return tc
}

func (tc *sgemmCase) String() string {
	return fmt.Sprintf("transA=%v transB=%v m=%d n=%d k=%d alpha=%g beta=%g lda=%d ldb=%d ldc=%d",
		tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, tc.beta, tc.lda, tc.ldb, tc.ldc)
}

// run computes the case with arch on a fresh copy of C and returns it.
func (tc *sgemmCase) run(arch *sgemmArch) []float32 {
	c := append([]float32(nil), tc.c...)
	sgemm(arch, tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, tc.a, tc.lda, tc.b, tc.ldb, tc.beta, c, tc.ldc, nil)
	return c
}

// reference computes, once, the float64 naive product and the error bound
// of each element of C.
func (tc *sgemmCase) reference() (want, bound []float64) {
	if tc.want != nil {
		return tc.want, tc.bound
	}
	opA := make([]float64, tc.m*tc.k) // op(A), row-major m×k
	for i := 0; i < tc.m; i++ {
		for p := 0; p < tc.k; p++ {
			if tc.transA {
				opA[i*tc.k+p] = float64(tc.a[p*tc.lda+i])
			} else {
				opA[i*tc.k+p] = float64(tc.a[i*tc.lda+p])
			}
		}
	}
	opB := make([]float64, tc.n*tc.k) // op(B)ᵀ, row-major n×k
	for j := 0; j < tc.n; j++ {
		for p := 0; p < tc.k; p++ {
			if tc.transB {
				opB[j*tc.k+p] = float64(tc.b[j*tc.ldb+p])
			} else {
				opB[j*tc.k+p] = float64(tc.b[p*tc.ldb+j])
			}
		}
	}
	tc.want, tc.bound = make([]float64, tc.m*tc.n), make([]float64, tc.m*tc.n)
	for i := 0; i < tc.m; i++ {
		for j := 0; j < tc.n; j++ {
			var s, mag float64
			for p, av := range opA[i*tc.k : (i+1)*tc.k] {
				s += av * opB[j*tc.k+p]
				mag += math.Abs(av * opB[j*tc.k+p])
			}
			want := float64(tc.alpha) * s
			mag *= math.Abs(float64(tc.alpha))
			if c := float64(tc.c[i*tc.ldc+j]); tc.beta != 0 {
				want += float64(tc.beta) * c
				mag += math.Abs(float64(tc.beta) * c)
			}
			tc.want[i*tc.n+j], tc.bound[i*tc.n+j] = want, sgemmTol(tc.k)*mag
		}
	}
	return tc.want, tc.bound
}

// check compares got with the float64 reference, and checks that the
// padding between rows of C was left alone.
func (tc *sgemmCase) check(t *testing.T, name string, got []float32) {
	t.Helper()
	want, bound := tc.reference()
	for i := 0; i < tc.m; i++ {
		for j := 0; j < tc.ldc && i*tc.ldc+j < len(got); j++ {
			idx := i*tc.ldc + j
			if j >= tc.n {
				if math.Float32bits(got[idx]) != math.Float32bits(tc.c[idx]) {
					t.Fatalf("%s %v: padding C[%d,%d] changed to %g", name, tc, i, j, got[idx])
				}
				continue
			}
			w, b := want[i*tc.n+j], bound[i*tc.n+j]
			if d := math.Abs(float64(got[idx]) - w); !(d <= b) {
				t.Fatalf("%s %v: C[%d,%d] = %g, want %g (error %g > %g)", name, tc, i, j, got[idx], w, d, b)
			}
		}
	}
}

func randSlice(rng *rand.Rand, n int, scale float32) []float32 {
	s := make([]float32, max(n, 0))
	for i := range s {
		s[i] = (rng.Float32()*2 - 1) * scale
	}
	return s
}

// sgemmShapes mixes 1-sized and odd dimensions, shapes on both sides of the
// small-path threshold, ragged edges for every micro-tile, and depths that
// cross several kc panels.
var sgemmShapes = [][3]int{
	{1, 1, 1}, {1, 7, 1}, {5, 1, 9}, {1, 1, 300}, {3, 5, 7}, {17, 33, 65},
	{70, 1, 130}, {1, 90, 3}, {32, 32, 32}, {33, 31, 40}, {6, 16, 512},
	{12, 32, 513}, {100, 97, 61}, {145, 67, 300}, {7, 300, 257}, {200, 50, 600},
	{40, 70, 2100}, {9, 33, 2049}, // depths summed in two parts (sgemmDepthParts)
}

func TestSgemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	scalars := [][2]float32{{1, 0}, {1, 1}, {-0.5, 2}, {1.5, -0.25}, {2, 0}}
	shapes := sgemmShapes
	for range 24 {
		shapes = append(shapes, [3]int{1 + rng.IntN(150), 1 + rng.IntN(150), 1 + rng.IntN(400)})
	}
	for si, sh := range shapes {
		for tr := 0; tr < 4; tr++ {
			ab := scalars[(si+tr)%len(scalars)]
			tc := newSgemmCase(rng, tr&1 != 0, tr&2 != 0, sh[0], sh[1], sh[2], ab[0], ab[1], 1)
			for _, arch := range sgemmArchs {
				tc.check(t, arch.name, tc.run(arch))
			}
		}
	}
}

// TestSgemmLargeValues uses operands near 1e18 so products near 1e36 stay
// finite in float32: a kernel that overflowed, or lost the scale, fails.
func TestSgemmLargeValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, arch := range sgemmArchs {
		for _, sh := range [][3]int{{5, 7, 3}, {40, 70, 100}} {
			tc := newSgemmCase(rng, false, true, sh[0], sh[1], sh[2], 1, 0.5, 1e18)
			tc.check(t, arch.name, tc.run(arch))
		}
	}
}

// TestSgemmColumnPanels shrinks the packed panels of op(B) so that products
// with one row block and with several take more than one panel.
func TestSgemmColumnPanels(t *testing.T) {
	defer func(saved int) { sgemmPanelFloats = saved }(sgemmPanelFloats)
	sgemmPanelFloats = 300 * 64
	rng := rand.New(rand.NewPCG(17, 18))
	for _, sh := range [][3]int{{20, 200, 300}, {350, 150, 290}} {
		for tr := 0; tr < 4; tr++ {
			tc := newSgemmCase(rng, tr&1 != 0, tr&2 != 0, sh[0], sh[1], sh[2], 1, 0.5, 1)
			for _, arch := range sgemmBest {
				tc.check(t, arch.name, tc.run(arch))
			}
		}
	}
}

// TestSgemmDegenerate covers k == 0 and alpha == 0, where C = beta·C, and
// beta == 0, where NaNs already in C must not leak into the result.
func TestSgemmDegenerate(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, sh := range [][3]int{{3, 4, 0}, {64, 64, 0}, {64, 64, 64}} {
		for _, ab := range [][2]float32{{0, 0}, {0, 3}, {1, 0}} {
			tc := newSgemmCase(rng, false, false, sh[0], sh[1], sh[2], ab[0], ab[1], 1)
			arch := sgemmPick(tc.m, tc.n)
			tc.check(t, arch.name, tc.run(arch))
		}
	}
	// m or n == 0 must touch nothing, even with empty slices.
	Sgemm(false, false, 0, 5, 5, 1, nil, 5, make([]float32, 25), 5, 0, nil, 5)
	Sgemm(false, false, 5, 0, 5, 1, make([]float32, 25), 5, nil, 0, 0, nil, 0)
}

// TestSgemmMicroKernels runs each assembly micro-kernel and the pure-Go one
// with the same tile shape on the same packed slivers.
func TestSgemmMicroKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	if len(sgemmArchs) == 1 {
		t.Skip("no assembly micro-kernel runs here")
	}
	for _, arch := range sgemmArchs[:len(sgemmArchs)-1] {
		for _, k := range []int{1, 3, 4, 5, 64, 257} {
			for _, beta := range []float32{0, 1, -0.75} {
				mr, nr, ldc := arch.mr, arch.nr, arch.nr+3
				a := randSlice(rng, mr*k, 1)
				b := randSlice(rng, nr*k, 1)
				c0 := randSlice(rng, mr*ldc, 1)
				got := append([]float32(nil), c0...)
				want := append([]float32(nil), c0...)
				arch.kernel(k, a, b, got, ldc, 1.25, beta)
				sgemmMicroGo(mr, nr, k, a, b, want, ldc, 1.25, beta)
				for i := range got {
					d := math.Abs(float64(got[i] - want[i]))
					if !(d <= sgemmTol(k)*float64(k+1)) {
						t.Fatalf("%s k=%d beta=%g: c[%d] = %g, pure Go gives %g", arch.name, k, beta, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestSgemmDeterministic checks that the result is bit-identical whatever
// the number of threads, on shapes large enough to be split.
func TestSgemmDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	// Row blocks sharing op(B), row blocks and column chunks, column chunks
	// of one row block each packing op(B) themselves, enough work for
	// eight threads, and depths summed in two parts (sgemmDepthParts).
	for _, sh := range [][3]int{{300, 200, 600}, {17, 2000, 1100}, {8, 4000, 1100}, {520, 270, 1000}, {96, 200, 2304}, {520, 270, 2100}} {
		if work := int64(sh[0]) * int64(sh[1]) * int64(sh[2]); work < 2*sgemmParkedWork {
			t.Fatalf("%v: %d multiply-adds are too few to split", sh, work)
		}
		for tr := 0; tr < 4; tr++ {
			tc := newSgemmCase(rng, tr&1 != 0, tr&2 != 0, sh[0], sh[1], sh[2], 0.75, 0.5, 1)
			var ref []float32
			for _, procs := range []int{1, 2, 3, 8} {
				runtime.GOMAXPROCS(procs)
				got := tc.run(sgemmPick(tc.m, tc.n))
				if ref == nil {
					ref = got
					continue
				}
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(ref[i]) {
						t.Fatalf("%v: C[%d] = %g with GOMAXPROCS=%d, %g with 1", tc, i, got[i], procs, ref[i])
					}
				}
			}
		}
	}
}

// TestSgemmPacked: a product with op(B) packed by PackB gives Sgemm's
// bits, and the float64 reference's within its bound, for shapes below the
// packing threshold, ragged in every direction, one and several row blocks,
// deep enough for several kc slices, with an epilogue, on one thread and
// on several; and a packing done for another m (another micro-kernel)
// still gives the right product.
func TestSgemmPacked(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	shapes := [][3]int{{2, 3, 4}, {1, 33, 7}, {8, 32, 256}, {7, 45, 300}, {64, 200, 130}, {300, 70, 600}, {17, 2000, 1100}}
	for si, sh := range shapes {
		m, n, k := sh[0], sh[1], sh[2]
		for tr := 0; tr < 4; tr++ {
			tc := newSgemmCase(rng, tr&1 != 0, tr&2 != 0, m, n, k, 0.75, float32(si%2)*0.5, 1)
			res := randSlice(rng, (m-1)*tc.ldc+n, 1)
			e := &Epilogue{Residual: res, Act: Tanh, HasAct: true}
			want := append([]float32(nil), tc.c...)
			SgemmEpilogue(tc.transA, tc.transB, m, n, k, tc.alpha, tc.a, tc.lda, tc.b, tc.ldb, tc.beta, want, tc.ldc, e)
			noEpi := tc.run(sgemmPick(m, n))
			for _, packM := range []int{m, 3} {
				dst := randSlice(rng, PackedBLen(packM, n, k)+5, 1)
				pb := PackB(packM, n, k, tc.transB, tc.b, tc.ldb, dst)
				for _, procs := range []int{1, 2, 5} {
					runtime.GOMAXPROCS(procs)
					got := append([]float32(nil), tc.c...)
					SgemmPacked(tc.transA, m, tc.alpha, tc.a, tc.lda, pb, tc.beta, got, tc.ldc, e)
					plain := append([]float32(nil), tc.c...)
					SgemmPacked(tc.transA, m, tc.alpha, tc.a, tc.lda, pb, tc.beta, plain, tc.ldc, nil)
					tc.check(t, "packed", plain)
					for i := range got {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) || math.Float32bits(plain[i]) != math.Float32bits(noEpi[i]) {
							t.Fatalf("%v, packed for m=%d, GOMAXPROCS=%d: C[%d] = %g (no epilogue %g), SgemmEpilogue %g (%g)",
								tc, packM, procs, i, got[i], plain[i], want[i], noEpi[i])
						}
					}
				}
			}
		}
	}
}

// TestSgemmNoGarbage checks that single-threaded products allocate nothing
// once the pools are warm, with op(B) packed per task and shared.
func TestSgemmNoGarbage(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop buffers")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	rng := rand.New(rand.NewPCG(11, 12))
	for _, sh := range [][3]int{{100, 100, 300}, {400, 50, 100}} {
		tc := newSgemmCase(rng, true, true, sh[0], sh[1], sh[2], 1, 0, 1)
		c := make([]float32, len(tc.c))
		allocs := testing.AllocsPerRun(10, func() {
			Sgemm(true, true, tc.m, tc.n, tc.k, 1, tc.a, tc.lda, tc.b, tc.ldb, 0, c, tc.ldc)
		})
		if allocs != 0 {
			t.Fatalf("%v: Sgemm allocates %v times per call", tc, allocs)
		}
	}
}

// BenchmarkSgemm times each micro-kernel on square products, and the one
// Sgemm picks on shapes from training: a dense layer's forward and both gradients
// (batch 64, 784→256), and the same for a 3×3 convolution as im2col GEMMs
// (16→32 channels, 28×28 outputs, 8 images), and an LSTM language model's
// (hidden 512, batch 64, 64 steps): a step's product with the hidden
// weight and its gradient, the weight's gradient over all steps, and the
// input projection of all steps.
// BenchmarkMicroKernel times each micro-kernel this CPU runs alone, on one
// thread, on one kc-deep tile of packed operands in cache: the GEMM's
// ceiling (BenchmarkFMAPeak is the core's).
func BenchmarkMicroKernel(b *testing.B) {
	for _, arch := range sgemmBest {
		b.Run(arch.name, func(b *testing.B) {
			k := sgemmMaxKC
			rng := rand.New(rand.NewPCG(4, 4))
			a, bp := randSlice(rng, arch.mr*k, 1e-3), randSlice(rng, arch.nr*k, 1e-3)
			c := make([]float32, arch.mr*arch.nr)
			for b.Loop() {
				arch.kernel(k, a, bp, c, arch.nr, 1, 1)
			}
			b.ReportMetric(2*float64(arch.mr*arch.nr*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

func BenchmarkSgemm(b *testing.B) {
	rng := rand.New(rand.NewPCG(13, 14))
	bench := func(b *testing.B, arch *sgemmArch, transA, transB bool, m, n, k int) {
		tc := newSgemmCase(rng, transA, transB, m, n, k, 1, 0, 1)
		sgemm(arch, transA, transB, m, n, k, 1, tc.a, tc.lda, tc.b, tc.ldb, 0, tc.c, tc.ldc, nil) // warm the pools
		b.ResetTimer()
		for range b.N {
			sgemm(arch, transA, transB, m, n, k, 1, tc.a, tc.lda, tc.b, tc.ldb, 0, tc.c, tc.ldc, nil)
		}
		b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	}
	for _, arch := range sgemmArchs {
		for _, size := range []int{16, 64, 256, 512} {
			b.Run(fmt.Sprintf("%s/%d", arch.name, size), func(b *testing.B) {
				bench(b, arch, false, false, size, size, size)
			})
		}
	}
	// The LSTM step's products again with the hidden weight packed once.
	for _, s := range []struct {
		name           string
		transA, transB bool
		m, n, k        int
	}{{"lstm-step-packed", false, true, 64, 2048, 512}, {"lstm-step-dh-packed", false, false, 64, 512, 2048}} {
		b.Run(fmt.Sprintf("%s/%dx%dx%d/%s", s.name, s.m, s.n, s.k, sgemmPick(s.m, s.n).name), func(b *testing.B) {
			tc := newSgemmCase(rng, s.transA, s.transB, s.m, s.n, s.k, 1, 0, 1)
			pb := PackB(s.m, s.n, s.k, s.transB, tc.b, tc.ldb, make([]float32, PackedBLen(s.m, s.n, s.k)))
			SgemmPacked(s.transA, s.m, 1, tc.a, tc.lda, pb, 0, tc.c, tc.ldc, nil)
			b.ResetTimer()
			for range b.N {
				SgemmPacked(s.transA, s.m, 1, tc.a, tc.lda, pb, 0, tc.c, tc.ldc, nil)
			}
			b.ReportMetric(2*float64(s.m)*float64(s.n)*float64(s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
	for _, s := range []struct {
		name           string
		transA, transB bool
		m, n, k        int
	}{
		{"dense", false, false, 64, 256, 784},
		{"mlp-fc1", false, true, 64, 128, 784},
		{"mlp-fc1-dW", true, false, 128, 784, 64},
		{"mlp-fc2", false, true, 64, 64, 128},
		{"mlp-fc2-dX", false, false, 64, 128, 64},
		{"mlp-fc2-dW", true, false, 64, 128, 64},
		{"dense-dW", true, false, 784, 256, 64},
		{"dense-dX", false, true, 64, 784, 256},
		{"conv", false, false, 32, 6272, 144},
		{"conv-dW", false, true, 32, 144, 6272},
		{"conv-dX", true, false, 144, 6272, 32},
		{"lstm-step", false, true, 64, 2048, 512},
		{"lstm-step-dh", false, false, 64, 512, 2048},
		{"lstm-dW", true, false, 2048, 512, 4096},
		{"lstm-proj", false, true, 4096, 2048, 512},
	} {
		arch := sgemmPick(s.m, s.n)
		b.Run(fmt.Sprintf("%s/%dx%dx%d/%s", s.name, s.m, s.n, s.k, arch.name), func(b *testing.B) {
			bench(b, arch, s.transA, s.transB, s.m, s.n, s.k)
		})
	}
}

// TestPackAlong checks the copying pack, assembly and pure Go, against its
// definition, on full and ragged slivers of every width.
func TestPackAlong(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	impls := map[string]func(dst, src []float32, ld, width, w, kc int){"selected": packAlong, "go": packAlongGo}
	sizes := [][2]int{{12, 12}}
	for _, w := range []int{6, 8, 16, 32} {
		for width := 1; width <= w; width++ {
			sizes = append(sizes, [2]int{w, width})
		}
	}
	for name, pack := range impls {
		for _, kc := range []int{1, 5, 256} {
			for _, ww := range sizes {
				w, width := ww[0], ww[1]
				ld := width + rng.IntN(5)
				src := randSlice(rng, (kc-1)*ld+width, 1)
				dst := randSlice(rng, kc*w, 1)
				want := make([]float32, kc*w)
				for p := 0; p < kc; p++ {
					copy(want[p*w:p*w+width], src[p*ld:])
				}
				pack(dst, src, ld, width, w, kc)
				for i := range want {
					if math.Float32bits(dst[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s kc=%d w=%d width=%d ld=%d: dst[%d] = %g, want %g", name, kc, w, width, ld, i, dst[i], want[i])
					}
				}
			}
		}
	}
}

// TestPackAcross checks the transposing packs of eight and six rows,
// assembly and pure Go, against their definition, on depths with and
// without a ragged end.
func TestPackAcross(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	type impl struct {
		rows int
		pack func(dst, src []float32, ld, w, kc int)
	}
	impls := map[string]impl{"selected8": {8, packAcross8}, "go8": {8, packAcross8Go}}
	if packAcross6 != nil {
		impls["selected6"] = impl{6, packAcross6}
	}
	for name, im := range impls {
		for _, kc := range []int{1, 7, 8, 9, 31, 256} {
			for _, w := range []int{im.rows, 12, 32} {
				ld := kc + rng.IntN(5)
				src := randSlice(rng, (im.rows-1)*ld+kc, 1)
				dst := randSlice(rng, (kc-1)*w+im.rows, 1)
				want := append([]float32(nil), dst...)
				for p := 0; p < kc; p++ {
					for r := 0; r < im.rows; r++ {
						want[p*w+r] = src[r*ld+p]
					}
				}
				im.pack(dst, src, ld, w, kc)
				for i := range want {
					if math.Float32bits(dst[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s kc=%d w=%d ld=%d: dst[%d] = %g, want %g", name, kc, w, ld, i, dst[i], want[i])
					}
				}
			}
		}
	}
}

// TestSgemmSplit checks the split of a product's output among tasks: few
// rows get column chunks (each row block would stream all of op(B)) of two
// slivers at least, wide products row blocks of at most mc rows, and a
// split never leaves a block or chunk without slivers.
func TestSgemmSplit(t *testing.T) {
	for _, c := range []struct {
		m, n, minBlocks, want int
		blocks, chunks        int
	}{
		{64, 784, 1, 8, 1, 8},    // a batch of 64 times a layer's weights
		{1024, 1024, 8, 8, 8, 1}, // square: the blocks the cache needs give the tasks
		{300, 200, 3, 12, 3, 3},  // both
		{8, 4000, 1, 8, 1, 8},    // one sliver of rows
		{1024, 16, 8, 8, 8, 1},   // one sliver of columns
		{64, 784, 1, 1, 1, 1},    // one task
		{2000, 40, 14, 8, 14, 1}, // more blocks than tasks wanted: the cache's
	} {
		ms, ns := ceilDiv(c.m, 8), ceilDiv(c.n, 32)
		b, ch := sgemmSplit(c.m, c.n, ms, ns, c.minBlocks, c.want)
		if b != c.blocks || ch != c.chunks {
			t.Errorf("sgemmSplit(%d×%d, at least %d blocks, %d tasks) = %d blocks × %d chunks, want %d × %d",
				c.m, c.n, c.minBlocks, c.want, b, ch, c.blocks, c.chunks)
		}
		if b < 1 || b > ms || ch < 1 || ch > ns {
			t.Errorf("sgemmSplit(%d×%d) = %d × %d outside 1..%d × 1..%d", c.m, c.n, b, ch, ms, ns)
		}
	}
}

// TestSgemmInPlaceSameBits: each micro-kernel that can read op(A) in place
// (transposed or not), op(B) in place, or both, gives the bits of the
// packed kernel, on shapes with ragged slivers, depths across kc slices,
// padded leading dimensions and several threads' splits.
func TestSgemmInPlaceSameBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 5))
	defer func(a, b bool) { sgemmInPlaceA, sgemmInPlaceB = a, b }(sgemmInPlaceA, sgemmInPlaceB)
	for _, arch := range sgemmArchs {
		if arch.inPlace == nil && arch.inPlaceB == nil {
			continue
		}
		for range 40 {
			transA, transB := rng.IntN(2) == 0, rng.IntN(4) == 0
			m, n, k := 1+rng.IntN(70), 1+rng.IntN(80), 1+rng.IntN(600)
			if rng.IntN(4) == 0 {
				m = arch.mr * (1 + rng.IntN(20)) // whole slivers only
			}
			beta := []float32{0, 1, 0.5}[rng.IntN(3)]
			tc := newSgemmCase(rng, transA, transB, m, n, k, 1.5, beta, 1)
			run := func(inPlaceA, inPlaceB bool) []float32 {
				sgemmInPlaceA, sgemmInPlaceB = inPlaceA, inPlaceB
				c := append([]float32(nil), tc.c...)
				sgemm(arch, transA, transB, m, n, k, tc.alpha, tc.a, tc.lda, tc.b, tc.ldb, beta, c, tc.ldc, nil)
				return c
			}
			packed := run(false, false)
			for _, way := range [][2]bool{{true, false}, {false, true}, {true, true}} {
				got := run(way[0], way[1])
				for i := range packed {
					if math.Float32bits(packed[i]) != math.Float32bits(got[i]) && !(packed[i] != packed[i] && got[i] != got[i]) {
						t.Fatalf("%s %v: C[%d] = %v with op(A), op(B) in place %v, %v packed", arch.name, tc, i, got[i], way, packed[i])
					}
				}
			}
		}
	}
}

// BenchmarkSgemmInPlaceA times products of the training steps with op(A)
// packed, then read in place where inPlaceWorthIt allows (sgemmInPlaceA).
func BenchmarkSgemmInPlaceA(b *testing.B) {
	rng := rand.New(rand.NewPCG(8, 9))
	defer func(v bool) { sgemmInPlaceA = v }(sgemmInPlaceA)
	for _, s := range []struct {
		name           string
		transA, transB bool
		m, n, k        int
	}{
		{"mlp-fwd", false, true, 64, 128, 784}, {"mlp-dW", true, false, 128, 784, 64},
		{"tf-qkv", false, true, 4096, 256, 256}, {"tf-ff1", false, true, 4096, 1024, 256},
		{"tf-dX", false, false, 4096, 256, 1024}, {"tf-dW", true, false, 256, 256, 4096},
		{"tf-dW-ff", true, false, 1024, 256, 4096}, {"lstm-dW", true, false, 2048, 512, 4096},
		{"lstm-proj", false, true, 4096, 2048, 512}, {"square-512", false, false, 512, 512, 512},
	} {
		tc := newSgemmCase(rng, s.transA, s.transB, s.m, s.n, s.k, 1, 0, 1)
		arch := sgemmPick(s.m, s.n)
		for _, inPlace := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/%dx%dx%d/%s", s.name, s.m, s.n, s.k, map[bool]string{false: "packed", true: "inplace"}[inPlace]), func(b *testing.B) {
				sgemmInPlaceA = inPlace
				sgemm(arch, s.transA, s.transB, s.m, s.n, s.k, 1, tc.a, tc.lda, tc.b, tc.ldb, 0, tc.c, tc.ldc, nil)
				b.ResetTimer()
				for range b.N {
					sgemm(arch, s.transA, s.transB, s.m, s.n, s.k, 1, tc.a, tc.lda, tc.b, tc.ldb, 0, tc.c, tc.ldc, nil)
				}
				b.ReportMetric(2*float64(s.m)*float64(s.n)*float64(s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkSgemmInPlaceB times products with a non-transposed op(B) packed,
// then read in place where inPlaceBWorthIt allows (sgemmInPlaceB): the
// seed models' weight and input gradients at batch 64 and 1 024, the
// Transformer's attention, and widths whose rows lie a multiple of 4 KiB
// apart, which it leaves packed.
func BenchmarkSgemmInPlaceB(b *testing.B) {
	rng := rand.New(rand.NewPCG(8, 10))
	defer func(v bool) { sgemmInPlaceB = v }(sgemmInPlaceB)
	for _, s := range []struct {
		name    string
		transA  bool
		m, n, k int
	}{
		{"mlp-dX", false, 64, 784, 128}, {"mlp-dW", true, 128, 784, 64}, {"mlp-dW-b1024", true, 128, 784, 1024},
		{"gan-dX", false, 64, 784, 512}, {"gan-dW", true, 512, 784, 64}, {"attn-64", false, 64, 64, 64},
		{"wide-1000", false, 64, 1000, 512}, {"wide-1024", false, 64, 1024, 512}, {"wide-2048", false, 64, 2048, 512},
		{"square-1024", false, 1024, 1024, 1024},
		{"x-2000", false, 64, 2000, 512}, {"x-4000", false, 64, 4000, 256}, {"xt-1500", true, 128, 1500, 1024}, {"xt-1500-64", true, 64, 1500, 512}, {"x-1500-128", false, 128, 1500, 784},
	} {
		tc := newSgemmCase(rng, s.transA, false, s.m, s.n, s.k, 1, 0, 1)
		tc.ldb = s.n // as a tensor lays it out: the widths that alias are the point
		tc.b = tc.b[:(s.k-1)*s.n+s.n]
		arch := sgemmPick(s.m, s.n)
		for _, inPlace := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/%dx%dx%d/%s", s.name, s.m, s.n, s.k, map[bool]string{false: "packed", true: "inplace"}[inPlace]), func(b *testing.B) {
				sgemmInPlaceB = inPlace
				sgemm(arch, s.transA, false, s.m, s.n, s.k, 1, tc.a, tc.lda, tc.b, tc.ldb, 0, tc.c, tc.ldc, nil)
				b.ResetTimer()
				for range b.N {
					sgemm(arch, s.transA, false, s.m, s.n, s.k, 1, tc.a, tc.lda, tc.b, tc.ldb, 0, tc.c, tc.ldc, nil)
				}
				b.ReportMetric(2*float64(s.m)*float64(s.n)*float64(s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
