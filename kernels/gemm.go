package kernels

import (
	"runtime"
	"sync"
)

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices; op(A) is m×k (A is k×m when transA),
// op(B) is k×n (B is n×k when transB). lda/ldb/ldc are row strides. When beta == 0, C is not read.
//
// Large products follow the GotoBLAS/BLIS scheme: op(B) is packed in
// kc×nc panels and op(A) in mc×kc blocks, so that a register-blocked
// micro-kernel streams both from cache. Every element of C is computed by the
// same sequence of float operations whatever GOMAXPROCS is: the depth is
// always cut at the same kc boundaries, and threads split only the output.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemm(sgemmArchs[0], transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// sgemmSmallFlops is the m·n·k below which packing and threads cost more than
// they save, and the plain loops of sgemmSmall are used.
const sgemmSmallFlops = 32 << 10

// sgemmTaskFlops is the least work (multiply-adds) worth handing to another
// goroutine: starting one costs about a microsecond.
const sgemmTaskFlops = 1 << 18

// maxTile bounds mr·nr of every micro-kernel, so the pure-Go kernel can keep
// its accumulators in a fixed-size array.
const maxTile = 16 * 32

// sgemmArch is one micro-kernel with the cache blocking tuned for it.
type sgemmArch struct {
	name   string
	mr, nr int // rows and columns of C held in registers
	kc     int // depth of a packed panel; fixed per arch, so results do not depend on threads
	mc     int // most rows of op(A) packed in one block (kept in L2)
	nc     int // most columns of op(B) packed in one panel (kept in L3)
	// kernel computes the mr×nr tile C = alpha·A·B + beta·C from a packed
	// sliver a (k steps of mr values) and b (k steps of nr values); C has row
	// stride ldc and is not read when beta == 0.
	kernel func(k int, a, b, c []float32, ldc int, alpha, beta float32)
}

// sgemmGo is the portable micro-kernel, used where no assembly one runs and
// as the reference the assembly kernels are tested against.
var sgemmGo = &sgemmArch{
	name: "go", mr: 4, nr: 16, kc: 256, mc: 128, nc: 4096,
	kernel: func(k int, a, b, c []float32, ldc int, alpha, beta float32) {
		sgemmMicroGo(4, 16, k, a, b, c, ldc, alpha, beta)
	},
}

// sgemmMicroGo is the micro-kernel contract written in Go for any mr×nr tile.
func sgemmMicroGo(mr, nr, k int, a, b, c []float32, ldc int, alpha, beta float32) {
	var acc [maxTile]float32
	for p := 0; p < k; p++ {
		ap := a[p*mr : p*mr+mr]
		bp := b[p*nr : p*nr+nr]
		for i, av := range ap {
			row := acc[i*nr:][:len(bp)]
			for j, bv := range bp {
				row[j] += av * bv
			}
		}
	}
	for i := 0; i < mr; i++ {
		crow := c[i*ldc:][:nr]
		for j, s := range acc[i*nr : i*nr+nr] {
			t := alpha * s
			if beta != 0 {
				t += beta * crow[j]
			}
			crow[j] = t
		}
	}
}

func sgemm(arch *sgemmArch, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m <= 0 || n <= 0 {
		return
	}
	if k <= 0 || alpha == 0 {
		for i := 0; i < m; i++ {
			scaleRow(c[i*ldc:i*ldc+n], beta)
		}
		return
	}
	if m*n*k < sgemmSmallFlops {
		sgemmSmall(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	j := sgemmJobs.Get().(*sgemmJob)
	j.arch = arch
	j.transA, j.transB = transA, transB
	j.m, j.n, j.k = m, n, k
	j.alpha, j.beta = alpha, beta
	j.a, j.b, j.c = a, b, c
	j.lda, j.ldb, j.ldc = lda, ldb, ldc
	j.run()
	j.a, j.b, j.c = nil, nil, nil // do not keep the caller's memory alive
	sgemmJobs.Put(j)
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
func sgemmSmall(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
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

// sgemmJob carries one packed product through its panels. Jobs, their
// panel buffers and the closures handed to ParallelFor are pooled, so a
// steady stream of products allocates nothing of its own.
type sgemmJob struct {
	arch                  *sgemmArch
	transA, transB        bool
	m, n, k               int
	alpha, beta           float32
	a, b, c               []float32
	lda, ldb, ldc         int
	jc, nc, pc, kc        int     // the current panel of op(B): columns [jc, jc+nc), depth [pc, pc+kc)
	betaPanel             float32 // beta for the first depth panel, 1 after it
	blockSlivers, mBlocks int     // row blocks of the current split, in mr-slivers
	chunkSlivers, nChunks int     // column chunks of the current split, in nr-slivers
	bpack                 []float32
	packBFn, computeFn    func(lo, hi int)
}

var sgemmJobs = sync.Pool{New: func() any {
	j := new(sgemmJob)
	j.packBFn = j.packB
	j.computeFn = j.compute
	return j
}}

// sgemmABufs holds per-goroutine buffers: a packed block of op(A) followed by
// one mr×nr tile for the ragged edges of C.
var sgemmABufs sync.Pool

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func (j *sgemmJob) run() {
	arch := j.arch
	mr, nr := arch.mr, arch.nr
	if need := arch.kc * min(arch.nc, ceilDiv(j.n, nr)*nr); cap(j.bpack) < need {
		j.bpack = make([]float32, need)
	}
	workers := runtime.GOMAXPROCS(0)
	mSlivers := ceilDiv(j.m, mr)
	for j.jc = 0; j.jc < j.n; j.jc += arch.nc {
		j.nc = min(arch.nc, j.n-j.jc)
		nSlivers := ceilDiv(j.nc, nr)
		for j.pc = 0; j.pc < j.k; j.pc += arch.kc {
			j.kc = min(arch.kc, j.k-j.pc)
			j.betaPanel = j.beta
			if j.pc > 0 {
				j.betaPanel = 1
			}
			// Split the output: row blocks of at most mc rows, and when they
			// are fewer than the useful workers, column chunks as well.
			// Neither changes what any element computes.
			useful := max(1, min(workers, j.m*j.nc*j.kc/sgemmTaskFlops))
			j.mBlocks = ceilDiv(j.m, arch.mc)
			j.nChunks = 1
			if j.mBlocks < useful {
				j.nChunks = min(nSlivers, ceilDiv(useful, j.mBlocks))
			}
			j.blockSlivers = ceilDiv(mSlivers, j.mBlocks)
			j.mBlocks = ceilDiv(mSlivers, j.blockSlivers)
			j.chunkSlivers = ceilDiv(nSlivers, j.nChunks)
			j.nChunks = ceilDiv(nSlivers, j.chunkSlivers)
			tasks := j.mBlocks * j.nChunks

			packGrain := nSlivers
			if useful > 1 {
				packGrain = ceilDiv(nSlivers, useful)
			}
			ParallelFor(nSlivers, packGrain, j.packBFn)
			ParallelFor(tasks, ceilDiv(tasks, useful), j.computeFn)
		}
	}
}

// packB packs nr-column slivers [lo, hi) of the current op(B) panel: each
// sliver holds kc steps of nr values, zero-padded past column n.
func (j *sgemmJob) packB(lo, hi int) {
	nr, kc := j.arch.nr, j.kc
	for s := lo; s < hi; s++ {
		col := j.jc + s*nr
		cols := min(nr, j.jc+j.nc-col)
		dst := j.bpack[s*kc*nr : (s+1)*kc*nr]
		if j.transB {
			for jj := 0; jj < cols; jj++ {
				src := j.b[(col+jj)*j.ldb+j.pc:][:kc]
				for p, v := range src {
					dst[p*nr+jj] = v
				}
			}
			if cols < nr {
				for p := 0; p < kc; p++ {
					clear(dst[p*nr+cols : (p+1)*nr])
				}
			}
			continue
		}
		for p := 0; p < kc; p++ {
			d := dst[p*nr : (p+1)*nr]
			copy(d, j.b[(j.pc+p)*j.ldb+col:][:cols])
			clear(d[cols:])
		}
	}
}

// packA packs rows [i0, i1) of op(A) at the current depth panel into dst as
// mr-row slivers of kc steps, zero-padded past row m.
func (j *sgemmJob) packA(dst []float32, i0, i1 int) {
	mr, kc := j.arch.mr, j.kc
	for r := i0; r < i1; r += mr {
		rows := min(mr, i1-r)
		d := dst[(r-i0)*kc : (r-i0+mr)*kc]
		if j.transA {
			for p := 0; p < kc; p++ {
				dp := d[p*mr : (p+1)*mr]
				copy(dp, j.a[(j.pc+p)*j.lda+r:][:rows])
				clear(dp[rows:])
			}
			continue
		}
		for i := 0; i < rows; i++ {
			src := j.a[(r+i)*j.lda+j.pc:][:kc]
			for p, v := range src {
				d[p*mr+i] = v
			}
		}
		if rows < mr {
			for p := 0; p < kc; p++ {
				clear(d[p*mr+rows : (p+1)*mr])
			}
		}
	}
}

// compute runs output tasks [lo, hi): task t covers row block t/nChunks and
// column chunk t%nChunks of the current panel.
func (j *sgemmJob) compute(lo, hi int) {
	arch := j.arch
	mr, nr, kc := arch.mr, arch.nr, j.kc
	need := j.blockSlivers*mr*kc + mr*nr
	bufp, _ := sgemmABufs.Get().(*[]float32)
	if bufp == nil || cap(*bufp) < need {
		bufp = new([]float32)
		*bufp = make([]float32, max(need, arch.mc*arch.kc+maxTile))
	}
	apack := (*bufp)[:need-mr*nr]
	tile := (*bufp)[need-mr*nr : need]
	nSlivers := ceilDiv(j.nc, nr)
	packed := -1
	for t := lo; t < hi; t++ {
		blk, chunk := t/j.nChunks, t%j.nChunks
		i0 := blk * j.blockSlivers * mr
		i1 := min(j.m, i0+j.blockSlivers*mr)
		if blk != packed {
			j.packA(apack, i0, i1)
			packed = blk
		}
		for s := chunk * j.chunkSlivers; s < min(nSlivers, (chunk+1)*j.chunkSlivers); s++ {
			col := j.jc + s*nr
			cols := min(nr, j.n-col)
			bs := j.bpack[s*kc*nr : (s+1)*kc*nr]
			for r := i0; r < i1; r += mr {
				as := apack[(r-i0)*kc : (r-i0+mr)*kc]
				rows := min(mr, i1-r)
				if rows == mr && cols == nr {
					arch.kernel(kc, as, bs, j.c[r*j.ldc+col:], j.ldc, j.alpha, j.betaPanel)
					continue
				}
				// A ragged edge goes through the same kernel on a copy, so
				// it gets the same arithmetic as the interior.
				if j.betaPanel != 0 {
					for i := 0; i < rows; i++ {
						copy(tile[i*nr:i*nr+cols], j.c[(r+i)*j.ldc+col:][:cols])
					}
				}
				arch.kernel(kc, as, bs, tile, nr, j.alpha, j.betaPanel)
				for i := 0; i < rows; i++ {
					copy(j.c[(r+i)*j.ldc+col:][:cols], tile[i*nr:i*nr+cols])
				}
			}
		}
	}
	sgemmABufs.Put(bufp)
}
