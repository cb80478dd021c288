package main

import (
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"

	"github.com/tensorgl/tensorgl/device"
)

// kernelCase runs one kernel on small random inputs and returns its output.
// Errors are measured as |got − want| / max(1, |want|) against the CPU
// backend and must stay within tol.
type kernelCase struct {
	name string
	tol  float64
	run  func(h *harness) []float64
}

// harness gives a case deterministic inputs on one device.
type harness struct {
	d    device.Device
	rng  *rand.Rand
	bufs []device.Buffer
	err  error
}

func newHarness(d device.Device, name string) *harness {
	f := fnv.New64a()
	f.Write([]byte(name))
	return &harness{d: d, rng: rand.New(rand.NewPCG(f.Sum64(), 1))}
}

func (h *harness) alloc(dt device.DType, n int) device.Buffer {
	b := h.d.Alloc(dt, n)
	h.bufs = append(h.bufs, b)
	return b
}

// floats uploads n values uniform in [lo, hi).
func (h *harness) floats(n int, lo, hi float64) device.Buffer {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(lo + (hi-lo)*h.rng.Float64())
	}
	b := h.alloc(device.Float32, n)
	h.d.Write(b, v)
	return b
}

// indices uploads n indices uniform in [0, hi).
func (h *harness) indices(n, hi int) device.Buffer {
	v := make([]int32, n)
	for i := range v {
		v[i] = int32(h.rng.IntN(hi))
	}
	b := h.alloc(device.Int32, n)
	h.d.Write(b, v)
	return b
}

// filled allocates n Float32 elements set to v.
func (h *harness) filled(n int, v float32) device.Buffer {
	b := h.alloc(device.Float32, n)
	h.d.Fill(b, 0, n, v)
	return b
}

func (h *harness) read(b device.Buffer, n int) []float64 {
	out := make([]float64, n)
	if b.DType() == device.Int32 {
		v := make([]int32, n)
		h.keep(h.d.Read(b, v))
		for i, x := range v {
			out[i] = float64(x)
		}
		return out
	}
	v := make([]float32, n)
	h.keep(h.d.Read(b, v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func (h *harness) keep(err error) {
	if h.err == nil {
		h.err = err
	}
}

func (h *harness) release() {
	for _, b := range h.bufs {
		h.d.Free(b)
	}
	h.keep(h.d.Sync())
}

func st(b device.Buffer, off int, strides ...int) device.Strided {
	return device.Strided{Buf: b, Offset: off, Strides: strides}
}

// check runs every kernel case on the chosen device and on the CPU backend.
func check(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	name := fs.String("device", "auto", "device to check: gl, cpu or auto")
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := device.Open(*name)
	if err != nil {
		return err
	}
	defer d.Close()
	ref, err := device.Open("cpu")
	if err != nil {
		return err
	}
	defer ref.Close()
	fmt.Fprintf(w, "checking %s (%s, %s) against cpu\n", d.Info().Name, d.Info().Renderer, d.Info().Version)
	failed := 0
	for _, c := range cases() {
		got, want, err := runBoth(c, d, ref)
		worst := maxError(got, want)
		status := "PASS"
		switch {
		case err != nil:
			status = "FAIL"
			fmt.Fprintf(w, "%s %-28s %v\n", status, c.name, err)
			failed++
			continue
		case len(got) != len(want) || !(worst <= c.tol):
			status = "FAIL"
			failed++
		}
		fmt.Fprintf(w, "%s %-28s max error %.3g (tolerance %.0e)\n", status, c.name, worst, c.tol)
	}
	if failed > 0 {
		return fmt.Errorf("%d kernel(s) failed", failed)
	}
	fmt.Fprintln(w, "all kernels pass")
	return nil
}

func runBoth(c kernelCase, d, ref device.Device) (got, want []float64, err error) {
	hd, hr := newHarness(d, c.name), newHarness(ref, c.name)
	got, want = c.run(hd), c.run(hr)
	hd.release()
	hr.release()
	if hd.err != nil {
		return nil, nil, hd.err
	}
	if hr.err != nil {
		return nil, nil, fmt.Errorf("cpu reference: %w", hr.err)
	}
	return got, want, nil
}

// maxError is the largest |g − w| / max(1, |w|); matching NaNs and equal
// infinities count as exact, a length mismatch as +Inf.
func maxError(got, want []float64) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	worst := 0.0
	for i := range got {
		g, w := got[i], want[i]
		if g == w || math.IsNaN(g) && math.IsNaN(w) {
			continue
		}
		e := math.Abs(g-w) / math.Max(1, math.Abs(w))
		if math.IsNaN(e) {
			e = math.Inf(1)
		}
		worst = math.Max(worst, e)
	}
	return worst
}

// cases lists one check per kernel and op.
func cases() []kernelCase {
	var cs []kernelCase
	add := func(name string, tol float64, run func(h *harness) []float64) {
		cs = append(cs, kernelCase{name, tol, run})
	}
	add("fill/float32", 0, func(h *harness) []float64 {
		b := h.floats(50, -1, 1)
		h.d.Fill(b, 7, 30, 2.5)
		return h.read(b, 50)
	})
	add("fill/int32", 0, func(h *harness) []float64 {
		b := h.indices(20, 9)
		h.d.Fill(b, 3, 10, -4)
		return h.read(b, 20)
	})
	add("copy/permute", 0, func(h *harness) []float64 {
		src := h.floats(2+3*4*5, -1, 1)
		dst := h.filled(70, 0)
		h.d.Copy(dst, 5, st(src, 2, 1, 20, 5), []int{5, 3, 4})
		return h.read(dst, 70)
	})
	for _, op := range device.UnaryOps() {
		lo, hi := -3.0, 3.0
		switch op {
		case device.Log, device.Sqrt, device.Rsqrt, device.PowScalar:
			lo = 0.05
		case device.Recip:
			lo = 0.2
		}
		add("unary/"+op.String(), 2e-6, func(h *harness) []float64 {
			x := h.floats(3*37, lo, hi)
			y := h.alloc(device.Float32, 37*3)
			// A transposed walk of x.
			h.d.Unary(y, st(x, 0, 1, 3), device.UnaryParams{Op: op, A: 0.5, B: 1.5, Shape: []int{37, 3}})
			return h.read(y, 37*3)
		})
	}
	for _, op := range device.BinaryOps() {
		lo := -2.0
		if op == device.Pow {
			lo = 0.1
		}
		add("binary/"+op.String(), 2e-6, func(h *harness) []float64 {
			x := h.floats(4*9, lo, 2)
			y := h.floats(9, -2, 2)
			z := h.alloc(device.Float32, 4*9)
			// y broadcasts along rows; some y equal x for the comparisons.
			h.d.Copy(x, 0, st(y, 0, 0, 1), []int{1, 9})
			h.d.Binary(z, st(x, 0, 9, 1), st(y, 0, 0, 1), device.BinaryParams{Op: op, A: 0.1, Shape: []int{4, 9}})
			return h.read(z, 4*9)
		})
	}
	add("where", 0, func(h *harness) []float64 {
		c := h.indices(12, 2)
		x := h.floats(12, -1, 1)
		y := h.floats(3, -1, 1)
		z := h.alloc(device.Float32, 12)
		h.d.Where(z, st(c, 0, 3, 1), st(x, 0, 3, 1), st(y, 0, 0, 1), []int{4, 3})
		return h.read(z, 12)
	})
	for _, op := range device.ReduceOps() {
		add("reduce/"+op.String(), 1e-5, func(h *harness) []float64 {
			x := h.floats(3*301*2, -5, 5)
			dt := device.Float32
			if op == device.ArgMax || op == device.ArgMin {
				dt = device.Int32
			}
			y := h.alloc(dt, 6)
			h.d.Reduce(y, x, device.ReduceParams{Op: op, Outer: 3, N: 301, Inner: 2})
			return h.read(y, 6)
		})
	}
	for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
		add(fmt.Sprintf("matmul/transA=%v,transB=%v", tr[0], tr[1]), 1e-5, func(h *harness) []float64 {
			const b, m, n, k = 3, 67, 33, 45
			a := h.floats(1+b*m*k, -1, 1)
			bb := h.floats(n*k, -1, 1)
			c := h.floats(b*m*n+2, -1, 1)
			h.d.MatMul(c, a, bb, device.MatMulParams{Batch: b, M: m, N: n, K: k, TransA: tr[0], TransB: tr[1],
				Alpha: 0.5, Beta: 2, OffA: 1, OffC: 2, StrideA: m * k, StrideC: m * n})
			return h.read(c, b*m*n+2)
		})
	}
	conv := device.Conv2dParams{N: 2, C: 4, H: 9, W: 8, K: 6, R: 3, S: 2, StrideH: 2, StrideW: 1,
		PadH: 1, PadW: 1, DilH: 1, DilW: 2, Groups: 2}
	xn, wn, yn := conv.N*conv.C*conv.H*conv.W, conv.K*conv.C/conv.Groups*conv.R*conv.S, conv.N*conv.K*conv.OutH()*conv.OutW()
	add("conv2d", 1e-5, func(h *harness) []float64 {
		y := h.alloc(device.Float32, yn)
		h.d.Conv2d(y, h.floats(xn, -1, 1), h.floats(wn, -1, 1), conv)
		return h.read(y, yn)
	})
	add("conv2d/backward-input", 1e-5, func(h *harness) []float64 {
		dx := h.filled(xn, float32(math.NaN()))
		h.d.Conv2dBackwardInput(dx, h.floats(yn, -1, 1), h.floats(wn, -1, 1), conv)
		return h.read(dx, xn)
	})
	add("conv2d/backward-weight", 1e-5, func(h *harness) []float64 {
		dw := h.filled(wn, float32(math.NaN()))
		h.d.Conv2dBackwardWeight(dw, h.floats(xn, -1, 1), h.floats(yn, -1, 1), conv)
		return h.read(dw, wn)
	})
	for _, mode := range []device.PoolMode{device.MaxPool, device.AvgPool} {
		p := device.Pool2dParams{Mode: mode, N: 2, C: 3, H: 7, W: 6, KH: 3, KW: 2, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}
		xn, yn := p.N*p.C*p.H*p.W, p.N*p.C*p.OutH()*p.OutW()
		name := map[device.PoolMode]string{device.MaxPool: "max", device.AvgPool: "avg"}[mode]
		add("pool2d/"+name, 1e-6, func(h *harness) []float64 {
			y := h.alloc(device.Float32, yn)
			var idx device.Buffer
			if mode == device.MaxPool {
				idx = h.alloc(device.Int32, yn)
			}
			h.d.Pool2d(y, idx, h.floats(xn, -1, 1), p)
			out := h.read(y, yn)
			if idx != nil {
				out = append(out, h.read(idx, yn)...)
			}
			return out
		})
		add("pool2d/"+name+"/backward", 1e-6, func(h *harness) []float64 {
			y := h.alloc(device.Float32, yn)
			var idx device.Buffer
			if mode == device.MaxPool {
				idx = h.alloc(device.Int32, yn)
			}
			h.d.Pool2d(y, idx, h.floats(xn, -1, 1), p)
			dx := h.alloc(device.Float32, xn)
			h.d.Pool2dBackward(dx, h.floats(yn, -1, 1), idx, p)
			return h.read(dx, xn)
		})
	}
	for _, log := range []bool{false, true} {
		name := map[bool]string{false: "softmax", true: "logsoftmax"}[log]
		p := device.SoftmaxParams{Rows: 5, N: 203, Log: log}
		add(name, 1e-6, func(h *harness) []float64 {
			y := h.alloc(device.Float32, 5*203)
			h.d.Softmax(y, h.floats(5*203, -10, 10), p)
			return h.read(y, 5*203)
		})
		add(name+"/backward", 1e-6, func(h *harness) []float64 {
			y := h.alloc(device.Float32, 5*203)
			h.d.Softmax(y, h.floats(5*203, -10, 10), p)
			dx := h.alloc(device.Float32, 5*203)
			h.d.SoftmaxBackward(dx, y, h.floats(5*203, -1, 1), p)
			return h.read(dx, 5*203)
		})
	}
	gp := device.GatherParams{Outer: 3, N: 7, M: 11, Inner: 4}
	add("gather", 0, func(h *harness) []float64 {
		dst := h.alloc(device.Float32, 3*11*4)
		h.d.Gather(dst, h.floats(3*7*4, -1, 1), st(h.indices(3*11*4, 7), 0, 11*4, 4, 1), gp)
		return h.read(dst, 3*11*4)
	})
	add("scatter-add", 1e-6, func(h *harness) []float64 {
		dst := h.floats(3*7*4, -1, 1)
		h.d.ScatterAdd(dst, h.floats(3*11*4, -1, 1), st(h.indices(11, 7), 0, 0, 1, 0), gp)
		return h.read(dst, 3*7*4)
	})
	for _, dist := range []device.Distribution{device.Uniform, device.Normal, device.Bernoulli} {
		name := map[device.Distribution]string{device.Uniform: "uniform", device.Normal: "normal", device.Bernoulli: "bernoulli"}[dist]
		add("random/"+name, 1e-5, func(h *harness) []float64 {
			dst := h.alloc(device.Float32, 1000)
			h.d.Random(dst, device.RandomParams{Dist: dist, A: 0.3, B: 2, Seed: 0x0123456789abcdef, Offset: 1<<32 - 500})
			return h.read(dst, 1000)
		})
	}
	for _, nesterov := range []bool{false, true} {
		add(fmt.Sprintf("sgd/nesterov=%v", nesterov), 1e-6, func(h *harness) []float64 {
			p, g, buf := h.floats(300, -1, 1), h.floats(300, -1, 1), h.floats(300, -1, 1)
			sp := device.SGDParams{LR: 0.1, Momentum: 0.9, Dampening: 0.1, WeightDecay: 0.01, Nesterov: nesterov}
			h.d.SGDStep(p, g, buf, sp)
			return append(h.read(p, 300), h.read(buf, 300)...)
		})
	}
	for _, decoupled := range []bool{false, true} {
		add(fmt.Sprintf("adam/decoupled=%v", decoupled), 1e-5, func(h *harness) []float64 {
			p, g, m, v := h.floats(300, -1, 1), h.floats(300, -1, 1), h.floats(300, -1, 1), h.floats(300, 0, 1)
			h.d.AdamStep(p, g, m, v, device.AdamParams{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1, Decoupled: decoupled, Step: 3})
			return append(append(h.read(p, 300), h.read(m, 300)...), h.read(v, 300)...)
		})
	}
	return cs
}
