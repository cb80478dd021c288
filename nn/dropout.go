package nn

import "github.com/tensorgl/tensorgl/tensor"

// Dropout zeroes each element with probability P in training mode and
// scales the survivors by 1/(1−P) (inverted dropout), so evaluation mode is
// the identity.
type Dropout struct {
	P        float32
	gen      *tensor.Generator
	training bool
}

// NewDropout returns a Dropout with drop probability p in [0, 1] drawing
// its masks from g.
func NewDropout(p float32, g *tensor.Generator) *Dropout {
	if p < 0 || p > 1 {
		misuse("nn.NewDropout", "probability %g outside [0, 1]", p)
	}
	return &Dropout{P: p, gen: g, training: true}
}

// Forward drops elements of x in training mode.
func (d *Dropout) Forward(x *tensor.Tensor) *tensor.Tensor {
	switch {
	case !d.training || d.P == 0:
		return x
	case d.P == 1:
		// Every element dropped; scaling by 1/(1−P) would give 0·∞ = NaN.
		return x.MulScalar(0)
	}
	// The mask holds 0 or the scale 1/(1−P): one product each way, with
	// the bits of x·keep·(1/(1−P)).
	keep := tensor.ScopeOf(x).Own(tensor.ScaledBernoulli(d.gen, 1-d.P, 1/(1-d.P), x.Shape()...).To(x.Device()))
	return x.Mul(keep)
}

// State is empty: Dropout has no parameters.
func (d *Dropout) State() []Entry { return nil }

// Train sets training (dropping) or evaluation (identity) mode.
func (d *Dropout) Train(on bool) { d.training = on }
