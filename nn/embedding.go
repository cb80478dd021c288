package nn

import (
	nninit "github.com/tensorgl/tensorgl/nn/init"
	"github.com/tensorgl/tensorgl/tensor"
)

// Embedding maps int32 indices to rows of Weight [num, dim] (PyTorch's
// nn.Embedding).
type Embedding struct {
	Weight *tensor.Tensor
}

// NewEmbedding returns an Embedding of num vectors of size dim, initialised
// N(0, 1) from g as PyTorch does.
func NewEmbedding(num, dim int, g *tensor.Generator) *Embedding {
	w := tensor.Zeros(num, dim)
	nninit.Normal(w, g, 0, 1)
	return &Embedding{Weight: newParam(w)}
}

// Forward maps int32 indices of any shape S to float32 vectors [S..., dim].
// Gradients accumulate into the rows that were looked up.
func (e *Embedding) Forward(idx *tensor.Tensor) *tensor.Tensor {
	rows := e.Weight.IndexSelect(0, idx.Reshape(-1))
	return rows.Reshape(append(idx.Shape(), e.Weight.Size(1))...)
}

// State lists the weight.
func (e *Embedding) State() []Entry {
	return []Entry{{Name: "weight", Tensor: e.Weight, Param: true}}
}

// Train does nothing: Embedding behaves the same in both modes.
func (e *Embedding) Train(bool) {}
