package nn

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/tensor"
)

// refTol bounds |Go − PyTorch float64| / (1 + |PyTorch float64|) for the
// outputs, final states and gradients of the reference cases. PyTorch's own
// float32 computation of them is within 7.4e-7 of float64 (the script
// prints it per case); 1e-5 leaves room for another summation order and
// for GL's exp and tanh, and is still far below the effect of a wrong
// gate order, bias or direction (order 0.1).
const refTol = 1e-5

// TestRecurrentMatchesPyTorch loads the layers and inputs that
// testdata/make_rnn_refs.py wrote with torch.nn.RNN, LSTM and GRU, runs
// forward and backward of L = Σ out·u + Σ h_n·v (+ Σ c_n·w), and compares
// every output and gradient with PyTorch's.
func TestRecurrentMatchesPyTorch(t *testing.T) {
	paths, err := filepath.Glob("testdata/rnn_refs/*.safetensors")
	if err != nil || len(paths) != 6 {
		t.Fatalf("%d reference files (error %v), want the 6 cases of testdata/make_rnn_refs.py", len(paths), err)
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".safetensors"), func(t *testing.T) {
			meta, err := ReadMeta(path)
			if err != nil {
				t.Fatal(err)
			}
			ref := map[string]*tensor.Tensor{}
			if err := LoadTensors(path, ref); err != nil {
				t.Fatal(err)
			}
			defer func() {
				for _, r := range ref {
					r.Release()
				}
			}()
			atoi := func(k string) int {
				n, err := strconv.Atoi(meta[k])
				if err != nil {
					t.Fatalf("metadata %s = %q: %v", k, meta[k], err)
				}
				return n
			}
			o := RNNOpts{NumLayers: atoi("num_layers"), Bidirectional: meta["bidirectional"] == "true",
				BatchFirst: meta["batch_first"] == "true", NoBias: meta["bias"] == "false", ReLU: meta["nonlinearity"] == "relu"}
			r := newRecurrentOf(meta["cell"], atoi("input"), atoi("hidden"), o)

			// Every parameter under PyTorch's name and shape.
			for _, e := range r.State() {
				p := ref[e.Name]
				if p == nil || !slices.Equal(p.Shape(), e.Tensor.Shape()) {
					t.Fatalf("%s %v: the PyTorch file has %v", e.Name, e.Tensor.Shape(), p)
				}
				e.Tensor.CopyFrom(p)
			}
			if n, want := len(r.State()), countParams(ref); n != want {
				t.Fatalf("%d parameters, PyTorch's module has %d", n, want)
			}

			states := []string{"h0"}
			finals := []string{"h_n"}
			weights := []string{"v"}
			if meta["cell"] == "LSTM" {
				states, finals, weights = append(states, "c0"), append(finals, "c_n"), append(weights, "w")
			}
			x := ref["x"].SetRequiresGrad(true)
			var initial []*tensor.Tensor
			if meta["initial"] == "true" {
				for _, s := range states {
					initial = append(initial, ref[s].SetRequiresGrad(true))
				}
			}
			tensor.Tidy(func(*tensor.Scope) {
				out, final := r.ForwardState(x, initial...)
				loss := out.Mul(ref["u"]).Sum()
				for i, f := range final {
					loss = loss.Add(f.Mul(ref[weights[i]]).Sum())
				}
				loss.Backward()
				worst := compareRef(t, "out", out, ref["out"])
				for i, f := range final {
					worst = max(worst, compareRef(t, finals[i], f, ref[finals[i]]))
				}
				worst = max(worst, compareRef(t, "grad.x", x.Grad(), ref["grad.x"]))
				for i := range initial {
					worst = max(worst, compareRef(t, "grad."+states[i], initial[i].Grad(), ref["grad."+states[i]]))
				}
				for _, e := range r.State() {
					worst = max(worst, compareRef(t, "grad."+e.Name, e.Tensor.Grad(), ref["grad."+e.Name]))
				}
				t.Logf("%s: max |Go − PyTorch float64| %.3g over outputs and gradients (PyTorch float32: %s)",
					meta["cell"], worst, meta["pytorch_float32_max_abs_error"])
			})
		})
	}
}

// newRecurrentOf builds the layer PyTorch calls cell with a fixed seed.
func newRecurrentOf(cell string, input, hidden int, o RNNOpts) Recurrent {
	g := tensor.NewGenerator(31)
	switch cell {
	case "LSTM":
		return NewLSTM(input, hidden, o, g)
	case "GRU":
		return NewGRU(input, hidden, o, g)
	}
	return NewRNN(input, hidden, o, g)
}

// countParams counts the parameter names among a reference file's tensors.
func countParams(ref map[string]*tensor.Tensor) int {
	n := 0
	for name := range ref {
		if strings.HasPrefix(name, "weight_") || strings.HasPrefix(name, "bias_") {
			n++
		}
	}
	return n
}

// compareRef fails unless got matches want within refTol·(1+|want|) and
// returns the largest absolute difference.
func compareRef(t *testing.T, what string, got, want *tensor.Tensor) float64 {
	t.Helper()
	if got == nil || want == nil || !slices.Equal(got.Shape(), want.Shape()) {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
	w := host(want)
	assertClose(t, what, got, w, refTol)
	worst := 0.0
	for i, g := range host(got) {
		worst = max(worst, math.Abs(g-w[i]))
	}
	return worst
}

// TestRecurrentGradient compares backpropagation through time with
// central differences of the layers' own forward pass for
// L = Σ out·u + Σ h_n·v (+ Σ c_n·w), on every cell with two bidirectional
// layers and an initial state (see checkGradient).
func TestRecurrentGradient(t *testing.T) {
	const T, B, I, H = 3, 2, 3, 2
	for _, cell := range []string{"RNN", "LSTM", "GRU"} {
		t.Run(cell, func(t *testing.T) {
			g := tensor.NewGenerator(41)
			r := newRecurrentOf(cell, I, H, RNNOpts{NumLayers: 2, Bidirectional: true, BatchFirst: cell == "GRU"})
			x := tensor.Uniform(g, -1, 1, T, B, I)
			if cell == "GRU" {
				x = tensor.Uniform(g, -1, 1, B, T, I)
			}
			leaves := []*tensor.Tensor{x}
			states := 1
			if cell == "LSTM" {
				states = 2
			}
			var initial, weights []*tensor.Tensor
			for range states {
				initial = append(initial, tensor.Uniform(g, -1, 1, 4, B, H))
				weights = append(weights, tensor.Uniform(g, -1, 1, 4, B, H))
			}
			u := tensor.Uniform(g, -1, 1, x.Size(0), x.Size(1), 2*H)
			leaves = append(leaves, initial...)
			names := []string{"x", "h0", "c0"}[:len(leaves)]
			for _, e := range r.State() {
				leaves = append(leaves, e.Tensor)
				names = append(names, e.Name)
			}
			objective := func() *tensor.Tensor {
				out, final := r.ForwardState(x, initial...)
				loss := out.Mul(u).Sum()
				for i, f := range final {
					loss = loss.Add(f.Mul(weights[i]).Sum())
				}
				return loss
			}
			checkGradient(t, leaves, names, objective)
		})
	}
}

func TestRecurrentState(t *testing.T) {
	for _, tc := range []struct {
		r    Recurrent
		want []string
		n    int // PyTorch's parameter count
	}{
		{NewLSTM(5, 3, RNNOpts{NumLayers: 2, Bidirectional: true}, tensor.NewGenerator(1)), []string{
			"weight_ih_l0[12 5]", "weight_hh_l0[12 3]", "bias_ih_l0[12]", "bias_hh_l0[12]",
			"weight_ih_l0_reverse[12 5]", "weight_hh_l0_reverse[12 3]", "bias_ih_l0_reverse[12]", "bias_hh_l0_reverse[12]",
			"weight_ih_l1[12 6]", "weight_hh_l1[12 3]", "bias_ih_l1[12]", "bias_hh_l1[12]",
			"weight_ih_l1_reverse[12 6]", "weight_hh_l1_reverse[12 3]", "bias_ih_l1_reverse[12]", "bias_hh_l1_reverse[12]",
		}, 2*(12*5+12*3+24) + 2*(12*6+12*3+24)},
		{NewGRU(5, 3, RNNOpts{NoBias: true}, tensor.NewGenerator(1)), []string{"weight_ih_l0[9 5]", "weight_hh_l0[9 3]"}, 9*5 + 9*3},
		{NewRNN(5, 3, RNNOpts{Bidirectional: true, NoBias: true}, tensor.NewGenerator(1)), []string{
			"weight_ih_l0[3 5]", "weight_hh_l0[3 3]", "weight_ih_l0_reverse[3 5]", "weight_hh_l0_reverse[3 3]",
		}, 2 * (3*5 + 3*3)},
	} {
		var names []string
		for _, e := range tc.r.State() {
			names = append(names, fmt.Sprint(e.Name, e.Tensor.Shape()))
		}
		if !slices.Equal(names, tc.want) || NumParams(tc.r) != tc.n {
			t.Errorf("state %v with %d parameters, want %v with %d", names, NumParams(tc.r), tc.want, tc.n)
		}
	}
}

// TestRecurrentShapes checks the output and final state shapes of each
// layout and the initial states each cell takes.
func TestRecurrentShapes(t *testing.T) {
	g := tensor.NewGenerator(42)
	lstm := NewLSTM(3, 4, RNNOpts{NumLayers: 3, Bidirectional: true, BatchFirst: true}, g)
	out, final := lstm.ForwardState(tensor.Zeros(2, 5, 3))
	if !slices.Equal(out.Shape(), []int{2, 5, 8}) || len(final) != 2 ||
		!slices.Equal(final[0].Shape(), []int{6, 2, 4}) || !slices.Equal(final[1].Shape(), []int{6, 2, 4}) {
		t.Errorf("LSTM output %v and %d final states, want [2 5 8] and h_n, c_n [6 2 4]", out.Shape(), len(final))
	}
	gru := NewGRU(3, 4, RNNOpts{}, g)
	if out, final := gru.ForwardState(tensor.Zeros(5, 2, 3), nil); !slices.Equal(out.Shape(), []int{5, 2, 4}) || len(final) != 1 {
		t.Errorf("GRU output %v and %d final states, want [5 2 4] and h_n", out.Shape(), len(final))
	}
	for _, tc := range []struct {
		f    func()
		want string
	}{
		{func() { NewLSTM(3, 4, RNNOpts{ReLU: true}, g) }, "nn.LSTM: ReLU is an option of RNN only"},
		{func() { NewGRU(3, 4, RNNOpts{ReLU: true}, g) }, "nn.GRU: ReLU is an option of RNN only"},
		{func() { NewGRU(3, 0, RNNOpts{}, g) }, "nn.GRU: input 3, hidden 0"},
		{func() { lstm.ForwardState(tensor.Zeros(2, 5, 3), tensor.Zeros(6, 2, 4)) }, "nn.LSTM: 1 initial state tensors, want 2 (or none)"},
		{func() { lstm.ForwardState(tensor.Zeros(2, 5, 3), tensor.Zeros(6, 2, 4), tensor.Zeros(3, 2, 4)) }, "initial state [3 2 4] for input [2 5 3], want [6 2 4]"},
		{func() { gru.ForwardState(tensor.Zeros(5, 2, 4)) }, "nn.GRU: input [5 2 4], want [T B 3]"},
	} {
		expectPanic(t, "", tc.want, tc.f)
	}
}

// Run a bidirectional LSTM over a batch of sequences and carry its state,
// h and c, into the next window without backpropagating into the first.
func ExampleLSTM() {
	g := tensor.NewGenerator(1)
	lstm := NewLSTM(3, 16, RNNOpts{NumLayers: 2, Bidirectional: true, BatchFirst: true}, g)
	window := tensor.Uniform(g, -1, 1, 4, 5, 3) // [B T input]: a batch of 4, 5 steps
	out, state := lstm.ForwardState(window)
	fmt.Println(out.Shape(), state[0].Shape(), state[1].Shape())
	out, _ = lstm.ForwardState(window, state[0].Detach(), state[1].Detach())
	out.Sum().Backward()
	fmt.Println(lstm.WeightHH[3].Grad().Shape()) // weight_hh_l1_reverse
	// Output:
	// [4 5 32] [4 4 16] [4 4 16]
	// [64 16]
}
