package kernels

import "math"

// bceSpan sets d to Binary's BCEWithLogits of the logits xs and targets ys
// scaled by a: a·(ln(1+e^−|x|) + x·(1−y) for x ≥ 0, −x·y otherwise). For y
// in [0, 1] both terms are ≥ 0, so a small loss at a large logit keeps its
// digits (softplus(x) − x·y would cancel them). The first term is Unary's
// Softplus of −|x| (its vector code, rounded to float32); the sum and the
// scaling are in float64, rounded once more. d may be xs or ys.
func bceSpan(a float32, d, xs, ys []float32) {
	var t [spanLen]float32
	for len(d) > 0 {
		n := min(len(d), spanLen)
		l1 := t[:n]
		for i, x := range xs[:n] {
			l1[i] = math.Float32frombits(math.Float32bits(x) | 1<<31) // −|x|
		}
		unarySpan(Softplus, 0, 0, l1, l1)
		for i, x := range xs[:n] {
			// x·(1−y) or −x·y as x·(h − y), h = 1 for x ≥ 0 (not for NaN),
			// without a branch that random logits mispredict half the time.
			d[i] = a * (l1[i] + x*(b2f(x >= 0)-ys[i]))
		}
		d, xs, ys = d[n:], xs[n:], ys[n:]
	}
}

// BCEWithLogitsBackward sets contiguous dst = a·g·(σ(x) − y) over shape,
// the gradient of BCEWithLogits with respect to the logits x; g is the
// upstream gradient (stride 0 broadcasts a sum's). σ(x) is Unary's
// Sigmoid (its vector code, rounded to float32); the rest is in float64,
// rounded once more. dst may overlap the operands element for element.
func BCEWithLogitsBackward(a float32, dst []float32, x, y, g Strided[float32], shape []int) {
	n := numElements(shape)
	if n == 0 {
		return
	}
	w := newWalker(shape, [3]int{x.Off, y.Off, g.Off}, [3][]int{x.Strides, y.Strides, g.Strides})
	ParallelFor(n, streamGrainNow()/4, func(lo, hi int) {
		var xs, ys, gs, ss [spanLen]float32
		w := w
		w.seek(lo)
		for pos := lo; pos < hi; {
			m := w.span(min(hi-pos, spanLen))
			xv := load(&w, 0, x.Data, m, xs[:])
			yv := load(&w, 1, y.Data, m, ys[:])
			gv := load(&w, 2, g.Data, m, gs[:])
			d := dst[pos : pos+m]
			sv, yv, gv := ss[:m], yv[:m], gv[:m]
			vsigmoid(sv, xv[:m])
			for i, s := range sv {
				d[i] = a * (gv[i] * (s - yv[i]))
			}
			pos += m
			w.advance(m)
		}
	})
}
