package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices; op(A) is m×k (A is k×m when transA),
// op(B) is k×n (B is n×k when transB). lda/ldb/ldc are row strides. When beta == 0, C is not read.
//
// Large products follow the GotoBLAS/BLIS scheme: op(B) is packed into
// kc-deep slivers nr columns wide, op(A) into mc×kc blocks of mr-row slivers,
// and a register-blocked micro-kernel computes mr×nr tiles of C from them in
// cache. Where a panel of op(B) has few slivers to share a packed block of
// op(A), the micro-kernel reads op(A) in place instead (inPlaceWorthIt),
// and where a sliver of op(B) serves a single row block, op(B) too
// (inPlaceBWorthIt), with the same arithmetic. Every element of C is computed by the same sequence of float
// operations whatever GOMAXPROCS is: the depth is always cut at the same kc
// boundaries and summed in the same order, and threads split only the output.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemm(sgemmPick(m, n), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, nil)
}

// SgemmEpilogue is Sgemm followed by e on every element of C (nil: none).
// Each block of C (a task's rows, up to 128 KiB) gets its epilogue as soon
// as its sum is complete, while it is still in cache.
func SgemmEpilogue(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, e *Epilogue) {
	sgemm(sgemmPick(m, n), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, e)
}

// sgemmPick returns the micro-kernel of sgemmBest that takes least time on
// the m×n output padded to its whole tiles, the earliest on a tie. It
// depends on the shape only, so it never changes a result between runs.
func sgemmPick(m, n int) *sgemmArch {
	var best *sgemmArch
	var least float64
	for _, arch := range sgemmBest {
		cost := float64(ceilDiv(m, arch.mr)*arch.mr) * float64(ceilDiv(n, arch.nr)*arch.nr) / arch.speed
		if best == nil || cost < least {
			best, least = arch, cost
		}
	}
	return best
}

// sgemmSmallWork is the m·n·k (multiply-adds) below which the plain loops of
// sgemmSmall beat packing. Packing costs about 100 ns whatever the size, and the
// micro-kernels are so much faster than plain Go loops that they win from
// about 8×8×8 on (measured on Zen 5 with AVX-512).
const sgemmSmallWork = 512

// sgemmParkedWork is the least work (multiply-adds, about 70 µs) worth
// handing to each goroutine when the helper pool does not spin: waking a
// parked goroutine takes 10 to 230 µs on a 2-core Zen 5 VM, where 256³ ran
// no faster on two threads than on one and 512³ 1.7× as fast. Smaller
// products run single-threaded without goroutines: the low-overhead path
// for small matrices.
//
// While the pool spins (a helper joins within 2–3 µs), products of
// sgemmTaskWork (about 18 µs) a worker go parallel too, if each worker
// gets sgemmTaskOutputs of C or more: a batch of 64 times a GAN's 784→512
// weight and its gradients ran 1.3–1.5× as fast on two threads as on one
// (bench/results/spin-pool-*-2026-12-01.txt). At 4 Mi and 16 Ki the rows
// RNN's products of 1 792 rows and one of the GAN's ran on one core; at
// 3.5 Mi and 8 Ki on two, the rows RNN's step ran 1.17–1.29× as fast and
// the GAN's 1.05–1.09×. The batch-64 MLP's two 6.4 Mi products (8 Ki and
// 100 Ki outputs) stay below: on two workers (at 3 Mi and 4 Ki) its step
// ran 1.40× as fast while the VM's second vCPU ran freely but 0.93× while
// it was contended, which it was for most of an afternoon
// (bench/results/gemm-task-thresholds-2026-12-03-zen5.txt.gz). On a Zen 2
// VM the same two states were the host placing the vCPUs on near cores or
// on far ones (nearcores.go): while a probe finds them near, such products
// go parallel from sgemmNearWork and sgemmNearOutputs.
const (
	sgemmParkedWork  = 1 << 24
	sgemmTaskWork    = 7 << 19
	sgemmTaskOutputs = 1 << 13
)

// sgemmNearWork and sgemmNearOutputs are sgemmTaskWork and
// sgemmTaskOutputs while the pool's cores are near (nearcores.go): the
// batch-64 MLP's products (6.4 Mi multiply-adds, 8 Ki and 100 Ki outputs)
// then go parallel, and so do LeNet's 400→120 layer's three (3 Mi, 7.5 Ki
// to 47 Ki outputs), which took 64–71 µs each of its 1.16 ms step on one
// worker of a 2-vCPU Zen 4: at 1 Mi and 2 Ki (from 3 Mi and 4 Ki) LeNet's
// step ran 1.15× as fast; the other seed models' steps, at batch 64 and
// 1 024, ResNet-18's at batch 8 and the language models' 0.97–1.03× (the
// batch-1 024 MLP's and ResNet-18's first 0.88 and 0.96 read 0.99 in
// longer runs): bench/results/gemm-near-thresholds-2026-12-06-zen4.txt.gz.
const (
	sgemmNearWork    = 1 << 20
	sgemmNearOutputs = 1 << 11
)

// sgemmWorkers is how many of workers an m×n×k product is worth.
func sgemmWorkers(workers, m, n, k int) int {
	work, outputs := int64(m)*int64(n)*int64(k), int64(m)*int64(n)
	w := min(int64(workers), work/sgemmParkedWork)
	if pool.spinning() {
		w = max(w, min(int64(workers), work/sgemmTaskWork, outputs/sgemmTaskOutputs))
		if near := min(int64(workers), work/sgemmNearWork, outputs/sgemmNearOutputs); near > max(w, 1) && nearCores() {
			w = near
		}
	}
	return int(max(1, w))
}

// sgemmMaxKC bounds every micro-kernel's kc, so a packer may keep a value
// per step of a slice on the stack.
const sgemmMaxKC = 256

// maxTile bounds mr·nr of every micro-kernel, so one buffer size serves the
// ragged-edge tile of them all.
const maxTile = 16 * 32

// sgemmArch is one micro-kernel with the cache blocking tuned for it.
type sgemmArch struct {
	name   string
	isa    string // the instruction set, as ISA reports it
	mr, nr int    // rows and columns of C held in registers
	kc     int    // depth of a packed slice; fixed per arch, so results do not depend on threads
	mc     int    // most rows of op(A) packed in one block (kept in L2)
	// speed is the kernel's throughput on whole tiles relative to others
	// of its instruction set (measured), to weigh against their padding.
	speed float64
	// kernel computes the mr×nr tile C = alpha·A·B + beta·C from a packed
	// sliver a (k steps of mr values) and b (k steps of nr values); C has row
	// stride ldc and is not read when beta == 0.
	kernel func(k int, a, b, c []float32, ldc int, alpha, beta float32)
	// inPlace, where not nil, is kernel reading its mr rows of op(A) from
	// A itself, lda apart: row i at a[i·lda:] (trans: step p at
	// a[p·lda:], its mr values side by side), with the packed kernel's
	// arithmetic, so that no product packs op(A).
	inPlace func(trans bool, k int, a []float32, lda int, b, c []float32, ldc int, alpha, beta float32)
	// inPlaceB, where not nil, is kernel reading op(B) from B itself (not
	// transposed), its k steps of nr values ldb apart, and op(A) packed or
	// in place as l says.
	inPlaceB func(l aLayout, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32)
}

// aLayout is where a micro-kernel reads its slivers of op(A) from.
type aLayout int

const (
	aPacked     aLayout = iota // a packed sliver
	aRowMajor                  // A itself, not transposed
	aTransposed                // A itself, transposed
)

// sgemmInPlaceB lets products read a non-transposed op(B) in place where
// the micro-kernel can and inPlaceBWorthIt says so. A variable, so that
// tests can compare both ways.
var sgemmInPlaceB = true

// inPlaceBWorthIt reports whether the micro-kernel should read whole
// slivers of a non-transposed op(B) from B itself, its steps ldb floats
// apart, rather than pack them, in a split of mBlocks row blocks. One row
// block (a batch of rows times a weight, or a weight gradient over a batch)
// uses each sliver once, for all its row tiles: packing it copies the sliver
// only to read it back. Several row blocks share a packed panel, which
// stays in cache, and steps a multiple of 4 KiB apart fall on a few sets of
// L1, which the sliver then overflows. Measured on Zen 5 (go test ./kernels
// -bench SgemmInPlaceB, bench/results/gemm-inplace-b-2026-12-03-zen5.txt.gz):
// batch-64 input gradients and weight gradients 1.03–1.09× in place on
// AVX-512, 1.02–1.07× on AVX2, the Transformer's 64×64×64 products 1.08×;
// in place regardless, 1024³ ran 0.78× and rows 4 or 8 KiB apart 0.6–0.85×.
func inPlaceBWorthIt(ldb, mBlocks int) bool {
	return mBlocks == 1 && ldb*4%4096 != 0
}

// sgemmInPlaceA lets products read op(A) in place where the micro-kernel
// can and inPlaceWorthIt says so. A variable, so that tests can compare
// both ways.
var sgemmInPlaceA = true

// inPlaceWorthIt reports whether reading op(A) in place beats packing it,
// for a panel of op(B) of nSlivers slivers: a packed block of op(A) serves
// every sliver of the panel, so packing pays off on wide panels, and a
// transposed A whose steps lie a multiple of 8 KiB apart maps them onto a
// few cache sets. Measured on Zen 5 (go test ./kernels -bench
// SgemmInPlaceA): the Transformer's products with 8 slivers 1.06–1.21× in
// place, 24–64 slivers within ±3%, a 1024³ product with A transposed
// (steps 4 KiB apart, 32 slivers) 0.86×, the LSTM's weight gradient (A
// transposed, steps 8 KiB apart, 16 slivers) 0.90×, the same with steps
// 8256 bytes apart 1.01×. Only the AVX-512 kernels have in-place forms:
// the AVX2 kernel's slivers of 6 take 24 bytes of a cache line a step, and
// in place its products ran 0.95–1.05× and the Transformer's step on AVX2
// code 0.95–1.0× (results/inplace-a-avx2-2026-12-02.txt).
//
// Where op(B) is read in place too (inPlaceBWorthIt), nothing is packed at
// all, and wider panels gain as well: on Zen 5 a batch-1 024 weight
// gradient (128×784×1024, 25 slivers) 1.05×, 64×1000×512 (32 slivers)
// 1.17×, 64×4000×256 1.04×, 128×1500×1024 with A transposed 1.12×, only
// 64×1500×512 with A transposed 0.98× (results/gemm-inplace-b-2026-12-03-zen5.txt.gz).
func inPlaceWorthIt(transA bool, lda, nSlivers int, bInPlace bool) bool {
	return (nSlivers <= 24 || bInPlace) && !(transA && lda*4%8192 == 0)
}

// ISA names the instruction set of the GEMM micro-kernels this process
// runs: "AVX-512", "AVX2" (with FMA) or "pure Go". GODEBUG=cpu.avx512f=off
// (or cpu.avx2=off) runs the next one down, as on a CPU without it.
func ISA() string { return sgemmBest[0].isa }

// sgemmGo is the portable micro-kernel, used where no assembly one runs and
// as the reference the assembly kernels are tested against.
var sgemmGo = &sgemmArch{
	name: "go", isa: "pure Go", mr: 4, nr: 16, kc: 256, mc: 128, speed: 1,
	kernel: func(k int, a, b, c []float32, ldc int, alpha, beta float32) {
		sgemmMicroGo(4, 16, k, a, b, c, ldc, alpha, beta)
	},
}

// sgemmMicroGo is the micro-kernel contract written in Go, for any tile
// with even mr and nr. It walks the tile in 2×2 blocks, whose four sums stay
// in registers through the depth loop (larger blocks spill on amd64).
func sgemmMicroGo(mr, nr, k int, a, b, c []float32, ldc int, alpha, beta float32) {
	a, b = a[:mr*k], b[:nr*k]
	for i := 0; i < mr; i += 2 {
		c0, c1 := c[i*ldc:][:nr], c[(i+1)*ldc:][:nr]
		for j := 0; j < nr; j += 2 {
			var s00, s01, s10, s11 float32
			for ai, bi := i, j; ai < len(a); ai, bi = ai+mr, bi+nr {
				a0, a1 := a[ai], a[ai+1]
				b0, b1 := b[bi], b[bi+1]
				s00 += a0 * b0
				s01 += a0 * b1
				s10 += a1 * b0
				s11 += a1 * b1
			}
			if beta == 0 {
				c0[j], c0[j+1] = alpha*s00, alpha*s01
				c1[j], c1[j+1] = alpha*s10, alpha*s11
				continue
			}
			c0[j], c0[j+1] = alpha*s00+beta*c0[j], alpha*s01+beta*c0[j+1]
			c1[j], c1[j+1] = alpha*s10+beta*c1[j], alpha*s11+beta*c1[j+1]
		}
	}
}

func sgemm(arch *sgemmArch, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, e *Epilogue) {
	if m <= 0 || n <= 0 {
		return
	}
	if e.none() {
		e = nil
	}
	if k <= 0 || alpha == 0 {
		for i := 0; i < m; i++ {
			scaleRow(c[i*ldc:i*ldc+n], beta)
		}
		if e != nil {
			e.apply(c, ldc, 0, m, 0, n)
		}
		return
	}
	if int64(m)*int64(n)*int64(k) < sgemmSmallWork { // int64: m·n·k can overflow a 32-bit int
		sgemmSmall(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, e)
		return
	}
	if outerRuns(m, k) {
		sgemmOuter(transA, transB, m, n, alpha, a, lda, b, ldb, beta, c, ldc, e)
		return
	}
	if gemvRuns(m, transB) {
		gemv(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, e)
		return
	}
	if sgemmDepthParts(m, n, k) > 1 {
		sgemmDepth(arch, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, e)
		return
	}
	sgemmRun(arch, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, e, nil, nil)
}

// sgemmDepthOutputs and sgemmDepthMin bound the products whose depth is
// summed in two parts (sgemmDepthParts): at most 256 K outputs, each part
// at least 1024 deep.
const (
	sgemmDepthOutputs = 1 << 18
	sgemmDepthMin     = 1 << 10
)

// sgemmDepthParts returns how many parts of its depth an m×n×k product is
// summed in: 2 for a small output over a deep k (a layer's weight
// gradient over a large batch: 256×256 outputs over 4096 rows), whose
// split into row blocks and column chunks leaves each thread re-reading
// the operands for a corner of C, else 1. It depends on the shape only, so
// the sums do not depend on GOMAXPROCS.
func sgemmDepthParts(m, n, k int) int {
	if int64(m)*int64(n) <= sgemmDepthOutputs && k >= 2*sgemmDepthMin {
		return 2
	}
	return 1
}

// sgemmDepth is sgemm for a product sgemmDepthParts cuts in two: the
// first part of the depth (a whole number of kc slices, about half) into C
// with beta, the rest into a scratch, each a product on one thread (the
// two run side by side when a helper is free), then C += scratch and the
// epilogue.
func sgemmDepth(arch *sgemmArch, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, e *Epilogue) {
	k0 := ceilDiv(k/2, arch.kc) * arch.kc
	// Where the second part of the depth starts in each operand.
	offA, offB := k0, k0*ldb
	if transA {
		offA = k0 * lda
	}
	if transB {
		offB = k0
	}
	a1, b1 := a[offA:], b[offB:]
	sp := getScratch(m * n)
	defer putScratch(sp)
	rest := *sp
	ParallelFor(2, 1, func(lo, hi int) {
		for part := lo; part < hi; part++ {
			if part == 0 {
				sgemmRunOn(arch, true, transA, transB, m, n, k0, alpha, a, lda, b, ldb, beta, c, ldc, nil, nil, nil)
			} else {
				sgemmRunOn(arch, true, transA, transB, m, n, k-k0, alpha, a1, lda, b1, ldb, 0, rest, n, nil, nil, nil)
			}
		}
	})
	for i := range m {
		row := c[i*ldc:][:n]
		binarySpan(Add, 0, row, row, rest[i*n:][:n])
	}
	if e != nil {
		e.apply(c, ldc, 0, m, 0, n)
	}
}

// bSource is an op(B) that is not stored as a matrix, such as a
// convolution's im2col matrix, whose slivers are packed straight from the
// values they come from (implicit-GEMM convolution, conv_implicit.go).
type bSource interface {
	// pack writes the sliver of op(B) at depths [pc, pc+kc) and columns
	// [col, col+width) as packSliver does: dst[p·nr+i] = op(B)[pc+p][col+i]
	// for i < width, zero for width ≤ i < nr.
	pack(dst []float32, pc, kc, col, width, nr int)
}

// aSource is an op(A) that is not stored as a matrix, such as a
// convolution's weights flipped for its input gradient, whose slivers are
// packed straight from the values they come from (flippedA).
type aSource interface {
	// pack writes rows [i0, i1) of op(A) at depths [pc, pc+kc) as packA
	// does, in mr-row slivers of kc steps: dst[((i−i0)/mr·kc + p)·mr +
	// (i−i0)%mr] = op(A)[i][pc+p], the last sliver's rows past i1 zero.
	pack(dst []float32, i0, i1, pc, kc, mr int)
}

// sgemmFrom is SgemmEpilogue with the k×n op(B) packed from src: C =
// alpha·op(A)·op(B) + beta·C, then e. It always runs the packed path.
// op(A) is packed from asrc where that is not nil (a and lda are then
// unused).
func sgemmFrom(transA bool, m, n, k int, alpha float32, a []float32, lda int, asrc aSource, src bSource, beta float32, c []float32, ldc int, e *Epilogue) {
	if m <= 0 || n <= 0 {
		return
	}
	if e.none() {
		e = nil
	}
	if k <= 0 || alpha == 0 {
		sgemm(sgemmPick(m, n), transA, false, m, n, 0, alpha, a, lda, nil, n, beta, c, ldc, e)
		return
	}
	j := sgemmJobs.Get().(*sgemmJob)
	j.asrc = asrc
	sgemmRunJob(j, sgemmPick(m, n), false, transA, false, m, n, k, alpha, a, lda, nil, 0, beta, c, ldc, e, 0, nil, src)
}

// sgemmRun runs a packed product as a pooled job; packed, if not nil, is
// op(B) packed by PackB for arch.
// src, if not nil, packs op(B) instead of b.
func sgemmRun(arch *sgemmArch, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, e *Epilogue, packed []float32, src bSource) {
	sgemmRunOn(arch, false, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, e, packed, src)
}

// sgemmRunOn is sgemmRun, on the calling goroutine alone when serial.
func sgemmRunOn(arch *sgemmArch, serial, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, e *Epilogue, packed []float32, src bSource) {
	sgemmRunRows(arch, serial, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, e, 0, packed, src)
}

// sgemmRunRows is sgemmRunOn with C's row 0 row epiRow of e's operands.
func sgemmRunRows(arch *sgemmArch, serial, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, e *Epilogue, epiRow int, packed []float32, src bSource) {
	sgemmRunJob(sgemmJobs.Get().(*sgemmJob), arch, serial, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, e, epiRow, packed, src)
}

// sgemmRunJob is sgemmRunRows on the pooled job j, whose asrc the caller
// has set (nil: op(A) is a); it returns j to the pool.
func sgemmRunJob(j *sgemmJob, arch *sgemmArch, serial, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, e *Epilogue, epiRow int, packed []float32, src bSource) {
	j.arch, j.serial = arch, serial
	j.transA, j.transB = transA, transB
	j.m, j.n, j.k = m, n, k
	j.alpha, j.beta = alpha, beta
	j.a, j.b, j.c = a, b, c
	j.lda, j.ldb, j.ldc = lda, ldb, ldc
	j.epi, j.epiRow = e, epiRow
	j.src = src
	own := j.bpack
	if packed != nil {
		j.bpack, j.prepacked = packed, true
	}
	j.run()
	if packed != nil {
		j.bpack, j.prepacked = own, false // the job's own buffer, for later products
	}
	j.a, j.b, j.c, j.epi, j.src, j.asrc = nil, nil, nil, nil, nil, nil // do not keep the caller's memory alive
	sgemmJobs.Put(j)
}

// PackedB is the op(B) of products that share it (a recurrent layer's
// weight, at every time step), packed once for the micro-kernel that
// Sgemm picks for them: SgemmPacked then skips packing it. Packing moves
// values without changing them, so a packed product gives Sgemm's bits.
type PackedB struct {
	arch   *sgemmArch
	transB bool
	n, k   int
	b      []float32 // the source, for products too small to pack
	ldb    int
	data   []float32
}

// PackedBLen returns how many floats PackB needs to pack the k×n op(B) of
// products with m rows.
func PackedBLen(m, n, k int) int {
	nr := sgemmPick(m, n).nr
	return ceilDiv(n, nr) * nr * k
}

// PackB packs op(B) (k×n; B is n×k when transB, row stride ldb) for
// products with m rows into dst, at least PackedBLen(m, n, k) long. The
// result reads b, for products too small to pack, and dst: neither may
// change while it is used.
func PackB(m, n, k int, transB bool, b []float32, ldb int, dst []float32) *PackedB {
	arch := sgemmPick(m, n)
	pb := &PackedB{arch: arch, transB: transB, n: n, k: k, b: b, ldb: ldb, data: dst[:PackedBLen(m, n, k)]}
	if n <= 0 || k <= 0 {
		return pb
	}
	// A job with the one panel SgemmPacked's jobs have packs it, sliver
	// by sliver.
	j := &sgemmJob{arch: arch, transB: transB, n: n, k: k, b: b, ldb: ldb, nc: n, nSlivers: ceilDiv(n, arch.nr)}
	nr := arch.nr
	slices := ceilDiv(k, arch.kc)
	ParallelFor(slices*j.nSlivers, max(1, packGrain/(arch.kc*nr)), func(lo, hi int) {
		for t := lo; t < hi; t++ {
			pc, s := t/j.nSlivers*arch.kc, t%j.nSlivers
			kc := min(arch.kc, k-pc)
			off := pb.rowAt(pc, s)
			j.packBSliver(pb.data[off:off+kc*nr], pc, kc, s)
		}
	})
	return pb
}

// packedBInto returns a PackedB of the k×n op(B) (not transposed) of
// products with m rows over dst (at least PackedBLen(m, n, k) long) for its
// caller to write the slivers of itself (rowAt, as PackB would have packed
// them), or nil where products of m rows would not read it packed. It has
// no source: a product that would not read it packed (packedFor) must
// not be run with it.
func packedBInto(m, n, k int, dst []float32) *PackedB {
	arch := sgemmPick(m, n)
	pb := &PackedB{arch: arch, n: n, k: k, data: dst[:PackedBLen(m, n, k)]}
	if !pb.packedFor(m) {
		return nil
	}
	return pb
}

// rowAt returns the offset in pb's data of row r of op(B) in its sliver s
// (columns s·nr to s·nr+nr, zeros past n): nr floats.
func (pb *PackedB) rowAt(r, s int) int {
	kc, nr := pb.arch.kc, pb.arch.nr
	pc := r / kc * kc
	return pc*ceilDiv(pb.n, nr)*nr + s*min(kc, pb.k-pc)*nr + (r-pc)*nr
}

// packGrain is the fewest values worth another goroutine's packing.
const packGrain = 1 << 16

// SgemmPacked is SgemmEpilogue with op(B) packed by PackB, for m rows: C =
// alpha·op(A)·op(B) + beta·C, then e.
func SgemmPacked(transA bool, m int, alpha float32, a []float32, lda int, pb *PackedB, beta float32, c []float32, ldc int, e *Epilogue) {
	n, k := pb.n, pb.k
	if alpha == 0 || !pb.packedFor(m) {
		sgemm(sgemmPick(m, n), transA, pb.transB, m, n, k, alpha, a, lda, pb.b, pb.ldb, beta, c, ldc, e)
		return
	}
	if e.none() {
		e = nil
	}
	sgemmRun(pb.arch, transA, pb.transB, m, n, k, alpha, a, lda, pb.b, pb.ldb, beta, c, ldc, e, pb.data, nil)
}

// SgemmPackedRows is SgemmPacked for rows [lo, hi) of the m rows of A and
// C (a, c and e's operands still from row 0, A not transposed), each
// element computed as SgemmPacked computes it for all m rows. All m rows
// run as SgemmPacked runs them; a block of them (RecurrentRows splits
// only products SgemmPacked runs packed) on the calling goroutine alone.
func SgemmPackedRows(m, lo, hi int, alpha float32, a []float32, lda int, pb *PackedB, beta float32, c []float32, ldc int, e *Epilogue) {
	if lo == 0 && hi == m {
		SgemmPacked(false, m, alpha, a, lda, pb, beta, c, ldc, e)
		return
	}
	if hi <= lo {
		return
	}
	if e.none() {
		e = nil
	}
	a, c = a[lo*lda:], c[lo*ldc:]
	if alpha == 0 || !pb.packedFor(m) {
		if e != nil {
			r := e.fromRow(lo, ldc)
			e = &r
		}
		sgemm(pb.arch, false, pb.transB, hi-lo, pb.n, pb.k, alpha, a, lda, pb.b, pb.ldb, beta, c, ldc, e)
		return
	}
	sgemmRunRows(pb.arch, true, false, pb.transB, hi-lo, pb.n, pb.k, alpha, a, lda, pb.b, pb.ldb, beta, c, ldc, e, lo, pb.data, nil)
}

// packedFor reports whether SgemmPacked runs a product of m rows with pb
// from its packed slivers (for every alpha but 0): large enough to pack,
// and for the micro-kernel pb was packed for.
func (pb *PackedB) packedFor(m int) bool {
	n, k := pb.n, pb.k
	return m > 0 && n > 0 && k > 0 && int64(m)*int64(n)*int64(k) >= sgemmSmallWork && sgemmPick(m, n) == pb.arch && !gemvRuns(m, pb.transB) && !outerRuns(m, k)
}

// scaleRow sets row = beta·row, without reading row when beta == 0.
func scaleRow(row []float32, beta float32) {
	switch beta {
	case 0:
		clear(row)
	case 1:
	default:
		for j := range row {
			row[j] *= beta
		}
	}
}

// sgemmSmall is the low-overhead path for small products: no packing, no
// goroutines, loops ordered so the innermost one runs along a row.
func sgemmSmall(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, e *Epilogue) {
	if e != nil {
		defer e.apply(c, ldc, 0, m, 0, n)
	}
	for i := 0; i < m; i++ {
		crow := c[i*ldc : i*ldc+n]
		scaleRow(crow, beta)
		aAt := func(p int) float32 {
			if transA {
				return a[p*lda+i]
			}
			return a[i*lda+p]
		}
		if transB {
			for j := range crow {
				brow := b[j*ldb : j*ldb+k]
				var s float32
				for p, bv := range brow {
					s += aAt(p) * bv
				}
				crow[j] += alpha * s
			}
			continue
		}
		for p := 0; p < k; p++ {
			av := alpha * aAt(p)
			for j, bv := range b[p*ldb : p*ldb+n] {
				crow[j] += av * bv
			}
		}
	}
}

// sgemmJob carries one packed product through its column panels. Jobs,
// their packed buffers and the closures handed to ParallelFor are pooled, so
// a steady stream of products allocates nothing of its own.
type sgemmJob struct {
	arch                  *sgemmArch
	transA, transB        bool
	m, n, k               int
	alpha, beta           float32
	a, b, c               []float32
	lda, ldb, ldc         int
	epi                   *Epilogue // nil: none
	epiRow                int       // the row of epi's operands at C's row 0
	src                   bSource   // packs op(B) where not nil (b is then unused)
	asrc                  aSource   // packs op(A) where not nil (a is then unused)
	jc, nc, nSlivers      int       // the current panel of op(B): columns [jc, jc+nc), in nSlivers nr-slivers
	blockSlivers, mBlocks int       // row blocks of the current split, in mr-slivers
	chunkSlivers, nChunks int       // column chunks of the current split, in nr-slivers
	// bpack holds the current panel of op(B) when sharedB: its depth is
	// cut into kc-deep slices, each stored as nSlivers slivers. The first
	// task to need a sliver packs it; bstate says, per sliver, whether it is
	// unpacked, being packed or packed.
	bpack   []float32
	bstate  []int32
	sharedB bool
	// prepacked: bpack is a PackedB's, every sliver of op(B) packed, in
	// one panel.
	prepacked bool
	aInPlace  bool // whole slivers of op(A) are read in place (arch.inPlace)
	bInPlace  bool // whole slivers of op(B) are read in place (arch.inPlaceB)
	serial    bool // run on the calling goroutine alone
	// The tasks of the current panel, dealt out to the workers in runs
	// of whole row blocks where they divide evenly: a worker writes the
	// same rows of C in one product after another, so the next kernel
	// (often split alike) finds them in its core's cache.
	itemRuns
	computeFn func(lo, hi int)
}

// States of a sliver of a shared panel of op(B), in sgemmJob.bstate.
const (
	sliverUnpacked = iota
	sliverPacking
	sliverPacked
)

var sgemmJobs = sync.Pool{New: func() any {
	j := new(sgemmJob)
	j.computeFn = j.compute
	return j
}}

// sgemmBufs holds per-goroutine buffers: a packed block of op(A), a packed
// sliver of op(B) (when the panel is not shared) and one mr×nr tile for the
// ragged edges of C.
var sgemmBufs sync.Pool

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// sgemmTasksPerWorker is how many tasks each worker gets on average: more
// than one, so a worker on a busy core hands its share to the others, and
// the last tasks leave little idle time: 1024³ on two threads ran 8 tasks
// of 128 rows (4 a worker) at 273–292 GFLOP/s against 360 for two
// single-threaded products side by side, and 16 (8 blocks × 2 column
// chunks) at 312–336 (bench/results/gemm-1024-threads-2026-12-01.txt).
const sgemmTasksPerWorker = 8

// sgemmPanelFloats bounds a packed panel of op(B) (8 MiB, within L3): wider
// products are done in several column panels. A variable, so that tests can
// cross panel boundaries on small matrices.
var sgemmPanelFloats = 1 << 21

func (j *sgemmJob) run() {
	arch := j.arch
	mr, nr := arch.mr, arch.nr
	ncMax := max(nr, sgemmPanelFloats/j.k/nr*nr)
	if j.prepacked {
		ncMax = j.n
	}
	workers := runtime.GOMAXPROCS(0)
	if j.serial {
		workers = 1
	}
	mSlivers := ceilDiv(j.m, mr)
	for j.jc = 0; j.jc < j.n; j.jc += ncMax {
		j.nc = min(ncMax, j.n-j.jc)
		j.nSlivers = ceilDiv(j.nc, nr)
		// Split the output into row blocks of at most mc rows and column
		// chunks, enough tasks to share out. Each task packs its row block
		// of op(A) and reads its chunk's slivers of op(B) (packed once and
		// shared by the row blocks), so a split into mBlocks × nChunks
		// moves about k·(nChunks·m + mBlocks·nc) values: the split that
		// moves least is taken, the fewest column chunks on a tie, and a
		// chunk is at least two slivers wide (narrower ones made 128×128
		// outputs of deep products slower on two threads than on one).
		// Wide products get row blocks; few rows (a batch of 64 times a
		// layer's weights) get column chunks, where row blocks would each
		// stream the whole of op(B): the LSTM and GRU language models'
		// steps ran 1.1–1.25× as fast for it. No split changes what any
		// element computes; tasks are handed out as workers free up.
		useful := sgemmWorkers(workers, j.m, j.nc, j.k)
		want := 1
		if useful > 1 {
			want = useful * sgemmTasksPerWorker
		}
		j.mBlocks, j.nChunks = sgemmSplit(j.m, j.nc, mSlivers, j.nSlivers, ceilDiv(j.m, arch.mc), want)
		if j.asrc != nil {
			// Every column chunk packs its row block of op(A) again, from
			// a source that costs more to pack than a matrix (and than
			// the shared panel of op(B) costs to read): one chunk packs
			// op(A) once. A ResNet's 512-channel input gradient at batch 8
			// (512×128×4 608) ran 1.05× as fast in 16 row blocks as in the
			// 4 × 2 the split above takes.
			j.mBlocks, j.nChunks = max(ceilDiv(j.m, arch.mc), min(mSlivers, want)), 1
		}
		j.blockSlivers = ceilDiv(mSlivers, j.mBlocks)
		j.mBlocks = ceilDiv(mSlivers, j.blockSlivers)
		j.chunkSlivers = ceilDiv(j.nSlivers, j.nChunks)
		j.nChunks = ceilDiv(j.nSlivers, j.chunkSlivers)

		// Row blocks share the packed panel of op(B). A single row block
		// shares nothing, so its tasks pack each sliver of op(B) into a
		// buffer of their own just before using it, while it is in cache.
		// Or, read in place, no task packs op(B) at all.
		j.bInPlace = sgemmInPlaceB && arch.inPlaceB != nil && !j.transB && j.src == nil && !j.prepacked && inPlaceBWorthIt(j.ldb, j.mBlocks)
		j.aInPlace = sgemmInPlaceA && arch.inPlace != nil && j.asrc == nil && inPlaceWorthIt(j.transA, j.lda, j.nSlivers, j.bInPlace)
		j.sharedB = j.mBlocks > 1 || j.prepacked
		if j.sharedB && !j.prepacked {
			if need := j.k * j.nSlivers * nr; cap(j.bpack) < need {
				j.bpack = make([]float32, need)
			}
			slivers := ceilDiv(j.k, arch.kc) * j.nSlivers
			if cap(j.bstate) < slivers {
				j.bstate = make([]int32, slivers)
			}
			j.bstate = j.bstate[:slivers]
			clear(j.bstate)
		}

		// One ParallelFor per panel, as waking parked threads is slow (see
		// sgemmParkedWork).
		tasks := j.mBlocks * j.nChunks
		workers := min(useful, tasks)
		j.deal(tasks, workers)
		if workers > 1 {
			ParallelFor(workers, 1, j.computeFn)
		} else {
			j.compute(0, 1)
		}
	}
}

// sgemmSplit returns the row blocks (at least minBlocks) and column chunks
// (at most half the column slivers, at least one) of an m×n output of
// mSlivers row and nSlivers column slivers, up to want tasks where the
// slivers allow, that move the fewest operand values (nChunks·m +
// mBlocks·n per unit of depth), the fewest chunks on a tie.
func sgemmSplit(m, n, mSlivers, nSlivers, minBlocks, want int) (mBlocks, nChunks int) {
	minBlocks = min(minBlocks, mSlivers)
	best := -1
	for b := minBlocks; b <= max(minBlocks, min(mSlivers, want)); b++ {
		c := min(max(1, nSlivers/2), ceilDiv(want, b))
		if cost := c*m + b*n; best < 0 || cost < best || cost == best && c < nChunks {
			best, mBlocks, nChunks = cost, b, c
		}
	}
	return mBlocks, nChunks
}

// sharedSliver returns sliver s of the kc-deep slice at pc of the shared
// op(B) panel, packing it first if no task has. While another task packs
// it, this one packs later slivers of its chunk, up to s1, rather than wait
// idle.
func (j *sgemmJob) sharedSliver(pc, kc, s, s1 int) []float32 {
	nr := j.arch.nr
	slice := pc / j.arch.kc * j.nSlivers
	sliver := func(s int) []float32 {
		off := pc*j.nSlivers*nr + s*kc*nr
		return j.bpack[off : off+kc*nr]
	}
	claim := func(s int) bool {
		if !atomic.CompareAndSwapInt32(&j.bstate[slice+s], sliverUnpacked, sliverPacking) {
			return false
		}
		j.packBSliver(sliver(s), pc, kc, s)
		atomic.StoreInt32(&j.bstate[slice+s], sliverPacked)
		return true
	}
	dst := sliver(s)
	if j.prepacked || claim(s) {
		return dst
	}
	for t := s + 1; t < s1 && atomic.LoadInt32(&j.bstate[slice+s]) != sliverPacked; t++ {
		claim(t)
	}
	for atomic.LoadInt32(&j.bstate[slice+s]) != sliverPacked {
		runtime.Gosched()
	}
	return dst
}

// packBSliver packs sliver s of the current op(B) panel at depths
// [pc, pc+kc) into dst.
func (j *sgemmJob) packBSliver(dst []float32, pc, kc, s int) {
	nr := j.arch.nr
	col := j.jc + s*nr
	if j.src != nil {
		j.src.pack(dst, pc, kc, col, min(nr, j.jc+j.nc-col), nr)
		return
	}
	off := pc*j.ldb + col
	if j.transB {
		off = col*j.ldb + pc
	}
	packSliver(dst, j.b[off:], j.ldb, min(nr, j.jc+j.nc-col), nr, kc, !j.transB)
}

// kernel runs the micro-kernel on rows [r, r+mr) of op(A) at depths
// [pc, pc+kc): in place where the job reads op(A) so and the sliver is
// whole, else from the block packed into apack from row i0. op(B)'s sliver
// bs is packed where ldbs is 0, else read in place, its steps ldbs apart.
func (j *sgemmJob) kernel(apack []float32, kc, r, i0, pc int, bs []float32, ldbs int, c []float32, ldc int, beta float32) {
	mr := j.arch.mr
	var a []float32
	lda, l := 0, aPacked
	switch {
	case !j.aInPlace || r+mr > j.m:
		a = apack[(r-i0)*kc : (r-i0+mr)*kc]
	case j.transA:
		a, lda, l = j.a[pc*j.lda+r:], j.lda, aTransposed
	default:
		a, lda, l = j.a[r*j.lda+pc:], j.lda, aRowMajor
	}
	switch {
	case ldbs != 0:
		j.arch.inPlaceB(l, kc, a, lda, bs, ldbs, c, ldc, j.alpha, beta)
	case l == aPacked:
		j.arch.kernel(kc, a, bs, c, ldc, j.alpha, beta)
	default:
		j.arch.inPlace(j.transA, kc, a, lda, bs, c, ldc, j.alpha, beta)
	}
}

// packA packs rows [i0, i1) of op(A) at depths [pc, pc+kc) into dst as
// mr-row slivers.
func (j *sgemmJob) packA(dst []float32, i0, i1, pc, kc int) {
	mr := j.arch.mr
	if j.asrc != nil {
		j.asrc.pack(dst[:ceilDiv(i1-i0, mr)*mr*kc], i0, i1, pc, kc, mr)
		return
	}
	for r := i0; r < i1; r += mr {
		off := r*j.lda + pc
		if j.transA {
			off = pc*j.lda + r
		}
		packSliver(dst[(r-i0)*kc:(r-i0+mr)*kc], j.a[off:], j.lda, min(mr, i1-r), mr, kc, j.transA)
	}
}

// packSliver packs one sliver of an operand for the micro-kernel: dst gets kc
// steps of w values, the first width of them from src and the rest zero.
// Value i of step p is src[p*ld+i] when the sliver lies along the rows of
// src, and src[i*ld+p] when it lies across them.
func packSliver(dst, src []float32, ld, width, w, kc int, alongRows bool) {
	if alongRows {
		packAlong(dst, src, ld, width, w, kc)
		return
	}
	// Across rows: a transpose, sixteen rows at a time in AVX-512
	// registers (the steps by 16, the last kc%16 as eight rows twice),
	// then eight, then six (where the CPU has a kernel for them) or four,
	// then one. Sixteen rows at a time ran 1.14–1.23× as fast as eight on
	// a Zen 5 from 64 steps up, 0.96× at 28 (one block and twelve steps
	// by eight rows): it starts at 32 steps.
	i := 0
	if kc16 := kc &^ 15; kc >= 32 {
		for ; i+16 <= width && transpose16(dst[i:], w, src[i*ld:], ld, kc16/16, 16*w, 16); i += 16 {
			if kc > kc16 {
				packAcross8(dst[kc16*w+i:], src[i*ld+kc16:], ld, w, kc-kc16)
				packAcross8(dst[kc16*w+i+8:], src[(i+8)*ld+kc16:], ld, w, kc-kc16)
			}
		}
	}
	for ; i+8 <= width; i += 8 {
		packAcross8(dst[i:], src[i*ld:], ld, w, kc)
	}
	if i+6 <= width && packAcross6 != nil {
		packAcross6(dst[i:], src[i*ld:], ld, w, kc)
		i += 6
	}
	if i+4 <= width {
		s0 := src[i*ld:][:kc]
		s1 := src[(i+1)*ld:][:kc]
		s2 := src[(i+2)*ld:][:kc]
		s3 := src[(i+3)*ld:][:kc]
		for p := range s0 {
			d := dst[p*w+i:][:4]
			d[0], d[1], d[2], d[3] = s0[p], s1[p], s2[p], s3[p]
		}
		i += 4
	}
	for ; i < width; i++ {
		for p, v := range src[i*ld:][:kc] {
			dst[p*w+i] = v
		}
	}
	if width < w {
		for p := 0; p < kc; p++ {
			clear(dst[p*w+width : (p+1)*w])
		}
	}
}

// packAlongGo sets dst[p*w+i] = src[p*ld+i] for i < width and 0 for
// width ≤ i < w, for the steps p < kc; it is the portable packAlong.
func packAlongGo(dst, src []float32, ld, width, w, kc int) {
	for p := 0; p < kc; p++ {
		d := dst[p*w : (p+1)*w]
		copy(d, src[p*ld:][:width])
		clear(d[width:])
	}
}

// packAcross8Go sets dst[p*w+r] = src[r*ld+p] for the eight rows r < 8 and
// the steps p < kc; it is the portable packAcross8.
func packAcross8Go(dst, src []float32, ld, w, kc int) {
	s0 := src[:kc]
	s1 := src[ld:][:kc]
	s2 := src[2*ld:][:kc]
	s3 := src[3*ld:][:kc]
	s4 := src[4*ld:][:kc]
	s5 := src[5*ld:][:kc]
	s6 := src[6*ld:][:kc]
	s7 := src[7*ld:][:kc]
	for p := range s0 {
		d := dst[p*w:][:8]
		d[0], d[1], d[2], d[3] = s0[p], s1[p], s2[p], s3[p]
		d[4], d[5], d[6], d[7] = s4[p], s5[p], s6[p], s7[p]
	}
}

// compute is worker r running output tasks of the current panel: task t
// covers row block t/nChunks and column chunk t%nChunks over the whole depth,
// one kc-deep slice after another, so every element of C sees the slices in
// the same order.
func (j *sgemmJob) compute(r, _ int) {
	arch := j.arch
	mr, nr := arch.mr, arch.nr
	asize, bsize := j.blockSlivers*mr*arch.kc, arch.kc*nr
	need := asize + bsize + mr*nr
	bufp, _ := sgemmBufs.Get().(*[]float32)
	if bufp == nil || cap(*bufp) < need {
		bufp = new([]float32)
		*bufp = make([]float32, max(need, arch.mc*arch.kc+bsize+maxTile))
	}
	apack := (*bufp)[:asize]
	bown := (*bufp)[asize : asize+bsize]
	tile := (*bufp)[asize+bsize : need]
	for t, ok := j.next(r); ok; t, ok = j.next(r) {
		blk, chunk := t/j.nChunks, t%j.nChunks
		i0 := blk * j.blockSlivers * mr
		i1 := min(j.m, i0+j.blockSlivers*mr)
		s0 := chunk * j.chunkSlivers
		s1 := min(j.nSlivers, s0+j.chunkSlivers)
		for pc := 0; pc < j.k; pc += arch.kc {
			beta := j.beta
			if pc > 0 {
				beta = 1
			}
			kc := min(arch.kc, j.k-pc)
			if !j.aInPlace {
				j.packA(apack, i0, i1, pc, kc)
			} else if full := i0 + (i1-i0)/mr*mr; full < i1 {
				// Only a ragged last sliver is packed (with zeros).
				j.packA(apack[(full-i0)*kc:], full, i1, pc, kc)
			}
			// The epilogue finishes a group of column slivers at a time,
			// once the last slice has been added to all of its rows: a
			// block of up to epiGroupFloats, still in cache, in calls
			// along whole rows of the group (a call per tile row cost
			// more than the arithmetic).
			group := s1 - s0
			last := j.epi != nil && pc+kc == j.k
			if last {
				group = max(1, epiGroupFloats/((i1-i0)*nr))
			}
			for g0 := s0; g0 < s1; g0 += group {
				g1 := min(s1, g0+group)
				for s := g0; s < g1; s++ {
					j.tiles(apack, bown, tile, pc, kc, s, s1, i0, i1, beta)
				}
				if last {
					col := j.jc + g0*nr
					j.epi.apply(j.c[i0*j.ldc+col:], j.ldc, j.epiRow+i0, i1-i0, col, min(j.n, j.jc+g1*nr)-col)
				}
			}
		}
	}
	sgemmBufs.Put(bufp)
}

// epiGroupFloats bounds the block of C the epilogue finishes in one go
// (128 KiB, within L2). A variable, so that tests can cut blocks into
// groups of one sliver.
var epiGroupFloats = 1 << 15

// tiles computes column sliver s of rows [i0, i1) of C for the kc-deep
// slice at pc, from apack (those rows of op(A), packed) and op(B)'s sliver
// (packed into bown unless the panel is shared); ragged tiles go through
// tile.
func (j *sgemmJob) tiles(apack, bown, tile []float32, pc, kc, s, s1, i0, i1 int, beta float32) {
	mr, nr := j.arch.mr, j.arch.nr
	col := j.jc + s*nr
	cols := min(nr, j.n-col)
	var bs []float32
	ldbs := 0 // op(B) in place, steps ldbs apart; 0: packed
	switch {
	case j.bInPlace && cols == nr:
		bs, ldbs = j.b[pc*j.ldb+col:], j.ldb
	case j.sharedB:
		bs = j.sharedSliver(pc, kc, s, s1)
	default:
		bs = bown[:kc*nr]
		j.packBSliver(bs, pc, kc, s)
	}
	for r := i0; r < i1; r += mr {
		rows := min(mr, i1-r)
		if rows == mr && cols == nr {
			j.kernel(apack, kc, r, i0, pc, bs, ldbs, j.c[r*j.ldc+col:], j.ldc, beta)
			continue
		}
		// A ragged edge goes through the same kernel on a copy, so it
		// gets the same arithmetic as the interior.
		if beta != 0 {
			for i := 0; i < rows; i++ {
				copy(tile[i*nr:i*nr+cols], j.c[(r+i)*j.ldc+col:][:cols])
			}
		}
		j.kernel(apack, kc, r, i0, pc, bs, ldbs, tile, nr, beta)
		for i := 0; i < rows; i++ {
			copy(j.c[(r+i)*j.ldc+col:][:cols], tile[i*nr:i*nr+cols])
		}
	}
}
