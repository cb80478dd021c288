package optim

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/tensor"
)

// State is an optimizer's resumable state, named as in PyTorch's
// state_dict: tensors "state.<i>.<buffer>" for parameter i (e.g.
// "state.3.momentum_buffer", "state.3.exp_avg"), and string values
// "optimizer" (its kind: sgd, adam or adamw), "lr", "params" (how many
// parameters) and, for Adam, "state.<i>.step".
//
// Only the learning rate is restored from Meta: the other hyper-parameters
// come from the optimizer's constructor, so a resumed run may change them
// on purpose.
type State struct {
	Tensors map[string]*tensor.Tensor
	Meta    map[string]string
}

func newState(kind string, lr float32, n int) State {
	return State{
		Tensors: map[string]*tensor.Tensor{},
		Meta: map[string]string{
			"optimizer": kind,
			"lr":        strconv.FormatFloat(float64(lr), 'g', -1, 32),
			"params":    strconv.Itoa(n),
		},
	}
}

func stateKey(i int, name string) string { return "state." + strconv.Itoa(i) + "." + name }

// check verifies that s belongs to an optimizer of the given kind over n
// parameters and holds only the named buffers, and returns its learning
// rate.
func (s State) check(kind string, n int, names ...string) (float32, error) {
	if got := s.Meta["optimizer"]; got != kind {
		return 0, fmt.Errorf("optim: state of optimizer %q, want %q", got, kind)
	}
	if got := s.Meta["params"]; got != strconv.Itoa(n) {
		return 0, fmt.Errorf("optim: %s state for %s parameters, optimizer has %d", kind, got, n)
	}
	lr, err := strconv.ParseFloat(s.Meta["lr"], 32)
	if err != nil || !(lr >= 0 && lr <= math.MaxFloat32) { // ParseFloat gives +Inf for "Inf" without an error
		return 0, fmt.Errorf("optim: %s state: learning rate %q, want a finite number ≥ 0", kind, s.Meta["lr"])
	}
	for key := range s.Tensors {
		rest, ok := strings.CutPrefix(key, "state.")
		idx, name, ok2 := strings.Cut(rest, ".")
		i, err := strconv.Atoi(idx)
		if !ok || !ok2 || err != nil || i < 0 || i >= n || !slices.Contains(names, name) {
			return 0, fmt.Errorf("optim: %s state: unexpected tensor %q, want state.<0..%d>.<%s>", kind, key, n-1, strings.Join(names, "|"))
		}
	}
	return float32(lr), nil
}

// buffers returns new persistent copies, on each parameter's device, of the
// state tensors of the given name; nil where a parameter has none.
func (s State) buffers(params []*tensor.Tensor, name string) ([]*tensor.Tensor, error) {
	out := make([]*tensor.Tensor, len(params))
	for i, p := range params {
		t, ok := s.Tensors[stateKey(i, name)]
		if !ok {
			continue
		}
		if !slices.Equal(t.Shape(), p.Shape()) || t.DType() != device.Float32 {
			release(out)
			return nil, fmt.Errorf("optim: state tensor %s is %s %v, want float32 %v like parameter %d", stateKey(i, name), t.DType(), t.Shape(), p.Shape(), i)
		}
		b := newBuffer(p)
		b.CopyFrom(t.To(p.Device()))
		out[i] = b
	}
	return out, nil
}
