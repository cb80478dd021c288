package main

import (
	"slices"

	"github.com/tensorgl/tensorgl/internal/train"
	"github.com/tensorgl/tensorgl/nn"
	"github.com/tensorgl/tensorgl/tensor"
)

// rowsSpec's learning rate is a quarter of the MLP's and the CNN's: with
// 0.02 (and momentum 0.9, no clipping) the RNN's training loss rose again
// in the second epoch on the full Fashion-MNIST; 0.005 trains steadily.
var rowsSpec = train.Spec{
	Name:  "rnn -task rows",
	About: "rnn -task rows trains an RNN that reads each Fashion-MNIST image as a sequence of its rows.",
	Defaults: train.Options{
		Device: "auto", Dataset: "fashion-mnist", Epochs: 10, Batch: 64,
		LR: 0.005, Momentum: 0.9, Seed: 1, Out: "out/rnn-rows",
	},
	Model: newRowsRNN,
}

// rowsRNN classifies a [C H W] image as a sequence of H time steps of C·W
// pixels: a linear projection of each row, a 2-layer tanh RNN of 128, and
// a linear layer from its last state to the class logits.
type rowsRNN struct {
	proj *nn.Linear
	rnn  *nn.RNN
	head *nn.Linear
}

func newRowsRNN(shape []int, classes int, g *tensor.Generator) nn.Module {
	return &rowsRNN{
		proj: nn.NewLinear(shape[0]*shape[2], 32, g),
		rnn:  nn.NewRNN(32, 128, nn.RNNOpts{NumLayers: 2, BatchFirst: true}, g),
		head: nn.NewLinear(128, classes, g),
	}
}

// Forward maps images [B C H W] to logits [B classes].
func (m *rowsRNN) Forward(x *tensor.Tensor) *tensor.Tensor {
	rows := x.Permute(0, 2, 1, 3).Reshape(x.Size(0), x.Size(2), -1) // [B H C·W]
	out := m.rnn.Forward(m.proj.Forward(rows))
	return m.head.Forward(out.Select(1, -1))
}

func (m *rowsRNN) State() []nn.Entry {
	return slices.Concat(nn.Prefixed("proj", m.proj.State()), nn.Prefixed("rnn", m.rnn.State()), nn.Prefixed("head", m.head.State()))
}

func (m *rowsRNN) Train(on bool) { m.rnn.Train(on) }
