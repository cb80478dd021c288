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
// together; their float64 accumulators live on the stack.
const reduceBlock = 256

// Reduce reduces contiguous src [outer, n, inner] over n into contiguous dst
// [outer, inner] for Sum, Max and Min. Each output is accumulated in
// increasing order of n by one goroutine, so results do not depend on
// GOMAXPROCS.
func Reduce(op ReduceOp, dst, src []float32, outer, n, inner int) {
	blocks := (inner + reduceBlock - 1) / reduceBlock
	ParallelFor(outer*blocks, max(1, elemGrain/(n*min(inner, reduceBlock))), func(lo, hi int) {
		var acc [reduceBlock]float64
		for t := lo; t < hi; t++ {
			o, i0 := t/blocks, (t%blocks)*reduceBlock
			w := min(reduceBlock, inner-i0)
			base := o*n*inner + i0
			d := dst[o*inner+i0 : o*inner+i0+w]
			switch op {
			case Sum:
				if inner == 1 {
					d[0] = float32(sum64(src[base : base+n]))
					continue
				}
				a := acc[:w]
				clear(a)
				for k := 0; k < n; k++ {
					row := src[base+k*inner : base+k*inner+w]
					for j, v := range row {
						a[j] += float64(v)
					}
				}
				for j, v := range a {
					d[j] = float32(v)
				}
			case Max, Min:
				if inner == 1 {
					d[0] = extreme(op == Max, src[base:base+n])
					continue
				}
				copy(d, src[base:base+w])
				for k := 1; k < n; k++ {
					row := src[base+k*inner : base+k*inner+w]
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
			default:
				panic("kernels: Reduce: op must be Sum, Max or Min")
			}
		}
	})
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
// element of a non-empty s; a NaN wins only in first place.
func argExtreme(isMax bool, s []float32) int32 {
	best, bi := s[0], 0
	if isMax {
		for k, v := range s {
			if v > best {
				best, bi = v, k
			}
		}
	} else {
		for k, v := range s {
			if v < best {
				best, bi = v, k
			}
		}
	}
	return int32(bi)
}

// ArgReduce writes into dst [outer, inner] the index along n of the first
// largest (ArgMax) or smallest (ArgMin) element of src [outer, n, inner]. A
// NaN is never chosen unless it comes first.
func ArgReduce(op ReduceOp, dst []int32, src []float32, outer, n, inner int) {
	isMax := op == ArgMax
	if !isMax && op != ArgMin {
		panic("kernels: ArgReduce: op must be ArgMax or ArgMin")
	}
	blocks := (inner + reduceBlock - 1) / reduceBlock
	ParallelFor(outer*blocks, max(1, elemGrain/(n*min(inner, reduceBlock))), func(lo, hi int) {
		var bestBuf [reduceBlock]float32
		for t := lo; t < hi; t++ {
			o, i0 := t/blocks, (t%blocks)*reduceBlock
			w := min(reduceBlock, inner-i0)
			base := o*n*inner + i0
			if inner == 1 {
				dst[o] = argExtreme(isMax, src[base:base+n])
				continue
			}
			best, bi := bestBuf[:w], dst[o*inner+i0:o*inner+i0+w]
			copy(best, src[base:base+w])
			clear(bi)
			for k := 1; k < n; k++ {
				row := src[base+k*inner : base+k*inner+w]
				for j, v := range row {
					// Masks, not branches: which element wins is
					// unpredictable.
					m := mask(v > best[j])
					if !isMax {
						m = mask(v < best[j])
					}
					best[j] = math.Float32frombits(math.Float32bits(v)&m | math.Float32bits(best[j])&^m)
					bi[j] = int32(uint32(k)&m | uint32(bi[j])&^m)
				}
			}
		}
	})
}
