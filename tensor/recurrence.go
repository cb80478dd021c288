package tensor

import (
	"slices"
	"sync"

	"github.com/tensorgl/tensorgl/device"
)

// Recurrence runs the Elman recurrence over a time-major input projection
// xw [T, B, H] with the hidden-to-hidden weight whh [H, H]:
//
//	h_t = act(xw_t + h_{t−1}·whhᵀ)
//
// for t = 0, 1, …, T−1 from h_{−1} = h0 [B, H] (nil: zeros), or for
// t = T−1, …, 0 when reverse (h_{T} = h0), and returns every h_t as
// [T, B, H]. It is PyTorch's RNN layer given x·W_ihᵀ + biases.
//
// The whole recurrence is one device call each way (device.Elman and
// ElmanBackward: on GL one dispatch where the state fits shared memory,
// else one GEMM a step whose epilogue adds xw_t and applies act), and the
// weight gradient is one product over all steps, where running the steps
// as separate ops costs about ten kernels a step.
func Recurrence(xw, whh, h0 *Tensor, act Activation, reverse bool) *Tensor {
	const op = "Recurrence"
	ins := []*Tensor{xw, whh}
	if h0 != nil {
		ins = append(ins, h0)
	}
	wantFloat(op, ins...)
	dev := sameDevice(op, ins...)
	if !act.fromOutput() {
		fail(op, "want an activation whose derivative its output gives, got LeakyRelu of slope %v (a negative slope's output is positive either side of zero)", act.slope)
	}
	steps, batch, hidden := checkSequence(op, xw, whh, 1, h0)
	sc := ScopeOf(ins...)
	xc, wc := xw.Contiguous(), whh.Contiguous()
	hc := initialState(sc, dev, h0, batch, hidden) // the initial state as the kernels read it
	p := device.ElmanParams{Steps: steps, Batch: batch, Hidden: hidden, Act: act.fn, Slope: act.slope, Reverse: reverse}
	y := newTensor(sc, dev, device.Float32, xw.shape)
	dev.Elman(y.st.buf, xc.st.buf, wc.st.buf, hc.st.buf, p)
	var h0In *Tensor
	if h0 != nil {
		h0In = hc
	}
	return record(op, y, []*Tensor{xc, wc, h0In}, func(g *Tensor) []*Tensor {
		gc := g.Contiguous()
		dz := newTensor(ScopeOf(g), dev, device.Float32, y.shape)
		dev.ElmanBackward(dz.st.buf, gc.st.buf, wc.st.buf, y.st.buf, p)
		var gx, gw, gh *Tensor
		if xc.requiresGrad {
			gx = dz
		}
		if wc.requiresGrad {
			gw = hiddenWeightGrad(dz, y.Detach(), h0In, reverse, wc.shape)
		}
		if h0 != nil && hc.requiresGrad {
			gh = dz.Select(0, p.Step(0)).MatMul(wc.Detach())
		}
		return []*Tensor{gx, gw, gh}
	})
}

// hiddenWeightGrad returns the gradient of a hidden-to-hidden weight,
// Σ_t dz_tᵀ·h_{t−1}, as one product over all steps but the first and one
// for the first, from the gradients dz [T B G·H] of the step's product and
// the states hs [T B H]: the steps after the first (in the direction run)
// read the previous step's output, the first h0 (nil: zeros, which add
// nothing).
func hiddenWeightGrad(dz, hs, h0 *Tensor, reverse bool, shape []int) *Tensor {
	steps, hidden, rows := hs.shape[0], hs.shape[2], dz.shape[2]
	var gw *Tensor
	if steps > 1 {
		dzs, prevs := dz.Narrow(0, 1, steps-1), hs.Narrow(0, 0, steps-1)
		if reverse {
			dzs, prevs = dz.Narrow(0, 0, steps-1), hs.Narrow(0, 1, steps-1)
		}
		gw = dzs.Reshape(-1, rows).T().MatMul(prevs.Reshape(-1, hidden))
	}
	if h0 != nil {
		first := 0
		if reverse {
			first = steps - 1
		}
		g0 := dz.Select(0, first).T().MatMul(h0.Detach())
		if gw == nil {
			gw = g0
		} else {
			gw = gw.Add(g0)
		}
	}
	if gw == nil {
		gw = fullOn(ScopeOf(dz), dz.st.dev, 0, shape)
	}
	return gw
}

// checkSequence validates the input projection xw [T B gates·H] and the
// hidden weight whh [gates·H H] of a recurrent op and the initial states
// (nil or [B H]), returning T, B and H.
func checkSequence(op string, xw, whh *Tensor, gates int, states ...*Tensor) (steps, batch, hidden int) {
	if len(xw.shape) != 3 || len(whh.shape) != 2 || whh.shape[0] != xw.shape[2] || whh.shape[1]*gates != xw.shape[2] {
		fail(op, "want input projection [T B %d·H] and weight [%d·H H], got %v and %v", gates, gates, xw.shape, whh.shape)
	}
	steps, batch, hidden = xw.shape[0], xw.shape[1], whh.shape[1]
	if steps < 1 || batch < 1 || hidden < 1 {
		fail(op, "input projection %v is empty", xw.shape)
	}
	for _, s := range states {
		if s != nil && (len(s.shape) != 2 || s.shape[0] != batch || s.shape[1] != hidden) {
			fail(op, "initial state %v for input projection %v, want [%d %d]", s.shape, xw.shape, batch, hidden)
		}
	}
	return steps, batch, hidden
}

// initialState returns s as the kernels read it: contiguous, or zeros when
// s is nil (zeroState's, filled once for every recurrence of its size).
func initialState(sc *Scope, dev device.Device, s *Tensor, batch, hidden int) *Tensor {
	if s == nil {
		return zeroState(sc, dev, []int{batch, hidden})
	}
	return s.Contiguous()
}

// zeroStates holds, per device and size, a persistent buffer of zeros that
// the recurrences started from zeros (a nil initial state, as in every
// training step of a model that does not carry its state) read as that
// state: filled once, where a Fill a layer and state tensor ran at every
// step. The recurrences' kernels only read their initial state, and their
// rules only read it too (a nil state has no gradient), so it keeps its
// zeros. At most maxZeroStates sizes a device are kept; a state of another
// size is filled for its call.
var zeroStates struct {
	sync.Mutex
	m     map[zeroKey]*storage
	sizes map[device.Device]int
}

type zeroKey struct {
	dev device.Device
	n   int
}

// maxZeroStates bounds zeroStates' sizes a device: a model's batch sizes
// (training, evaluation, sampling) times its layers' widths.
const maxZeroStates = 16

// zeroState returns zeros of the given shape on dev, as a tensor of scope sc
// that reads zeroStates' buffer of its size; results computed from it join
// sc, the buffer does not.
func zeroState(sc *Scope, dev device.Device, shape []int) *Tensor {
	key := zeroKey{dev, device.NumElements(shape)}
	z := &zeroStates
	z.Lock()
	defer z.Unlock()
	st, ok := z.m[key]
	if !ok {
		if z.sizes[dev] >= maxZeroStates {
			return fullOn(sc, dev, 0, shape)
		}
		t := fullOn(nil, dev, 0, []int{key.n})
		Persist(t)
		if z.m == nil {
			z.m, z.sizes = map[zeroKey]*storage{}, map[device.Device]int{}
		}
		st, z.m[key] = t.st, t.st
		z.sizes[dev]++
	}
	return &Tensor{st: st, shape: slices.Clone(shape), strides: device.Contiguous(shape), scope: sc}
}

// stepAt returns the time step the n-th kernel of a recurrence over steps
// computes (device.StepAt).
func stepAt(n, steps int, reverse bool) int { return device.StepAt(n, steps, reverse) }
