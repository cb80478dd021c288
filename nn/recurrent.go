package nn

import (
	"fmt"
	"math"

	"github.com/tensorgl/tensorgl/tensor"
)

// RNNOpts configures an RNN, LSTM or GRU; the zero value is PyTorch's
// default: one layer, one direction, biases, time-major input, no dropout.
type RNNOpts struct {
	// NumLayers stacks recurrent layers, each taking the previous one's
	// output sequence as input; 0 means 1.
	NumLayers int
	// ReLU uses max(x, 0) instead of tanh as the nonlinearity of an RNN
	// (nonlinearity='relu'); LSTM and GRU reject it.
	ReLU bool
	// BatchFirst takes and returns sequences as [B T F] instead of [T B F].
	BatchFirst bool
	// Bidirectional runs a second layer from the last time step to the
	// first beside each layer and concatenates the two outputs: every
	// layer's output, and each layer above the first's input, has
	// 2·hidden features, the forward direction's first.
	Bidirectional bool
	// NoBias drops bias_ih and bias_hh (bias=False).
	NoBias bool
	// Dropout in [0, 1) is applied, in training mode, to the output of
	// every layer but the last, drawn from the constructor's generator.
	Dropout float32
}

// Recurrent is what RNN, LSTM and GRU have in common: a Module whose
// ForwardState takes and returns the recurrent state.
type Recurrent interface {
	Module
	// ForwardState runs the network over a sequence from an initial state
	// (none for zeros) and returns the output sequence and the state
	// after the last step, in the form the layer documents.
	ForwardState(x *tensor.Tensor, initial ...*tensor.Tensor) (out *tensor.Tensor, final []*tensor.Tensor)
}

// A cell is what distinguishes the recurrent layers: how a sequence of
// time steps maps the input's projection and the initial state to every
// step's h and the final state, each cell as one fused tensor op.
type cell interface {
	// gates is the number of hidden-sized blocks in the rows of W_ih and
	// W_hh (1 for an RNN, 4 for an LSTM, 3 for a GRU).
	gates() int
	// states is the number of state tensors: h, and c for an LSTM.
	states() int
	// biases returns the biases added to the input projection of all time
	// steps at once (input, and input2 beside it: their sum) and the one
	// each step adds to h·W_hhᵀ (nil: none), from b_ih and b_hh (nil
	// without biases).
	biases(bih, bhh *tensor.Tensor) (input, input2, step *tensor.Tensor)
	// sequence runs the whole sequence from the time-major input
	// projection xw [T B gates·H] (input bias included), W_hh, the step
	// bias and the initial state s0 (nil tensors: zeros), from the last
	// step to the first when reverse. It returns every h_t as [T B H] and
	// the state after the last step run.
	sequence(xw, whh, bias *tensor.Tensor, s0 state, reverse bool) (hs *tensor.Tensor, end state)
}

// lastRun returns h after the last step a direction runs: the sequence's
// last, or its first when reverse.
func lastRun(hs *tensor.Tensor, reverse bool) *tensor.Tensor {
	if reverse {
		return hs.Select(0, 0)
	}
	return hs.Select(0, hs.Size(0)-1)
}

// state is the recurrent state of one layer and direction: h, and c for
// an LSTM (nil otherwise), each [B H].
type state struct{ h, c *tensor.Tensor }

// recurrent is the layer machinery RNN, LSTM and GRU share: parameters,
// stacking, directions, dropout between layers and the loop over time, with
// the cell supplying the fused op that runs a sequence.
type recurrent struct {
	InputSize, HiddenSize int
	// WeightIH, WeightHH, BiasIH and BiasHH hold layer k's parameters at
	// index k for one direction, and at 2k (forward) and 2k+1 (reverse)
	// when bidirectional: PyTorch's order. The biases are nil without bias.
	WeightIH, WeightHH []*tensor.Tensor
	BiasIH, BiasHH     []*tensor.Tensor

	name    string // the constructor's, for messages
	opts    RNNOpts
	cell    cell
	dropout *Dropout // nil without dropout
}

// newRecurrent returns the layers of the cell c with every weight and bias
// drawn from g as PyTorch does: U(−1/√hidden, 1/√hidden), in its order.
func newRecurrent(name string, c cell, input, hidden int, o RNNOpts, g *tensor.Generator) recurrent {
	if o.NumLayers == 0 {
		o.NumLayers = 1
	}
	if input < 1 || hidden < 1 || o.NumLayers < 1 || !(o.Dropout >= 0 && o.Dropout < 1) {
		misuse(name, "input %d, hidden %d, %d layers, dropout %g: want sizes ≥ 1 and dropout in [0, 1)",
			input, hidden, o.NumLayers, o.Dropout)
	}
	if _, rnn := c.(elman); o.ReLU && !rnn {
		misuse(name, "ReLU is an option of RNN only")
	}
	r := recurrent{InputSize: input, HiddenSize: hidden, name: name, opts: o, cell: c}
	bound := float32(1 / math.Sqrt(float64(hidden)))
	param := func(shape ...int) *tensor.Tensor { return newParam(tensor.Uniform(g, -bound, bound, shape...)) }
	rows := c.gates() * hidden
	for k := range o.NumLayers {
		in := hidden * r.directions()
		if k == 0 {
			in = input
		}
		for range r.directions() {
			r.WeightIH = append(r.WeightIH, param(rows, in))
			r.WeightHH = append(r.WeightHH, param(rows, hidden))
			if !o.NoBias {
				r.BiasIH = append(r.BiasIH, param(rows))
				r.BiasHH = append(r.BiasHH, param(rows))
			}
		}
	}
	if o.Dropout > 0 && o.NumLayers > 1 {
		r.dropout = NewDropout(o.Dropout, g)
	}
	return r
}

func (r *recurrent) directions() int {
	if r.opts.Bidirectional {
		return 2
	}
	return 1
}

// Forward returns the last layer's output sequence for x from a zero
// initial state. It does not assemble the final state, whose copies (a
// kernel per state tensor) would be made only to be dropped.
func (r *recurrent) Forward(x *tensor.Tensor) *tensor.Tensor {
	out, _ := r.run(x)
	return out
}

// ForwardState runs the network over the sequence x, [T B input] (or
// [B T input] with BatchFirst), from the initial state: none, or h0 (and
// c0 for an LSTM), each [layers·directions B hidden], nil for zeros. It
// returns the last layer's output at every step, [T B directions·hidden]
// (or [B T directions·hidden]), and the state after the last step (for the
// reverse direction: after the first) in the form of the initial one.
//
// The input projection of all time steps runs as one matrix product per
// layer and direction; the loop over time is then one fused op of the
// cell (tensor.Recurrence, tensor.LSTM, tensor.GRU), two kernels a step
// forward and backward, which autograd differentiates through time (BPTT)
// on any device. Truncated BPTT is the caller's: detach the final state
// before passing it to the next call.
func (r *recurrent) ForwardState(x *tensor.Tensor, initial ...*tensor.Tensor) (out *tensor.Tensor, final []*tensor.Tensor) {
	out, ends := r.run(x, initial...)
	hs := make([]*tensor.Tensor, len(ends))
	for i, s := range ends {
		hs[i] = s.h
	}
	final = []*tensor.Tensor{tensor.Stack(0, hs...)}
	if r.cell.states() > 1 {
		cs := make([]*tensor.Tensor, len(ends))
		for i, s := range ends {
			cs[i] = s.c
		}
		final = append(final, tensor.Stack(0, cs...))
	}
	return out, final
}

// run is ForwardState with the state after the last step of each layer and
// direction as the cell left it (index k·directions + d), not stacked.
func (r *recurrent) run(x *tensor.Tensor, initial ...*tensor.Tensor) (out *tensor.Tensor, ends []state) {
	layers, dirs, hidden := r.opts.NumLayers, r.directions(), r.HiddenSize
	timeAxis := 0
	if r.opts.BatchFirst {
		timeAxis = 1
	}
	if x.Dim() != 3 || x.Size(2) != r.InputSize {
		layout := "[T B %d]"
		if r.opts.BatchFirst {
			layout = "[B T %d]"
		}
		misuse(r.name, "input %v, want "+layout, x.Shape(), r.InputSize)
	}
	steps, batch := x.Size(timeAxis), x.Size(1-timeAxis)
	if steps == 0 {
		misuse(r.name, "input %v has no time steps", x.Shape())
	}
	if len(initial) != 0 && len(initial) != r.cell.states() {
		misuse(r.name, "%d initial state tensors, want %d (or none)", len(initial), r.cell.states())
	}
	// Each layer and direction starts from its slice of the initial state
	// (nil: zeros).
	starts := make([][]*tensor.Tensor, r.cell.states())
	for j := range starts {
		starts[j] = make([]*tensor.Tensor, layers*dirs)
		if j >= len(initial) || initial[j] == nil {
			continue
		}
		s0 := initial[j]
		if s0.Dim() != 3 || s0.Size(0) != layers*dirs || s0.Size(1) != batch || s0.Size(2) != hidden {
			misuse(r.name, "initial state %v for input %v, want [%d %d %d]", s0.Shape(), x.Shape(), layers*dirs, batch, hidden)
		}
		starts[j] = s0.Unbind(0)
	}

	ends = make([]state, layers*dirs)
	in := x
	if timeAxis == 1 {
		// A batch-first sequence runs time-major inside: the first
		// layer's input projection reads x as [T B input] (one copy of
		// x, usually the network's narrowest tensor), so that no layer's
		// projection or output is copied between the layouts, forward or
		// backward; the output is a batch-first view.
		in = x.Transpose(0, 1)
	}
	for k := range layers {
		if k > 0 && r.dropout != nil {
			in = r.dropout.Forward(in)
		}
		flat := in.Reshape(-1, in.Size(2))
		outs := make([]*tensor.Tensor, dirs)
		for d := range dirs {
			i := k*dirs + d
			var bih, bhh *tensor.Tensor
			if r.BiasIH != nil {
				bih, bhh = r.BiasIH[i], r.BiasHH[i]
			}
			// Both biases of an RNN or LSTM join the input projection,
			// summed by its epilogue (LinearBiasSum): no kernel of their
			// own.
			inBias, inBias2, stepBias := r.cell.biases(bih, bhh)
			var proj *tensor.Tensor
			if inBias2 != nil {
				proj = tensor.LinearBiasSum(flat, r.WeightIH[i], inBias, inBias2, tensor.Activation{})
			} else {
				proj = tensor.Linear(flat, r.WeightIH[i], inBias, tensor.Activation{})
			}
			xw := proj.Reshape(steps, batch, r.cell.gates()*hidden)
			s0 := state{h: starts[0][i]}
			if len(starts) > 1 {
				s0.c = starts[1][i]
			}
			hs, end := r.cell.sequence(xw, r.WeightHH[i], stepBias, s0, d == 1)
			ends[i] = end
			outs[d] = hs
		}
		in = outs[0]
		if dirs > 1 {
			in = tensor.Cat(2, outs...)
		}
	}
	if timeAxis == 1 {
		in = in.Transpose(0, 1)
	}
	return in, ends
}

// State lists weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, then the
// same with _reverse appended when bidirectional, then layer 1, … as
// PyTorch names them.
func (r *recurrent) State() []Entry {
	var es []Entry
	for i := range r.WeightIH {
		suffix := fmt.Sprintf("_l%d", i/r.directions())
		if i%r.directions() == 1 {
			suffix += "_reverse"
		}
		add := func(name string, t *tensor.Tensor) {
			es = append(es, Entry{Name: name + suffix, Tensor: t, Param: true})
		}
		add("weight_ih", r.WeightIH[i])
		add("weight_hh", r.WeightHH[i])
		if r.BiasIH != nil {
			add("bias_ih", r.BiasIH[i])
			add("bias_hh", r.BiasHH[i])
		}
	}
	return es
}

// Train switches the dropout between layers on (training) or off.
func (r *recurrent) Train(on bool) {
	if r.dropout != nil {
		r.dropout.Train(on)
	}
}
