package bench

import (
	"math/rand/v2"
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

// kernelCase is one benchmark of one device.Device method at one size.
type kernelCase struct {
	method string // the device.Device method it times
	op     string // the Unary/Binary/Reduce op or Random distribution; "" for other methods
	size   string // the shape, named after the layer it comes from where there is one
	soft   bool   // small enough to run on a software renderer too
	work   work   // done by one call
	// setup allocates and initialises the operands in o and returns one call
	// of the kernel.
	setup func(o *operands) func()
}

// name is the last element of the benchmark name: the op, if any, and the size.
func (c kernelCase) name() string {
	if c.op == "" {
		return c.size
	}
	return c.op + "-" + c.size
}

// work is what one kernel call does; the benchmark turns each nonzero
// field into a rate.
type work struct {
	flops float64 // floating-point operations: GFLOP/s
	bytes float64 // bytes read plus bytes written, counted once: GB/s
	elems float64 // elements produced (or, for reductions, consumed): Gelem/s
}

// operands allocates a benchmark's buffers on one device and frees them
// together when the benchmark ends.
type operands struct {
	tb   testing.TB
	dev  device.Device
	bufs []device.Buffer
	seed uint64
	rng  *rand.Rand
}

func newOperands(tb testing.TB, dev device.Device) *operands {
	return &operands{tb: tb, dev: dev, rng: rand.New(rand.NewPCG(1, 2))}
}

func (o *operands) alloc(dt device.DType, n int) device.Buffer {
	b := o.dev.Alloc(dt, n)
	o.bufs = append(o.bufs, b)
	return b
}

// random returns n float32 drawn on the device from dist with parameters a, b.
func (o *operands) random(n int, dist device.Distribution, a, b float32) device.Buffer {
	buf := o.alloc(device.Float32, n)
	o.seed++
	o.dev.Random(buf, device.RandomParams{Dist: dist, A: a, B: b, Seed: o.seed})
	return buf
}

func (o *operands) uniform(n int, lo, hi float32) device.Buffer {
	return o.random(n, device.Uniform, lo, hi)
}

// inputs returns n float32 drawn on the host from an op's test domain, so
// each op runs on the values its conformance test feeds it.
func (o *operands) inputs(n int, d device.Domain) device.Buffer {
	buf := o.alloc(device.Float32, n)
	o.dev.Write(buf, d.Draw(o.rng, n))
	return buf
}

// indices returns n int32 drawn uniformly from [0, bound).
func (o *operands) indices(n, bound int) device.Buffer {
	idx := make([]int32, n)
	for i := range idx {
		idx[i] = int32(o.rng.IntN(bound))
	}
	buf := o.alloc(device.Int32, n)
	o.dev.Write(buf, idx)
	return buf
}

func (o *operands) free() {
	for _, b := range o.bufs {
		o.dev.Free(b)
	}
	o.bufs = nil
}

// contiguous describes a contiguous operand of the given shape.
func contiguous(b device.Buffer, shape ...int) device.Strided {
	return device.Strided{Buf: b, Strides: device.Contiguous(shape)}
}

// Sizes shared by many cases: element-wise kernels work on 1Mi elements,
// viewed as a 1024×1024 matrix where a shape is needed.
const (
	mi   = 1 << 20
	side = 1024
)

// kernelCases lists every kernel benchmark, grouped by method in the order
// of device.Device.
var kernelCases = buildKernelCases()

func buildKernelCases() []kernelCase {
	var cs []kernelCase
	add := func(c ...kernelCase) { cs = append(cs, c...) }
	elementwise := func(operands, outputs int) work {
		return work{bytes: float64(4 * (operands + outputs) * mi), elems: mi}
	}

	for _, n := range []struct {
		size string
		n    int
		soft bool
	}{{"4MiB", mi, true}, {"mnist-batch-64x784", 64 * 784, true}} {
		add(kernelCase{method: "Write", size: n.size, soft: n.soft, work: work{bytes: float64(4 * n.n)},
			setup: func(o *operands) func() {
				buf, src := o.alloc(device.Float32, n.n), make([]float32, n.n)
				return func() { o.dev.Write(buf, src) }
			}},
			kernelCase{method: "Read", size: n.size, soft: n.soft, work: work{bytes: float64(4 * n.n)},
				setup: func(o *operands) func() {
					buf, dst := o.uniform(n.n, 0, 1), make([]float32, n.n)
					return func() {
						if err := o.dev.Read(buf, dst); err != nil {
							o.tb.Fatal(err)
						}
					}
				}})
	}

	add(kernelCase{method: "Fill", size: "1Mi", soft: true, work: elementwise(0, 1),
		setup: func(o *operands) func() {
			dst := o.alloc(device.Float32, mi)
			return func() { o.dev.Fill(dst, 0, mi, 1.5) }
		}})

	// Copy: a plain contiguous copy, and a transpose, which reads with a
	// stride of 1024 elements.
	for _, c := range []struct {
		size    string
		strides []int
	}{{"contiguous-1024x1024", []int{side, 1}}, {"transpose-1024x1024", []int{1, side}}} {
		add(kernelCase{method: "Copy", size: c.size, soft: true, work: elementwise(1, 1),
			setup: func(o *operands) func() {
				src, dst := o.uniform(mi, -1, 1), o.alloc(device.Float32, mi)
				s := device.Strided{Buf: src, Strides: c.strides}
				return func() { o.dev.Copy(dst, 0, s, []int{side, side}) }
			}})
	}
	// Attention's heads laid out: [N, T, H, d] → [N, H, T, d] at the
	// Transformer step's sizes (N = T = 64, H = 4, d = 64), runs of d.
	add(kernelCase{method: "Copy", size: "heads-64x4x64x64", work: elementwise(1, 1),
		setup: func(o *operands) func() {
			src, dst := o.uniform(mi, -1, 1), o.alloc(device.Float32, mi)
			s := device.Strided{Buf: src, Strides: []int{64 * 4 * 64, 64, 4 * 64, 1}}
			return func() { o.dev.Copy(dst, 0, s, []int{64, 4, 64, 64}) }
		}})

	// Every op of the catalogue, on inputs from its test domain and with the
	// first parameters it is tested with.
	for _, op := range device.UnaryOps() {
		info := op.Info()
		ab := info.ParamSets()[0]
		add(kernelCase{method: "Unary", op: op.String(), size: "1Mi", soft: true, work: elementwise(1, 1),
			setup: func(o *operands) func() {
				src, dst := o.inputs(mi, info.Inputs[0]), o.alloc(device.Float32, mi)
				p := device.UnaryParams{Op: op, A: ab[0], B: ab[1], Shape: []int{side, side}}
				return func() { o.dev.Unary(dst, contiguous(src, side, side), p) }
			}})
	}

	for _, op := range device.BinaryOps() {
		info := op.Info()
		add(kernelCase{method: "Binary", op: op.String(), size: "1Mi", soft: true, work: elementwise(2, 1),
			setup: func(o *operands) func() {
				x, y, dst := o.inputs(mi, info.Inputs[0]), o.inputs(mi, info.Inputs[1]), o.alloc(device.Float32, mi)
				p := device.BinaryParams{Op: op, A: info.ParamSets()[0][0], Shape: []int{side, side}}
				return func() { o.dev.Binary(dst, contiguous(x, side, side), contiguous(y, side, side), p) }
			}})
	}
	// A bias add: y broadcasts along the rows (stride 0), as after a Linear layer.
	add(kernelCase{method: "Binary", op: "add", size: "bias-broadcast-4096x256", soft: true,
		work: work{bytes: float64(4 * (2*mi + 256)), elems: mi},
		setup: func(o *operands) func() {
			x, bias, dst := o.uniform(mi, -1, 1), o.uniform(256, -1, 1), o.alloc(device.Float32, mi)
			y := device.Strided{Buf: bias, Strides: []int{0, 1}}
			p := device.BinaryParams{Op: device.Add, Shape: []int{4096, 256}}
			return func() { o.dev.Binary(dst, contiguous(x, 4096, 256), y, p) }
		}})

	add(kernelCase{method: "Where", size: "1Mi", soft: true, work: elementwise(3, 1),
		setup: func(o *operands) func() {
			cond := o.random(mi, device.Bernoulli, 0.5, 0)
			x, y, dst := o.uniform(mi, -1, 1), o.uniform(mi, -1, 1), o.alloc(device.Float32, mi)
			return func() {
				o.dev.Where(dst, contiguous(cond, side, side), contiguous(x, side, side), contiguous(y, side, side), []int{side, side})
			}
		}})

	// A mean loss's gradient: one upstream value broadcast (stride 0).
	add(kernelCase{method: "BCEWithLogitsBackward", size: "1Mi", soft: true, work: elementwise(2, 1),
		setup: func(o *operands) func() {
			in := device.BCEWithLogits.Info().Inputs
			x, y, g, dst := o.inputs(mi, in[0]), o.inputs(mi, in[1]), o.uniform(1, 0.5, 1), o.alloc(device.Float32, mi)
			gs := device.Strided{Buf: g, Strides: []int{0, 0}}
			return func() {
				o.dev.BCEWithLogitsBackward(dst, contiguous(x, side, side), contiguous(y, side, side), gs, []int{side, side}, 1.0/mi)
			}
		}})

	// Reduce: every op along rows (the reduced axis is innermost); Sum also
	// down columns (the reduced axis is outermost), as in a linear layer's
	// bias gradient, and over axes 0, 2 and 3 of [N K H W], as in a
	// convolution's, in one pass.
	reduce := func(op device.ReduceOp, size string, p device.ReduceParams) kernelCase {
		p.Op = op
		out, _ := p.Len()
		in := 1
		for _, s := range p.Shape {
			in *= s
		}
		return kernelCase{method: "Reduce", op: op.String(), size: size, soft: true,
			work: work{bytes: float64(4 * (in + out)), elems: float64(in)},
			setup: func(o *operands) func() {
				dt := device.Float32
				if op == device.ArgMax || op == device.ArgMin {
					dt = device.Int32
				}
				src, dst := o.inputs(in, op.Info().Inputs[0]), o.alloc(dt, out)
				return func() { o.dev.Reduce(dst, src, p) }
			}}
	}
	for _, op := range device.ReduceOps() {
		add(reduce(op, "rows-1024x1024", device.ReduceAxis(op, side, side, 1)))
	}
	add(reduce(device.Sum, "columns-1024x1024", device.ReduceAxis(device.Sum, 1, side, side)))
	add(reduce(device.Sum, "conv-bias-16x64x32x32", device.ReduceParams{Shape: []int{16, 64, 32, 32}, Axes: []int{0, 2, 3}}))
	// The MLP's first layer's bias gradient as a Reduce of its own (what
	// MatMul's mlp-dw-bias-grad case sums beside the weight gradient).
	add(reduce(device.Sum, "mlp-bias-grad-64x128", device.ReduceAxis(device.Sum, 1, 64, 128)))

	// MatMul: a square product, the three products of the MLP's first layer
	// (784→128) at batch 64 — forward y = x·Wᵀ, dx = dy·W, dW = dyᵀ·x — the
	// forward with the layer's bias and ReLU fused in, the weight gradient
	// with the bias gradient (dyᵀ's row sums, Epilogue.BiasGrad), and a
	// batched product.
	for _, m := range []struct {
		size string
		soft bool
		p    device.MatMulParams
		epi  epilogueKind
	}{
		{"512x512x512", false, device.MatMulParams{Batch: 1, M: 512, N: 512, K: 512}, 0},
		{"256x256x256", true, device.MatMulParams{Batch: 1, M: 256, N: 256, K: 256}, 0},
		{"mlp-forward-64x128x784", true, device.MatMulParams{Batch: 1, M: 64, N: 128, K: 784, TransB: true}, 0},
		{"mlp-forward-bias-relu-64x128x784", true, device.MatMulParams{Batch: 1, M: 64, N: 128, K: 784, TransB: true}, epiBiasRelu},
		{"mlp-dx-64x784x128", true, device.MatMulParams{Batch: 1, M: 64, N: 784, K: 128}, 0},
		{"mlp-dw-128x784x64", true, device.MatMulParams{Batch: 1, M: 128, N: 784, K: 64, TransA: true}, 0},
		{"mlp-dw-bias-grad-128x784x64", true, device.MatMulParams{Batch: 1, M: 128, N: 784, K: 64, TransA: true}, epiBiasGrad},
		{"batch32-128x128x128", true, device.MatMulParams{Batch: 32, M: 128, N: 128, K: 128}, 0},
	} {
		add(matMulCase(m.size, m.soft, m.p, m.epi))
	}

	// Convolutions: LeNet's two layers at batch 64 and 3×3 layers of a
	// CIFAR ResNet at batch 32 (its first stage) and 2 (its first and last;
	// on llvmpipe too), each forward and both backward passes, and
	// LeNet's layers forward with their bias and ReLU fused in.
	convs := []struct {
		size string
		soft bool
		p    device.Conv2dParams
		epi  bool // forward only: add a bias and apply ReLU in the epilogue
	}{
		{"lenet1-64x1x28x28-k6-5x5-pad2", true, device.Conv2dParams{N: 64, C: 1, H: 28, W: 28, K: 6, R: 5, S: 5, PadH: 2, PadW: 2}, false},
		{"lenet2-64x6x14x14-k16-5x5", true, device.Conv2dParams{N: 64, C: 6, H: 14, W: 14, K: 16, R: 5, S: 5}, false},
		{"resnet-32x64x32x32-k64-3x3-pad1", false, device.Conv2dParams{N: 32, C: 64, H: 32, W: 32, K: 64, R: 3, S: 3, PadH: 1, PadW: 1}, false},
		{"resnet-2x64x32x32-k64-3x3-pad1", true, device.Conv2dParams{N: 2, C: 64, H: 32, W: 32, K: 64, R: 3, S: 3, PadH: 1, PadW: 1}, false},
		{"resnet-2x512x4x4-k512-3x3-pad1", true, device.Conv2dParams{N: 2, C: 512, H: 4, W: 4, K: 512, R: 3, S: 3, PadH: 1, PadW: 1}, false},
		{"lenet1-bias-relu-64x1x28x28-k6-5x5-pad2", true, device.Conv2dParams{N: 64, C: 1, H: 28, W: 28, K: 6, R: 5, S: 5, PadH: 2, PadW: 2}, true},
		{"lenet2-bias-relu-64x6x14x14-k16-5x5", true, device.Conv2dParams{N: 64, C: 6, H: 14, W: 14, K: 16, R: 5, S: 5}, true},
	}
	for _, method := range []string{"Conv2d", "Conv2dBackwardInput", "Conv2dBackwardWeight"} {
		for _, c := range convs {
			if c.epi && method != "Conv2d" {
				continue
			}
			p := c.p
			p.StrideH, p.StrideW, p.DilH, p.DilW, p.Groups = 1, 1, 1, 1, 1
			nx, ny, nw := p.N*p.C*p.H*p.W, p.N*p.K*p.OutH()*p.OutW(), p.K*p.C/p.Groups*p.R*p.S
			add(kernelCase{method: method, size: c.size, soft: c.soft,
				work: work{flops: 2 * float64(p.N*p.K*p.C/p.Groups*p.R*p.S*p.OutH()*p.OutW())},
				setup: func(o *operands) func() {
					x, y, w := o.uniform(nx, -1, 1), o.uniform(ny, -1, 1), o.uniform(nw, -1, 1)
					switch method {
					case "Conv2d":
						var e device.Epilogue
						if c.epi {
							e = device.Epilogue{Bias: o.uniform(p.K, -1, 1), Act: device.ActRelu}
						}
						return func() { o.dev.Conv2d(y, x, w, e, p) }
					case "Conv2dBackwardInput":
						return func() { o.dev.Conv2dBackwardInput(x, y, w, device.Epilogue{}, p) }
					}
					return func() { o.dev.Conv2dBackwardWeight(w, nil, x, y, p) }
				}})
		}
	}

	// Pooling: LeNet's 2×2 pools at batch 64, max and average.
	pools := []struct {
		size string
		p    device.Pool2dParams
	}{
		{"max-lenet1-64x6x28x28", device.Pool2dParams{Mode: device.MaxPool, N: 64, C: 6, H: 28, W: 28}},
		{"max-lenet2-64x16x10x10", device.Pool2dParams{Mode: device.MaxPool, N: 64, C: 16, H: 10, W: 10}},
		{"avg-lenet1-64x6x28x28", device.Pool2dParams{Mode: device.AvgPool, N: 64, C: 6, H: 28, W: 28}},
	}
	for _, backward := range []bool{false, true} {
		for _, c := range pools {
			p := c.p
			p.KH, p.KW, p.StrideH, p.StrideW = 2, 2, 2, 2
			nx, ny := p.N*p.C*p.H*p.W, p.N*p.C*p.OutH()*p.OutW()
			moved := nx + ny // input and output
			if p.Mode == device.MaxPool {
				moved += ny // the argmax indices, written forward and read backward
			}
			method := "Pool2d"
			if backward {
				method = "Pool2dBackward"
			}
			add(kernelCase{method: method, size: c.size, soft: true,
				work: work{bytes: float64(4 * moved), elems: float64(ny)},
				setup: func(o *operands) func() {
					x, y := o.uniform(nx, -1, 1), o.alloc(device.Float32, ny)
					var idx device.Buffer
					if p.Mode == device.MaxPool {
						idx = o.alloc(device.Int32, ny)
					}
					o.dev.Pool2d(y, idx, x, p) // the indices the backward pass reads
					if backward {
						return func() { o.dev.Pool2dBackward(x, y, idx, p) }
					}
					return func() { o.dev.Pool2d(y, idx, x, p) }
				}})
		}
	}

	// Softmax over a classifier's logits (64×10, latency-bound) and over
	// long rows.
	softmaxes := []struct {
		size string
		p    device.SoftmaxParams
	}{
		{"log-classifier-64x10", device.SoftmaxParams{Rows: 64, N: 10, Log: true}},
		{"log-1024x1024", device.SoftmaxParams{Rows: side, N: side, Log: true}},
		{"1024x1024", device.SoftmaxParams{Rows: side, N: side}},
		// Attention's probabilities: 64 sequences × 4 heads × 64 queries
		// over 64 keys.
		{"attention-16384x64", device.SoftmaxParams{Rows: 16384, N: 64}},
	}
	for _, s := range softmaxes {
		n := s.p.Rows * s.p.N
		add(kernelCase{method: "Softmax", size: s.size, soft: true,
			work: work{bytes: float64(4 * 2 * n), elems: float64(n)},
			setup: func(o *operands) func() {
				src, dst := o.uniform(n, -4, 4), o.alloc(device.Float32, n)
				return func() { o.dev.Softmax(dst, src, s.p) }
			}},
			kernelCase{method: "SoftmaxBackward", size: s.size, soft: true,
				work: work{bytes: float64(4 * 3 * n), elems: float64(n)},
				setup: func(o *operands) func() {
					src, y, dy, dx := o.uniform(n, -4, 4), o.alloc(device.Float32, n), o.uniform(n, -1, 1), o.alloc(device.Float32, n)
					o.dev.Softmax(y, src, s.p)
					return func() { o.dev.SoftmaxBackward(dx, y, dy, s.p) }
				}})
	}

	// Batch normalisation: a small BatchNorm2d (latency-bound), the first
	// ResNet-18 stage's [128 64 32 32] and the last's [128 512 4 4] (short
	// rows); bytes count each operand once.
	bns := []struct {
		size        string
		n, c, inner int
		soft        bool
	}{
		{"8x16x8x8", 8, 16, 64, true},
		{"128x64x32x32", 128, 64, 32 * 32, false},
		{"128x512x4x4", 128, 512, 4 * 4, false},
	}
	for _, c := range bns {
		n := c.n * c.c * c.inner
		p := device.BatchNormParams{N: c.n, C: c.c, Inner: c.inner, Eps: 1e-5, Momentum: 0.1, Track: true}
		add(kernelCase{method: "BatchNormStats", size: c.size, soft: c.soft,
			work: work{bytes: float64(4 * n), elems: float64(n)},
			setup: func(o *operands) func() {
				x, mean, invstd := o.uniform(n, -2, 2), o.alloc(device.Float32, c.c), o.alloc(device.Float32, c.c)
				rm, rv := o.uniform(c.c, -1, 1), o.uniform(c.c, 0.5, 2)
				return func() { o.dev.BatchNormStats(mean, invstd, rm, rv, x, p) }
			}},
			kernelCase{method: "BatchNorm", size: c.size, soft: c.soft,
				work: work{bytes: float64(4 * 2 * n), elems: float64(n)},
				setup: func(o *operands) func() {
					x, y, mean, invstd := o.uniform(n, -2, 2), o.alloc(device.Float32, n), o.uniform(c.c, -1, 1), o.uniform(c.c, 0.5, 2)
					w, b := o.uniform(c.c, -1, 1), o.uniform(c.c, -1, 1)
					return func() { o.dev.BatchNorm(y, x, mean, invstd, w, b, nil, p) }
				}},
			kernelCase{method: "BatchNormBackwardReduce", size: c.size, soft: c.soft,
				work: work{bytes: float64(4 * 2 * n), elems: float64(n)},
				setup: func(o *operands) func() {
					x, dy, mean, invstd := o.uniform(n, -2, 2), o.uniform(n, -1, 1), o.uniform(c.c, -1, 1), o.uniform(c.c, 0.5, 2)
					dw, db := o.alloc(device.Float32, c.c), o.alloc(device.Float32, c.c)
					return func() { o.dev.BatchNormBackwardReduce(dw, db, dy, x, mean, invstd, nil, nil, p) }
				}},
			kernelCase{method: "BatchNormBackward", size: c.size, soft: c.soft,
				work: work{bytes: float64(4 * 3 * n), elems: float64(n)},
				setup: func(o *operands) func() {
					x, dy, dx := o.uniform(n, -2, 2), o.uniform(n, -1, 1), o.alloc(device.Float32, n)
					mean, invstd, w := o.uniform(c.c, -1, 1), o.uniform(c.c, 0.5, 2), o.uniform(c.c, -1, 1)
					dw, db := o.uniform(c.c, -1, 1), o.uniform(c.c, -1, 1)
					return func() { o.dev.BatchNormBackward(dx, dy, x, mean, invstd, w, dw, db, p) }
				}})
	}

	// Layer normalisation: a small one (latency-bound) and the Transformer
	// language model's [64·64 tokens, 256]; bytes count each operand once.
	lns := []struct {
		size       string
		rows, cols int
		soft       bool
	}{
		{"64x32", 64, 32, true},
		{"4096x256", 4096, 256, true},
	}
	for _, c := range lns {
		n := c.rows * c.cols
		p := device.LayerNormParams{Rows: c.rows, Cols: c.cols, Eps: 1e-5}
		add(kernelCase{method: "LayerNorm", size: c.size, soft: c.soft,
			work: work{bytes: float64(4 * 2 * n), elems: float64(n)},
			setup: func(o *operands) func() {
				x, y, mean, rstd := o.uniform(n, -2, 2), o.alloc(device.Float32, n), o.alloc(device.Float32, c.rows), o.alloc(device.Float32, c.rows)
				w, b := o.uniform(c.cols, -1, 1), o.uniform(c.cols, -1, 1)
				return func() { o.dev.LayerNorm(y, mean, rstd, x, w, b, p) }
			}},
			kernelCase{method: "LayerNormBackward", size: c.size, soft: c.soft,
				work: work{bytes: float64(4 * 3 * n), elems: float64(n)},
				setup: func(o *operands) func() {
					x, dy, dx := o.uniform(n, -2, 2), o.uniform(n, -1, 1), o.alloc(device.Float32, n)
					mean, rstd, w := o.uniform(c.rows, -1, 1), o.uniform(c.rows, 0.5, 2), o.uniform(c.cols, -1, 1)
					dw, db := o.alloc(device.Float32, c.cols), o.alloc(device.Float32, c.cols)
					return func() { o.dev.LayerNormBackward(dx, dw, db, dy, x, mean, rstd, w, p) }
				}})
	}

	// The recurrent cells: one time step of a character model's layer
	// (latency-bound) and of a wide one; bytes count each operand once.
	cells := []struct {
		size          string
		batch, hidden int
	}{
		{"64x256", 64, 256},
		{"256x1024", 256, 1024},
	}
	for _, c := range cells {
		n := c.batch * c.hidden
		lp := device.LSTMCellParams{Batch: c.batch, Hidden: c.hidden}
		gp := device.GRUCellParams{Batch: c.batch, Hidden: c.hidden}
		add(kernelCase{method: "LSTMCell", size: c.size, soft: true,
			work: work{bytes: float64(4 * (4*n + 4*n + 3*n)), elems: float64(n)},
			setup: func(o *operands) func() {
				h, cs, gates, prev := o.alloc(device.Float32, n), o.alloc(device.Float32, n), o.uniform(4*n, -4, 4), o.uniform(n, -2, 2)
				return func() { o.dev.LSTMCell(h, cs, gates, prev, lp) }
			}},
			kernelCase{method: "LSTMCellBackward", size: c.size, soft: true,
				work: work{bytes: float64(4 * (4*n + 4*n + 5*n)), elems: float64(n)},
				setup: func(o *operands) func() {
					gates, cs, prev := o.uniform(4*n, 0, 1), o.uniform(n, -2, 2), o.uniform(n, -2, 2)
					dh, dc, dgates := o.uniform(n, -1, 1), o.uniform(n, -1, 1), o.alloc(device.Float32, 4*n)
					return func() { o.dev.LSTMCellBackward(dgates, dc, dh, dc, gates, cs, prev, lp) }
				}},
			kernelCase{method: "GRUCell", size: c.size, soft: true,
				work: work{bytes: float64(4 * (3*n + 3*n + n + 4*n + n)), elems: float64(n)},
				setup: func(o *operands) func() {
					x, hh, prev := o.uniform(3*n, -4, 4), o.uniform(3*n, -4, 4), o.uniform(n, -1, 1)
					h, gates := o.alloc(device.Float32, n), o.alloc(device.Float32, 4*n)
					return func() { o.dev.GRUCell(h, gates, x, hh, prev, gp) }
				}},
			kernelCase{method: "GRUCellBackward", size: c.size, soft: true,
				work: work{bytes: float64(4 * (4*n + n + n + 3*n + 3*n + n)), elems: float64(n)},
				setup: func(o *operands) func() {
					gates, prev, dh := o.uniform(4*n, 0, 1), o.uniform(n, -1, 1), o.uniform(n, -1, 1)
					dx, dhh, dprev := o.alloc(device.Float32, 3*n), o.alloc(device.Float32, 3*n), o.alloc(device.Float32, n)
					return func() { o.dev.GRUCellBackward(dx, dhh, dprev, dh, gates, prev, gp) }
				}})
	}

	// Whole LSTM steps, product and cell: a step of a small layer (64 rows
	// of 128 units) and of the language model's (64 rows of 512); flops
	// count the products, 2·B·4H·H.
	steps := []struct {
		size          string
		soft          bool
		batch, hidden int
	}{
		{"64x128", true, 64, 128},
		{"64x512", false, 64, 512},
	}
	for _, c := range steps {
		n, hd := c.batch*c.hidden, c.hidden
		lp := device.LSTMCellParams{Batch: c.batch, Hidden: hd, OffDNext: 4 * n}
		flops := float64(2 * c.batch * 4 * hd * hd)
		add(kernelCase{method: "LSTMStep", size: c.size, soft: c.soft,
			work: work{flops: flops, elems: float64(n)},
			setup: func(o *operands) func() {
				h, cs, gates := o.alloc(device.Float32, n), o.alloc(device.Float32, n), o.alloc(device.Float32, 4*n)
				xw, prev, cPrev := o.uniform(4*n, -2, 2), o.uniform(n, -1, 1), o.uniform(n, -2, 2)
				whh := o.uniform(4*hd*hd, -0.1, 0.1)
				return func() { o.dev.LSTMStep(h, cs, gates, xw, prev, whh, cPrev, lp) }
			}},
			kernelCase{method: "LSTMStepBackward", size: c.size, soft: c.soft,
				work: work{flops: flops, elems: float64(n)},
				setup: func(o *operands) func() {
					dgates, g, dc := o.uniform(8*n, -1, 1), o.uniform(n, -1, 1), o.uniform(n, -1, 1)
					gates, cs, prev := o.uniform(4*n, 0, 1), o.uniform(n, -2, 2), o.uniform(n, -2, 2)
					whh := o.uniform(4*hd*hd, -0.1, 0.1)
					return func() { o.dev.LSTMStepBackward(dgates, dc, g, whh, gates, cs, prev, lp) }
				}})
	}

	// Whole GRU steps, product and cell, at the same sizes; flops count the
	// products, 2·B·3H·H.
	for _, c := range steps {
		n, hd := c.batch*c.hidden, c.hidden
		gp := device.GRUCellParams{Batch: c.batch, Hidden: hd, OffDNext: 3 * n}
		flops := float64(2 * c.batch * 3 * hd * hd)
		add(kernelCase{method: "GRUStep", size: c.size, soft: c.soft,
			work: work{flops: flops, elems: float64(n)},
			setup: func(o *operands) func() {
				h, gates := o.alloc(device.Float32, n), o.alloc(device.Float32, 4*n)
				xw, prev := o.uniform(3*n, -2, 2), o.uniform(n, -1, 1)
				whh, bhh := o.uniform(3*hd*hd, -0.1, 0.1), o.uniform(3*hd, -0.1, 0.1)
				return func() { o.dev.GRUStep(h, gates, xw, prev, whh, bhh, gp) }
			}},
			kernelCase{method: "GRUStepBackward", size: c.size, soft: c.soft,
				work: work{flops: flops, elems: float64(n)},
				setup: func(o *operands) func() {
					dx, dhh, g, dh := o.alloc(device.Float32, 3*n), o.uniform(6*n, -1, 1), o.uniform(n, -1, 1), o.uniform(n, -1, 1)
					gates, prev := o.uniform(4*n, 0, 1), o.uniform(n, -1, 1)
					whh := o.uniform(3*hd*hd, -0.1, 0.1)
					return func() { o.dev.GRUStepBackward(dx, dhh, dh, g, whh, gates, prev, gp) }
				}})
	}

	// Whole LSTM and GRU recurrences: a short one of a small layer (8
	// steps of 64 rows of 128 units), the rows model's width over 64 steps
	// (one dispatch each way on hardware, see device/gl's RecurrenceEnv)
	// and the language model's layer (64 steps of 64 rows of 512); flops
	// count the products, 2·B·gH·H a step for g gates.
	seqs := []struct {
		size string
		soft bool
		p    device.RecurrenceParams
	}{
		{"8x64x128", true, device.RecurrenceParams{Steps: 8, Batch: 64, Hidden: 128}},
		{"64x64x128", false, device.RecurrenceParams{Steps: 64, Batch: 64, Hidden: 128}},
		{"64x64x512", false, device.RecurrenceParams{Steps: 64, Batch: 64, Hidden: 512}},
	}
	for _, c := range seqs {
		p, hd := c.p, c.p.Hidden
		bh, sbh := p.Batch*hd, p.Steps*p.Batch*hd
		flops := func(gates int) float64 { return float64(2 * p.Steps * p.Batch * gates * hd * hd) }
		add(kernelCase{method: "LSTM", size: c.size, soft: c.soft,
			work: work{flops: flops(4), elems: float64(sbh)},
			setup: func(o *operands) func() {
				y, gates := o.alloc(device.Float32, 2*sbh), o.alloc(device.Float32, 4*sbh)
				xw, h0, c0 := o.uniform(4*sbh, -2, 2), o.uniform(bh, -1, 1), o.uniform(bh, -2, 2)
				whh := o.uniform(4*hd*hd, -0.1, 0.1)
				return func() { o.dev.LSTM(y, gates, xw, whh, h0, c0, p) }
			}},
			kernelCase{method: "LSTMBackward", size: c.size, soft: c.soft,
				work: work{flops: flops(4), elems: float64(sbh)},
				setup: func(o *operands) func() {
					dgates, dc, g := o.alloc(device.Float32, 4*sbh), o.alloc(device.Float32, bh), o.uniform(2*sbh, -1, 1)
					gates, y, c0 := o.uniform(4*sbh, 0, 1), o.uniform(2*sbh, -2, 2), o.uniform(bh, -2, 2)
					whh := o.uniform(4*hd*hd, -0.1, 0.1)
					return func() { o.dev.LSTMBackward(dgates, dc, g, whh, gates, y, c0, p) }
				}},
			kernelCase{method: "GRU", size: c.size, soft: c.soft,
				work: work{flops: flops(3), elems: float64(sbh)},
				setup: func(o *operands) func() {
					y, gates := o.alloc(device.Float32, sbh), o.alloc(device.Float32, 4*sbh)
					xw, h0 := o.uniform(3*sbh, -2, 2), o.uniform(bh, -1, 1)
					whh, bhh := o.uniform(3*hd*hd, -0.1, 0.1), o.uniform(3*hd, -0.1, 0.1)
					return func() { o.dev.GRU(y, gates, xw, whh, bhh, h0, p) }
				}},
			kernelCase{method: "GRUBackward", size: c.size, soft: c.soft,
				work: work{flops: flops(3), elems: float64(sbh)},
				setup: func(o *operands) func() {
					dx, dhh, dh, g := o.alloc(device.Float32, 3*sbh), o.alloc(device.Float32, 3*sbh), o.alloc(device.Float32, bh), o.uniform(sbh, -1, 1)
					gates, y, h0 := o.uniform(4*sbh, 0, 1), o.uniform(sbh, -1, 1), o.uniform(bh, -1, 1)
					whh := o.uniform(3*hd*hd, -0.1, 0.1)
					return func() { o.dev.GRUBackward(dx, dhh, dh, g, whh, gates, y, h0, p) }
				}})
	}

	// Whole Elman recurrences: the character model's layer (64 steps of 64
	// rows of 128 tanh units) and a short wide one; flops count the
	// products, 2·B·H² a step.
	elmans := []struct {
		size string
		soft bool
		p    device.ElmanParams
	}{
		{"64x64x128-tanh", true, device.ElmanParams{Steps: 64, Batch: 64, Hidden: 128, Act: device.ActTanh}},
		{"16x256x512-relu", false, device.ElmanParams{Steps: 16, Batch: 256, Hidden: 512, Act: device.ActRelu}},
	}
	for _, c := range elmans {
		p, n := c.p, c.p.Steps*c.p.Batch*c.p.Hidden
		flops := float64(2 * p.Steps * p.Batch * p.Hidden * p.Hidden)
		add(kernelCase{method: "Elman", size: c.size, soft: c.soft,
			work: work{flops: flops, elems: float64(n)},
			setup: func(o *operands) func() {
				y, xw, h0 := o.alloc(device.Float32, n), o.uniform(n, -1, 1), o.uniform(p.Batch*p.Hidden, -1, 1)
				whh := o.uniform(p.Hidden*p.Hidden, -0.1, 0.1)
				return func() { o.dev.Elman(y, xw, whh, h0, p) }
			}},
			kernelCase{method: "ElmanBackward", size: c.size, soft: c.soft,
				work: work{flops: flops, elems: float64(n)},
				setup: func(o *operands) func() {
					dz, g, y := o.alloc(device.Float32, n), o.uniform(n, -1, 1), o.uniform(n, -1, 1)
					whh := o.uniform(p.Hidden*p.Hidden, -0.1, 0.1)
					return func() { o.dev.ElmanBackward(dz, g, whh, y, p) }
				}})
	}

	// CrossEntropy: a classifier's loss (64×10, latency-bound, as in the MLP
	// step: mean reduction), the character model's head (64 steps of 64
	// streams over 96 symbols) and long rows with weights and label
	// smoothing.
	xents := []struct {
		size string
		p    device.CrossEntropyParams
	}{
		{"classifier-64x10", device.CrossEntropyParams{Rows: 64, N: 10, Mean: true}},
		{"charlm-4096x96", device.CrossEntropyParams{Rows: 4096, N: 96, Mean: true}},
		{"weighted-smooth-1024x1024", device.CrossEntropyParams{Rows: side, N: side, Smoothing: 0.1, Weighted: true, Mean: true}},
	}
	for _, s := range xents {
		n := s.p.Rows * s.p.N
		add(kernelCase{method: "CrossEntropy", size: s.size, soft: true,
			work: work{bytes: float64(4 * (n + 2*s.p.Rows)), elems: float64(n)},
			setup: func(o *operands) func() {
				x, t, w, loss := o.uniform(n, -4, 4), o.indices(s.p.Rows, s.p.N), o.uniform(s.p.N, 0.5, 2), o.alloc(device.Float32, s.p.Rows)
				return func() { o.dev.CrossEntropy(loss, x, t, w, s.p) }
			}},
			kernelCase{method: "CrossEntropyBackward", size: s.size, soft: true,
				work: work{bytes: float64(4 * (2*n + s.p.Rows)), elems: float64(n)},
				setup: func(o *operands) func() {
					x, t, w, dx := o.uniform(n, -4, 4), o.indices(s.p.Rows, s.p.N), o.uniform(s.p.N, 0.5, 2), o.alloc(device.Float32, n)
					g := device.Strided{Buf: o.uniform(1, 1, 1), Strides: []int{0}}
					return func() { o.dev.CrossEntropyBackward(dx, x, t, w, g, s.p) }
				}})
	}

	// Gather/ScatterAdd: cross-entropy's pick of the target logit (64×10 →
	// 64×1, torch.gather strides) and embedding lookups (index-select
	// strides): 4096 tokens of width 128 from a 50000-row table, and a small
	// one. The large one runs on software renderers too now that GL's
	// ScatterAdd goes through buckets (it took 85 s per call on llvmpipe
	// when it scanned every index for every output row).
	gathers := []struct {
		size    string
		soft    bool
		p       device.GatherParams
		strides []int
	}{
		{"pick-64x10", true, device.GatherParams{Outer: 64, N: 10, M: 1, Inner: 1}, []int{1, 1, 1}},
		{"embedding-4096x128-of-50000", true, device.GatherParams{Outer: 1, N: 50000, M: 4096, Inner: 128}, []int{0, 1, 0}},
		{"embedding-512x64-of-1000", true, device.GatherParams{Outer: 1, N: 1000, M: 512, Inner: 64}, []int{0, 1, 0}},
	}
	for _, g := range gathers {
		p := g.p
		nsrc, ndst, nidx := p.Outer*p.N*p.Inner, p.Outer*p.M*p.Inner, p.Outer*p.M
		if g.strides[2] != 0 {
			nidx *= p.Inner
		}
		add(kernelCase{method: "Gather", size: g.size, soft: g.soft,
			work: work{bytes: float64(4 * (2*ndst + nidx)), elems: float64(ndst)},
			setup: func(o *operands) func() {
				table, out := o.uniform(nsrc, -1, 1), o.alloc(device.Float32, ndst)
				idx := device.Strided{Buf: o.indices(nidx, p.N), Strides: g.strides}
				return func() { o.dev.Gather(out, table, idx, p) }
			}},
			// ScatterAdd reads each gathered row, and reads and writes the
			// row of dst it adds into.
			kernelCase{method: "ScatterAdd", size: g.size, soft: g.soft,
				work: work{bytes: float64(4 * (3*ndst + nidx)), elems: float64(ndst)},
				setup: func(o *operands) func() {
					grad, src := o.uniform(nsrc, -1, 1), o.uniform(ndst, -1, 1)
					idx := device.Strided{Buf: o.indices(nidx, p.N), Strides: g.strides}
					return func() { o.dev.ScatterAdd(grad, src, idx, p) }
				}})
	}

	for _, dist := range device.Distributions() {
		ab := dist.Info().ParamSets()[0]
		add(kernelCase{method: "Random", op: dist.String(), size: "1Mi", soft: true, work: elementwise(0, 1),
			setup: func(o *operands) func() {
				dst := o.alloc(device.Float32, mi)
				p := device.RandomParams{Dist: dist, A: ab[0], B: ab[1]}
				return func() {
					p.Offset += mi // fresh numbers each call, as a dropout mask would draw
					o.dev.Random(dst, p)
				}
			}})
	}

	// Dropout's forward: the mask drawn and applied to x in one pass, the
	// mask kept (as for the backward) or not.
	drop := device.ScaledBernoulli.Info().ParamSets()[0]
	for _, keep := range []bool{true, false} {
		name, outputs := "dropout-mask", 2
		if !keep {
			name, outputs = "dropout", 1
		}
		add(kernelCase{method: "RandomMul", op: name, size: "1Mi", soft: true, work: elementwise(1, outputs),
			setup: func(o *operands) func() {
				x, y := o.uniform(mi, -1, 1), o.alloc(device.Float32, mi)
				var mask device.Buffer
				if keep {
					mask = o.alloc(device.Float32, mi)
				}
				p := device.RandomParams{Dist: device.ScaledBernoulli, A: drop[0], B: drop[1]}
				return func() {
					p.Offset += mi
					o.dev.RandomMul(y, mask, device.Strided{Buf: x, Strides: []int{1}}, device.Strided{}, []int{mi}, p)
				}
			}})
	}

	// Optimizer steps over one 1Mi-element tensor and over the parameter
	// groups of the example models (one call updates the whole group);
	// bytes count every operand read and every one written back.
	mlpGroup := []int{784 * 128, 128, 128 * 64, 64, 64 * 10, 10}
	lenetGroup := []int{6 * 25, 6, 16 * 6 * 25, 16, 120 * 256, 120, 84 * 120, 84, 10 * 84, 10}
	groupWork := func(sizes []int, operands, outputs int) work {
		n := 0
		for _, s := range sizes {
			n += s
		}
		return work{bytes: float64(4 * (operands + outputs) * n), elems: float64(n)}
	}
	sgd := func(sizes []int, p device.SGDParams) func(o *operands) func() {
		return func(o *operands) func() {
			ts := make([]device.SGDTensor, len(sizes))
			for i, n := range sizes {
				ts[i] = device.SGDTensor{Param: o.uniform(n, -1, 1), Grad: o.uniform(n, -1e-3, 1e-3), N: n, FirstStep: true}
				if p.Momentum != 0 {
					ts[i].Buf = o.alloc(device.Float32, n)
				}
			}
			o.dev.SGDStep(ts, p) // initialises the momentum buffers
			for i := range ts {
				ts[i].FirstStep = false
			}
			return func() { o.dev.SGDStep(ts, p) }
		}
	}
	adam := func(sizes []int) func(o *operands) func() {
		return func(o *operands) func() {
			ts := make([]device.AdamTensor, len(sizes))
			for i, n := range sizes {
				ts[i] = device.AdamTensor{Param: o.uniform(n, -1, 1), Grad: o.uniform(n, -1e-3, 1e-3),
					M: o.alloc(device.Float32, n), V: o.alloc(device.Float32, n), N: n, Step: 1}
				o.dev.Fill(ts[i].M, 0, n, 0)
				o.dev.Fill(ts[i].V, 0, n, 0)
			}
			p := device.AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
			return func() {
				o.dev.AdamStep(ts, p)
				for i := range ts {
					ts[i].Step++
				}
			}
		}
	}
	plain, momentum := device.SGDParams{LR: 0.01}, device.SGDParams{LR: 0.01, Momentum: 0.9}
	add(kernelCase{method: "SGDStep", size: "1Mi", soft: true, work: groupWork([]int{mi}, 2, 1), setup: sgd([]int{mi}, plain)},
		kernelCase{method: "SGDStep", size: "momentum-1Mi", soft: true, work: groupWork([]int{mi}, 3, 2), setup: sgd([]int{mi}, momentum)},
		kernelCase{method: "SGDStep", size: "mlp", soft: true, work: groupWork(mlpGroup, 2, 1), setup: sgd(mlpGroup, plain)},
		kernelCase{method: "SGDStep", size: "momentum-lenet", soft: true, work: groupWork(lenetGroup, 3, 2), setup: sgd(lenetGroup, momentum)},
		kernelCase{method: "AdamStep", size: "1Mi", soft: true, work: groupWork([]int{mi}, 4, 3), setup: adam([]int{mi})},
		kernelCase{method: "AdamStep", size: "mlp", soft: true, work: groupWork(mlpGroup, 4, 3), setup: adam(mlpGroup)})

	// Gradient clipping's two kernels over a group's gradients: the norm's
	// square and the scaling, by a factor just below 1 (0.999997), so every
	// element is written and a million calls leave the values far from the
	// subnormals, which a CPU multiplies slowly.
	spans := func(o *operands, sizes []int) []device.Span {
		ts := make([]device.Span, len(sizes))
		for i, n := range sizes {
			ts[i] = device.Span{Buf: o.uniform(n, -1, 1), N: n}
		}
		return ts
	}
	for _, g := range []struct {
		size  string
		sizes []int
	}{{"1Mi", []int{mi}}, {"mlp", mlpGroup}} {
		add(kernelCase{method: "SumSquares", size: g.size, soft: true, work: groupWork(g.sizes, 1, 0),
			setup: func(o *operands) func() {
				ts, dst := spans(o, g.sizes), o.alloc(device.Float32, 1)
				return func() { o.dev.SumSquares(dst, nil, ts) }
			}},
			kernelCase{method: "ClipScale", size: g.size, soft: true, work: groupWork(g.sizes, 1, 1),
				setup: func(o *operands) func() {
					ts, sq := spans(o, g.sizes), o.uniform(1, 1.000004, 1.000004)
					return func() { o.dev.ClipScale(ts, sq, 1) }
				}})
	}
	return cs
}

// epilogueKind is what a MatMul case's epilogue does besides the product.
type epilogueKind int

const (
	epiBiasRelu epilogueKind = 1 + iota // add a bias and apply ReLU
	epiBiasGrad                         // sum op(A)'s rows (Epilogue.BiasGrad)
)

// matMulCase is the case of the product p (Batch, M, N, K and the
// transpose flags set) of densely packed operands, C = A·B.
func matMulCase(size string, soft bool, p device.MatMulParams, epi epilogueKind) kernelCase {
	p.Alpha = 1
	p.StrideA, p.StrideB, p.StrideC = p.M*p.K, p.K*p.N, p.M*p.N
	return kernelCase{method: "MatMul", size: size, soft: soft,
		work: work{flops: 2 * float64(p.Batch) * float64(p.M) * float64(p.N) * float64(p.K)},
		setup: func(o *operands) func() {
			a, b := o.uniform(p.Batch*p.M*p.K, -1, 1), o.uniform(p.Batch*p.K*p.N, -1, 1)
			c := o.alloc(device.Float32, p.Batch*p.M*p.N)
			var e device.Epilogue
			switch epi {
			case epiBiasRelu:
				e = device.Epilogue{Bias: o.uniform(p.N, -1, 1), Act: device.ActRelu}
			case epiBiasGrad:
				e = device.Epilogue{BiasGrad: o.alloc(device.Float32, p.Batch*p.M)}
			}
			return func() { o.dev.MatMul(c, a, b, e, p) }
		}}
}

// BenchmarkKernel times every kernel case on every device that opens, as
// BenchmarkKernel/<Method>/<device>/<size>. A software renderer runs only
// the cases marked soft.
func BenchmarkKernel(b *testing.B) {
	devs, note := openDevices()
	b.Log(note)
	var methods []string
	byMethod := map[string][]kernelCase{}
	for _, c := range kernelCases {
		if byMethod[c.method] == nil {
			methods = append(methods, c.method)
		}
		byMethod[c.method] = append(byMethod[c.method], c)
	}
	for _, m := range methods {
		b.Run(m, func(b *testing.B) {
			for _, d := range devs {
				b.Run(d.label, func(b *testing.B) {
					for _, c := range byMethod[m] {
						if c.soft || !d.soft {
							b.Run(c.name(), func(b *testing.B) { runKernel(b, d.dev, c) })
						}
					}
				})
			}
		})
	}
}

// runKernel times b.N calls of c's kernel, including the time the device
// takes to finish them, and reports c's rates.
func runKernel(b *testing.B, dev device.Device, c kernelCase) {
	o := newOperands(b, dev)
	defer o.free()
	call := c.setup(o)
	call() // warm-up: compiles the shader variant, fills the buffer pool
	if err := dev.Sync(); err != nil {
		b.Fatalf("%s: %v", c.method, err)
	}
	b.ResetTimer()
	for range b.N {
		call()
	}
	err := dev.Sync()
	b.StopTimer()
	if err != nil {
		b.Fatalf("%s: %v", c.method, err)
	}
	perCall := b.Elapsed().Seconds() / float64(b.N)
	for _, r := range []struct {
		amount float64
		unit   string
	}{{c.work.flops, "GFLOP/s"}, {c.work.bytes, "GB/s"}, {c.work.elems, "Gelem/s"}} {
		if r.amount > 0 {
			b.ReportMetric(r.amount/perCall/1e9, r.unit)
		}
	}
}
