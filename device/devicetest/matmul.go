package devicetest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/tensorgl/tensorgl/device"
)

// matMulCases cover each transpose, α and β (β = 0 must not read C), 1-sized
// M, N and K, an empty K, batches with gaps between matrices, stride-0 broadcast and
// offsets, leading dimensions past the rows (matrices inside wider ones, an
// attention head's columns interleaved with the others'), and one product
// big enough to cross cache-blocking boundaries.
var matMulCases = append([]matMulCase{
	{"plain", device.MatMulParams{Batch: 1, M: 5, N: 7, K: 3, Alpha: 1}},
	{"transA", device.MatMulParams{Batch: 1, M: 6, N: 5, K: 9, TransA: true, Alpha: 1}},
	{"transB", device.MatMulParams{Batch: 1, M: 6, N: 5, K: 9, TransB: true, Alpha: 1}},
	{"transAB", device.MatMulParams{Batch: 1, M: 7, N: 3, K: 11, TransA: true, TransB: true, Alpha: 1}},
	{"alphaBeta", device.MatMulParams{Batch: 1, M: 4, N: 9, K: 6, Alpha: -0.5, Beta: 1.5}},
	{"beta0", device.MatMulParams{Batch: 2, M: 3, N: 4, K: 5, Alpha: 2, StrideA: 15, StrideB: 20, StrideC: 15}},
	{"row", device.MatMulParams{Batch: 1, M: 1, N: 13, K: 17, Alpha: 1}},
	{"column", device.MatMulParams{Batch: 1, M: 13, N: 1, K: 17, TransA: true, Alpha: 1}},
	{"outer", device.MatMulParams{Batch: 1, M: 9, N: 8, K: 1, Alpha: 1, Beta: 1}},
	{"batched", device.MatMulParams{Batch: 3, M: 4, N: 6, K: 5, Alpha: 1, StrideA: 23, StrideB: 31, StrideC: 27}},
	{"broadcastA", device.MatMulParams{Batch: 4, M: 3, N: 5, K: 7, Alpha: 1, StrideA: 0, StrideB: 35, StrideC: 15}},
	{"broadcastB", device.MatMulParams{Batch: 3, M: 5, N: 4, K: 6, TransB: true, Alpha: 1, Beta: 0.5, StrideA: 30, StrideB: 0, StrideC: 21}},
	{"offsets", device.MatMulParams{Batch: 2, M: 5, N: 3, K: 4, TransA: true, TransB: true, Alpha: 0.75, Beta: -1,
		OffA: 3, OffB: 7, OffC: 2, StrideA: 21, StrideB: 12, StrideC: 16}},
	{"blocked", device.MatMulParams{Batch: 1, M: 131, N: 37, K: 260, Alpha: 1}},
	{"blockedTrans", device.MatMulParams{Batch: 2, M: 33, N: 70, K: 129, TransA: true, TransB: true, Alpha: 1, Beta: 1,
		StrideA: 33 * 129, StrideB: 70 * 129, StrideC: 33 * 70}},
	// K = 0: C = β·C, and op(A)'s rows sum to 0.
	{"emptyK", device.MatMulParams{Batch: 2, M: 3, N: 2, K: 0, TransA: true, Alpha: 1, Beta: 0.5, StrideC: 6}},
	{"leading", device.MatMulParams{Batch: 1, M: 5, N: 6, K: 7, Alpha: 1, Beta: 0.5, LdA: 9, LdB: 8, LdC: 11}},
	{"leadingTrans", device.MatMulParams{Batch: 1, M: 6, N: 5, K: 3, TransA: true, TransB: true, Alpha: 1, LdA: 10, LdB: 4, LdC: 5}},
	// Matrices of 8 columns interleaved in rows of 64, as an attention's
	// heads lie in its [L, N, E] tensors (N·E = 64): matrix b from column
	// 8b, rows 64 apart (LdA = LdB = LdC).
	{"heads", device.MatMulParams{Batch: 8, M: 7, N: 8, K: 8, TransB: true, Alpha: 1, OffA: 4, OffB: 4,
		StrideA: 8, StrideB: 8, StrideC: 8, LdA: 64, LdB: 64, LdC: 64}},
	{"headsBlocked", device.MatMulParams{Batch: 3, M: 70, N: 36, K: 131, TransA: true, Alpha: 1, Beta: 1,
		StrideA: 72, StrideB: 36 * 131, StrideC: 36, LdA: 3 * 72, LdC: 3 * 36}},
}, randomMatMulCases(rand.New(rand.NewPCG(5, 6)), 6)...)

type matMulCase struct {
	name string
	p    device.MatMulParams
}

// epilogueMatMulCases run products through each fused epilogue: the bias
// by column, the residual and saved activation laid out as C, on single,
// batched, offset, β ≠ 0 and cache-blocked products.
var epilogueMatMulCases = func() []epilogueMatMulCase {
	r := rand.New(rand.NewPCG(7, 8))
	base := []device.MatMulParams{
		{Batch: 1, M: 5, N: 7, K: 3, Alpha: 1},
		{Batch: 3, M: 4, N: 6, K: 5, Alpha: 1, StrideA: 23, StrideB: 31, StrideC: 27},
		{Batch: 2, M: 5, N: 3, K: 4, TransA: true, TransB: true, Alpha: 0.75, Beta: -1, OffA: 3, OffB: 7, OffC: 2, StrideA: 21, StrideB: 12, StrideC: 16},
		{Batch: 1, M: 131, N: 37, K: 260, Alpha: 1},
		{Batch: 1, M: 1, N: 13, K: 17, TransB: true, Alpha: 1},
		{Batch: 1, M: 9, N: 1, K: 2000, Alpha: 1}, // few outputs, long K: split on GL
		// Matrices interleaved in wider rows; a split product's C inside
		// a wider matrix.
		{Batch: 4, M: 6, N: 8, K: 5, TransA: true, Alpha: 1, StrideA: 6, StrideB: 40, StrideC: 8, LdA: 24, LdC: 32},
		{Batch: 1, M: 7, N: 2, K: 1500, Alpha: 1, OffC: 1, LdA: 1502, LdC: 5},
	}
	var cases []epilogueMatMulCase
	for i, e := range randomEpilogues(r, 24) {
		cases = append(cases, epilogueMatMulCase{matMulCase: matMulCase{fmt.Sprintf("epilogue%d", i), base[i%len(base)]}, e: e})
	}
	return cases
}()

// epilogueMatMulCase is a product with a fused epilogue.
type epilogueMatMulCase struct {
	matMulCase
	e       epilogueCase
	rowSums bool // also sum op(A)'s rows (Epilogue.BiasGrad)
	sums2   bool // and write them twice (Epilogue.BiasGrad2)
}

// allMatMulCases are matMulCases without an epilogue, then
// epilogueMatMulCases; every other one of each also sums op(A)'s rows (of
// the epilogue cases, those on the batched, cache-blocked and split bases),
// and the epilogue cases without a bias whose row sums take no residual
// (see testMatMul) multiply by a scale (Epilogue.Scale, MatMul's alone);
// then a few products with a second bias (Epilogue.Bias2) or with their row
// sums written twice (Epilogue.BiasGrad2), a recurrent layer's input
// projection and its weight gradient, each MatMul's alone: small,
// cache-blocked, batched and split along K. (Few: the GL suite builds each
// epilogue's variant under every tiling.)
func allMatMulCases() []epilogueMatMulCase {
	var cs []epilogueMatMulCase
	for i, c := range matMulCases {
		cs = append(cs, epilogueMatMulCase{matMulCase: c, rowSums: i%2 == 1})
	}
	for i, c := range epilogueMatMulCases {
		c.rowSums = i%2 == 1
		if ci := len(cs); !c.e.bias && !(c.rowSums && ci%4 == 3) {
			c.e.scale, c.e.offScale = true, i%3
		}
		cs = append(cs, c)
	}
	mm := func(name string, p device.MatMulParams) matMulCase { return matMulCase{name, p} }
	return append(cs,
		epilogueMatMulCase{matMulCase: mm("bias2", device.MatMulParams{Batch: 1, M: 5, N: 7, K: 3, Alpha: 1}),
			e: epilogueCase{bias: true, offBias: 1, bias2: true, offBias2: 2}},
		epilogueMatMulCase{matMulCase: mm("bias2Blocked", device.MatMulParams{Batch: 1, M: 131, N: 37, K: 260, Alpha: 1}),
			e: epilogueCase{bias: true, bias2: true, offBias2: 3, act: device.ActLeakyRelu, slope: 0.2}},
		epilogueMatMulCase{matMulCase: mm("bias2Split", device.MatMulParams{Batch: 1, M: 9, N: 3, K: 2000, Alpha: 1}),
			e: epilogueCase{bias: true, offBias: 2, bias2: true, offBias2: 1, residual: true, offRes: 1}},
		epilogueMatMulCase{matMulCase: mm("rowSums2", device.MatMulParams{Batch: 1, M: 6, N: 5, K: 9, TransA: true, Alpha: 1}),
			rowSums: true, sums2: true},
		epilogueMatMulCase{matMulCase: mm("rowSums2Batched", device.MatMulParams{Batch: 3, M: 4, N: 6, K: 5, Alpha: 1, StrideA: 23, StrideB: 31, StrideC: 27}),
			rowSums: true, sums2: true},
		epilogueMatMulCase{matMulCase: mm("rowSums2Split", device.MatMulParams{Batch: 1, M: 7, N: 2, K: 1500, TransA: true, Alpha: 1}),
			rowSums: true, sums2: true},
	)
}

// randomMatMulCases draws n products with every setting random: sizes,
// transposes, α, β (0 half the time), offsets, leading dimensions (packed
// half the time), and batch strides that are packed, gapped or (for A and
// B) 0.
func randomMatMulCases(r *rand.Rand, n int) []matMulCase {
	cases := make([]matMulCase, n)
	for i := range cases {
		p := device.MatMulParams{Batch: 1 + r.IntN(3), M: dimSizes[r.IntN(len(dimSizes))], N: dimSizes[r.IntN(len(dimSizes))],
			K: dimSizes[r.IntN(len(dimSizes))], TransA: r.IntN(2) == 0, TransB: r.IntN(2) == 0,
			Alpha: float32(r.NormFloat64()), OffA: r.IntN(4), OffB: r.IntN(4), OffC: r.IntN(4)}
		if r.IntN(2) == 0 {
			p.Beta = float32(r.NormFloat64())
		}
		ld := func(row int) int {
			if r.IntN(2) == 0 {
				return 0
			}
			return row + r.IntN(4)
		}
		ra, rb := p.K, p.N
		if p.TransA {
			ra = p.M
		}
		if p.TransB {
			rb = p.K
		}
		p.LdA, p.LdB, p.LdC = ld(ra), ld(rb), ld(p.N)
		stride := func(size int, broadcast bool) int {
			if broadcast && r.IntN(3) == 0 {
				return 0
			}
			return size + r.IntN(3)
		}
		ea, eb, ec := extents(p)
		p.StrideA, p.StrideB, p.StrideC = stride(ea, true), stride(eb, true), stride(ec, false)
		cases[i] = matMulCase{fmt.Sprintf("random%d", i), p}
	}
	return cases
}

func testMatMul(t tb, d device.Device) {
	for ci, c := range allMatMulCases() {
		subtest(t, c.name, func(t tb) {
			r := newRand(t)
			p := c.p
			span := func(off, stride, size int) int { return off + (p.Batch-1)*stride + size + 2 }
			ea, eb, ec := extents(p)
			a := draw(r, span(p.OffA, p.StrideA, ea), device.Mostly(device.Between(-1, 1), device.Wide(4)))
			b := draw(r, span(p.OffB, p.StrideB, eb), device.Mostly(device.Between(-1, 1), device.Wide(4)))
			cv := draw(r, span(p.OffC, p.StrideC, ec), device.Between(-1, 1))
			if p.Beta == 0 {
				cv = filled(len(cv), float32(math.NaN())) // C must not be read
			}
			want, bound := matMulRef(p, a, b, cv)
			e, h := c.e.make(t, d, r, p.N, (p.Batch-1)*p.StrideC+ec)
			_, _, ldc := p.Lds()
			for bt := range p.Batch {
				for i := range p.M * p.N {
					rel := bt*p.StrideC + i/p.N*ldc + i%p.N
					want[p.OffC+rel], bound[p.OffC+rel] = c.e.apply(want[p.OffC+rel], bound[p.OffC+rel], h, rel, i%p.N)
				}
			}
			cb, ab, bb := upload(t, d, cv), upload(t, d, a), upload(t, d, b)
			// Row sums after a NaN guard of 1–3 values and before one more;
			// where the product has no bias, every other case adds them to
			// a residual (Epilogue.BiasGradResidual) after 0–2 values; the
			// cases that ask write them twice (Epilogue.BiasGrad2), after a
			// guard of 2 or 3.
			sums := c.rowSums
			var off, offRes, off2 int
			var res []float32
			if sums {
				off = 1 + ci%3
				e.BiasGrad, e.OffBiasGrad = upload(t, d, filled(off+p.Batch*p.M+1, float32(math.NaN()))), off
				if e.Bias == nil && e.Scale == nil && ci%4 == 3 && !c.sums2 {
					offRes = ci % 3
					res = draw(r, offRes+p.Batch*p.M, device.Mostly(device.Between(-1, 1), device.Wide(3)))
					e.BiasGradResidual, e.OffBiasGradResidual = upload(t, d, res), offRes
				} else if c.sums2 {
					off2 = 2 + ci%2
					e.BiasGrad2, e.OffBiasGrad2 = upload(t, d, filled(off2+p.Batch*p.M+1, float32(math.NaN()))), off2
				}
			}
			d.MatMul(cb, ab, bb, e, p)
			got := download(t, d, cb, len(cv))
			expectClose(t, describe(p)+" "+c.e.String(), got, want, bound)
			if !sums {
				return
			}
			sumWant, sumBound := rowSumRef(p, a)
			for i, v := range res[min(offRes, len(res)):] {
				sumWant[i] += float64(v)
				sumBound[i] += tol("round").Bound(sumWant[i], 0) + tol("round").Bound(float64(v), 0)
			}
			sumsGot := download(t, d, e.BiasGrad, off+p.Batch*p.M+1)
			expectClose(t, fmt.Sprintf("%s row sums (residual %v)", describe(p), res != nil), sumsGot,
				slices.Concat(nanRun(off), sumWant, nanRun(1)), slices.Concat(make([]float64, off), sumBound, []float64{0}))
			if e.BiasGrad2 != nil {
				// The second copy: the first's bits, between its guards.
				nan := float32(math.NaN())
				expectEqual(t, describe(p)+" row sums' second copy", download(t, d, e.BiasGrad2, off2+p.Batch*p.M+1),
					slices.Concat(filled(off2, nan), sumsGot[off:off+p.Batch*p.M], []float32{nan}))
			}
			// Without the row sums, the same product to the bit.
			e.BiasGrad, e.BiasGradResidual, e.BiasGrad2 = nil, nil, nil
			cb = upload(t, d, cv)
			d.MatMul(cb, ab, bb, e, p)
			expectEqual(t, describe(p)+" without row sums", download(t, d, cb, len(cv)), got)
		})
	}
}

// nanRun returns n NaNs: a guard a kernel must leave as it is.
func nanRun(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = math.NaN()
	}
	return v
}

// aIndex returns the index of op(A[bt])[i, k] in A's buffer.
func aIndex(p device.MatMulParams, bt, i, k int) int {
	lda, _, _ := p.Lds()
	if p.TransA {
		return p.OffA + bt*p.StrideA + k*lda + i
	}
	return p.OffA + bt*p.StrideA + i*lda + k
}

// extents returns how many elements one matrix of A, B and C spans, from
// its first to its last: (rows − 1)·ld + the row length.
func extents(p device.MatMulParams) (a, b, c int) {
	lda, ldb, ldc := p.Lds()
	extent := func(rows, row, ld int) int {
		if rows == 0 || row == 0 {
			return 0
		}
		return (rows-1)*ld + row
	}
	if p.TransA {
		a = extent(p.K, p.M, lda)
	} else {
		a = extent(p.M, p.K, lda)
	}
	if p.TransB {
		b = extent(p.N, p.K, ldb)
	} else {
		b = extent(p.K, p.N, ldb)
	}
	return a, b, extent(p.M, p.N, ldc)
}

// rowSumRef returns Σ_k op(A[b])[m, k] at b·M + m and each sum's bound.
func rowSumRef(p device.MatMulParams, a []float32) (want, bound []float64) {
	want, bound = make([]float64, p.Batch*p.M), make([]float64, p.Batch*p.M)
	for bt := range p.Batch {
		for i := range p.M {
			sum, abs := 0.0, 0.0
			for k := range p.K {
				v := float64(a[aIndex(p, bt, i, k)])
				sum += v
				abs += math.Abs(v)
			}
			want[bt*p.M+i], bound[bt*p.M+i] = sum, tol("accumulate").Bound(float64(p.K+2)*abs, 0)
		}
	}
	return want, bound
}

// matMulRef returns the expected contents of the whole C buffer (elements
// outside the C matrices unchanged) and the error bound of each.
func matMulRef(p device.MatMulParams, a, b, c []float32) (want, bound []float64) {
	want, bound = make([]float64, len(c)), make([]float64, len(c))
	for i, v := range c {
		want[i] = float64(v)
	}
	alpha, beta := float64(p.Alpha), float64(p.Beta)
	_, ldb, ldc := p.Lds()
	for bt := range p.Batch {
		for i := range p.M {
			for j := range p.N {
				sum, abs := 0.0, 0.0
				for k := range p.K {
					ai := aIndex(p, bt, i, k)
					bi := p.OffB + bt*p.StrideB + k*ldb + j
					if p.TransB {
						bi = p.OffB + bt*p.StrideB + j*ldb + k
					}
					prod := float64(a[ai]) * float64(b[bi])
					sum += prod
					abs += math.Abs(prod)
				}
				ci := p.OffC + bt*p.StrideC + i*ldc + j
				w, scale := alpha*sum, math.Abs(alpha)*abs
				if p.Beta != 0 {
					w += beta * float64(c[ci])
					scale += math.Abs(beta * float64(c[ci]))
				}
				want[ci], bound[ci] = w, tol("accumulate").Bound(float64(p.K+2)*scale, 0)
			}
		}
	}
	return want, bound
}
