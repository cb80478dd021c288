package nn

import (
	"math/rand/v2"
	"testing"

	"github.com/tensorgl/tensorgl/internal/testdevices"
	"github.com/tensorgl/tensorgl/tensor"
)

// TestLayersLeaveNoGarbage runs every layer's forward and backward pass in
// tensor.Tidy, in training mode, and checks that none of the tensors it
// creates is left for the garbage collector: a tensor computed from
// parameters alone belongs to no scope unless the layer puts it in its
// input's, and then waits for a collection, costing a new buffer every
// step (an RNN's sum of its two biases did).
func TestLayersLeaveNoGarbage(t *testing.T) {
	dev := testdevices.NewGarbageWatcher(tensor.DefaultDevice())
	defer tensor.SetDefaultDevice(tensor.DefaultDevice())
	tensor.SetDefaultDevice(dev)
	g := tensor.NewGenerator(3)
	rng := rand.New(rand.NewPCG(3, 1))
	floats := func(n int) []float32 { return uniformFloats(rng, n, -1, 1) }
	ids := make([]int32, 6)
	for i := range ids {
		ids[i] = int32(rng.IntN(7))
	}
	image := func(s *tensor.Scope) *tensor.Tensor { return s.FromSlice(floats(2*3*6*6), 2, 3, 6, 6) }
	seq := func(s *tensor.Scope) *tensor.Tensor { return s.FromSlice(floats(3*2*4), 3, 2, 4) } // [T B 4]
	rec := RNNOpts{NumLayers: 2, Bidirectional: true}
	pad := tensor.FromSlice([]float32{0, 0, 1, 0, 0, 0}, 2, 3)
	defer pad.Release()
	attn := NewMultiheadAttention(4, 2, MultiheadAttentionOpts{Dropout: 0.1}, g)
	enc := NewTransformerEncoderLayer(4, 2, TransformerEncoderLayerOpts{FeedForward: 8, Dropout: 0.1}, g)
	for _, c := range []struct {
		name  string
		layer Module
		in    func(s *tensor.Scope) *tensor.Tensor
		run   func(x *tensor.Tensor) *tensor.Tensor // nil: layer.Forward
	}{
		{"Linear", NewLinear(4, 3, g), seq, nil},
		{"Conv2d", NewConv2d(3, 4, 3, Conv2dOpts{Padding: 1, Stride: 2}, g), image, nil},
		{"ConvTranspose2d", NewConvTranspose2d(3, 2, 3, ConvTranspose2dOpts{Conv2dOpts: Conv2dOpts{Stride: 2}}, g), image, nil},
		{"BatchNorm2d", NewBatchNorm2d(3), image, nil},
		{"LayerNorm", NewLayerNorm(4), seq, nil},
		{"Embedding", NewEmbedding(7, 4, g), func(s *tensor.Scope) *tensor.Tensor { return s.FromInts(ids, 3, 2) }, nil},
		{"PositionalEmbedding", NewPositionalEmbedding(5, 4, false, g), seq, nil},
		{"RNN", NewRNN(4, 3, rec, g), seq, nil},
		{"LSTM", NewLSTM(4, 3, rec, g), seq, nil},
		{"GRU", NewGRU(4, 3, rec, g), seq, nil},
		{"MultiheadAttention", attn, seq, func(x *tensor.Tensor) *tensor.Tensor {
			out, _ := attn.Attend(x, x, x, AttentionMask{Causal: true, KeyPadding: tensor.ScopeOf(x).Use(pad)})
			return out
		}},
		{"TransformerEncoderLayer", enc, seq, func(x *tensor.Tensor) *tensor.Tensor {
			return enc.ForwardMasked(x, AttentionMask{Causal: true})
		}},
		{"Sequential", NewSequential(NewConv2d(3, 2, 3, Conv2dOpts{}, g), NewReLU(), NewMaxPool2d(2, 2, 0),
			NewAvgPool2d(1, 1, 0), NewAdaptiveAvgPool2d(1, 1), NewFlatten(), NewDropout(0.5, g), NewGELU()), image, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			run := c.run
			if run == nil {
				run = c.layer.Forward
			}
			c.layer.Train(true)
			step := func() {
				tensor.Tidy(func(s *tensor.Scope) {
					ZeroGrad(c.layer)
					out := run(c.in(s))
					out.Square().Mean().Backward()
				})
			}
			step()
			if left := dev.Watch(func() {
				for range 2 {
					step()
				}
			}); left != nil {
				t.Errorf("2 steps in tensor.Tidy left buffers to the garbage collector (elements: count): %v", left)
			}
			ZeroGrad(c.layer)
		})
	}
}
