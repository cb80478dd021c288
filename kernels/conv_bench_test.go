package kernels

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// BenchmarkConv2d times the three convolution passes on LeNet-5's layers
// for a batch of 64 Fashion-MNIST images, and on a CIFAR ResNet-18's 3×3
// layers (and a 1×1 shortcut) for a batch of 32 (bench/results/conv_torch.py
// times PyTorch on the same shapes).
func BenchmarkConv2d(b *testing.B) {
	rng := rand.New(rand.NewPCG(11, 11))
	for _, c := range slices.Concat([]namedConv{
		{"lenet1", Conv2dGeom{N: 64, C: 1, H: 28, W: 28, K: 6, R: 5, S: 5, StrideH: 1, StrideW: 1, PadH: 2, PadW: 2, DilH: 1, DilW: 1, Groups: 1}},
		{"lenet2", Conv2dGeom{N: 64, C: 6, H: 14, W: 14, K: 16, R: 5, S: 5, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, Groups: 1}},
	}, resnet3x3, []namedConv{{"resnet-1x1s2", resnetConv(128, 256, 16, 1, 2)}}) {
		passes, flops := convPasses(rng, c.g)
		for _, pass := range passes {
			b.Run(fmt.Sprintf("%s/%s", c.name, pass.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					pass.run()
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkConv2dBackwardWeight times the weight gradients of a CIFAR
// ResNet-18's 3×3 layers at batch 32 and at the training step's batch of
// 128, where the images' planes no longer stay in cache between chunks of
// filters (wgradPixGroup), and of direct layers of few channels, where
// wgradLanes decides how they run.
func BenchmarkConv2dBackwardWeight(b *testing.B) {
	rng := rand.New(rand.NewPCG(14, 14))
	geom := squareConv
	for _, g := range []Conv2dGeom{
		geom(64, 6, 14, 16, 5, 0), geom(20, 6, 14, 16, 5, 0), geom(5, 6, 14, 16, 5, 0), geom(1, 6, 14, 16, 5, 0),
		geom(32, 3, 32, 16, 3, 1), geom(32, 16, 16, 16, 3, 1), geom(8, 16, 8, 16, 3, 1),
		geom(32, 8, 28, 32, 5, 2), geom(16, 3, 64, 8, 7, 3),
	} {
		x := randSlice(rng, g.N*g.C*g.H*g.W, 1)
		w := make([]float32, g.K*g.C*g.R*g.S)
		dy := randSlice(rng, g.N*g.K*g.OH*g.OW, 1)
		flops := 2 * float64(g.N*g.K*g.OH*g.OW*g.C*g.R*g.S)
		b.Run(fmt.Sprintf("direct/n%d-c%d-h%d-k%d-r%d-p%d", g.N, g.C, g.H, g.K, g.R, g.PadH), func(b *testing.B) {
			for b.Loop() {
				Conv2dBackwardWeight(w, x, dy, g)
			}
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
	for _, c := range resnet3x3 {
		for _, n := range []int{32, 128} {
			g := c.g
			g.N = n
			g = withOut(g)
			x := randSlice(rng, g.N*g.C*g.H*g.W, 1)
			w := make([]float32, g.K*g.C*g.R*g.S)
			dy := randSlice(rng, g.N*g.K*g.OH*g.OW, 1)
			flops := 2 * float64(g.N*g.K*g.OH*g.OW*g.C*g.R*g.S)
			b.Run(fmt.Sprintf("%s/b%d", c.name, n), func(b *testing.B) {
				for b.Loop() {
					Conv2dBackwardWeight(w, x, dy, g)
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkConv2dBatch8 times the three passes of every convolution
// shape in a CIFAR ResNet-18 at the training step's smallest batch, 8:
// the 3×3 layers, the 1×1 stride-2 shortcuts and the 3→64 stem
// (bench/results/conv_torch.py --batch 8 times PyTorch on the same
// shapes).
func BenchmarkConv2dBatch8(b *testing.B) {
	rng := rand.New(rand.NewPCG(16, 16))
	for _, c := range slices.Concat(resnet3x3, []namedConv{
		{"resnet-1x1s2", resnetConv(128, 256, 16, 1, 2)},
		{"resnet-1x1s2b", resnetConv(64, 128, 32, 1, 2)},
		{"resnet-1x1s2c", resnetConv(256, 512, 8, 1, 2)},
		{"stem", resnetConv(3, 64, 32, 3, 1)},
	}) {
		c.g.N = 8
		passes, flops := convPasses(rng, c.g)
		for _, pass := range passes {
			b.Run(fmt.Sprintf("%s/%s", c.name, pass.name), func(b *testing.B) {
				for b.Loop() {
					pass.run()
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkConv2dSmallPlanes times the forward and backward-input passes
// of a CIFAR ResNet's layers into 4×4 planes at batches 8 to 128: where
// the small-plane kernels (directSmall), F(2×2, 3×3) and the GEMM take
// turns.
func BenchmarkConv2dSmallPlanes(b *testing.B) {
	rng := rand.New(rand.NewPCG(16, 18))
	for _, c := range resnet3x3 {
		if c.g.H/c.g.StrideH != 4 { // the layers into 4×4 planes
			continue
		}
		for _, n := range []int{8, 16, 32, 64, 128} {
			g := c.g
			g.N = n
			passes, flops := convPasses(rng, g)
			for _, pass := range passes[:2] {
				b.Run(fmt.Sprintf("%s-b%d/%s", c.name, n, pass.name), func(b *testing.B) {
					for b.Loop() {
						pass.run()
					}
					b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

// BenchmarkConv2dBatch1 times the forward and backward-input passes of
// convolutions on one image (inference, or a batch smaller than the
// threads): a CIFAR ResNet-18's stride-1 3×3 layers, a 32-channel 28×28
// one and LeNet's two.
func BenchmarkConv2dBatch1(b *testing.B) {
	rng := rand.New(rand.NewPCG(16, 17))
	lenet := func(c, k, h int) Conv2dGeom {
		return Conv2dGeom{C: c, H: h, W: h, K: k, R: 5, S: 5, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, Groups: 1}
	}
	for _, c := range slices.Concat(resnet3x3[:4], []namedConv{
		{"32x28x28", resnetConv(32, 32, 28, 3, 1)},
		{"lenet-1", lenet(1, 6, 28)},
		{"lenet-2", lenet(6, 16, 14)},
	}) {
		c.g.N = 1
		passes, flops := convPasses(rng, c.g)
		for _, pass := range passes[:2] {
			b.Run(fmt.Sprintf("%s/%s", c.name, pass.name), func(b *testing.B) {
				for b.Loop() {
					pass.run()
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// namedConv is a benchmarked convolution and its name.
type namedConv struct {
	name string
	g    Conv2dGeom
}

// resnet3x3 are a CIFAR ResNet-18's 3×3 convolutions at batch 32, one of
// each shape.
var resnet3x3 = []namedConv{
	{"resnet-64", resnetConv(64, 64, 32, 3, 1)},
	{"resnet-128", resnetConv(128, 128, 16, 3, 1)},
	{"resnet-256", resnetConv(256, 256, 8, 3, 1)},
	{"resnet-512", resnetConv(512, 512, 4, 3, 1)},
	{"resnet-128s2", resnetConv(64, 128, 32, 3, 2)},
	{"resnet-256s2", resnetConv(128, 256, 16, 3, 2)},
	{"resnet-512s2", resnetConv(256, 512, 8, 3, 2)},
}

// resnetConv is a ResNet layer's convolution at batch 32: c to k channels,
// an h×h input, an r×r filter padded to keep the size, the stride given.
func resnetConv(c, k, h, r, stride int) Conv2dGeom {
	return Conv2dGeom{N: 32, C: c, H: h, W: h, K: k, R: r, S: r, StrideH: stride, StrideW: stride,
		PadH: r / 2, PadW: r / 2, DilH: 1, DilW: 1, Groups: 1}
}

// BenchmarkMaxPool2d times LeNet's two 2×2 max pools at batch 64, forward
// and backward: 6 planes of 28×28 an image, and 16 of 10×10.
func BenchmarkMaxPool2d(b *testing.B) {
	for _, s := range []struct {
		name   string
		planes int
		h, w   int
	}{{"lenet1", 64 * 6, 28, 28}, {"lenet2", 64 * 16, 10, 10}} {
		g := Pool2dGeom{H: s.h, W: s.w, OH: s.h / 2, OW: s.w / 2, KH: 2, KW: 2, StrideH: 2, StrideW: 2}
		rng := rand.New(rand.NewPCG(12, 12))
		x := randSlice(rng, s.planes*g.H*g.W, 1)
		y := make([]float32, s.planes*g.OH*g.OW)
		idx := make([]int32, len(y))
		b.Run(s.name+"/fwd", func(b *testing.B) {
			for b.Loop() {
				MaxPool2d(y, idx, x, s.planes, g)
			}
			b.ReportMetric(float64(len(x))*float64(b.N)/b.Elapsed().Seconds()/1e6, "Minputs/s")
		})
		b.Run(s.name+"/bwd", func(b *testing.B) {
			for b.Loop() {
				MaxPool2dBackward(x, y, idx, s.planes, g)
			}
			b.ReportMetric(float64(len(x))*float64(b.N)/b.Elapsed().Seconds()/1e6, "Minputs/s")
		})
	}
}

// BenchmarkBinary times a broadcast bias add over a conv activation.
func BenchmarkBinary(b *testing.B) {
	shape := []int{64, 6, 28, 28}
	rng := rand.New(rand.NewPCG(13, 13))
	x := randSlice(rng, numElements(shape), 1)
	bias := randSlice(rng, 6, 1)
	dst := make([]float32, len(x))
	for b.Loop() {
		Binary(Add, 0, dst, Strided[float32]{x, 0, []int{6 * 784, 784, 28, 1}}, Strided[float32]{bias, 0, []int{0, 1, 0, 0}}, shape)
	}
	b.ReportMetric(float64(len(x))*float64(b.N)/b.Elapsed().Seconds()/1e6, "Melem/s")
}

// BenchmarkConv2dPacking times the three passes of layers off LeNet's and
// ResNet's beaten path, packing from im2col copies and from the images
// (convImplicitAlways), where Conv2dGeom.implicit's choices were measured:
// a DCGAN's second layer (8→16, 4×4 stride 2, 7×7 outputs), 8×8 layers
// of two groups of 16, of 64 and 128 channels, 4×4 planes 96→32 and
// stride-1 layers whose rows are not whole vectors (12×12 of 96, 14×14
// of 256 channels).
func BenchmarkConv2dPacking(b *testing.B) {
	rng := rand.New(rand.NewPCG(11, 11))
	for _, c := range []struct {
		name string
		g    Conv2dGeom
	}{
		{"dcgan2-8to16-s2", Conv2dGeom{N: 64, C: 8, H: 14, W: 14, K: 16, R: 4, S: 4, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1}},
		{"32-8x8-g2", Conv2dGeom{N: 64, C: 32, H: 8, W: 8, K: 32, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 2}},
		{"64-8x8", Conv2dGeom{N: 64, C: 64, H: 8, W: 8, K: 64, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1}},
		{"128-8x8", Conv2dGeom{N: 32, C: 128, H: 8, W: 8, K: 128, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1}},
		{"96to32-4x4", Conv2dGeom{N: 64, C: 96, H: 4, W: 4, K: 32, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1}},
		{"96-12x12", Conv2dGeom{N: 32, C: 96, H: 12, W: 12, K: 96, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1}},
		{"256-14x14", Conv2dGeom{N: 16, C: 256, H: 14, W: 14, K: 256, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1}},
	} {
		g := withOut(c.g)
		x := randSlice(rng, g.N*g.C*g.H*g.W, 1)
		w := randSlice(rng, g.K*g.C/g.Groups*g.R*g.S, 1)
		y := randSlice(rng, g.N*g.K*g.OH*g.OW, 1)
		flops := 2 * float64(g.N*g.K*g.OH*g.OW*g.C/g.Groups*g.R*g.S)
		for _, pass := range []string{"fwd", "bwd-input", "bwd-weight"} {
			for _, mode := range []string{"im2col", "implicit"} {
				b.Run(fmt.Sprintf("%s/%s/%s", c.name, pass, mode), func(b *testing.B) {
					if mode == "implicit" && !convImplicit {
						b.Skip("no implicit-GEMM convolution on this CPU")
					}
					defer func(was, always bool) { convImplicit, convImplicitAlways = was, always }(convImplicit, convImplicitAlways)
					convImplicit, convImplicitAlways = mode == "implicit", mode == "implicit"
					for b.Loop() {
						switch pass {
						case "fwd":
							Conv2d(y, x, w, g, nil)
						case "bwd-input":
							Conv2dBackwardInput(x, y, w, g, nil)
						default:
							Conv2dBackwardWeight(w, x, y, g)
						}
					}
					b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

// BenchmarkConvPixelKernels times the direct convolution's pixel
// kernels alone, on one thread, on operands in cache (ResNet-like taps
// 3×3 over 64 channels): the 16- and 32-channel forward kernels at their
// widest and at 8 pixels, and the weight-gradient kernel (wgradPix) over
// rows of 8 and 32 pixels. BenchmarkMicroKernel is the GEMM's ceiling.
func BenchmarkConvPixelKernels(b *testing.B) {
	arch := directArch
	if arch == nil || arch.pix == nil {
		b.Skip("no pixel kernels on this CPU")
	}
	rng := rand.New(rand.NewPCG(13, 14))
	const taps, wp = 576, 34
	offs := make([]int, taps)
	for t := range offs {
		offs[t] = t/9*wp*wp + t%9/3*wp + t%3
	}
	in := randSlice(rng, offs[taps-1]+64, 1)
	y := make([]float32, 32*64)
	for _, c := range []struct{ kb, p int }{{16, arch.pixMax}, {16, 8}, {32, pix32Max}, {32, 8}} {
		if c.kb == 16 && c.p > arch.pixMax || c.kb == 32 && arch.pix32 == nil {
			continue // AVX2 has 16 channels of up to 6 pixels
		}
		b.Run(fmt.Sprintf("fwd-%dch-%dpx", c.kb, c.p), func(b *testing.B) {
			w := randSlice(rng, taps*c.kb, 1)
			for b.Loop() {
				if c.kb == 16 {
					arch.pix(c.p, in, offs, w, y, 64)
				} else {
					arch.pix32(1, c.p, in, offs, w, y, 64)
				}
			}
			b.ReportMetric(2*float64(c.kb*c.p*taps)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
	if arch.pixG != nil {
		// Gathered taps, as directSmallConv's: 64 channels of 3×3 taps
		// of images 11 apart, and their weights.
		goffs := make([]int, 2*taps)
		for t := range taps {
			goffs[2*t], goffs[2*t+1] = offs[t]/wp/wp*36*11+t%9/3*6*11+t%3*11, t*arch.pixGKB
		}
		gin := randSlice(rng, goffs[2*taps-2]+64, 1)
		w := randSlice(rng, taps*arch.pixGKB, 1)
		for _, p := range []int{arch.pixGMax, 11, 8} {
			if p > arch.pixGMax {
				continue
			}
			b.Run(fmt.Sprintf("fwd-gathered-%dch-%dpx", arch.pixGKB, p), func(b *testing.B) {
				for b.Loop() {
					arch.pixG(p, gin, goffs, w, y, 64)
				}
				b.ReportMetric(2*float64(arch.pixGKB*p*taps)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
	for _, c := range []struct{ nimg, oh, ow int }{{4, 8, 8}, {2, 32, 32}} {
		b.Run(fmt.Sprintf("wgrad-%dimg-%dx%d", c.nimg, c.oh, c.ow), func(b *testing.B) {
			wp := c.ow + 2
			kw := arch.wgradKW
			ximg, dyimg := (c.oh+2)*wp, c.oh*c.ow*kw
			x := randSlice(rng, c.nimg*ximg+8, 1)
			dy := randSlice(rng, c.nimg*dyimg, 1)
			out := make([]float32, 9*kw)
			for b.Loop() {
				arch.wgradPix(x, dy, c.nimg, c.oh, c.ow, 1, wp, ximg, dyimg, out, true)
			}
			b.ReportMetric(2*9*float64(kw*c.nimg*c.oh*c.ow)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkConv2dWinograd times the three passes of 3×3 stride-1 layers
// with F(2×2, 3×3) (conv_winograd.go) on and off:
// a CIFAR ResNet-18's layers at batch 32 and 128, and layers of 16 to 64
// channels on 32×32 planes at batch 32, where its channel minimums are set
// (with them lifted for the "on" runs).
func BenchmarkConv2dWinograd(b *testing.B) {
	rng := rand.New(rand.NewPCG(15, 15))
	var cases []namedConv
	for _, c := range resnet3x3 {
		if c.g.StrideH != 1 {
			continue
		}
		for _, n := range []int{32, 128} {
			g := c.g
			g.N = n
			cases = append(cases, namedConv{fmt.Sprintf("%s/b%d", c.name, n), g})
		}
	}
	for _, ch := range []int{16, 32, 64} {
		cases = append(cases, namedConv{fmt.Sprintf("c%d-32x32/b32", ch), resnetConv(ch, ch, 32, 3, 1)})
	}
	for _, c := range cases {
		passes, flops := convPasses(rng, c.g)
		for _, on := range []bool{false, true} {
			for _, pass := range passes {
				b.Run(fmt.Sprintf("%s/%s/winograd-%v", c.name, pass.name, on), func(b *testing.B) {
					defer func(use *winoArch, all bool) { winogradUse, winogradAny = use, all }(winogradUse, winogradAny)
					if !on {
						winogradUse = nil
					} else if winogradUse == nil {
						b.Skip("no F(2×2, 3×3) transforms on this CPU")
					}
					winogradAny = on
					// One call before the timed ones, so that the scratch
					// pools hold this size's buffers, as in a training
					// loop: the first call after they were emptied, which
					// allocates fresh scratch (tens of MiB with 512
					// channels), took 90–129 ms against 6–19 ms on Zen 5
					// (batch 32), more than all ten timed calls' spread.
					pass.run()
					for b.Loop() {
						pass.run()
					}
					b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

// convPass is one pass of a convolution to time.
type convPass struct {
	name string
	run  func()
}

// convPasses draws operands for g (its output size set) and returns its
// forward, backward-input and backward-weight passes on them, and the
// floating-point operations of each.
func convPasses(rng *rand.Rand, g Conv2dGeom) ([]convPass, float64) {
	g = withOut(g)
	x := randSlice(rng, g.N*g.C*g.H*g.W, 1)
	w := randSlice(rng, g.K*g.C/g.Groups*g.R*g.S, 1)
	y := randSlice(rng, g.N*g.K*g.OH*g.OW, 1)
	return []convPass{
		{"fwd", func() { Conv2d(y, x, w, g, nil) }},
		{"bwd-input", func() { Conv2dBackwardInput(x, y, w, g, nil) }},
		{"bwd-weight", func() { Conv2dBackwardWeight(w, x, y, g) }},
	}, 2 * float64(g.N*g.K*g.OH*g.OW*g.C/g.Groups*g.R*g.S)
}

// BenchmarkConv2dStride2 times the three passes of a CIFAR ResNet's
// stride-2 layers at batch 128: the 1×1 shortcuts and the 3×3 convolutions
// that halve the planes, 64 to 128, 128 to 256 and 256 to 512 channels.
func BenchmarkConv2dStride2(b *testing.B) {
	rng := rand.New(rand.NewPCG(15, 15))
	for _, r := range []int{1, 3} {
		for _, c := range [][3]int{{64, 128, 32}, {128, 256, 16}, {256, 512, 8}} {
			g := resnetConv(c[0], c[1], c[2], r, 2)
			g.N = 128
			passes, flops := convPasses(rng, g)
			for _, pass := range passes {
				b.Run(fmt.Sprintf("%dx%d-%d-%d/%s", r, r, c[0], c[1], pass.name), func(b *testing.B) {
					pass.run()
					for b.Loop() {
						pass.run()
					}
					b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}
