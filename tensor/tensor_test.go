package tensor

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

func near(a, b []float32, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !(math.Abs(float64(a[i]-b[i])) <= tol*(1+math.Abs(float64(b[i])))) {
			return false
		}
	}
	return true
}

// mustPanic runs f and returns the *ShapeError it panicked with.
func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		err, ok := r.(error)
		if !ok || !errors.Is(err, ErrShape) {
			t.Fatalf("want a *ShapeError panic containing %q, got %v", want, r)
		}
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("panic %q does not contain %q", err, want)
		}
	}()
	f()
}

func TestBroadcastValues(t *testing.T) {
	a := FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	b := FromSlice([]float32{10, 20, 30})
	c := FromSlice([]float32{100, 200}, 2, 1)
	got := a.Add(b).Add(c).Data()
	want := []float32{111, 122, 133, 214, 225, 236}
	if !slices.Equal(got, want) {
		t.Fatalf("broadcast add: got %v want %v", got, want)
	}
	if got := a.T().Mul(FromSlice([]float32{1, -1}, 1, 2)).Data(); !slices.Equal(got, []float32{1, -4, 2, -5, 3, -6}) {
		t.Fatalf("transposed mul: got %v", got)
	}
}

func TestViews(t *testing.T) {
	x := Arange(0, 24, 1).Reshape(2, 3, 4)
	cases := []struct {
		name  string
		got   *Tensor
		shape []int
		data  []float32
	}{
		{"Transpose", x.Transpose(0, 2).Select(0, 1), []int{3, 2}, []float32{1, 13, 5, 17, 9, 21}},
		{"Permute", x.Permute(1, 2, 0).Select(2, 1).Select(0, 2), []int{4}, []float32{20, 21, 22, 23}},
		{"Narrow", x.Narrow(2, 1, 2).Select(0, 0), []int{3, 2}, []float32{1, 2, 5, 6, 9, 10}},
		{"Narrow/negative-start", x.Narrow(2, -3, 2).Select(0, 0), []int{3, 2}, []float32{1, 2, 5, 6, 9, 10}},
		{"Squeeze/not-1", x.Narrow(1, 1, 1).Squeeze(2, 1, 0), []int{2, 4}, []float32{4, 5, 6, 7, 16, 17, 18, 19}},
		{"Expand", FromSlice([]float32{1, 2}, 2, 1).Expand(2, 3), []int{2, 3}, []float32{1, 1, 1, 2, 2, 2}},
		{"Unsqueeze", FromSlice([]float32{1, 2}).Unsqueeze(1), []int{2, 1}, []float32{1, 2}},
		{"Flatten", x.Flatten(0, 1).Narrow(0, 5, 1), []int{1, 4}, []float32{20, 21, 22, 23}},
		{"Cat/dim1", Cat(1, x.Narrow(1, 0, 1), x.Narrow(1, 2, 1)).Select(0, 1), []int{2, 4}, []float32{12, 13, 14, 15, 20, 21, 22, 23}},
		{"Stack", Stack(1, FromSlice([]float32{1, 2}), FromSlice([]float32{3, 4})), []int{2, 2}, []float32{1, 3, 2, 4}},
		{"Reshape/-1", x.Reshape(-1, 6).Select(1, 0), []int{4}, []float32{0, 6, 12, 18}},
		{"Unbind", x.Unbind(2)[3], []int{2, 3}, []float32{3, 7, 11, 15, 19, 23}},
		{"Unflatten/transposed", x.Transpose(1, 2).Unflatten(1, 2, 2).Select(0, 0).Select(0, 1).Select(0, 0), []int{3}, []float32{2, 6, 10}},
		{"Unflatten/last", x.Narrow(2, 0, 4).Unflatten(-1, 2, 2).Select(3, 1).Select(0, 1), []int{3, 2}, []float32{13, 15, 17, 19, 21, 23}},
	}
	for _, c := range cases {
		if !slices.Equal(c.got.Shape(), c.shape) || !slices.Equal(c.got.Data(), c.data) {
			t.Errorf("%s: got %v %v, want %v %v", c.name, c.got.Shape(), c.got.Data(), c.shape, c.data)
		}
	}
}

func TestReductionValues(t *testing.T) {
	x := FromSlice([]float32{3, -1, 7, 7, 2, 0}, 2, 3)
	checks := []struct {
		name string
		got  []float32
		want []float32
	}{
		{"Sum", x.Sum().Data(), []float32{18}},
		{"Sum0", x.Sum(0).Data(), []float32{10, 1, 7}},
		{"Mean1", x.Mean(1).Data(), []float32{3, 3}},
		{"Max1", x.Max(1).Data(), []float32{7, 7}},
		{"Min0", x.Min(0).Data(), []float32{3, -1, 0}},
	}
	for _, c := range checks {
		if !near(c.got, c.want, 1e-6) {
			t.Errorf("%s: got %v want %v", c.name, c.got, c.want)
		}
	}
	if got := x.ArgMax(1).Ints(); !slices.Equal(got, []int32{2, 0}) {
		t.Errorf("ArgMax: got %v, want first maximum [2 0]", got)
	}
	if got := x.SumKeep(1).Shape(); !slices.Equal(got, []int{2, 1}) {
		t.Errorf("SumKeep shape %v", got)
	}
}

func TestMatMulValues(t *testing.T) {
	a := FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	b := FromSlice([]float32{7, 8, 9, 10, 11, 12}, 3, 2)
	if got := a.MatMul(b).Data(); !slices.Equal(got, []float32{58, 64, 139, 154}) {
		t.Fatalf("MatMul: %v", got)
	}
	// Batched with a broadcast and a transposed, non-contiguous operand.
	ab := Stack(0, a, a.MulScalar(2))
	got := ab.MatMul(b.T().T()).Data()
	if !slices.Equal(got, []float32{58, 64, 139, 154, 116, 128, 278, 308}) {
		t.Fatalf("batched MatMul: %v", got)
	}
	if got := a.MatMul(FromSlice([]float32{1, 0, -1})).Data(); !slices.Equal(got, []float32{-2, -2}) {
		t.Fatalf("matrix-vector: %v", got)
	}
}

func TestErrors(t *testing.T) {
	mustPanic(t, "MatMul: inner dimensions differ: [64 784] × [128 784]", func() { Zeros(64, 784).MatMul(Zeros(128, 784)) })
	mustPanic(t, "Add: shapes [2 3] and [4] cannot be broadcast", func() { Zeros(2, 3).Add(Zeros(4)) })
	mustPanic(t, "Sum: axis 3 out of range for shape [2 3]", func() { Zeros(2, 3).Sum(3) })
	mustPanic(t, "Reshape: shape [4 2] does not hold the 6 elements", func() { Zeros(2, 3).Reshape(4, 2) })
	mustPanic(t, "IndexSelect: index out of range [0, 5]", func() { Zeros(5, 2).IndexSelect(0, FromInts([]int32{0, 5})) })
	mustPanic(t, "Conv2d: weight [4 2 3 3] wants 2 input channels per group", func() { Conv2d(Zeros(1, 3, 8, 8), Zeros(4, 2, 3, 3), nil, ConvOpts{}) })
	mustPanic(t, "Item: want a one-element tensor", func() { Zeros(2).Item() })
	// A window larger than the input, hidden by a large stride: the output
	// size is ⌊(3 − 5)/3⌋ + 1 = 0, not 1 (as PyTorch computes it).
	mustPanic(t, "Conv2d: kernel 5x5 (dilation [1 1], padding [0 0]) larger than input [1 1 3 3]", func() {
		Conv2d(Zeros(1, 1, 3, 3), Zeros(1, 1, 5, 5), nil, ConvOpts{Stride: [2]int{3, 3}})
	})
	mustPanic(t, "MaxPool2d: kernel [4 4] (dilation [1 1]) larger than padded input [1 1 3 3]", func() { MaxPool2d(Zeros(1, 1, 3, 3), PoolOpts{Kernel: [2]int{4, 4}}) })
	mustPanic(t, "AvgPool2d: kernel [4 4] (dilation [1 1]) larger than padded input [1 1 3 3]", func() { AvgPool2d(Zeros(1, 1, 3, 3), PoolOpts{Kernel: [2]int{4, 4}}) })
	mustPanic(t, "AvgPool2d: dilation [2 1]: average pooling has none", func() {
		AvgPool2d(Zeros(1, 1, 5, 5), PoolOpts{Kernel: [2]int{2, 2}, Dilation: [2]int{2, 1}})
	})
	mustPanic(t, "MaxPool2d: kernel [3 3] (dilation [2 2]) larger than padded input [1 1 4 4]", func() {
		MaxPool2d(Zeros(1, 1, 4, 4), PoolOpts{Kernel: [2]int{3, 3}, Dilation: [2]int{2, 2}})
	})
	mustPanic(t, "AvgPool2d: kernel [4 1] (dilation [1 1]) larger than padded input [1 1 3 9]", func() {
		AvgPool2d(Zeros(1, 1, 3, 9), PoolOpts{Kernel: [2]int{4, 1}, Stride: [2]int{5, 1}})
	})
	mustPanic(t, "was released", func() { x := Zeros(2); x.Release(); x.Exp() })
	mustPanic(t, "Unflatten: sizes [4 2] do not hold dimension 1 of [2 3 4]", func() { Zeros(2, 3, 4).Unflatten(1, 4, 2) })
	mustPanic(t, "Unflatten: sizes [-1 3]: want positive sizes", func() { Zeros(2, 3, 4).Unflatten(1, -1, 3) })
	mustPanic(t, "Dropout: want a drop probability in [0, 1], got 1.5", func() { Dropout(NewGenerator(1), Zeros(2), 1.5) })
	mustPanic(t, "Dropout: want a drop probability in [0, 1], got NaN", func() { Dropout(NewGenerator(1), Zeros(2), float32(math.NaN())) })
	mustPanic(t, "MatMul: inner dimensions differ: [3] × [4]", func() { Zeros(3).MatMul(Zeros(4)) })
	mustPanic(t, "MatMul: inner dimensions differ: [2 3] × [4]", func() { Zeros(2, 3).MatMul(Zeros(4)) })
	mustPanic(t, "MatMul: inner dimensions differ: [3] × [2 4 5]", func() { Zeros(3).MatMul(Zeros(2, 4, 5)) })
	mustPanic(t, "ReadTo: want a []float32 destination for float32 tensor [2], got []int32", func() { Zeros(2).ReadTo(make([]int32, 2)) })
	mustPanic(t, "ReadTo: want a []int32 destination for int32 tensor [2], got []float32", func() { FromInts([]int32{1, 2}).ReadTo(make([]float32, 2)) })
	mustPanic(t, "ReadTo: want a []float32 or []int32 destination, got []float64", func() { Zeros(2).ReadTo(make([]float64, 2)) })
	mustPanic(t, "Narrow: start -5 and length 1 outside dimension 0 of [4]", func() { Zeros(4).Narrow(0, -5, 1) })
	mustPanic(t, "Select: index 2 out of range for dimension 0 of [2 3]", func() { Zeros(2, 3).Select(0, 2) })
	mustPanic(t, "Select: index -4 out of range for dimension -1 of [2 3]", func() { Zeros(2, 3).Select(-1, -4) })
	mustPanic(t, "Recurrence: want an activation whose derivative its output gives, got LeakyRelu of slope -0.5", func() {
		Recurrence(Zeros(2, 1, 3), Zeros(3, 3), nil, ActLeakyRelu(-0.5), false)
	})
}

// TestUnflattenIsAView checks that Unflatten splits a transposed tensor
// without a copy (it shares the storage, as Reshape does where the strides
// allow), with Reshape's values, and passes gradients back.
func TestUnflattenIsAView(t *testing.T) {
	x := Arange(0, 24, 1).Reshape(2, 3, 4).SetRequiresGrad(true)
	y := x.Transpose(0, 2) // [4 3 2]
	u := y.Unflatten(0, 2, 2)
	if u.st != x.st {
		t.Fatal("Unflatten copied a transposed tensor")
	}
	if want := y.Reshape(2, 2, 3, 2).Data(); !slices.Equal(u.Data(), want) {
		t.Fatalf("Unflatten = %v, Reshape gives %v", u.Data(), want)
	}
	rng := rand.New(rand.NewPCG(2, 7))
	gradCheck(t, "Unflatten", func(xs ...*Tensor) *Tensor {
		return xs[0].Transpose(0, 1).Unflatten(1, 2, 2).Square()
	}, input(rng, -1, 1, 4, 3))
}

// TestSizeErrors: element counts that overflow, ranges whose end
// overflows, and sizes no device holds are errors naming the shape, on
// 32- and 64-bit platforms alike.
func TestSizeErrors(t *testing.T) {
	half := 1 << (bits.UintSize / 2) // half·half overflows an int
	huge := 1 << (bits.UintSize - 2)
	mustPanic(t, fmt.Sprintf("New: shape [%d %d] has more elements than memory can address", half, half), func() { Zeros(half, half) })
	mustPanic(t, fmt.Sprintf("New: shape [3 %d] has more elements", huge), func() { Zeros(3, huge) })
	mustPanic(t, "New: negative dimension in shape [2 -1]", func() { Zeros(2, -1) })
	mustPanic(t, fmt.Sprintf("Narrow: start 2 and length %d outside dimension 0 of [4]", math.MaxInt-1), func() { Zeros(4).Narrow(0, 2, math.MaxInt-1) })
	mustPanic(t, fmt.Sprintf("Expand: shape [%d %d] has more elements", half, half), func() { Zeros(1, 1).Expand(half, half) })
	mustPanic(t, fmt.Sprintf("Reshape: shape [0 %d %d] has more elements", half, half), func() { Zeros(0).Reshape(0, half, half) })
	mustPanic(t, fmt.Sprintf("Reshape: shape [%d %d -1] has more elements", half, half), func() { Zeros(4).Reshape(half, half, -1) })
	if bits.UintSize == 64 {
		// A count an int holds but no device does: an error, not Go's
		// fatal out-of-memory.
		func() {
			defer func() {
				err, _ := recover().(error)
				if !errors.Is(err, device.ErrTooLarge) || !strings.Contains(err.Error(), "tensor: New: 576460752303423488 float32 elements") {
					t.Fatalf("Zeros(2³⁰, 2²⁹): want a device.ErrTooLarge panic naming the size, got %v", err)
				}
			}()
			Zeros(half/4, half/8)
		}()
	}
}

func TestAutogradSemantics(t *testing.T) {
	x := FromSlice([]float32{1, 2, 3}).SetRequiresGrad(true)
	y := x.Square().Sum()
	y.Backward(BackwardOpts{RetainGraph: true})
	y.Backward()
	if got := x.Grad().Data(); !slices.Equal(got, []float32{4, 8, 12}) {
		t.Fatalf("accumulated grad of Σx² twice: %v", got)
	}
	mustPanic(t, "already released", func() { y.Backward() })
	x.ZeroGrad()
	if x.Grad() != nil {
		t.Fatal("ZeroGrad left a gradient")
	}
	NoGrad(func(s *Scope) {
		if s.FromSlice([]float32{1, 2, 3}).Add(x).RequiresGrad() {
			t.Fatal("NoGrad recorded an op")
		}
		s.Tidy(func(*Scope) {
			if x.Add(s.FromSlice([]float32{1, 2, 3})).Exp().RequiresGrad() {
				t.Fatal("a scope nested in NoGrad recorded an op")
			}
		})
	})
	if x.Detach().Exp().RequiresGrad() {
		t.Fatal("Detach kept the graph")
	}
	// A shared subexpression receives the sum of both paths.
	z := x.Mul(x).Add(x)
	z.Backward(BackwardOpts{Grad: OnesLike(z)})
	if got := x.Grad().Data(); !slices.Equal(got, []float32{3, 5, 7}) {
		t.Fatalf("d(x²+x)/dx: %v", got)
	}
	mustPanic(t, "does not require gradients", func() { Zeros(1).Backward() })
}

// TestUnbindBackward checks that Unbind's slices give exact gradients
// through a retained graph used twice, each slice's gradient landing in
// its own place and unused slices getting zeros.
func TestUnbindBackward(t *testing.T) {
	x := Arange(0, 6, 1).Reshape(3, 2).SetRequiresGrad(true)
	p := x.Unbind(0)
	if len(p) != 3 || p[1].GradFn() != "Unbind" {
		t.Fatalf("Unbind gave %d slices, the second recorded as %q", len(p), p[1].GradFn())
	}
	y := p[0].Mul(p[2]).Sum().Add(p[2].Sum())
	y.Backward(BackwardOpts{RetainGraph: true})
	y.Backward()
	// d/dx0 = x2 = (4, 5), d/dx2 = x0 + 1 = (1, 2), each twice.
	if got := x.Grad().Data(); !slices.Equal(got, []float32{8, 10, 0, 0, 2, 4}) {
		t.Errorf("gradient through Unbind twice: %v, want [8 10 0 0 2 4]", got)
	}
}

// TestSplitBackward checks Split's and Chunk's parts: their shapes and
// values, exact gradients through a retained graph used twice, each
// part's gradient in its own place and zeros for the unused ones; and
// Chunk's sizes, as torch.chunk's.
func TestSplitBackward(t *testing.T) {
	x := Arange(0, 12, 1).Reshape(6, 2).SetRequiresGrad(true)
	p := x.Split(0, 1, 3, 2)
	if len(p) != 3 || p[1].GradFn() != "Split" || !slices.Equal(p[1].Shape(), []int{3, 2}) || !slices.Equal(p[2].Data(), []float32{8, 9, 10, 11}) {
		t.Fatalf("Split gave %d parts, the second %v recorded as %q, the third %v", len(p), p[1].Shape(), p[1].GradFn(), p[2].Data())
	}
	y := p[2].Square().Sum().Add(p[0].Sum())
	y.Backward(BackwardOpts{RetainGraph: true})
	y.Backward()
	// d/dx = 1 on row 0, 0 on rows 1–3, 2x on rows 4–5; each twice.
	if got := x.Grad().Data(); !slices.Equal(got, []float32{2, 2, 0, 0, 0, 0, 0, 0, 32, 36, 40, 44}) {
		t.Errorf("gradient through Split twice: %v", got)
	}
	for _, c := range []struct {
		n, chunks int
		want      []int
	}{{10, 4, []int{3, 3, 3, 1}}, {5, 4, []int{2, 2, 1}}, {4, 4, []int{1, 1, 1, 1}}, {3, 5, []int{1, 1, 1}}, {6, 1, []int{6}}} {
		var got []int
		for _, q := range Zeros(2, c.n).Chunk(c.chunks, 1) {
			got = append(got, q.Size(1))
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Chunk(%d) of %d: sizes %v, want %v", c.chunks, c.n, got, c.want)
		}
	}
	mustPanic(t, "do not add up", func() { x.Split(0, 2, 3) })
	mustPanic(t, "chunks", func() { x.Chunk(0, 0) })
}

func TestTidyReleases(t *testing.T) {
	dev := DefaultDevice()
	warmSeed(dev)
	w := Ones(3).SetRequiresGrad(true)
	var kept, tmp *Tensor
	before := dev.Stats().BytesInUse
	Tidy(func(s *Scope) {
		tmp = s.FromSlice([]float32{2, 2, 2}).Mul(w).Exp()
		kept = tmp.Sum()
		kept.Backward()
		s.Keep(kept)
	})
	if !tmp.st.released() {
		t.Fatal("Tidy did not release a temporary")
	}
	if got := kept.Item(); !(math.Abs(float64(got)-3*math.Exp(2)) <= 1e-4) {
		t.Fatalf("kept value %v", got)
	}
	if w.Grad() == nil || w.Grad().st.released() {
		t.Fatal("Tidy released a leaf gradient")
	}
	kept.Release()
	w.ZeroGrad()
	if after := dev.Stats().BytesInUse; after > before {
		t.Fatalf("bytes in use grew from %d to %d", before, after)
	}
}

func TestString(t *testing.T) {
	cases := []struct {
		t    *Tensor
		want string
	}{
		{FromSlice([]float32{1, 2, 3}), "tensor([1., 2., 3.])"},
		{FromSlice([]float32{1.5, -2.25, 3, 4}, 2, 2), "tensor([[ 1.5000, -2.2500],\n        [ 3.0000,  4.0000]])"},
		{Scalar(0.5), "tensor(0.5000)"},
		{FromInts([]int32{3, 1}), "tensor([3, 1], dtype=int32)"},
		{Ones(2).SetRequiresGrad(true), "tensor([1., 1.], requires_grad=True)"},
	}
	for _, c := range cases {
		if dev := DefaultDevice().Info().Name; dev != "cpu" {
			// As PyTorch names the device of tensors off the CPU.
			at := strings.LastIndex(c.want, ")")
			if i := strings.Index(c.want, ", requires_grad"); i >= 0 {
				at = i
			}
			c.want = c.want[:at] + ", device='" + dev + "'" + c.want[at:]
		}
		if got := c.t.String(); got != c.want {
			t.Errorf("got\n%s\nwant\n%s", got, c.want)
		}
	}
}

func TestGeneratorReproducible(t *testing.T) {
	a := RandN(NewGenerator(42), 100).Data()
	b := RandN(NewGenerator(42), 100).Data()
	if !slices.Equal(a, b) {
		t.Fatal("same seed gave different numbers")
	}
	g := NewGenerator(42)
	c1, c2 := Rand(g, 10).Data(), Rand(g, 10).Data()
	if slices.Equal(c1, c2) {
		t.Fatal("successive draws repeated")
	}
	var mean float64
	for _, v := range a {
		mean += float64(v)
	}
	if mean /= 100; !(math.Abs(mean) <= 0.4) {
		t.Fatalf("mean of 100 standard normals %v", mean)
	}
}

// TestScaledBernoulli checks that ScaledBernoulli draws Bernoulli's
// samples times the scale from the same numbers, bit for bit, and that a
// product with its mask equals one with Bernoulli's mask and then the
// scale (the dropout it serves).
func TestScaledBernoulli(t *testing.T) {
	const p, scale = 0.7, 1 / float32(0.7)
	mask := Bernoulli(NewGenerator(9), p, 1000)
	scaled := ScaledBernoulli(NewGenerator(9), p, scale, 1000).Data()
	if want := mask.MulScalar(scale).Data(); !slices.Equal(scaled, want) {
		t.Fatalf("ScaledBernoulli = %v…, want Bernoulli·scale %v…", scaled[:8], want[:8])
	}
	x := Uniform(NewGenerator(3), -4, 4, 1000)
	got := x.Mul(FromSlice(scaled, 1000)).Data()
	if want := x.Mul(mask).MulScalar(scale).Data(); !slices.Equal(got, want) {
		t.Fatal("x·(scaled mask) differs from x·mask·scale")
	}
}

// TestDropout checks that Dropout has the bits of x·ScaledBernoulli's mask
// forward and backward (on a transposed view too, and without gradients),
// takes the generator's counters as the draw does, and leaves p = 0 and
// p = 1 to the identity and zeros.
func TestDropout(t *testing.T) {
	const p = 0.3
	base := Uniform(NewGenerator(3), -4, 4, 37, 29)
	for _, tc := range []struct {
		name string
		x    *Tensor
	}{{"contiguous", base}, {"transposed", base.Transpose(0, 1)}} {
		t.Run(tc.name, func(t *testing.T) {
			x := tc.x.Detach().SetRequiresGrad(true)
			g := NewGenerator(11)
			y := Dropout(g, x, p)
			next := Rand(g, 5).Data()

			ref := NewGenerator(11)
			mask := ScaledBernoulli(ref, 1-p, 1/(1-p), x.Shape()...)
			if want := Rand(ref, 5).Data(); !slices.Equal(next, want) {
				t.Errorf("the draw after Dropout = %v, after ScaledBernoulli %v: not the same counters", next, want)
			}
			if want := x.Detach().Mul(mask).Data(); !slices.Equal(y.Data(), want) {
				t.Fatal("Dropout differs from x·ScaledBernoulli mask")
			}
			w := Uniform(NewGenerator(4), -1, 1, x.Shape()...)
			y.Mul(w).Sum().Backward()
			if want := w.Mul(mask).Data(); !slices.Equal(x.Grad().Data(), want) {
				t.Fatal("Dropout's gradient differs from upstream·mask")
			}
			NoGrad(func(s *Scope) {
				if got := Dropout(NewGenerator(11), s.Use(x), p); got.RequiresGrad() || !slices.Equal(got.Data(), y.Data()) {
					t.Error("Dropout under NoGrad: a different result, or one that records")
				}
			})
		})
	}
	x := base.Detach()
	if Dropout(NewGenerator(1), x, 0) != x {
		t.Error("Dropout with p = 0 is not x itself")
	}
	if got := Dropout(NewGenerator(1), x, 1).Data(); slices.ContainsFunc(got, func(v float32) bool { return v != 0 }) {
		t.Error("Dropout with p = 1 kept something")
	}
	// The gradient by finite differences, the same mask each time.
	gradCheck(t, "Dropout", func(xs ...*Tensor) *Tensor { return Dropout(NewGenerator(5), xs[0], 0.4) },
		input(rand.New(rand.NewPCG(1, 2)), 0.5, 2, 3, 7))
}

// TestGradAdoption: a leaf adopts a first gradient that its Backward
// allocated (no copy), but never storage that anything else can see: the
// caller's seed, one gradient reaching two leaves, views narrower than
// their storage (Cat's backward), or anything when no Tidy records
// allocations.
func TestGradAdoption(t *testing.T) {
	dev := DefaultDevice()
	warmSeed(dev)
	x := FromSlice([]float32{1, 2, 3}).SetRequiresGrad(true)
	if err := dev.Sync(); err != nil { // GL counts dispatches as its queue runs
		t.Fatal(err)
	}
	before := dev.Stats().Dispatches
	x.MulScalar(3).Sum().Backward()
	if err := dev.Sync(); err != nil {
		t.Fatal(err)
	}
	// Affine and Sum forward; Affine backward (the seed is the device's
	// constant 1, Sum's backward a broadcast view of it): the leaf adopts
	// the last, no copy.
	if n := dev.Stats().Dispatches - before; n != 3 {
		t.Errorf("forward and backward of Σ3x ran %d dispatches, want 3", n)
	}
	if got := x.Grad().Data(); !slices.Equal(got, []float32{3, 3, 3}) {
		t.Fatalf("d(Σ3x)/dx = %v", got)
	}
	x.ZeroGrad()
	Tidy(func(*Scope) {
		a := FromSlice([]float32{1, 2}).SetRequiresGrad(true)
		b := FromSlice([]float32{3, 4}).SetRequiresGrad(true)
		a.Add(b).MulScalar(2).Sum().Backward()
		if a.Grad().st == b.Grad().st {
			t.Fatal("two leaves share one gradient storage")
		}
		a.ZeroGrad()
		if got := b.Grad().Data(); !slices.Equal(got, []float32{2, 2}) {
			t.Fatalf("b's gradient after releasing a's: %v", got)
		}

		c := FromSlice([]float32{1, 2, 3}).SetRequiresGrad(true)
		seed := FromSlice([]float32{5, 6, 7})
		c.Backward(BackwardOpts{Grad: seed})
		if c.Grad().st == seed.st {
			t.Fatal("a leaf adopted the caller's seed")
		}
		c.ZeroGrad()
		if got := seed.Data(); !slices.Equal(got, []float32{5, 6, 7}) {
			t.Fatalf("seed after ZeroGrad: %v", got)
		}

		p := FromSlice([]float32{1, 2}).SetRequiresGrad(true)
		q := FromSlice([]float32{3}).SetRequiresGrad(true)
		Cat(0, p, q).Mul(FromSlice([]float32{1, 2, 3})).Sum().Backward()
		if p.Grad().st == q.Grad().st {
			t.Fatal("two leaves share one gradient storage through Cat")
		}
		p.ZeroGrad()
		if got := q.Grad().Data(); !slices.Equal(got, []float32{3}) {
			t.Fatalf("q's gradient after releasing p's: %v", got)
		}
		q.ZeroGrad()
	})
}

// warmSeed runs one Backward on dev, so that its constant seed (allocated
// once per device, on the first Backward) is not counted by a test that
// measures memory or dispatches.
func warmSeed(dev device.Device) {
	x := Ones(1).To(dev).SetRequiresGrad(true)
	x.Sum().Backward()
	x.ZeroGrad()
	x.Release()
}

// TestBackwardSeedConstant: the implied seed costs no dispatch and stays 1
// whatever is done with the gradients it produced: a leaf that is the
// output itself gets its own copy, which may be changed in place.
func TestBackwardSeedConstant(t *testing.T) {
	dev := DefaultDevice()
	warmSeed(dev)
	s := Scalar(2).SetRequiresGrad(true)
	if err := dev.Sync(); err != nil {
		t.Fatal(err)
	}
	before := dev.Stats().Dispatches
	s.Backward()
	if err := dev.Sync(); err != nil {
		t.Fatal(err)
	}
	// The leaf copies the seed: one dispatch, none for a fill.
	if n := dev.Stats().Dispatches - before; n != 1 {
		t.Errorf("Backward of a scalar leaf ran %d dispatches, want 1 (the leaf's copy)", n)
	}
	s.Grad().CopyFrom(Scalar(7))
	x := FromSlice([]float32{1, 2, 3}).SetRequiresGrad(true)
	for range 3 {
		x.Mul(x).Sum().Backward()
		if got := x.Grad().Data(); !slices.Equal(got, []float32{2, 4, 6}) {
			t.Fatalf("d(Σx²)/dx = %v, want [2 4 6]", got)
		}
		x.Grad().CopyFrom(Full(-5, 3))
		x.ZeroGrad()
	}
	y := Scalar(3).SetRequiresGrad(true)
	y.MulScalar(2).Backward()
	if got := y.Grad().Item(); got != 2 {
		t.Fatalf("d(2y)/dy = %v after gradients were overwritten, want 2", got)
	}
}

// TestEmptyReductions: as in PyTorch, a sum over an empty dimension is 0
// (its gradient empty), a mean NaN, and a max or min an error naming the
// dimension.
func TestEmptyReductions(t *testing.T) {
	x := Zeros(0, 3).SetRequiresGrad(true)
	y := x.Sum(0)
	if !slices.Equal(y.Shape(), []int{3}) || !slices.Equal(y.Data(), []float32{0, 0, 0}) {
		t.Errorf("Zeros(0, 3).Sum(0) = %v %v, want [3] zeros", y.Shape(), y.Data())
	}
	y.Mul(Full(2, 3)).Sum().Backward()
	if g := x.Grad(); g == nil || !slices.Equal(g.Shape(), []int{0, 3}) {
		t.Errorf("gradient of an empty sum: %v, want shape [0 3]", g)
	}
	for _, c := range []struct {
		name string
		got  *Tensor
		want []float32
	}{
		{"Zeros(2, 0, 3).Sum(1)", Zeros(2, 0, 3).Sum(1), []float32{0, 0, 0, 0, 0, 0}},
		{"Zeros(2, 0).SumKeep(1)", Zeros(2, 0).SumKeep(1), []float32{0, 0}},
		{"Zeros(0).Sum()", Zeros(0).Sum(), []float32{0}},
	} {
		if !slices.Equal(c.got.Data(), c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got.Data(), c.want)
		}
	}
	for _, v := range Zeros(2, 0).Mean(1).Data() {
		if !math.IsNaN(float64(v)) {
			t.Errorf("Zeros(2, 0).Mean(1) holds %v, want NaN", v)
		}
	}
	mustPanic(t, "tensor: Max: cannot reduce empty dimension 1 of [2 0] (only a sum has a value over none: 0)", func() { Zeros(2, 0).Max(1) })
}

// TestEmptyBackward: ops over empty tensors record gradients of the same
// emptiness (zeros for what the empty part does not reach) instead of
// calling kernels with nothing to do: a softmax over an empty dimension,
// convolutions of an empty batch.
func TestEmptyBackward(t *testing.T) {
	for _, log := range []bool{false, true} {
		x := Zeros(2, 0).SetRequiresGrad(true)
		y := x.Softmax(1)
		if log {
			y = x.LogSoftmax(1)
		}
		y.Sum().Backward()
		if g := x.Grad(); !slices.Equal(g.Shape(), []int{2, 0}) {
			t.Errorf("softmax (log %v) of [2 0]: gradient %v", log, g.Shape())
		}
	}
	for _, transposed := range []bool{false, true} {
		x := Zeros(0, 2, 3, 3).SetRequiresGrad(true)
		w := Ones(2, 2, 2, 2).SetRequiresGrad(true)
		b := Ones(2).SetRequiresGrad(true)
		var y *Tensor
		if transposed {
			y = ConvTranspose2d(x, w, b, ConvTransposeOpts{})
		} else {
			y = Conv2d(x, w, b, ConvOpts{Act: ActRelu})
		}
		y.Sum().Backward()
		if !slices.Equal(x.Grad().Shape(), x.Shape()) {
			t.Errorf("transposed %v: input gradient %v, want %v", transposed, x.Grad().Shape(), x.Shape())
		}
		for name, g := range map[string]*Tensor{"weight": w.Grad(), "bias": b.Grad()} {
			for _, v := range g.Data() {
				if v != 0 {
					t.Errorf("transposed %v: %s gradient %v, want zeros", transposed, name, g.Data())
					break
				}
			}
		}
	}
	// Two vectors multiply to their dot product, a 0-d tensor.
	d := FromSlice([]float32{1, 2, 3}).MatMul(FromSlice([]float32{4, 5, 6}))
	if len(d.Shape()) != 0 || d.Item() != 32 {
		t.Errorf("[1 2 3]·[4 5 6] = %v of shape %v, want 32 of shape []", d.Data(), d.Shape())
	}
}
