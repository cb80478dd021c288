package kernels

import "math"

// SGDConfig holds PyTorch's torch.optim.SGD hyper-parameters for one step
// of a parameter group.
type SGDConfig struct {
	LR, Momentum, Dampening, WeightDecay float32
	Nesterov                             bool
}

// SGDTensor is one tensor of a multi-tensor SGD step. Grad and Buf hold at
// least len(Param) elements; Buf, the momentum buffer, is unused (may be
// nil) when Momentum is 0, and written without being read on FirstStep.
type SGDTensor struct {
	Param, Grad, Buf []float32
	FirstStep        bool
}

// SGDStep updates every tensor of ts in place from its gradient, and its
// momentum buffer:
//
//	g = grad + WeightDecay·p
//	buf = g on the first step, else Momentum·buf + (1−Dampening)·g
//	g = g + Momentum·buf if Nesterov, else buf
//	p = p − LR·g
//
// The elements of all the tensors are split over the workers as one range,
// so a group of small tensors costs one fan-out, not one per tensor.
func SGDStep(ts []SGDTensor, c SGDConfig) {
	plain := c.plain()
	parallelOver(ts, func(t SGDTensor) int { return len(t.Param) }, sgdGrain(c), func(t SGDTensor, lo, hi int) {
		p, g := t.Param[lo:hi], t.Grad[lo:hi]
		if plain {
			sgdPlain(p, g, c.LR)
			return
		}
		var b []float32
		if c.Momentum != 0 {
			b = t.Buf[lo:hi]
			if c.WeightDecay == 0 && !c.Nesterov && !t.FirstStep {
				// Momentum past the first step, the common case: vector
				// code where the CPU has it.
				sgdMomentumSpan(p, g, b, c.LR, c.Momentum, 1-c.Dampening)
				return
			}
		}
		sgdMomentum(p, g, b, t.FirstStep, c)
	})
}

// plain reports whether a step with c is p −= LR·g: no momentum, no
// weight decay.
func (c SGDConfig) plain() bool { return c.Momentum == 0 && c.WeightDecay == 0 }

// sgdGrain is the fewest elements of an SGD step with c worth another
// goroutine: the plain step streams memory, the others do a few more
// flops an element, so half as many pay. Both read a gradient the backward
// pass just wrote on the caller's core, which a helper on a far core
// (nearcores.go) reads slowly: the grain was elemGrain, and on a 2-vCPU
// Zen 5 whose cores were far apart LeNet's momentum step (61 706
// parameters) then split in four, its batch-1 step 1.12–1.16× as fast
// with this step, its outer products and matrix-vector products on one
// core while far (bench/results/far-cores-batch1-2026-12-07-zen5.txt.gz).
func sgdGrain(c SGDConfig) int {
	if c.plain() {
		return streamGrainNow()
	}
	return streamGrainNow() / 2
}

// sgdMomentum is SGDStep's loop with weight decay or momentum; buf is nil
// when Momentum is 0.
func sgdMomentum(param, grad, buf []float32, first bool, c SGDConfig) {
	wd, mom, damp, lr := c.WeightDecay, c.Momentum, 1-c.Dampening, c.LR
	grad = grad[:len(param)]
	if mom != 0 {
		buf = buf[:len(param)]
	}
	for i, p := range param {
		g := grad[i]
		if wd != 0 {
			g += wd * p
		}
		if mom != 0 {
			b := g
			if !first {
				b = mom*buf[i] + damp*g
			}
			buf[i] = b
			if c.Nesterov {
				g += mom * b
			} else {
				g = b
			}
		}
		param[i] = p - lr*g
	}
}

// sgdPlainGo sets p[i] −= lr·g[i]: the portable sgdPlain, a loop the
// compiler keeps in registers.
func sgdPlainGo(p, g []float32, lr float32) {
	g = g[:len(p)]
	for i, gi := range g {
		p[i] -= lr * gi
	}
}

// sgdMomentumGo is sgdMomentum past the first step without weight decay
// or Nesterov: the portable sgdMomentumSpan.
func sgdMomentumGo(p, g, b []float32, lr, mom, damp float32) {
	g, b = g[:len(p)], b[:len(p)]
	for i := range p {
		bi := mom*b[i] + damp*g[i]
		b[i] = bi
		p[i] -= lr * bi
	}
}

// AdamConfig holds the hyper-parameters of one Adam or AdamW step of a
// parameter group.
type AdamConfig struct {
	LR, Beta1, Beta2, Eps, WeightDecay float32
	Decoupled                          bool
}

// AdamTensor is one tensor of a multi-tensor Adam step: Grad, M and V hold
// at least len(Param) elements; Step counts the tensor's steps from 1.
type AdamTensor struct {
	Param, Grad, M, V []float32
	Step              int
}

// AdamStep updates every tensor of ts (parameter, m and v) in place from its
// gradient, as PyTorch's Adam (weight decay added to the gradient) or AdamW
// (Decoupled: the parameter decays first):
//
//	m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²
//	p = p − LR · (m/(1−β1ᵗ)) / (√(v/(1−β2ᵗ)) + Eps)
//
// The elements of all the tensors are split over the workers as one range.
func AdamStep(ts []AdamTensor, c AdamConfig) {
	decay := 1 - c.LR*c.WeightDecay
	b1, b2 := c.Beta1, c.Beta2
	a1, a2 := 1-b1, 1-b2
	wd, decoupled, eps := c.WeightDecay, c.Decoupled, c.Eps
	parallelOver(ts, func(t AdamTensor) int { return len(t.Param) }, elemGrain, func(t AdamTensor, lo, hi int) {
		// LR/(1−β1ᵗ) and 1/√(1−β2ᵗ) once per tensor and range (in
		// float64) leave one division and one square root per element, in
		// float32 as PyTorch's Adam computes them: float64 ones took 28%
		// longer per step.
		bc1 := 1 - math.Pow(float64(b1), float64(t.Step))
		bc2 := 1 - math.Pow(float64(b2), float64(t.Step))
		k := adamConsts{B1: b1, B2: b2, A1: a1, A2: a2, WD: wd, Decay: decay,
			LRC: float32(float64(c.LR) / bc1), RSC: float32(1 / math.Sqrt(bc2)), Eps: eps}
		if decoupled {
			k.Decoupled = 1
		}
		adamSpan(t.Param[lo:hi], t.Grad[lo:hi], t.M[lo:hi], t.V[lo:hi], &k)
	})
}

// adamConsts are the scalars of one Adam update, laid out as the assembly
// reads them: LRC is LR/(1−β1ᵗ), RSC 1/√(1−β2ᵗ), Decay 1−LR·WD.
type adamConsts struct {
	B1, B2, A1, A2, WD, Decay, LRC, RSC, Eps float32
	Decoupled                                uint32
}

// adamSpanGo updates param, m and v from grad, all of one length: the
// portable adamSpan, whose order of float32 operations the assembly keeps.
func adamSpanGo(param, grad, m, v []float32, k *adamConsts) {
	grad, m, v = grad[:len(param)], m[:len(param)], v[:len(param)]
	for i, p := range param {
		g := grad[i]
		if k.Decoupled != 0 {
			p *= k.Decay
		} else {
			g += k.WD * p
		}
		mi := k.B1*m[i] + k.A1*g
		vi := k.B2*v[i] + k.A2*g*g
		m[i], v[i] = mi, vi
		param[i] = p - k.LRC*mi/(float32(math.Sqrt(float64(vi)))*k.RSC+k.Eps)
	}
}

// parallelOver runs fn over the elements of every tensor of ts, split with
// ParallelFor as one range of Σ size(t) elements: fn(t, lo, hi) gets each
// piece of a tensor that falls in a worker's range, so every element is
// updated exactly once, by the same expression whatever the split.
func parallelOver[T any](ts []T, size func(T) int, grain int, fn func(t T, lo, hi int)) {
	total := 0
	for _, t := range ts {
		total += size(t)
	}
	ParallelFor(total, grain, func(lo, hi int) {
		start := 0 // first element of t in the concatenation
		for _, t := range ts {
			n := size(t)
			if start >= hi {
				return
			}
			if a, b := max(lo-start, 0), min(hi-start, n); a < b {
				fn(t, a, b)
			}
			start += n
		}
	})
}
