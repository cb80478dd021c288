package nn

import (
	nninit "github.com/tensorgl/tensorgl/nn/init"
	"github.com/tensorgl/tensorgl/tensor"
)

// PositionalEmbedding adds a learned vector per position to a sequence of
// embeddings: x[t] + Weight[t]. Weight is [MaxLen, E], initialised N(0, 1)
// like an nn.Embedding, and is saved as "weight", so the PyTorch
// equivalent is nn.Embedding(max_len, E) looked up with torch.arange(L).
type PositionalEmbedding struct {
	Weight     *tensor.Tensor
	BatchFirst bool
}

// NewPositionalEmbedding returns embeddings for up to maxLen positions of
// size dim, for [L, N, E] input, or [N, L, E] with batchFirst.
func NewPositionalEmbedding(maxLen, dim int, batchFirst bool, g *tensor.Generator) *PositionalEmbedding {
	w := tensor.Zeros(maxLen, dim)
	nninit.Normal(w, g, 0, 1)
	return &PositionalEmbedding{Weight: newParam(w), BatchFirst: batchFirst}
}

// Forward adds the first L position vectors to x; it panics when L is more
// than MaxLen or the embedding sizes differ.
func (p *PositionalEmbedding) Forward(x *tensor.Tensor) *tensor.Tensor {
	seqDim := 0
	if p.BatchFirst {
		seqDim = 1
	}
	if x.Dim() != 3 || x.Size(2) != p.Weight.Size(1) || x.Size(seqDim) > p.Weight.Size(0) {
		misuse("nn.PositionalEmbedding", "input %v: want 3 dimensions, at most %d positions of size %d", x.Shape(), p.Weight.Size(0), p.Weight.Size(1))
	}
	pos := p.Weight.Narrow(0, 0, x.Size(seqDim))
	if !p.BatchFirst {
		pos = pos.Unsqueeze(1)
	}
	return x.Add(pos)
}

// State lists the weight.
func (p *PositionalEmbedding) State() []Entry {
	return []Entry{{Name: "weight", Tensor: p.Weight, Param: true}}
}

// Train does nothing: PositionalEmbedding behaves the same in both modes.
func (p *PositionalEmbedding) Train(bool) {}
