package nn

import (
	"math"

	nninit "github.com/tensorgl/tensorgl/nn/init"
	"github.com/tensorgl/tensorgl/tensor"
)

// MultiheadAttentionOpts configures NewMultiheadAttention. Zero values are
// PyTorch's defaults: no dropout, with biases, sequence-first tensors.
type MultiheadAttentionOpts struct {
	// Dropout is the probability of dropping an attention weight in
	// training mode.
	Dropout float32
	// NoBias leaves out in_proj_bias and out_proj.bias (bias=False).
	NoBias bool
	// BatchFirst takes and returns [N, L, E] instead of [L, N, E]. The
	// layer runs sequence-first inside, as PyTorch's does: one copy of
	// each input, the output a transposed view.
	BatchFirst bool
}

// AttentionMask says which keys each query may attend to. Masked scores
// become −∞ before the softmax, as PyTorch's boolean and −∞ masks do, so a
// query with every key masked gets NaN weights, as in PyTorch.
type AttentionMask struct {
	// Causal masks the keys after each query's position: key j is hidden
	// from query i when j > i (PyTorch's generate_square_subsequent_mask).
	Causal bool
	// KeyPadding [N, S] marks with a non-zero value the keys of each
	// sequence to ignore (PyTorch's boolean key_padding_mask); nil for none.
	KeyPadding *tensor.Tensor
}

// MultiheadAttention is PyTorch's nn.MultiheadAttention with equal query,
// key and value sizes: the inputs are projected by the rows of InProjWeight
// [3E, E] (query, key, value in that order) and InProjBias [3E], split into
// NumHeads heads of E/NumHeads, attended to with softmax(q·kᵀ/√(E/H)), and
// the heads' outputs concatenated and projected by OutProj. The state is
// named as PyTorch's: in_proj_weight, in_proj_bias, out_proj.weight,
// out_proj.bias.
type MultiheadAttention struct {
	InProjWeight, InProjBias *tensor.Tensor
	OutProj                  *Linear
	NumHeads                 int
	BatchFirst               bool
	dropout                  *Dropout
}

// NewMultiheadAttention returns attention over embeddings of size embed
// with heads heads (which must divide embed), initialised from g as PyTorch
// does: in_proj_weight Xavier-uniform, out_proj.weight as a Linear's, and
// both biases zero.
func NewMultiheadAttention(embed, heads int, o MultiheadAttentionOpts, g *tensor.Generator) *MultiheadAttention {
	if embed < 1 || heads < 1 || embed%heads != 0 {
		misuse("nn.NewMultiheadAttention", "%d heads do not divide embedding size %d", heads, embed)
	}
	w := tensor.Zeros(3*embed, embed)
	nninit.XavierUniform(w, g, 1)
	m := &MultiheadAttention{
		InProjWeight: newParam(w),
		OutProj:      NewLinearNoBias(embed, embed, g),
		NumHeads:     heads,
		BatchFirst:   o.BatchFirst,
		dropout:      NewDropout(o.Dropout, g),
	}
	if !o.NoBias {
		m.InProjBias = newParam(tensor.Zeros(3 * embed))
		m.OutProj.Bias = newParam(tensor.Zeros(embed))
	}
	return m
}

// Forward is self-attention of x without a mask.
func (m *MultiheadAttention) Forward(x *tensor.Tensor) *tensor.Tensor {
	out, _ := m.Attend(x, x, x, AttentionMask{})
	return out
}

// Attend attends from query [L, N, E] to key and value [S, N, E] ([N, L,
// E] and [N, S, E] with BatchFirst) and returns the output, shaped as
// query, and the attention weights [N, H, L, S] after the softmax and
// before dropout (PyTorch's average_attn_weights=False; their Mean(1) is
// its default). When query, key and value are the same tensor, one matrix
// product projects all three.
func (m *MultiheadAttention) Attend(query, key, value *tensor.Tensor, mask AttentionMask) (out, weights *tensor.Tensor) {
	e := m.InProjWeight.Size(1)
	if query.Dim() != 3 || key.Dim() != 3 || value.Dim() != 3 || query.Size(2) != e || key.Size(2) != e || value.Size(2) != e ||
		key.Size(0) != value.Size(0) || key.Size(1) != value.Size(1) || query.Size(m.batchDim()) != key.Size(m.batchDim()) {
		misuse("nn.MultiheadAttention", "query %v, key %v and value %v: want [L N %d] and two [S N %d] (batch first: [N L %d], [N S %d])",
			query.Shape(), key.Shape(), value.Shape(), e, e, e, e)
	}
	if m.BatchFirst {
		// Batch-first inputs run sequence-first, as PyTorch's do: each
		// laid out as [T, N, E] by one copy (one for all three in
		// self-attention), where a head's rows lie a single stride apart.
		seqFirst := func(t *tensor.Tensor) *tensor.Tensor { return t.Transpose(0, 1).Contiguous() }
		q := seqFirst(query)
		k, v := q, q
		if key != query {
			k = seqFirst(key)
		}
		if value == key {
			v = k
		} else if value != query {
			v = seqFirst(value)
		}
		out, weights = m.attend(q, k, v, mask)
		return out.Transpose(0, 1), weights
	}
	return m.attend(query, key, value, mask)
}

// attend is Attend of sequence-first query, key and value.
func (m *MultiheadAttention) attend(query, key, value *tensor.Tensor, mask AttentionMask) (out, weights *tensor.Tensor) {
	e := m.InProjWeight.Size(1)
	// The projections map each token on its own: they run in the inputs'
	// layout (contiguous rows of E for a Linear, whose epilogue adds the
	// bias), and the results are viewed as [N, H, T, E/H] after. Query, key
	// and value are three products even for self-attention: slices of one
	// product's output would each take a gradient of the whole output
	// (Narrow's backward), three passes over it. Their weights and biases
	// are parts of the input projection's by Split, whose backward joins
	// the three gradients with one Cat (Narrows each built one of the whole
	// projection's size, and Adds summed them).
	ws := m.InProjWeight.Split(0, e, e, e)
	var bs []*tensor.Tensor
	if m.InProjBias != nil {
		bs = m.InProjBias.Split(0, e, e, e)
	}
	project := func(x *tensor.Tensor, i int) *tensor.Tensor {
		var b *tensor.Tensor
		if bs != nil {
			b = bs[i]
		}
		return tensor.Linear(x, ws[i], b, tensor.Activation{})
	}
	h := m.NumHeads
	// [T, N, E] → [N, H, T, E/H] are views: the batched products read
	// each head's matrix in place (its rows N·E apart), and their
	// gradients come back in the projections' layout. The scores'
	// product scales by 1/√(E/H) as it stores them.
	heads := func(t *tensor.Tensor) *tensor.Tensor { return t.Unflatten(2, h, e/h).Permute(1, 2, 0, 3) }
	q, k, v := heads(project(query, 0)), heads(project(key, 1)), heads(project(value, 2))
	n, l, s := q.Size(0), q.Size(2), k.Size(2)
	scores := q.MatMulScaled(k.Transpose(2, 3), float32(1/math.Sqrt(float64(e/h)))) // [N, H, L, S]
	if add := m.keyPaddingScores(scores, mask, n, s); add != nil {
		scores = scores.Add(add)
	}
	if mask.Causal {
		weights = scores.CausalSoftmax() // one kernel, no mask tensor
	} else {
		weights = scores.Softmax(-1)
	}
	ctx := m.dropout.Forward(weights).MatMul(v) // [N, H, L, E/H]
	// The heads' outputs side by side in the query's layout (one copy),
	// projected in place.
	return m.OutProj.Forward(ctx.Permute(2, 0, 1, 3).Reshape(l, n, e)), weights
}

func (m *MultiheadAttention) batchDim() int {
	if m.BatchFirst {
		return 0
	}
	return 1
}

// keyPaddingScores returns the additive key padding mask (0 or −∞) for
// scores [N, H, L, S], broadcastable to them, or nil without one. (The
// causal mask is the softmax's own: tensor.CausalSoftmax.)
func (m *MultiheadAttention) keyPaddingScores(scores *tensor.Tensor, mask AttentionMask, n, s int) *tensor.Tensor {
	kp := mask.KeyPadding
	if kp == nil {
		return nil
	}
	if kp.Dim() != 2 || kp.Size(0) != n || kp.Size(1) != s {
		misuse("nn.MultiheadAttention", "key padding mask %v, want [%d %d]", kp.Shape(), n, s)
	}
	inf := tensor.ScopeOf(scores).Own(tensor.Full(float32(math.Inf(-1)), 1).To(scores.Device()))
	return tensor.Where(kp, inf, tensor.ZerosLike(kp)).Reshape(n, 1, 1, s)
}

// State lists in_proj_weight, in_proj_bias and out_proj's weight and bias,
// in PyTorch's order.
func (m *MultiheadAttention) State() []Entry {
	es := []Entry{{Name: "in_proj_weight", Tensor: m.InProjWeight, Param: true}}
	if m.InProjBias != nil {
		es = append(es, Entry{Name: "in_proj_bias", Tensor: m.InProjBias, Param: true})
	}
	return append(es, Prefixed("out_proj", m.OutProj.State())...)
}

// Train switches the attention dropout on or off.
func (m *MultiheadAttention) Train(on bool) { m.dropout.Train(on) }
