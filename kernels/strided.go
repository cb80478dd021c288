package kernels

import "unsafe"

// MaxRank is the largest rank a strided operand may have (device.MaxRank).
const MaxRank = 8

// Strided is an operand walked over a kernel's shape: element idx of the
// shape's row-major index space is Data[Off + Σ idx[d]·Strides[d]]. A
// stride of 0 broadcasts that dimension. len(Strides) equals the rank.
type Strided[T float32 | int32] struct {
	Data    []T
	Off     int
	Strides []int
}

// spanLen bounds how many elements an element-wise kernel handles per step:
// an operand whose innermost stride is not 1 is gathered (or, when it is
// broadcast, filled) into stack scratch of this size, so every op runs as a
// plain loop over contiguous slices and its switch runs once per span.
const spanLen = 512

// elemGrain is the fewest elements worth handing to another goroutine in
// kernels that do real work per element (float64 transcendentals, Adam's
// square root and division, gathers and reductions).
const elemGrain = 1 << 14

// streamGrain is the same for kernels that stream memory with a few flops
// per element (Binary, the cheap Unary ops, Copy, Fill, Where, SGD): they
// are bound by memory, and waking a parked goroutine costs 10–70 µs. On a
// 2-core Zen 5 VM a second goroutine made an Add slower or no faster from
// 32K to 512K elements (1.9 → 1.5, 2.3 → 2.1, 2.3 → 2.2 Gelem/s), so only
// ranges of 256K elements (over 100 µs of work) go to another one.
const streamGrain = 1 << 18

// streamNearGrain is streamGrain while the helper pool spins and a probe
// finds its cores near (nearCores): a helper then joins a loop 2–3 µs
// after its start, not 10–70 µs (streamGrain was measured before the pool
// spun), and reads what the caller's core wrote at a neighbour's cost, so
// a second core pays from 32K elements. On a 2-vCPU Zen 4 the batch-64
// MLP's plain SGD step (109 386 parameters) went to two cores, 27.6 → 13.2
// µs, and the step ran 1.05–1.10× as fast in alternated runs; ResNet-18's
// batch norms at batch 8 (planes of 4×4 to 16×16) 3.1 → 2.4 ms of its
// 115 ms; the other steps 1.00–1.03×; 16K against 32K read 0.97–1.02×. Far
// apart, where a Zen 2's optimizer step read a gradient the other core
// wrote 2.5× as slowly (nearcores.go), a loop stays on one core below
// streamGrain; near-only read 1.09× on the MLP's step, spinning alone 1.06×
// (bench/results/stream-spin-grain-2026-12-06-zen4.txt.gz).
const streamNearGrain = 1 << 15

// streamGrainNow is the grain of the memory-bound kernels now:
// streamNearGrain while the helper pool spins and its cores are near, else
// streamGrain.
func streamGrainNow() int {
	if pool.spinning() && nearCores() {
		return streamNearGrain
	}
	return streamGrain
}

// walker visits a row-major index space over up to three strided operands,
// one contiguous run of the innermost dimension at a time. Its dimensions are
// coalesced first (size-1 dimensions dropped, adjacent dimensions merged
// where every operand's strides allow), so contiguous and broadcast operands
// usually end up with a single long innermost run.
type walker struct {
	rank  int
	shape [MaxRank]int
	st    [3][MaxRank]int
	idx   [MaxRank]int
	off   [3]int
	base  [3]int
}

// newWalker builds the walker for shape with the operands' offsets and strides.
func newWalker(shape []int, offs [3]int, strides [3][]int) walker {
	var w walker
	w.base = offs
	for d, n := range shape {
		if n == 1 {
			continue
		}
		if w.rank > 0 {
			last := w.rank - 1
			merge := true
			for k, st := range strides {
				if st != nil && w.st[k][last] != st[d]*n {
					merge = false
				}
			}
			if merge {
				w.shape[last] *= n
				for k, st := range strides {
					if st != nil {
						w.st[k][last] = st[d]
					}
				}
				continue
			}
		}
		w.shape[w.rank] = n
		for k, st := range strides {
			if st != nil {
				w.st[k][w.rank] = st[d]
			}
		}
		w.rank++
	}
	if w.rank == 0 {
		w.shape[0] = 1
		w.rank = 1
	}
	return w
}

// seek positions the walker at linear index pos.
func (w *walker) seek(pos int) {
	w.off = w.base
	for d := w.rank - 1; d >= 0; d-- {
		i := pos % w.shape[d]
		pos /= w.shape[d]
		w.idx[d] = i
		for k := range w.off {
			w.off[k] += i * w.st[k][d]
		}
	}
}

// span returns how many elements, at most limit, remain in the current
// innermost run.
func (w *walker) span(limit int) int {
	return min(w.shape[w.rank-1]-w.idx[w.rank-1], limit)
}

// inner returns operand k's stride along the innermost run.
func (w *walker) inner(k int) int { return w.st[k][w.rank-1] }

// advance moves n elements along the current run, carrying into outer
// dimensions when the run ends.
func (w *walker) advance(n int) { w.advanceAt(w.rank-1, n) }

// advanceAt moves n steps along dimension d (which must not pass its end:
// idx[d]+n ≤ shape[d]), the dimensions inside it at 0, carrying into
// outer dimensions when d's run ends.
func (w *walker) advanceAt(d, n int) {
	w.idx[d] += n
	for k := range w.off {
		w.off[k] += n * w.st[k][d]
	}
	for d > 0 && w.idx[d] == w.shape[d] {
		for k := range w.off {
			w.off[k] -= w.shape[d] * w.st[k][d]
		}
		w.idx[d] = 0
		d--
		w.idx[d]++
		for k := range w.off {
			w.off[k] += w.st[k][d]
		}
	}
}

// copyTransposed is Copy where the walk's innermost dimension (B long)
// steps through src by st > 1 and the one outside it (A long) by 1: a
// batch of A×B transposes (a matrix's transpose, NCHW to NHWC). Element-
// at-a-time it reads a cache line for every value; here it goes by tiles
// of transBlock×transBlock, whose src lines stay in cache while the tile's
// rows of dst are written. The same values land in the same places.
func copyTransposed[T float32 | int32](dst, src []T, w walker) {
	r := w.rank - 1
	a, b, st := w.shape[r-1], w.shape[r], w.st[0][r]
	outer := 1
	for _, m := range w.shape[:r-1] {
		outer *= m
	}
	aBlocks := (a + transBlock - 1) / transBlock
	// With a 16×16 transpose in registers (AVX-512; AVX2 as four 8×8
	// blocks) each tile is a few loads and stores of vectors a row
	// instead of 256 single moves; the values are moved, not computed, so
	// int32 goes the same way.
	vec := winoBest != nil && winoBest.transpose16 != nil
	df, sf := unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(dst))), len(dst)),
		unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(src))), len(src))
	ParallelFor(outer*aBlocks, max(1, streamGrainNow()/(transBlock*b)), func(lo, hi int) {
		w := w
		for item := lo; item < hi; item++ {
			o, a0 := item/aBlocks, item%aBlocks*transBlock
			a1 := min(a, a0+transBlock)
			w.seek(o * a * b)
			base := w.off[0]
			if vec {
				// dst's rows a0…a1 are the transpose of src's b rows of
				// a1 − a0 values from base + a0, st apart.
				transposeBlock(winoBest, df[(o*a+a0)*b:], b, sf[base+a0:], st, b, a1-a0, false)
				continue
			}
			d := dst[o*a*b:]
			for b0 := 0; b0 < b; b0 += transBlock {
				b1 := min(b, b0+transBlock)
				for i := a0; i < a1; i++ {
					row, s := d[i*b:i*b+b1], src[base+i:]
					for j := b0; j < b1; j++ {
						row[j] = s[j*st]
					}
				}
			}
		}
	})
}

// transBlock is the side of copyTransposed's tiles: 16 floats are a cache
// line of src.
const transBlock = 16

// load returns the n elements of operand k's current run: a subslice of data
// when the run is contiguous, else the run gathered into scratch.
func load[T float32 | int32](w *walker, k int, data []T, n int, scratch []T) []T {
	off, st := w.off[k], w.inner(k)
	switch st {
	case 1:
		return data[off : off+n]
	case 0:
		s := scratch[:n]
		v := data[off]
		for i := range s {
			s[i] = v
		}
		return s
	}
	s := scratch[:n]
	for i := range s {
		s[i] = data[off+i*st]
	}
	return s
}

// Copy gathers src, walked over shape, into contiguous dst.
func Copy[T float32 | int32](dst []T, src Strided[T], shape []int) {
	n := numElements(shape)
	w := newWalker(shape, [3]int{src.Off}, [3][]int{src.Strides})
	if r := w.rank - 1; n > 0 && r > 0 && w.st[0][r-1] == 1 && w.st[0][r] > 1 {
		copyTransposed(dst, src.Data, w)
		return
	}
	ParallelFor(n, streamGrainNow(), func(lo, hi int) {
		w := w
		w.seek(lo)
		for pos := lo; pos < hi; {
			m := w.span(hi - pos)
			off, st := w.off[0], w.inner(0)
			if r := w.rank - 1; st == 1 && r > 0 && w.idx[r] == 0 && m == w.shape[r] && hi-pos >= 2*m {
				// Whole contiguous runs, one after another along the
				// next dimension out (an attention head's rows): a copy
				// each, without stepping the walker run by run.
				rows, rs := min((hi-pos)/m, w.shape[r-1]-w.idx[r-1]), w.st[0][r-1]
				for i := range rows {
					copy(dst[pos+i*m:pos+(i+1)*m], src.Data[off+i*rs:off+i*rs+m])
				}
				pos += rows * m
				w.advanceAt(r-1, rows)
				continue
			}
			d := dst[pos : pos+m]
			switch st {
			case 1:
				copy(d, src.Data[off:off+m])
			case 0:
				v := src.Data[off]
				for i := range d {
					d[i] = v
				}
			default:
				for i := range d {
					d[i] = src.Data[off+i*st]
				}
			}
			pos += m
			w.advance(m)
		}
	})
}

// Fill sets every element of dst to v.
func Fill[T float32 | int32](dst []T, v T) {
	ParallelFor(len(dst), streamGrainNow(), func(lo, hi int) { fillSpan(dst[lo:hi], v) })
}

// fillSpan sets every element of d to v: all-zero bits (+0, or 0) by
// clear, anything else by storing the first fillStores values and copying
// them on along d, doubling the run copied up to fillBlock values (in L1),
// which runs at copy's vector speed where a loop of single stores does
// not. (Storing the first 1 024 one by one, a fill of 256 values took
// 167 to 240 ns by where the loop fell in the binary, on a Zen 2.)
func fillSpan[T float32 | int32](d []T, v T) {
	if *(*uint32)(unsafe.Pointer(&v)) == 0 { // T is 4 bytes
		clear(d)
		return
	}
	n := min(len(d), fillStores)
	for i := range d[:n] {
		d[i] = v
	}
	for n < len(d) {
		n += copy(d[n:], d[:min(n, fillBlock)])
	}
}

// fillStores is the values fillSpan stores one by one, fillBlock the most
// it copies at a time.
const (
	fillStores = 16
	fillBlock  = 1024
)

// Where sets contiguous dst = x where cond ≠ 0, else y, over shape.
func Where[C float32 | int32](dst []float32, cond Strided[C], x, y Strided[float32], shape []int) {
	n := numElements(shape)
	w := newWalker(shape, [3]int{cond.Off, x.Off, y.Off}, [3][]int{cond.Strides, x.Strides, y.Strides})
	// c ≠ 0 as a test of its bits (whereVec): every bit but the sign for
	// float32 (NaN is not 0, −0 is), every bit for int32 (1/2 is 0 there).
	mask := ^uint32(0)
	if one, two := C(1), C(2); one/two != 0 {
		mask >>= 1
	}
	ParallelFor(n, streamGrainNow(), func(lo, hi int) {
		var cs [spanLen]C
		var xs, ys [spanLen]float32
		w := w
		w.seek(lo)
		for pos := lo; pos < hi; {
			m := w.span(min(hi-pos, spanLen))
			c := load(&w, 0, cond.Data, m, cs[:])
			a := load(&w, 1, x.Data, m, xs[:])
			b := load(&w, 2, y.Data, m, ys[:])
			d := dst[pos : pos+m]
			c, a, b = c[:len(d)], a[:len(d)], b[:len(d)]
			bits := unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(c))), len(c))
			if done := whereVec(d, bits, a, b, mask); done > 0 {
				d, c, a, b = d[done:], c[done:], a[done:], b[done:]
			}
			for i := range d {
				d[i] = sel(c[i] != 0, a[i], b[i])
			}
			pos += m
			w.advance(m)
		}
	})
}

func numElements(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
