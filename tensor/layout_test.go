package tensor

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

// TestReshapeViews reshapes random views (permuted, narrowed, expanded) to
// random shapes of as many elements and checks that Reshape keeps the
// elements in order and returns a view exactly where one exists: where
// the source's element offsets, in row-major order, are an affine function
// of the new shape's indices (found here by brute force).
func TestReshapeViews(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	views := 0
	for i := range 300 {
		x := randView(rng)
		target := factorShape(rng, x.NumEl())
		r := x.Reshape(target...)
		if !slices.Equal(r.Data(), x.Data()) {
			t.Fatalf("case %d: %v (strides %v) reshaped to %v: %v, want %v", i, x.shape, x.strides, target, r.Data(), x.Data())
		}
		want := affineOffsets(elementOffsets(x), target)
		if got := r.st == x.st; got != want {
			t.Fatalf("case %d: %v (strides %v) reshaped to %v: a view %v, want %v", i, x.shape, x.strides, target, got, want)
		}
		if want {
			views++
		}
	}
	if views < 100 || views > 250 {
		t.Fatalf("%d of 300 reshapes were views: the cases do not test both ways", views)
	}
	// An attention's heads merged back: a view of the transposed tensor.
	x := Zeros(4, 3, 8).Transpose(0, 1).Unflatten(2, 2, 4) // [3 4 2 4]
	if x.Reshape(3, 4, 8).st != x.st {
		t.Fatal("merging heads of a transposed tensor copied it")
	}
	rng2 := rand.New(rand.NewPCG(2, 9))
	gradCheck(t, "Reshape of a transposed view", func(xs ...*Tensor) *Tensor {
		return xs[0].Transpose(0, 1).Reshape(3, 2, 4).Square()
	}, input(rng2, -1, 1, 2, 3, 4))
}

// factorShape returns a random shape of up to four dimensions holding n
// elements, with some of size 1.
func factorShape(rng *rand.Rand, n int) []int {
	var shape []int
	for len(shape) < 3 && n > 1 {
		var divs []int
		for d := 1; d <= n; d++ {
			if n%d == 0 {
				divs = append(divs, d)
			}
		}
		d := divs[rng.IntN(len(divs))]
		shape = append(shape, d)
		n /= d
	}
	return append(shape, n)
}

// elementOffsets returns the storage offset of each element of x in
// row-major order.
func elementOffsets(x *Tensor) []int {
	var out []int
	idx := make([]int, len(x.shape))
	for range device.NumElements(x.shape) {
		off := x.offset
		for d, i := range idx {
			off += i * x.strides[d]
		}
		out = append(out, off)
		for d := len(idx) - 1; d >= 0; d-- {
			if idx[d]++; idx[d] < x.shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	return out
}

// affineOffsets reports whether offs, the elements' offsets in row-major
// order, are offs[0] + Σ idx[d]·s[d] over the indices idx of shape for
// some strides s.
func affineOffsets(offs []int, shape []int) bool {
	if len(offs) == 0 {
		return true
	}
	s := make([]int, len(shape))
	step := 1
	for d := len(shape) - 1; d >= 0; d-- {
		if shape[d] > 1 {
			s[d] = offs[step] - offs[0]
		}
		step *= shape[d]
	}
	idx := make([]int, len(shape))
	for _, off := range offs {
		want := offs[0]
		for d, i := range idx {
			want += i * s[d]
		}
		if off != want {
			return false
		}
		for d := len(idx) - 1; d >= 0; d-- {
			if idx[d]++; idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	return true
}

// TestHeadsInPlace runs attention's products on heads that are views of
// [L, N, E] tensors, as nn.MultiheadAttention takes them: the products
// read each head in place (its rows N·E apart), and the gradients come
// back laid out as the heads, so that the views pass them back to the
// [L, N, E] leaves without a copy. Against the same products on
// contiguous heads: the same kernels, the same bits, forward and back; and
// the gradients against finite differences.
func TestHeadsInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	const l, n, h, d = 5, 3, 2, 4
	heads := func(x *Tensor) *Tensor { return x.Transpose(0, 1).Unflatten(2, h, d).Permute(0, 2, 1, 3) }
	attend := func(q, k, v *Tensor) *Tensor { return q.MatMul(k.Transpose(2, 3)).Softmax(-1).MatMul(v) }
	vals := inputs(rng, [][]int{{l, n, h * d}, {l, n, h * d}, {l, n, h * d}})
	w := input(rng, -1, 1, n, h, l, d)
	run := func(inPlace bool) (out []float32, grads [][]float32, kernels int64) {
		var ps []*Tensor
		for _, v := range vals {
			if !inPlace {
				v = heads(v).Contiguous()
			}
			ps = append(ps, v.Detach().SetRequiresGrad(true))
		}
		Tidy(func(s *Scope) {
			kernels = kernelsIn(t, func() {
				qs := slices.Clone(ps)
				if inPlace {
					for i := range qs {
						qs[i] = heads(qs[i])
					}
				}
				y := attend(qs[0], qs[1], qs[2])
				out = y.Data()
				y.Mul(w).Sum().Backward()
			})
		})
		for _, p := range ps {
			g := p.Grad()
			if inPlace {
				if !g.IsContiguous() {
					t.Fatalf("a head's leaf got a gradient with strides %v", g.strides)
				}
				g = heads(g)
			}
			grads = append(grads, g.Data())
		}
		return out, grads, kernels
	}
	run(false) // the first Backward makes its seed's constant
	wantOut, want, wantKernels := run(false)
	gotOut, got, gotKernels := run(true)
	sameBits(t, "heads in place", "on contiguous heads", [][]float32{gotOut}, [][]float32{wantOut})
	sameBits(t, "heads in place", "on contiguous heads", got, want)
	if gotKernels != wantKernels {
		t.Errorf("heads in place: %d kernels, %d on contiguous heads", gotKernels, wantKernels)
	}
	gradCheck(t, "heads in place", func(xs ...*Tensor) *Tensor {
		return attend(heads(xs[0]), heads(xs[1]), heads(xs[2]))
	}, vals[0].Clone(), vals[1].Clone(), vals[2].Clone())
}

// TestMatMulReadsRowsApart: a matrix whose rows lie apart (a slice of
// columns) is read in place, by one kernel, with the bits of its
// contiguous copy's product; its gradient is the copy's.
func TestMatMulReadsRowsApart(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	x, w := input(rng, -1, 1, 6, 9), input(rng, -1, 1, 3, 4)
	cols := x.Narrow(1, 2, 4) // [6 4], rows 9 apart
	for _, c := range []struct {
		name string
		f    func(a *Tensor) *Tensor
	}{
		{"MatMul", func(a *Tensor) *Tensor { return a.MatMul(w.T()) }},
		{"MatMul transposed", func(a *Tensor) *Tensor { return w.MatMul(a.T()) }},
		{"Linear", func(a *Tensor) *Tensor { return Linear(a, w, nil, Activation{}) }},
	} {
		want := c.f(cols.Contiguous()).Data()
		var y *Tensor
		if k := kernelsIn(t, func() { y = c.f(cols) }); k != 1 {
			t.Errorf("%s of a slice of columns: %d kernels, want 1", c.name, k)
		}
		sameBits(t, c.name, "of the contiguous copy", [][]float32{y.Data()}, [][]float32{want})
		gradCheck(t, c.name+" of a slice of columns", func(xs ...*Tensor) *Tensor {
			return c.f(xs[0].Narrow(1, 2, 4))
		}, x.Clone())
	}
}

// TestMatMulScaled: alpha·(t·o) in one kernel, against a float64
// reference, and its gradients those of the same products scaled.
func TestMatMulScaled(t *testing.T) {
	rng := rand.New(rand.NewPCG(45, 46))
	a, b := input(rng, -1, 1, 3, 5, 7), input(rng, -1, 1, 3, 6, 7)
	const alpha = 0.125 // a power of two: alpha·Σ rounds as Σ does
	var y *Tensor
	if k := kernelsIn(t, func() { y = a.MatMulScaled(b.Transpose(1, 2), alpha) }); k != 1 {
		t.Errorf("MatMulScaled: %d kernels, want 1", k)
	}
	ad, bd, got := a.Data(), b.Data(), y.Data()
	for bt := range 3 {
		for i := range 5 {
			for j := range 6 {
				var sum, abs float64
				for k := range 7 {
					p := float64(ad[(bt*5+i)*7+k]) * float64(bd[(bt*6+j)*7+k])
					sum, abs = sum+p, abs+math.Abs(p)
				}
				g := float64(got[(bt*5+i)*6+j])
				if math.Abs(g-alpha*sum) > alpha*abs*9*0x1p-24 {
					t.Fatalf("MatMulScaled [%d %d %d] = %v, want %v", bt, i, j, g, alpha*sum)
				}
			}
		}
	}
	// The gradients: alpha times MatMul's, to the bit (alpha a power of two).
	grads := func(scaled bool) [][]float32 {
		ps := leaves([]*Tensor{a, b})
		Tidy(func(s *Scope) {
			var y *Tensor
			if scaled {
				y = ps[0].MatMulScaled(ps[1].Transpose(1, 2), alpha)
			} else {
				y = ps[0].MatMul(ps[1].Transpose(1, 2)).MulScalar(alpha)
			}
			y.Square().Sum().Backward()
		})
		return gradData(ps)
	}
	sameBits(t, "MatMulScaled", "scaling MatMul after", grads(true), grads(false))
}

// kernelsIn returns how many kernels the default device ran for f.
func kernelsIn(t *testing.T, f func()) int64 {
	t.Helper()
	dev := DefaultDevice()
	if err := dev.Sync(); err != nil { // GL counts dispatches as its queue runs
		t.Fatal(err)
	}
	before := dev.Stats().Dispatches
	f()
	if err := dev.Sync(); err != nil {
		t.Fatal(err)
	}
	return dev.Stats().Dispatches - before
}

// TestNarrowGrad checks a Narrow's gradient on random views (permuted,
// narrowed, expanded) against zeros with g's values where the Narrow read, and that
// it lies in the input's own layout where the narrowed dimension is the
// input's outermost (a batch-first view's time step of a time-major
// sequence: no copy of the whole is needed after it).
func TestNarrowGrad(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	own := 0
	for i := range 300 {
		x := randView(rng)
		d := rng.IntN(len(x.shape))
		start := rng.IntN(x.shape[d] + 1)
		length := rng.IntN(x.shape[d] - start + 1)
		gshape := slices.Clone(x.shape)
		gshape[d] = length
		g := Arange(1, float32(device.NumElements(gshape))+1, 1).Reshape(gshape...)
		if rng.IntN(2) == 0 && len(gshape) > 1 { // g itself a transposed view
			g = g.Transpose(0, len(gshape)-1).Contiguous().Transpose(0, len(gshape)-1)
		}
		r := narrowGrad(g, x.shape, x.strides, d, start)
		if !slices.Equal(r.shape, x.shape) {
			t.Fatalf("case %d: gradient %v for input %v", i, r.shape, x.shape)
		}
		want := Zeros(x.shape...)
		if length > 0 {
			want = Cat(d, Zeros(withDim(x.shape, d, start)...), g.Contiguous(), Zeros(withDim(x.shape, d, x.shape[d]-start-length)...))
		}
		if got, w := r.Data(), want.Data(); !slices.Equal(got, w) {
			t.Fatalf("case %d: Narrow(%d, %d, %d) of %v (strides %v): gradient %v, want %v", i, d, start, length, x.shape, x.strides, got, w)
		}
		// Where d is x's outermost dimension of more than one element, the
		// gradient's strides order the dimensions as x's do.
		outer := true
		for e := range x.shape {
			if e != d && x.shape[e] > 1 && x.strides[e] > x.strides[d] {
				outer = false
			}
		}
		if outer && x.shape[d] > 1 {
			own++
			for a := range x.shape {
				for b := range x.shape {
					if x.shape[a] > 1 && x.shape[b] > 1 && x.strides[a] > x.strides[b] && r.strides[a] <= r.strides[b] {
						t.Fatalf("case %d: Narrow(%d) of %v (strides %v): gradient strides %v, not in the input's order", i, d, x.shape, x.strides, r.strides)
					}
				}
			}
		}
	}
	if own < 30 {
		t.Fatalf("%d of 300 cases narrowed the outermost dimension: too few to test the layout", own)
	}
	// A batch-first view of a time-major sequence, its last step: the
	// gradient, transposed back, is contiguous.
	seqGrad := narrowGrad(Ones(4, 1, 6), []int{4, 5, 6}, Zeros(5, 4, 6).Transpose(0, 1).strides, 1, 4)
	if !seqGrad.Transpose(0, 1).IsContiguous() {
		t.Fatalf("the last step's gradient of a batch-first view has strides %v; want the time-major sequence's layout", seqGrad.strides)
	}
}

// randView is a random view of up to 4 dimensions of up to 4 elements
// each, holding Arange's values: permuted, and at random narrowed by one
// element along a dimension or expanded along one of size 1.
func randView(rng *rand.Rand) *Tensor {
	shape := make([]int, 1+rng.IntN(4))
	for d := range shape {
		shape[d] = 1 + rng.IntN(4)
	}
	x := Arange(0, float32(device.NumElements(shape)), 1).Reshape(shape...)
	x = x.Permute(rng.Perm(len(shape))...)
	if d := rng.IntN(len(shape)); rng.IntN(3) == 0 && x.shape[d] > 1 {
		x = x.Narrow(d, 1, x.shape[d]-1)
	}
	if d := rng.IntN(len(shape)); rng.IntN(4) == 0 && x.shape[d] == 1 {
		to := slices.Clone(x.shape)
		to[d] = 3
		x = x.Expand(to...)
	}
	return x
}

// withDim is shape with dimension d set to n.
func withDim(shape []int, d, n int) []int {
	s := slices.Clone(shape)
	s[d] = n
	return s
}
