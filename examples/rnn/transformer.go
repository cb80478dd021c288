package main

import (
	"flag"
	"fmt"
	"slices"

	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/tensor"
)

// transformerOpts are the flags of -arch transformer besides the shared
// -embed (the model width), -hidden (the feed-forward size), -layers and
// -seq (the longest context).
type transformerOpts struct {
	heads   int
	dropout float64
}

func (o *transformerOpts) register(fs *flag.FlagSet) {
	fs.IntVar(&o.heads, "heads", 4, "-arch transformer: attention heads (must divide -embed)")
	fs.Float64Var(&o.dropout, "transformer-dropout", 0.1, "-arch transformer: dropout probability in the encoder layers")
}

// transformerLM is a decoder-only (GPT-style) Transformer: character and
// learned position embeddings, pre-norm encoder layers with causal
// self-attention and GELU feed-forward blocks, a final LayerNorm and a
// linear layer to one logit per character. Its state is named as the
// PyTorch module with attributes embed, pos, layers (an nn.ModuleList of
// nn.TransformerEncoderLayer(norm_first=True, activation="gelu")), norm and
// head would name it.
type transformerLM struct {
	embed  *nn.Embedding
	pos    *nn.PositionalEmbedding
	layers []*nn.TransformerEncoderLayer
	norm   *nn.LayerNorm
	head   *nn.Linear
	heads  int
}

func newTransformerLM(vocab int, o *charOpts, g *tensor.Generator) *transformerLM {
	ff := o.hidden
	if ff == 0 {
		ff = 4 * o.embed
	}
	m := &transformerLM{
		embed: nn.NewEmbedding(vocab, o.embed, g),
		pos:   nn.NewPositionalEmbedding(o.seq, o.embed, false, g),
		norm:  nn.NewLayerNorm(o.embed),
		head:  nn.NewLinear(o.embed, vocab, g),
		heads: o.tf.heads,
	}
	for range o.layers {
		m.layers = append(m.layers, nn.NewTransformerEncoderLayer(o.embed, o.tf.heads, nn.TransformerEncoderLayerOpts{
			FeedForward: ff, Dropout: float32(o.tf.dropout), GELU: true, NormFirst: true,
		}, g))
	}
	return m
}

// step predicts the character after each of ids [T B]. Its state is the
// context: the last characters seen, at most the -seq the position
// embeddings cover. A full training window is its own context; generating
// one character at a time, the state supplies the characters before it.
func (m *transformerLM) step(ids *tensor.Tensor, state []*tensor.Tensor) (logits *tensor.Tensor, next []*tensor.Tensor) {
	maxLen := m.pos.Weight.Size(0)
	x := ids
	if len(state) > 0 && ids.Size(0) < maxLen {
		x = tensor.Cat(0, state[0], ids)
	}
	if x.Size(0) > maxLen {
		x = x.Narrow(0, x.Size(0)-maxLen, maxLen)
	}
	h := m.pos.Forward(m.embed.Forward(x))
	for _, l := range m.layers {
		h = l.ForwardMasked(h, nn.AttentionMask{Causal: true})
	}
	t := ids.Size(0)
	h = m.norm.Forward(h.Narrow(0, h.Size(0)-t, t))
	keep := min(x.Size(0), maxLen-1)
	return m.head.Forward(h.Reshape(-1, h.Size(2))), []*tensor.Tensor{x.Narrow(0, x.Size(0)-keep, keep)}
}

// Forward maps token ids [T B] to logits [T B vocab] without context.
func (m *transformerLM) Forward(ids *tensor.Tensor) *tensor.Tensor {
	logits, _ := m.step(ids, nil)
	return logits.Reshape(ids.Size(0), ids.Size(1), -1)
}

func (m *transformerLM) State() []nn.Entry {
	es := slices.Concat(nn.Prefixed("embed", m.embed.State()), nn.Prefixed("pos", m.pos.State()))
	for i, l := range m.layers {
		es = append(es, nn.Prefixed(fmt.Sprint("layers.", i), l.State())...)
	}
	return slices.Concat(es, nn.Prefixed("norm", m.norm.State()), nn.Prefixed("head", m.head.State()))
}

func (m *transformerLM) Train(on bool) {
	for _, l := range m.layers {
		l.Train(on)
	}
}

func (m *transformerLM) describe() string {
	e := m.embed.Weight.Size(1)
	return fmt.Sprintf("embedding %d×%d + %d learned positions, %d pre-norm Transformer encoder layers (%d heads, causal, GELU feed-forward %d), LayerNorm, linear %d→%d",
		m.embed.Weight.Size(0), e, m.pos.Weight.Size(0), len(m.layers), m.heads, m.layers[0].Linear1.Weight.Size(0), e, m.head.Weight.Size(0))
}
