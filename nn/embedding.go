package nn

import (
	nninit "github.com/tensorgl/tensorgl/nn/init"
	"github.com/tensorgl/tensorgl/tensor"
)

// Embedding maps int32 indices to rows of Weight [num, dim] (PyTorch's
// nn.Embedding).
type Embedding struct {
	Weight *tensor.Tensor
	// padding is the padding row, or −1 for none; keep [num, 1] is 0 in
	// that row and 1 in the others (nil without a padding row), so that
	// a lookup can tell, on the device, which of its rows are padding.
	padding int
	keep    *tensor.Tensor
}

// EmbeddingOpts holds the options of PyTorch's nn.Embedding that
// NewEmbeddingOpts takes; the zero value is PyTorch's defaults.
//
// PyTorch's max_norm is not among them: it renormalises the looked-up rows
// of the weight in place, which the tensor package cannot yet do without
// copying the whole weight each lookup.
type EmbeddingOpts struct {
	// PaddingIdx, when not nil, names a padding row (PyTorch's
	// padding_idx), counted from the end when negative: the row starts
	// as zeros and its lookups add nothing to its gradient (an
	// optimizer's weight decay still moves it, as in PyTorch). Lookups of
	// it return its current values.
	PaddingIdx *int
}

// NewEmbedding returns an Embedding of num vectors of size dim, initialised
// N(0, 1) from g as PyTorch does.
func NewEmbedding(num, dim int, g *tensor.Generator) *Embedding {
	return NewEmbeddingOpts(num, dim, EmbeddingOpts{}, g)
}

// NewEmbeddingOpts returns an Embedding of num vectors of size dim with
// the options o, initialised N(0, 1) from g (the padding row then set to
// zeros) as PyTorch does, so a seed draws the same weight with or without
// a padding row. A padding index outside [−num, num) panics with a
// *tensor.ShapeError naming it.
func NewEmbeddingOpts(num, dim int, o EmbeddingOpts, g *tensor.Generator) *Embedding {
	w := tensor.Zeros(num, dim)
	nninit.Normal(w, g, 0, 1)
	e := &Embedding{Weight: newParam(w), padding: -1}
	if o.PaddingIdx != nil {
		p := *o.PaddingIdx
		if p < 0 {
			p += num
		}
		if p < 0 || p >= num {
			misuse("nn.NewEmbeddingOpts", "padding index %d outside [%d, %d) for %d embeddings", *o.PaddingIdx, -num, num, num)
		}
		zeros := tensor.Zeros(1, dim)
		w.Narrow(0, p, 1).CopyFrom(zeros)
		zeros.Release()
		keep := make([]float32, num)
		for i := range keep {
			keep[i] = 1
		}
		keep[p] = 0
		e.padding, e.keep = p, newBuffer(tensor.FromSlice(keep, num, 1))
	}
	return e
}

// PaddingIdx returns the padding row, in [0, num), and whether there is
// one (PyTorch's padding_idx, None when ok is false).
func (e *Embedding) PaddingIdx() (idx int, ok bool) { return e.padding, e.padding >= 0 }

// Forward maps int32 indices of any shape S to float32 vectors [S..., dim].
// Gradients accumulate into the rows that were looked up, except the
// padding row.
func (e *Embedding) Forward(idx *tensor.Tensor) *tensor.Tensor {
	flat := idx.Reshape(-1)
	rows := e.Weight.IndexSelect(0, flat)
	if e.keep != nil && e.Weight.RequiresGrad() {
		// The padding row's lookups come from the rows cut from the
		// graph, so its gradient is not accumulated, as PyTorch's
		// embedding backward skips padding_idx; the values are the same.
		rows = tensor.Where(e.keep.IndexSelect(0, flat), rows, rows.Detach())
	}
	return rows.Reshape(append(idx.Shape(), e.Weight.Size(1))...)
}

// State lists the weight.
func (e *Embedding) State() []Entry {
	return []Entry{{Name: "weight", Tensor: e.Weight, Param: true}}
}

// Train does nothing: Embedding behaves the same in both modes.
func (e *Embedding) Train(bool) {}
