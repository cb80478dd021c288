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

// Forward drops elements of x in training mode (tensor.Dropout: the mask
// drawn and applied in one kernel).
func (d *Dropout) Forward(x *tensor.Tensor) *tensor.Tensor {
	if !d.training {
		return x
	}
	return tensor.Dropout(d.gen, x, d.P)
}

// ForwardAdd is residual.Add(d.Forward(x)): in training mode one kernel
// (tensor.DropoutAdd), the dropout of a sublayer's output and the residual
// connection after it.
func (d *Dropout) ForwardAdd(x, residual *tensor.Tensor) *tensor.Tensor {
	if !d.training {
		return residual.Add(x)
	}
	return tensor.DropoutAdd(d.gen, x, d.P, residual)
}

// State is empty: Dropout has no parameters.
func (d *Dropout) State() []Entry { return nil }

// Train sets training (dropping) or evaluation (identity) mode.
func (d *Dropout) Train(on bool) { d.training = on }
