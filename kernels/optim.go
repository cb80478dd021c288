package kernels

import "math"

// SGDConfig holds PyTorch's torch.optim.SGD hyper-parameters for one step.
type SGDConfig struct {
	LR, Momentum, Dampening, WeightDecay float32
	Nesterov, FirstStep                  bool
}

// SGDStep updates param in place from grad, and the momentum buffer buf
// (unused, may be nil, when Momentum is 0):
//
//	g = grad + WeightDecay·p
//	buf = g on the first step, else Momentum·buf + (1−Dampening)·g
//	g = g + Momentum·buf if Nesterov, else buf
//	p = p − LR·g
func SGDStep(param, grad, buf []float32, c SGDConfig) {
	ParallelFor(len(param), streamGrain, func(lo, hi int) {
		p, g := param[lo:hi], grad[lo:hi]
		if c.Momentum == 0 && c.WeightDecay == 0 {
			// Plain SGD, the common case, as a loop the compiler keeps
			// in registers.
			lr := c.LR
			for i, gi := range g {
				p[i] -= lr * gi
			}
			return
		}
		var b []float32
		if c.Momentum != 0 {
			b = buf[lo:hi]
		}
		sgdMomentum(p, g, b, c)
	})
}

// sgdMomentum is SGDStep's loop with weight decay or momentum; buf is nil
// when Momentum is 0.
func sgdMomentum(param, grad, buf []float32, c SGDConfig) {
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
			if !c.FirstStep {
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

// AdamConfig holds the hyper-parameters of one Adam or AdamW step; Step
// counts from 1.
type AdamConfig struct {
	LR, Beta1, Beta2, Eps, WeightDecay float32
	Decoupled                          bool
	Step                               int
}

// AdamStep updates param, m and v in place from grad, as PyTorch's Adam
// (weight decay added to the gradient) or AdamW (Decoupled: the parameter
// decays first):
//
//	m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²
//	p = p − LR · (m/(1−β1ᵗ)) / (√(v/(1−β2ᵗ)) + Eps)
func AdamStep(param, grad, m, v []float32, c AdamConfig) {
	bc1 := 1 - math.Pow(float64(c.Beta1), float64(c.Step))
	bc2 := 1 - math.Pow(float64(c.Beta2), float64(c.Step))
	decay := 1 - c.LR*c.WeightDecay
	// LR/(1−β1ᵗ) and 1/√(1−β2ᵗ) once per call (in float64) leave one
	// division and one square root per element, in float32 as PyTorch's
	// Adam computes them: float64 ones took 28% longer per step.
	lrc, rsc, eps := float32(float64(c.LR)/bc1), float32(1/math.Sqrt(bc2)), c.Eps
	b1, b2 := c.Beta1, c.Beta2
	a1, a2 := 1-b1, 1-b2
	wd, decoupled := c.WeightDecay, c.Decoupled
	ParallelFor(len(param), elemGrain, func(lo, hi int) {
		param, grad, m, v := param[lo:hi], grad[lo:hi:hi], m[lo:hi:hi], v[lo:hi:hi]
		grad, m, v = grad[:len(param)], m[:len(param)], v[:len(param)]
		for i, p := range param {
			g := grad[i]
			if decoupled {
				p *= decay
			} else {
				g += wd * p
			}
			mi := b1*m[i] + a1*g
			vi := b2*v[i] + a2*g*g
			m[i], v[i] = mi, vi
			param[i] = p - lrc*mi/(float32(math.Sqrt(float64(vi)))*rsc+eps)
		}
	})
}
