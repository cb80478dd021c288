package nn

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/tensorgl/tensorgl/tensor"
)

// The parity tests load the references nn/testdata/make_attn_refs.py wrote
// with PyTorch 1.13 (float64 computations on float32 inputs and
// parameters) into the equivalent layers and compare the output and the
// gradients of Σ output·u with respect to every input and parameter.
//
// parityTol is the tolerance relative to 1+|want|: the layers chain a few
// dozen float32 operations, with sums of at most 36 terms, on values of
// order 1–10, so their error is a few hundred float32 ULP (2⁻²³ ≈ 1.2e-7)
// at most.
const parityTol = 3e-5

// parityCase is one case of a reference file: its tensors by the name
// after "case.".
type parityCase map[string]*tensor.Tensor

func loadParity(t *testing.T, file, name string) parityCase {
	t.Helper()
	all := map[string]*tensor.Tensor{}
	if err := LoadTensors(filepath.Join("testdata", file), all); err != nil {
		t.Fatal(err)
	}
	c := parityCase{}
	for k, v := range all {
		if len(k) > len(name)+1 && k[:len(name)+1] == name+"." {
			c[k[len(name)+1:]] = v
		}
	}
	if c["out"] == nil {
		t.Fatalf("%s has no case %s", file, name)
	}
	return c
}

// setParams copies the case's parameters into m, by PyTorch name; every
// parameter of m must have one.
func (c parityCase) setParams(t *testing.T, m Module) {
	t.Helper()
	for _, e := range m.State() {
		p := c["param."+e.Name]
		if p == nil {
			t.Fatalf("no reference value for parameter %s", e.Name)
		}
		e.Tensor.CopyFrom(p)
	}
}

// inputs returns the case's inputs x0, x1, …, requiring gradients.
func (c parityCase) inputs() []*tensor.Tensor {
	var xs []*tensor.Tensor
	for i := 0; c[fmt.Sprint("x", i)] != nil; i++ {
		xs = append(xs, c[fmt.Sprint("x", i)].SetRequiresGrad(true))
	}
	return xs
}

// check runs backward from Σ y·u and compares y and the gradients of the
// inputs and of m's parameters (those the reference has) with the case.
func (c parityCase) check(t *testing.T, m Module, xs []*tensor.Tensor, y *tensor.Tensor) {
	t.Helper()
	assertClose(t, "output", y, host(c["out"]), parityTol)
	logWorst(t, "output", y, host(c["out"]))
	y.Mul(c["u"]).Sum().Backward()
	for i, x := range xs {
		assertClose(t, fmt.Sprint("gradient of input ", i), x.Grad(), host(c[fmt.Sprint("grad.x", i)]), parityTol)
		logWorst(t, fmt.Sprint("gradient of input ", i), x.Grad(), host(c[fmt.Sprint("grad.x", i)]))
	}
	for _, e := range NamedParameters(m) {
		want := c["grad."+e.Name]
		if want == nil {
			continue
		}
		if e.Tensor.Grad() == nil {
			t.Fatalf("parameter %s has no gradient", e.Name)
		}
		assertClose(t, "gradient of "+e.Name, e.Tensor.Grad(), host(want), parityTol)
	}
}

func TestParityLayerNormGELU(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    Module
	}{
		{"ln1", NewLayerNorm(5)},
		{"ln2", &LayerNorm{Weight: newParam(tensor.Ones(3, 5)), Bias: newParam(tensor.Zeros(3, 5)), Shape: []int{3, 5}, Eps: 1e-3}},
		{"gelu", NewGELU()},
		{"gelutanh", NewGELUTanh()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := loadParity(t, "layernorm_gelu.safetensors", tc.name)
			c.setParams(t, tc.m)
			xs := c.inputs()
			c.check(t, tc.m, xs, tc.m.Forward(xs[0]))
		})
	}
}

func TestParityMultiheadAttention(t *testing.T) {
	g := tensor.NewGenerator(1)
	for _, tc := range []struct {
		name   string
		heads  int
		batch  bool
		causal bool
	}{
		{"mha_self", 2, false, false},
		{"mha_cross_kp", 2, true, false},
		{"mha_causal_kp", 3, true, true},
		{"mha_weights", 2, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := loadParity(t, "attention.safetensors", tc.name)
			m := NewMultiheadAttention(6, tc.heads, MultiheadAttentionOpts{BatchFirst: tc.batch}, g)
			c.setParams(t, m)
			xs := c.inputs()
			q, k, v := xs[0], xs[0], xs[0]
			if len(xs) == 3 {
				k, v = xs[1], xs[2]
			}
			out, w := m.Attend(q, k, v, AttentionMask{Causal: tc.causal, KeyPadding: c["kp"]})
			if tc.name == "mha_weights" {
				out = w.Mean(1)
			}
			c.check(t, m, xs, out)
		})
	}
}

func TestParityTransformerEncoderLayer(t *testing.T) {
	g := tensor.NewGenerator(2)
	for _, tc := range []struct {
		name   string
		opts   TransformerEncoderLayerOpts
		causal bool
	}{
		{"enc_post", TransformerEncoderLayerOpts{FeedForward: 10}, false},
		{"enc_pre_gelu_causal", TransformerEncoderLayerOpts{FeedForward: 10, GELU: true, NormFirst: true, BatchFirst: true}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := loadParity(t, "encoder.safetensors", tc.name)
			m := NewTransformerEncoderLayer(6, 2, tc.opts, g)
			c.setParams(t, m)
			xs := c.inputs()
			c.check(t, m, xs, m.ForwardMasked(xs[0], AttentionMask{Causal: tc.causal}))
		})
	}
}

func TestParityConv(t *testing.T) {
	g := tensor.NewGenerator(3)
	for _, tc := range []struct {
		name string
		m    Module
	}{
		{"ct_stride2_op1", NewConvTranspose2d(3, 4, 3, ConvTranspose2dOpts{Conv2dOpts: Conv2dOpts{Stride: 2, Padding: 1}, OutputPadding: 1}, g)},
		{"ct_dil2_groups2", NewConvTranspose2dHW(4, 6, [2]int{2, 3},
			ConvTranspose2dOpts{Conv2dOpts: Conv2dOpts{StrideHW: [2]int{1, 2}, PaddingHW: [2]int{0, 1}, Dilation: 2, Groups: 2}}, g)},
		{"ct_op_past_stride", NewConvTranspose2d(2, 3, 3, ConvTranspose2dOpts{Conv2dOpts: Conv2dOpts{Padding: 1, Dilation: 3, NoBias: true}, OutputPadding: 2}, g)},
		{"conv_rect", NewConv2dHW(3, 4, [2]int{3, 2}, Conv2dOpts{StrideHW: [2]int{2, 1}, PaddingHW: [2]int{1, 0}, DilationHW: [2]int{1, 2}}, g)},
		{"maxpool_rect", NewMaxPool2dHW([2]int{3, 2}, [2]int{2, 1}, [2]int{1, 0}, [2]int{})},
		{"avgpool_rect", NewAvgPool2dHW([2]int{2, 3}, [2]int{1, 2}, [2]int{1, 1})},
		{"maxpool_dilated", NewMaxPool2dHW([2]int{2, 3}, [2]int{1, 2}, [2]int{1, 1}, [2]int{2, 2})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := loadParity(t, "conv.safetensors", tc.name)
			c.setParams(t, tc.m)
			xs := c.inputs()
			c.check(t, tc.m, xs, tc.m.Forward(xs[0]))
		})
	}
}

// logWorst logs the largest |got − want| of the case (go test -v), the
// figure quoted in the README.
func logWorst(t *testing.T, what string, got *tensor.Tensor, want []float64) {
	t.Helper()
	worst := 0.0
	for i, v := range host(got) {
		worst = max(worst, math.Abs(v-want[i]))
	}
	t.Logf("%s: max |difference| %.2g", what, worst)
}
