package nn

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/tensorgl/tensorgl/tensor"
)

// rnnWeights are an RNN's parameters as float64, per layer: W_ih, W_hh,
// and b_ih, b_hh (nil without biases).
type rnnWeights struct {
	wih, whh, bih, bhh [][]float64
	relu               bool
}

func weightsOf(r *RNN) *rnnWeights {
	w := &rnnWeights{relu: r.opts.ReLU}
	for k := range r.WeightIH {
		w.wih = append(w.wih, host(r.WeightIH[k]))
		w.whh = append(w.whh, host(r.WeightHH[k]))
		if r.BiasIH != nil {
			w.bih = append(w.bih, host(r.BiasIH[k]))
			w.bhh = append(w.bhh, host(r.BiasHH[k]))
		}
	}
	return w
}

// rnnRef is an independent float64 Elman RNN: x is [T B I] time-major, h0
// [L B H] (nil: zeros). It returns the last layer's outputs [T B H] and the
// final states [L B H].
func rnnRef(x []float64, T, B, I int, h0 []float64, w *rnnWeights) (out, hN []float64) {
	L := len(w.wih)
	H := len(w.wih[0]) / I
	in, inSize := x, I
	hN = make([]float64, L*B*H)
	for k := range L {
		wih, whh := w.wih[k], w.whh[k]
		bias := make([]float64, H)
		if w.bih != nil {
			for j := range bias {
				bias[j] = w.bih[k][j] + w.bhh[k][j]
			}
		}
		h := make([]float64, B*H)
		if h0 != nil {
			copy(h, h0[k*B*H:])
		}
		seq := make([]float64, T*B*H)
		for t := range T {
			next := make([]float64, B*H)
			for b := range B {
				for j := range H {
					a := bias[j]
					for i := range inSize {
						a += in[(t*B+b)*inSize+i] * wih[j*inSize+i]
					}
					for i := range H {
						a += h[b*H+i] * whh[j*H+i]
					}
					if w.relu {
						a = math.Max(a, 0)
					} else {
						a = math.Tanh(a)
					}
					next[b*H+j] = a
				}
			}
			h = next
			copy(seq[t*B*H:], h)
		}
		copy(hN[k*B*H:], h)
		in, inSize = seq, H
	}
	return in, hN
}

// batchFirst reorders [T B F] values to [B T F].
func batchFirst(v []float64, T, B, F int) []float64 {
	out := make([]float64, len(v))
	for t := range T {
		for b := range B {
			copy(out[(b*T+t)*F:(b*T+t+1)*F], v[(t*B+b)*F:])
		}
	}
	return out
}

func TestRNNForward(t *testing.T) {
	const T, B, I, H, L = 5, 3, 4, 6, 2
	for _, tc := range []struct {
		opts    RNNOpts
		initial bool
	}{
		{RNNOpts{NumLayers: L}, false},
		{RNNOpts{NumLayers: L}, true},
		{RNNOpts{NumLayers: L, ReLU: true}, true},
		{RNNOpts{NumLayers: L, BatchFirst: true, NoBias: true}, true},
		{RNNOpts{NumLayers: 1, BatchFirst: true, ReLU: true}, false},
	} {
		t.Run(fmt.Sprintf("%+v,h0=%v", tc.opts, tc.initial), func(t *testing.T) {
			g := tensor.NewGenerator(21)
			r := NewRNN(I, H, tc.opts, g)
			x, xs := randData(g, T, B, I)
			var h0 *tensor.Tensor
			var h0s []float64
			if tc.initial {
				h0, h0s = randData(g, tc.opts.NumLayers, B, H)
			}
			wantOut, wantH := rnnRef(xs, T, B, I, h0s, weightsOf(r))
			if tc.opts.BatchFirst {
				x = x.Permute(1, 0, 2) // a non-contiguous [B T I] view
				wantOut = batchFirst(wantOut, T, B, H)
			}
			out, hN := r.ForwardHidden(x, h0)
			wantShape := []int{T, B, H}
			if tc.opts.BatchFirst {
				wantShape = []int{B, T, H}
			}
			if !slices.Equal(out.Shape(), wantShape) || !slices.Equal(hN.Shape(), []int{tc.opts.NumLayers, B, H}) {
				t.Fatalf("shapes %v and %v, want %v and [%d %d %d]", out.Shape(), hN.Shape(), wantShape, tc.opts.NumLayers, B, H)
			}
			assertClose(t, "output", out, wantOut, 1e-5)
			assertClose(t, "h_n", hN, wantH, 1e-5)
			if h0 == nil {
				assertClose(t, "Forward", r.Forward(x), wantOut, 1e-5)
			}
		})
	}
}

// TestRNNGradient compares backpropagation through time with central
// differences of the float64 reference (step 1e-6, so truncation and
// rounding stay far below the float32 tolerance) for L = Σ out·u + Σ h_n·v.
func TestRNNGradient(t *testing.T) {
	const T, B, I, H, L = 4, 2, 3, 3, 2
	for _, relu := range []bool{false, true} {
		g := tensor.NewGenerator(22)
		r := NewRNN(I, H, RNNOpts{NumLayers: L, ReLU: relu}, g)
		x, xs := randData(g, T, B, I)
		h0, h0s := randData(g, L, B, H)
		x.SetRequiresGrad(true)
		h0.SetRequiresGrad(true)
		u, us := randData(g, T, B, H)
		v, vs := randData(g, L, B, H)
		out, hN := r.ForwardHidden(x, h0)
		out.Mul(u).Sum().Add(hN.Mul(v).Sum()).Backward()

		w := weightsOf(r)
		objective := func() float64 {
			o, h := rnnRef(xs, T, B, I, h0s, w)
			s := 0.0
			for i := range o {
				s += o[i] * us[i]
			}
			for i := range h {
				s += h[i] * vs[i]
			}
			return s
		}
		check := func(name string, grad *tensor.Tensor, vals []float64) {
			t.Helper()
			want := make([]float64, len(vals))
			for i := range vals {
				const step = 1e-6
				orig := vals[i]
				vals[i] = orig + step
				up := objective()
				vals[i] = orig - step
				down := objective()
				vals[i] = orig
				want[i] = (up - down) / (2 * step)
			}
			if grad == nil {
				t.Fatalf("relu=%v: %s has no gradient", relu, name)
			}
			assertClose(t, fmt.Sprintf("relu=%v: gradient of %s", relu, name), grad, want, 1e-4)
		}
		check("x", x.Grad(), xs)
		check("h0", h0.Grad(), h0s)
		for k := range L {
			check(fmt.Sprint("weight_ih_l", k), r.WeightIH[k].Grad(), w.wih[k])
			check(fmt.Sprint("weight_hh_l", k), r.WeightHH[k].Grad(), w.whh[k])
			check(fmt.Sprint("bias_ih_l", k), r.BiasIH[k].Grad(), w.bih[k])
			check(fmt.Sprint("bias_hh_l", k), r.BiasHH[k].Grad(), w.bhh[k])
		}
	}
}

func TestRNNState(t *testing.T) {
	r := NewRNN(10, 400, RNNOpts{NumLayers: 3}, tensor.NewGenerator(23))
	var names []string
	for _, e := range r.State() {
		names = append(names, fmt.Sprint(e.Name, e.Tensor.Shape()))
		// 160000 samples reach within 0.5% of the bound.
		m := 0.0
		for _, v := range host(e.Tensor) {
			m = max(m, math.Abs(v))
		}
		if m > 0.05 || m < 0.995*0.05 && e.Tensor.NumEl() > 1000 {
			t.Errorf("%s: largest |value| %g, want just under 1/√400 = 0.05", e.Name, m)
		}
	}
	want := []string{
		"weight_ih_l0[400 10]", "weight_hh_l0[400 400]", "bias_ih_l0[400]", "bias_hh_l0[400]",
		"weight_ih_l1[400 400]", "weight_hh_l1[400 400]", "bias_ih_l1[400]", "bias_hh_l1[400]",
		"weight_ih_l2[400 400]", "weight_hh_l2[400 400]", "bias_ih_l2[400]", "bias_hh_l2[400]",
	}
	if !slices.Equal(names, want) {
		t.Errorf("state %v, want %v", names, want)
	}
	if n := NumParams(NewRNN(32, 128, RNNOpts{NumLayers: 2}, tensor.NewGenerator(1))); n != 53760 {
		t.Errorf("RNN(32, 128, num_layers=2) has %d parameters, want 53760 as in PyTorch", n)
	}
	noBias := NewRNN(2, 3, RNNOpts{NoBias: true}, tensor.NewGenerator(1)).State()
	if len(noBias) != 2 || noBias[0].Name != "weight_ih_l0" || noBias[1].Name != "weight_hh_l0" {
		t.Errorf("state without bias: %v", noBias)
	}
}

func TestRNNDropout(t *testing.T) {
	g := tensor.NewGenerator(24)
	r := NewRNN(3, 8, RNNOpts{NumLayers: 2, Dropout: 0.5}, g)
	x, xs := randData(g, 4, 2, 3)
	want, _ := rnnRef(xs, 4, 2, 3, nil, weightsOf(r))
	r.Train(false)
	assertClose(t, "evaluation mode", r.Forward(x), want, 1e-5)
	r.Train(true)
	got := host(r.Forward(x))
	same := 0
	for i := range got {
		if math.Abs(got[i]-want[i]) < 1e-6 {
			same++
		}
	}
	if same == len(got) {
		t.Error("training mode gives the output without dropout")
	}
}

func TestRNNRejectsShapes(t *testing.T) {
	r := NewRNN(3, 4, RNNOpts{NumLayers: 2}, tensor.NewGenerator(25))
	for _, tc := range []struct {
		x, h0 []int
		want  string
	}{
		{[]int{5, 2, 4}, nil, "input [5 2 4], want [T B 3]"},
		{[]int{5, 3}, nil, "input [5 3], want [T B 3]"},
		{[]int{5, 2, 3}, []int{1, 2, 4}, "initial state [1 2 4] for input [5 2 3], want [2 2 4]"},
		{[]int{0, 2, 3}, nil, "no time steps"},
	} {
		expectPanic(t, fmt.Sprintf("input %v, h0 %v: ", tc.x, tc.h0), tc.want, func() {
			var h0 *tensor.Tensor
			if tc.h0 != nil {
				h0 = tensor.Zeros(tc.h0...)
			}
			r.ForwardHidden(tensor.Zeros(tc.x...), h0)
		})
	}
}

// Run a 2-layer RNN over two windows of a sequence, carrying the hidden
// state from the first to the second without backpropagating into the
// first (truncated BPTT).
func ExampleRNN_ForwardHidden() {
	g := tensor.NewGenerator(1)
	rnn := NewRNN(3, 16, RNNOpts{NumLayers: 2}, g)
	window := tensor.Uniform(g, -1, 1, 5, 4, 3) // [T B input]: 5 steps of a batch of 4
	out, h := rnn.ForwardHidden(window, nil)
	fmt.Println(out.Shape(), h.Shape())
	out, _ = rnn.ForwardHidden(window, h.Detach())
	out.Sum().Backward()
	fmt.Println(rnn.WeightHH[1].Grad().Shape())
	// Output:
	// [5 4 16] [2 4 16]
	// [16 16]
}
