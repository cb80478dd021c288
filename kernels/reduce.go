package kernels

import "math"

// ReduceOp selects a Reduce kernel, that of the device.ReduceOp of the same
// name.
type ReduceOp uint8

const (
	Sum    ReduceOp = iota // Σ, accumulated in float64
	Max                    // largest element; NaN propagates
	Min                    // smallest element; NaN propagates
	ArgMax                 // index of the first largest element
	ArgMin                 // index of the first smallest element
	numReduceOps
)

// reduceNames names each ReduceOp as package device's op catalogue does.
var reduceNames = map[string]ReduceOp{"sum": Sum, "max": Max, "min": Min, "argmax": ArgMax, "argmin": ArgMin}

// ReduceOpNamed returns the ReduceOp with the given catalogue name.
func ReduceOpNamed(name string) (ReduceOp, bool) {
	op, ok := reduceNames[name]
	return op, ok
}

// reduceBlock is how many inner positions one step of Reduce handles
// together; their float64 accumulators live on the stack. Each step reads
// runs of up to reduceBlock values from every reduced position: a bias
// gradient's column sums of [4096, 2048] ran 1.9× as fast with runs of 1024
// as with runs of 256, which made a stride-jumping walk of memory (the same
// sums in the same order: a column's rows are added in order either way).
const reduceBlock = 1024

// reduction is a Reduce of a contiguous source over some of its axes, in
// the form the loops walk: inner adjacent kept positions (1 when the last
// axis is reduced), the kept axes before them, and the reduced axes, each
// axis with its stride in the source.
type reduction struct {
	inner       int
	outer, n    int // kept positions outside inner; reduced positions
	kept, red   [MaxRank]int
	kst, rst    [MaxRank]int
	nkept, nred int
}

func newReduction(shape []int, reduced []bool) reduction {
	var r reduction
	r.inner, r.outer, r.n = 1, 1, 1
	last := len(shape) - 1
	if last >= 0 && !reduced[last] {
		r.inner = shape[last]
		last--
	}
	// Axes are listed from the outermost, so a counter over them walks the
	// source in row-major order.
	stride := r.inner
	for i := last; i >= 0; i-- {
		stride *= shape[i]
	}
	for i := 0; i <= last; i++ {
		stride /= shape[i]
		if reduced[i] {
			r.red[r.nred], r.rst[r.nred] = shape[i], stride
			r.nred++
			r.n *= shape[i]
		} else {
			r.kept[r.nkept], r.kst[r.nkept] = shape[i], stride
			r.nkept++
			r.outer *= shape[i]
		}
	}
	return r
}

// base returns the source offset of kept position o (row-major over kept).
func (r *reduction) base(o int) int {
	off := 0
	for i := r.nkept - 1; i >= 0; i-- {
		off += (o % r.kept[i]) * r.kst[i]
		o /= r.kept[i]
	}
	return off
}

// next steps a walk over the reduced positions a run (see runLen) at a
// time, in increasing order: given the offset of one run's start relative
// to a kept position's base, and idx, the position of that run over the
// reduced axes (zero at the start), it returns the next run's offset, or
// false after the last. (A function, not a callback, so that the loops
// allocate no closure.)
func (r *reduction) next(idx *[MaxRank]int, off int) (int, bool) {
	nred := r.nred
	if r.runLen() > 1 {
		nred--
	}
	for i := nred - 1; i >= 0; i-- {
		idx[i]++
		off += r.rst[i]
		if idx[i] < r.red[i] {
			return off, true
		}
		off -= r.rst[i] * r.red[i]
		idx[i] = 0
	}
	return 0, false
}

// runLen returns the length of the runs: that of the last reduced axis when
// it is contiguous (inner is 1 and its stride is 1), else 1.
func (r *reduction) runLen() int {
	if r.inner == 1 && r.nred > 0 && r.rst[r.nred-1] == 1 {
		return r.red[r.nred-1]
	}
	return 1
}

// Reduce reduces contiguous src of the given shape over the axes marked in
// reduced into contiguous dst (shape without those axes) for Sum, Max and
// Min. Each output is accumulated in a fixed order (row-major over the
// reduced axes, a contiguous run at a time) by one goroutine, so results do
// not depend on GOMAXPROCS. Size-1 axes and adjacent axes of the same kind
// may be merged by the caller first; the result is the same, only faster.
func Reduce(op ReduceOp, dst, src []float32, shape []int, reduced []bool) {
	if op != Sum && op != Max && op != Min {
		panic("kernels: Reduce: op must be Sum, Max or Min")
	}
	r := newReduction(shape, reduced)
	blocks := (r.inner + reduceBlock - 1) / reduceBlock
	n, grain := r.outer*blocks, max(1, elemGrain/(r.n*min(r.inner, reduceBlock)))
	if serial(n, grain) {
		r.reduce(op, dst, src, blocks, 0, n)
		return
	}
	r.reduceParallel(op, dst, src, blocks, n, grain)
}

// reduceParallel is Reduce's loop on the pool: a method of its own, so that
// a reduction on one worker keeps r on the caller's stack rather than
// moving it to the heap for the closure.
//
//go:noinline
func (r reduction) reduceParallel(op ReduceOp, dst, src []float32, blocks, n, grain int) {
	ParallelFor(n, grain, func(lo, hi int) { r.reduce(op, dst, src, blocks, lo, hi) })
}

// reduce computes Reduce's outputs for the items [lo, hi): blocks of up to
// reduceBlock inner positions of a kept position, blocks to a position.
func (r *reduction) reduce(op ReduceOp, dst, src []float32, blocks, lo, hi int) {
	inner, run := r.inner, r.runLen()
	var acc [reduceBlock]float64
	for t := lo; t < hi; t++ {
		o, i0 := t/blocks, (t%blocks)*reduceBlock
		w := min(reduceBlock, inner-i0)
		base := r.base(o) + i0
		d := dst[o*inner+i0 : o*inner+i0+w]
		var idx [MaxRank]int
		if inner == 1 && op == Sum && run >= sumRunsMin {
			// Runs 8 at a time (sumRuns), their sums added in order.
			var s float64
			var offs [8]int
			var sums [8]float64
			k := 0
			for off, ok := 0, true; ok; off, ok = r.next(&idx, off) {
				offs[k] = base + off
				if k++; k == len(offs) {
					sumRuns(src, offs[:], run, sums[:])
					for _, v := range sums {
						s += v
					}
					k = 0
				}
			}
			sumRuns(src, offs[:k], run, sums[:k])
			for _, v := range sums[:k] {
				s += v
			}
			d[0] = float32(s)
			continue
		}
		if inner == 1 {
			var s float64
			e := src[base]
			for off, ok := 0, true; ok; off, ok = r.next(&idx, off) {
				x := src[base+off : base+off+run]
				switch op {
				case Sum:
					s += sum64(x)
				case Max:
					e = max(e, extreme(true, x))
				default:
					e = min(e, extreme(false, x))
				}
			}
			if op == Sum {
				d[0] = float32(s)
			} else {
				d[0] = e
			}
			continue
		}
		if op == Sum {
			a := acc[:w]
			clear(a)
			for off, ok := 0, true; ok; off, ok = r.next(&idx, off) {
				accAdd(a, src[base+off:base+off+w])
			}
			for j, v := range a {
				d[j] = float32(v)
			}
			continue
		}
		copy(d, src[base:base+w])
		for off, ok := 0, true; ok; off, ok = r.next(&idx, off) {
			row := src[base+off : base+off+w]
			if op == Max {
				for j, v := range row {
					d[j] = max(d[j], v)
				}
			} else {
				for j, v := range row {
					d[j] = min(d[j], v)
				}
			}
		}
	}
}

// sum64 adds s in float64 in four interleaved partial sums, which run four
// times faster than one chain of dependent adds; the order is fixed, so the
// result is too.
func sum64(s []float32) float64 {
	var t0, t1, t2, t3 float64
	n := len(s) &^ 3
	for i := 0; i < n; i += 4 {
		q := s[i : i+4 : i+4]
		t0 += float64(q[0])
		t1 += float64(q[1])
		t2 += float64(q[2])
		t3 += float64(q[3])
	}
	for _, v := range s[n:] {
		t0 += float64(v)
	}
	return (t0 + t1) + (t2 + t3)
}

// sumRunsGo sets out[r] = sum64(src[offs[r]:offs[r]+n]) for each r; it is
// the portable sumRuns.
func sumRunsGo(src []float32, offs []int, n int, out []float64) {
	for r, off := range offs {
		out[r] = sum64(src[off : off+n])
	}
}

// sumRunsMin is the shortest run sumRuns adds 8 at a time, the vector
// kernels' step: on Zen 5 (go test ./kernels -bench SumRuns) 8 runs of 4
// took 0.87× sum64's time one at a time, of 16 0.49×, of 784 0.19×
// (AVX-512; AVX2 0.75×, 0.46×, 0.24×; bench/results/sum-runs-2026-12-03-zen5.txt.gz).
const sumRunsMin = 4

// extreme returns the largest (isMax) or smallest element of a non-empty s,
// NaN if s holds one, from four interleaved partial results: max and min
// round nothing and treat ±0 and NaN the same in any order, so the result
// equals a left-to-right scan.
func extreme(isMax bool, s []float32) float32 {
	t0, t1, t2, t3 := s[0], s[0], s[0], s[0]
	n := len(s) &^ 3
	if isMax {
		for i := 0; i < n; i += 4 {
			q := s[i : i+4 : i+4]
			t0, t1, t2, t3 = max(t0, q[0]), max(t1, q[1]), max(t2, q[2]), max(t3, q[3])
		}
		for _, v := range s[n:] {
			t0 = max(t0, v)
		}
		return max(max(t0, t1), max(t2, t3))
	}
	for i := 0; i < n; i += 4 {
		q := s[i : i+4 : i+4]
		t0, t1, t2, t3 = min(t0, q[0]), min(t1, q[1]), min(t2, q[2]), min(t3, q[3])
	}
	for _, v := range s[n:] {
		t0 = min(t0, v)
	}
	return min(min(t0, t1), min(t2, t3))
}

// argExtreme returns the index of the first largest (isMax) or smallest
// element of a non-empty s; a NaN counts as the extreme, so the first NaN
// wins (as Max and Min propagate it, and as PyTorch's argmax).
func argExtreme(isMax bool, s []float32) int32 {
	best, bi := s[0], 0
	if isMax {
		for k, v := range s {
			if beats(v, best, true) {
				best, bi = v, k
			}
		}
	} else {
		for k, v := range s {
			if beats(v, best, false) {
				best, bi = v, k
			}
		}
	}
	return int32(bi)
}

// beats reports whether v replaces best in an arg reduction: larger
// (isMax) or smaller, or a NaN where best is none.
func beats(v, best float32, isMax bool) bool {
	if isMax {
		return v > best || v != v && best == best
	}
	return v < best || v != v && best == best
}

// ArgReduce writes into dst the index of the first largest (ArgMax) or
// smallest (ArgMin) element of contiguous src over the axes marked in
// reduced (as Reduce), counted row-major over those axes. A NaN counts as
// the extreme: the first NaN wins.
func ArgReduce(op ReduceOp, dst []int32, src []float32, shape []int, reduced []bool) {
	isMax := op == ArgMax
	if !isMax && op != ArgMin {
		panic("kernels: ArgReduce: op must be ArgMax or ArgMin")
	}
	r := newReduction(shape, reduced)
	inner, run := r.inner, r.runLen()
	blocks := (inner + reduceBlock - 1) / reduceBlock
	ParallelFor(r.outer*blocks, max(1, elemGrain/(r.n*min(inner, reduceBlock))), func(lo, hi int) {
		var bestBuf [reduceBlock]float32
		for t := lo; t < hi; t++ {
			o, i0 := t/blocks, (t%blocks)*reduceBlock
			w := min(reduceBlock, inner-i0)
			base := r.base(o) + i0
			var idx [MaxRank]int
			k := 0 // reduced position of the run's start
			if inner == 1 {
				if r.n == run {
					dst[o] = argExtreme(isMax, src[base:base+run])
					continue
				}
				best, bi := src[base], 0
				for off, ok := 0, true; ok; off, ok = r.next(&idx, off) {
					for j, v := range src[base+off : base+off+run] {
						if beats(v, best, isMax) {
							best, bi = v, k+j
						}
					}
					k += run
				}
				dst[o] = int32(bi)
				continue
			}
			best, bi := bestBuf[:w], dst[o*inner+i0:o*inner+i0+w]
			copy(best, src[base:base+w])
			clear(bi)
			for off, ok := 0, true; ok; off, ok = r.next(&idx, off) {
				row := src[base+off : base+off+w]
				for j, v := range row {
					// Masks, not branches: which element wins is
					// unpredictable.
					m := mask(beats(v, best[j], isMax))
					best[j] = math.Float32frombits(math.Float32bits(v)&m | math.Float32bits(best[j])&^m)
					bi[j] = int32(uint32(k)&m | uint32(bi[j])&^m)
				}
				k++
			}
		}
	})
}

// accAddGo sets a[j] += float64(s[j]): the portable accAdd, a float64
// accumulator per column of a Sum over the outer axes.
func accAddGo(a []float64, s []float32) {
	s = s[:len(a)]
	for j, v := range s {
		a[j] += float64(v)
	}
}
