package nn

import (
	"math"
	"testing"

	"github.com/tensorgl/tensorgl/tensor"
)

// checkGradient compares the gradients Backward gives objective (a scalar)
// with respect to each leaf against central finite differences, at a few
// elements spread over each leaf. The differences run in float32 with step
// 1e-2: truncation error O(h²) and rounding error ε·|L|/h are both about
// 1e-4 for these small objectives, hence the tolerance 2e-3 + 2e-2·|grad|.
// Leaves that are not parameters are marked as requiring gradients here.
func checkGradient(t *testing.T, leaves []*tensor.Tensor, names []string, objective func() *tensor.Tensor) {
	t.Helper()
	for _, l := range leaves {
		if !l.RequiresGrad() {
			l.SetRequiresGrad(true)
		}
		l.ZeroGrad()
	}
	tensor.Tidy(func(*tensor.Scope) { objective().Backward() })
	for i, l := range leaves {
		if l.Grad() == nil {
			t.Errorf("%s: no gradient", names[i])
			continue
		}
		grad := host(l.Grad())
		data := l.Data()
		for j := 0; j < len(data); j += max(1, len(data)/5) {
			orig := data[j]
			eval := func(v float32) float64 {
				data[j] = v
				l.Detach().SetData(data)
				var s float64
				tensor.NoGrad(func(*tensor.Scope) { s = float64(objective().Item()) })
				return s
			}
			const step = 1e-2
			fd := (eval(orig+step) - eval(orig-step)) / (2 * step)
			data[j] = orig
			l.Detach().SetData(data)
			if !(math.Abs(fd-grad[j]) <= 2e-3+2e-2*math.Abs(fd)) {
				t.Errorf("%s[%d]: backward %.6g, finite differences %.6g", names[i], j, grad[j], fd)
			}
		}
		l.ZeroGrad()
	}
}

// moduleLeaves returns the input x and m's tensors (parameters first-class
// leaves for the check), with their names.
func moduleLeaves(m Module, x ...*tensor.Tensor) ([]*tensor.Tensor, []string) {
	leaves, names := append([]*tensor.Tensor(nil), x...), []string{"x", "y", "z"}[:len(x)]
	for _, e := range m.State() {
		if e.Tensor != nil && e.Param {
			leaves = append(leaves, e.Tensor)
			names = append(names, e.Name)
		}
	}
	return leaves, names
}

// TestLayerGradients checks the backward passes of the attention,
// normalisation and convolution layers against finite differences, on
// small odd shapes and with the masks and options that change them.
func TestLayerGradients(t *testing.T) {
	g := tensor.NewGenerator(43)
	weighted := func(y *tensor.Tensor) *tensor.Tensor {
		// A fixed random weighting, so that no gradient is trivially
		// uniform.
		return y.Mul(tensor.Uniform(tensor.NewGenerator(7), -1, 1, y.Shape()...)).Sum()
	}
	x3 := func(shape ...int) *tensor.Tensor { return tensor.Uniform(g, -1, 1, shape...) }
	cases := []struct {
		name    string
		m       Module
		inputs  []*tensor.Tensor
		forward func(xs []*tensor.Tensor) *tensor.Tensor
	}{
		{"LayerNorm", NewLayerNorm(5), []*tensor.Tensor{x3(3, 5)}, nil},
		{"LayerNorm2d", NewLayerNorm(2, 3), []*tensor.Tensor{x3(2, 2, 3)}, nil},
		{"GELU", NewGELU(), []*tensor.Tensor{x3(7)}, nil},
		{"PositionalEmbedding", NewPositionalEmbedding(6, 3, true, g), []*tensor.Tensor{x3(2, 4, 3)}, nil},
		{"GELUTanh", NewGELUTanh(), []*tensor.Tensor{x3(7)}, nil},
		{"ConvTranspose2d", NewConvTranspose2d(2, 4, 3, ConvTranspose2dOpts{Conv2dOpts: Conv2dOpts{Stride: 2, Padding: 1, Groups: 2}, OutputPadding: 1}, g),
			[]*tensor.Tensor{x3(1, 2, 3, 2)}, nil},
		{"Conv2dHW", NewConv2dHW(2, 3, [2]int{2, 3}, Conv2dOpts{StrideHW: [2]int{1, 2}, PaddingHW: [2]int{1, 0}, DilationHW: [2]int{2, 1}}, g),
			[]*tensor.Tensor{x3(1, 2, 4, 5)}, nil},
	}
	mha := NewMultiheadAttention(4, 2, MultiheadAttentionOpts{BatchFirst: true}, g)
	kp := tensor.FromSlice([]float32{0, 0, 1, 0, 0, 0}, 2, 3)
	cases = append(cases,
		struct {
			name    string
			m       Module
			inputs  []*tensor.Tensor
			forward func(xs []*tensor.Tensor) *tensor.Tensor
		}{"MultiheadAttention", mha, []*tensor.Tensor{x3(2, 3, 4), x3(2, 3, 4)}, func(xs []*tensor.Tensor) *tensor.Tensor {
			out, _ := mha.Attend(xs[0], xs[1], xs[1], AttentionMask{Causal: true, KeyPadding: kp})
			return out
		}})
	// GELU in both: central differences across a ReLU kink are wrong by
	// design; the ReLU encoder is checked against PyTorch (TestParity…).
	for _, first := range []bool{false, true} {
		enc := NewTransformerEncoderLayer(4, 2, TransformerEncoderLayerOpts{FeedForward: 6, GELU: true, NormFirst: first}, g)
		cases = append(cases, struct {
			name    string
			m       Module
			inputs  []*tensor.Tensor
			forward func(xs []*tensor.Tensor) *tensor.Tensor
		}{"TransformerEncoderLayer", enc, []*tensor.Tensor{x3(3, 2, 4)}, func(xs []*tensor.Tensor) *tensor.Tensor {
			return enc.ForwardMasked(xs[0], AttentionMask{Causal: true})
		}})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			forward := c.forward
			if forward == nil {
				forward = func(xs []*tensor.Tensor) *tensor.Tensor { return c.m.Forward(xs[0]) }
			}
			leaves, names := moduleLeaves(c.m, c.inputs...)
			checkGradient(t, leaves, names, func() *tensor.Tensor { return weighted(forward(c.inputs)) })
		})
	}
}
