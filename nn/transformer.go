package nn

import (
	"slices"

	"github.com/tensorgl/tensorgl/tensor"
)

// TransformerEncoderLayerOpts configures NewTransformerEncoderLayer. Zero
// values are PyTorch's defaults except Dropout, where zero means none
// (PyTorch's default is 0.1).
type TransformerEncoderLayerOpts struct {
	// FeedForward is the hidden size of the feed-forward block; 0 means
	// 2048.
	FeedForward int
	// Dropout is the probability of the dropouts after the attention
	// weights, inside the feed-forward block and on both residual branches.
	Dropout float32
	// GELU uses the exact GELU in the feed-forward block instead of ReLU
	// (PyTorch's activation="gelu").
	GELU bool
	// NormFirst normalises each block's input (pre-norm) instead of its
	// residual sum (post-norm, the original Transformer's).
	NormFirst bool
	// BatchFirst takes and returns [N, L, E] instead of [L, N, E] (the
	// attention runs sequence-first inside, see MultiheadAttentionOpts).
	BatchFirst bool
}

// TransformerEncoderLayer is PyTorch's nn.TransformerEncoderLayer:
// self-attention and a feed-forward block (Linear, activation, Linear),
// each with a residual connection and a LayerNorm, after the sum
// (post-norm) or on the block's input (NormFirst):
//
//	post-norm: x = norm1(x + sa(x)); x = norm2(x + ff(x))
//	pre-norm:  x = x + sa(norm1(x)); x = x + ff(norm2(x))
//
// Its state is named as PyTorch's: self_attn.in_proj_weight, …,
// linear1.weight, linear1.bias, linear2.*, norm1.*, norm2.*.
type TransformerEncoderLayer struct {
	SelfAttn                    *MultiheadAttention
	Linear1, Linear2            *Linear
	Norm1, Norm2                *LayerNorm
	opts                        TransformerEncoderLayerOpts
	dropout, dropout1, dropout2 *Dropout
}

// NewTransformerEncoderLayer returns an encoder layer over embeddings of
// size embed with heads attention heads, initialised from g as PyTorch
// does.
func NewTransformerEncoderLayer(embed, heads int, o TransformerEncoderLayerOpts, g *tensor.Generator) *TransformerEncoderLayer {
	ff := o.FeedForward
	if ff == 0 {
		ff = 2048
	}
	o.FeedForward = ff
	return &TransformerEncoderLayer{
		SelfAttn: NewMultiheadAttention(embed, heads, MultiheadAttentionOpts{Dropout: o.Dropout, BatchFirst: o.BatchFirst}, g),
		Linear1:  NewLinear(embed, ff, g),
		Linear2:  NewLinear(ff, embed, g),
		Norm1:    NewLayerNorm(embed),
		Norm2:    NewLayerNorm(embed),
		opts:     o,
		dropout:  NewDropout(o.Dropout, g),
		dropout1: NewDropout(o.Dropout, g),
		dropout2: NewDropout(o.Dropout, g),
	}
}

// Forward encodes x without a mask.
func (t *TransformerEncoderLayer) Forward(x *tensor.Tensor) *tensor.Tensor {
	return t.ForwardMasked(x, AttentionMask{})
}

// ForwardMasked encodes x [L, N, E] ([N, L, E] with BatchFirst), its
// self-attention restricted by mask.
func (t *TransformerEncoderLayer) ForwardMasked(x *tensor.Tensor, mask AttentionMask) *tensor.Tensor {
	// Each sublayer's dropout and the residual connection after it are one
	// kernel (Dropout.ForwardAdd).
	sa := func(x *tensor.Tensor) *tensor.Tensor {
		out, _ := t.SelfAttn.Attend(x, x, x, mask)
		return out
	}
	ff := func(x *tensor.Tensor) *tensor.Tensor {
		var h *tensor.Tensor
		if t.opts.GELU {
			h = Gelu(t.Linear1.Forward(x), false)
		} else {
			h = t.Linear1.forwardAct(x, tensor.ActRelu) // the ReLU in the product's epilogue
		}
		return t.Linear2.Forward(t.dropout.Forward(h))
	}
	if t.opts.NormFirst {
		x = t.dropout1.ForwardAdd(sa(t.Norm1.Forward(x)), x)
		return t.dropout2.ForwardAdd(ff(t.Norm2.Forward(x)), x)
	}
	x = t.Norm1.Forward(t.dropout1.ForwardAdd(sa(x), x))
	return t.Norm2.Forward(t.dropout2.ForwardAdd(ff(x), x))
}

// State lists the entries in PyTorch's state_dict order.
func (t *TransformerEncoderLayer) State() []Entry {
	return slices.Concat(Prefixed("self_attn", t.SelfAttn.State()),
		Prefixed("linear1", t.Linear1.State()), Prefixed("linear2", t.Linear2.State()),
		Prefixed("norm1", t.Norm1.State()), Prefixed("norm2", t.Norm2.State()))
}

// Train switches every dropout on or off.
func (t *TransformerEncoderLayer) Train(on bool) {
	t.SelfAttn.Train(on)
	for _, d := range []*Dropout{t.dropout, t.dropout1, t.dropout2} {
		d.Train(on)
	}
}
