package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// directGeoms returns stride-1 geometries for the direct kernels: odd and
// 1-sized planes, kernel sizes 1, 3 and 5 (and non-square), every padding
// the direct path takes, channel counts 1 to 20, and a batch large enough to
// cross wgradBatch within a part.
func directGeoms(rng *rand.Rand) []Conv2dGeom {
	var gs []Conv2dGeom
	add := func(n, c, h, w, k, r, s, ph, pw int) {
		gs = append(gs, withOut(Conv2dGeom{N: n, C: c, H: h, W: w, K: k, R: r, S: s, StrideH: 1, StrideW: 1, PadH: ph, PadW: pw, DilH: 1, DilW: 1, Groups: 1}))
	}
	add(1, 1, 1, 1, 1, 1, 1, 0, 0)
	add(2, 1, 5, 5, 1, 5, 5, 2, 2)
	add(1, 3, 1, 7, 2, 1, 3, 0, 1)
	add(3, 2, 9, 1, 4, 3, 1, 1, 0)
	add(2, 1, 28, 28, 6, 5, 5, 2, 2)
	add(3, 6, 14, 14, 16, 5, 5, 0, 0)
	add(70, 1, 3, 4, 2, 3, 3, 1, 1)
	add(2, 20, 6, 5, 20, 3, 3, 1, 2)
	add(1, 17, 33, 9, 13, 3, 5, 2, 4)
	add(2, 3, 9, 8, 16, 1, 1, 0, 0)    // the pixel kernel: 8 pixels a row
	add(1, 2, 7, 35, 32, 3, 3, 1, 1)   // 35 pixels, 3 calls a row; 32 channels
	add(2, 16, 6, 19, 16, 3, 5, 0, 2)  // backward input: 16 channels out
	add(2, 96, 9, 8, 32, 1, 3, 0, 1)   // wide (directWide): 32-channel pixel kernel both ways
	add(1, 64, 6, 31, 96, 1, 3, 0, 1)  // wide: 3 calls a row, 3 chunks; sums short enough for the tolerance
	add(3, 5, 9, 8, 32, 3, 3, 1, 1)    // weight gradient by wgradPix
	add(2, 3, 10, 5, 64, 3, 3, 0, 2)   // wgradPix: two chunks, no padding of rows
	add(33, 2, 1, 8, 32, 3, 3, 1, 1)   // wgradPix in one part: two batches of images
	add(3, 4, 6, 9, 128, 3, 3, 1, 1)   // wgradPix: four chunks an item (AVX-512)
	add(2, 3, 5, 8, 96, 3, 3, 1, 0)    // wgradPix: three chunks, one an item (AVX-512; AVX2: 12, four an item)
	add(3, 2, 7, 8, 40, 3, 3, 1, 1)    // wgradPix (AVX2): five chunks, one an item
	add(19, 6, 14, 14, 16, 5, 5, 0, 0) // LeNet's second layer: the weight gradient by lanes in groups, the last partial
	add(40, 3, 9, 11, 5, 3, 5, 1, 2)   // by lanes, padded planes
	for c := 1; c <= 20; c++ {
		r := []int{1, 3, 5}[rng.IntN(3)]
		s := []int{1, 3, 5}[rng.IntN(3)]
		h, w := r+rng.IntN(12), s+rng.IntN(19)
		add(1+rng.IntN(3), c, h, w, 1+rng.IntN(20), r, s, rng.IntN(min(r, 3)), rng.IntN(min(s, 3)))
	}
	return gs
}

// TestConvDirect checks the three direct passes of every kernel set this
// CPU runs (on an AVX-512 machine: AVX-512, AVX2 and Go) against the float64
// definition, with the tolerance of TestConv2d, and the fused epilogue
// against the same epilogue applied afterwards, bit for bit.
func TestConvDirect(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 21))
	for _, g := range directGeoms(rng) {
		x := randSlice(rng, g.N*g.C*g.H*g.W, 1)
		w := randSlice(rng, g.K*g.C*g.R*g.S, 1)
		dy := randSlice(rng, g.N*g.K*g.OH*g.OW, 1)
		wantY, wantDx, wantDw := refConv(x, w, dy, g)
		for _, arch := range convArchs {
			name := fmt.Sprintf("%s/%+v", arch.name, g)
			y, dx, dw := nanSlice(len(wantY)), nanSlice(len(wantDx)), nanSlice(len(wantDw))
			crs := g.C * g.R * g.S
			directConv(arch, y, x, chunkWeights(w, crs), g, nil)
			directBackwardInput(arch, dx, dy, w, g, nil)
			parts := min(g.N, wgradParts)
			partial := make([]float32, (parts-1)*len(w))
			directBackwardWeight(arch, dw, x, dy, g, parts, partial)
			for p := 1; p < parts; p++ {
				for i, v := range partial[(p-1)*len(w) : p*len(w)] {
					dw[i] += v
				}
			}
			// By lanes: in parts of one group of images, their work in
			// one run and in runs of one item or a few (the same bits
			// whatever GOMAXPROCS asks for), and in one part.
			lparts := min(ceilDiv(g.N, arch.lanes), wgradParts)
			lpartial := make([]float32, (lparts-1)*len(w))
			var dwLanes []float32
			for _, procs := range []int{1, 3, 1000} {
				d := nanSlice(len(wantDw))
				withProcs(procs, func() { directBackwardWeightLanes(arch, d, x, dy, g, lparts, lpartial) })
				for p := 1; p < lparts; p++ {
					for i, v := range lpartial[(p-1)*len(w) : p*len(w)] {
						d[i] += v
					}
				}
				if dwLanes == nil {
					dwLanes = d
					continue
				}
				for j := range d {
					if math.Float32bits(d[j]) != math.Float32bits(dwLanes[j]) {
						t.Fatalf("%s: by lanes, GOMAXPROCS=%d: dw[%d] = %g, want %g (1)", name, procs, j, d[j], dwLanes[j])
					}
				}
			}
			dwLanes1 := nanSlice(len(wantDw))
			directBackwardWeightLanes(arch, dwLanes1, x, dy, g, 1, nil)
			// wgradPix in parts, and in one part (its images in
			// batches of up to wgradPixImages), with the items taking
			// one chunk, and two and four where they divide the chunks.
			dwPix, dwPix1 := dw, dw
			var grouped [][]float32
			if arch.wgradPix != nil && g.R == 3 && g.S == 3 && g.K%arch.wgradKW == 0 {
				dwPix, dwPix1 = nanSlice(len(wantDw)), nanSlice(len(wantDw))
				clear(partial)
				directBackwardWeightPix(arch, dwPix, x, dy, g, parts, 1, partial)
				for p := 1; p < parts; p++ {
					for i, v := range partial[(p-1)*len(w) : p*len(w)] {
						dwPix[i] += v
					}
				}
				directBackwardWeightPix(arch, dwPix1, x, dy, g, 1, 1, nil)
				for _, grp := range []int{2, 4} {
					if g.K/arch.wgradKW%grp == 0 {
						d := nanSlice(len(wantDw))
						directBackwardWeightPix(arch, d, x, dy, g, 1, grp, nil)
						grouped = append(grouped, d)
					}
				}
			}
			for i, d := range grouped {
				for j := range d {
					if math.Float32bits(d[j]) != math.Float32bits(dwPix1[j]) {
						t.Fatalf("%s: wgradPix, group %d: dw[%d] = %g, want %g (one chunk an item)", name, i, j, d[j], dwPix1[j])
					}
				}
			}
			for _, c := range []struct {
				name string
				got  []float32
				want []float64
			}{{"y", y, wantY}, {"dx", dx, wantDx}, {"dw", dw, wantDw}, {"dw by wgradPix", dwPix, wantDw}, {"dw by wgradPix in one part", dwPix1, wantDw},
				{"dw by lanes", dwLanes, wantDw}, {"dw by lanes in one part", dwLanes1, wantDw}} {
				for i, v := range c.want {
					if !(math.Abs(float64(c.got[i])-v) <= 1e-5*(1+math.Abs(v))) { // NaN fails too
						t.Fatalf("%s: %s[%d] = %g, want %g", name, c.name, i, c.got[i], v)
					}
				}
			}

			checkConvEpilogue(t, name, rng, g, func(y []float32, e *Epilogue) { directConv(arch, y, x, chunkWeights(w, crs), g, e) })
		}
	}
}

// TestConvDirectSplit checks that directConv, which splits an image into
// parts of its chunks (and of the pixel kernel's rows) where the images are
// fewer than twice the threads, gives each image the bits it gets in a
// batch too large to split, on every kernel set, at 1 to 16 threads, with
// an epilogue (bias, residual, ReLU): one image on layers of several
// chunks of the 32- and 16-channel pixel kernels, of one chunk (rows), and
// of the row kernels (40 channels), forward and backward-input.
func TestConvDirectSplit(t *testing.T) {
	rng := rand.New(rand.NewPCG(64, 4))
	for _, c := range []Conv2dGeom{
		{C: 64, H: 8, W: 8, K: 128, R: 3, S: 3, PadH: 1, PadW: 1},
		{C: 32, H: 28, W: 28, K: 32, R: 3, S: 3, PadH: 1, PadW: 1},
		{C: 40, H: 12, W: 12, K: 40, R: 5, S: 5, PadH: 2, PadW: 2},
	} {
		c.StrideH, c.StrideW, c.DilH, c.DilW, c.Groups = 1, 1, 1, 1, 1
		const batch = 32 // images beyond the split at 16 threads
		big := c
		big.N = batch
		big = withOut(big)
		one := big
		one.N = 1
		chw, kohw := c.C*c.H*c.W, c.K*big.OH*big.OW
		x := randSlice(rng, batch*chw, 1)
		w := randSlice(rng, c.K*c.C*c.R*c.S, 1)
		res := randSlice(rng, batch*kohw, 1)
		bias := randSlice(rng, c.K, 1)
		if one.K*one.OH*one.OW*one.C*one.R*one.S < 4*directPartWork {
			t.Fatalf("%+v: too little work to split", one)
		}
		for _, arch := range convArchs {
			for _, pass := range []string{"forward", "backward-input"} {
				run := func(y, x, res []float32, g Conv2dGeom) {
					e := &Epilogue{Bias: bias, Residual: res, Act: Relu, HasAct: true}
					if pass == "forward" {
						directConv(arch, y, x, chunkWeights(w, g.C*g.R*g.S), g, e)
						return
					}
					// dy: x read as the backward pass's output gradient
					// (C = K here, the planes the same size).
					e.Bias = bias[:g.C]
					directConv(arch, y, x, chunkWeightsFlipped(w, &g), g.backwardInputGeom(), e)
				}
				if pass == "backward-input" && (c.C != c.K || big.OH != c.H || big.OW != c.W) {
					continue
				}
				want := nanSlice(batch * kohw)
				withProcs(16, func() { run(want, x, res, big) })
				for _, procs := range []int{1, 2, 3, 16} {
					for _, n := range []int{0, batch - 1} {
						got := nanSlice(kohw)
						withProcs(procs, func() { run(got, x[n*chw:], res[n*kohw:], one) })
						for i := range got {
							if math.Float32bits(got[i]) != math.Float32bits(want[n*kohw+i]) {
								t.Fatalf("%s, %s, %+v, GOMAXPROCS=%d, image %d: y[%d] = %g, in a batch %g",
									arch.name, pass, one, procs, n, i, got[i], want[n*kohw+i])
							}
						}
					}
				}
			}
		}
	}
}

// TestConvDirectTwins checks each assembly kernel against its Go twin on
// random taps, offsets and sizes. The assembly rounds once per
// multiply-add (FMA), the twin maybe twice, so a sum of T products may
// differ by up to 2·T roundings of the partial sums, bounded by
// 4·T·2⁻²⁴·Σ|terms| (T counts the 4 steps adding a weight gradient's
// lanes, which both do in the same order).
func TestConvDirectTwins(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 22))
	for _, arch := range convArchs {
		if arch == convGoArch {
			continue
		}
		lanes := arch.lanes
		for kb := 1; kb <= len(arch.fwdNV); kb++ {
			nv := arch.fwdNV[kb-1]
			n := nv * lanes
			for _, taps := range []int{1, 2, 7, 25, 150} {
				offs := make([]int, taps)
				for i := 1; i < taps; i++ {
					offs[i] = offs[i-1] + rng.IntN(20)
				}
				in := randSlice(rng, offs[taps-1]+n+rng.IntN(5), 1)
				w := randSlice(rng, taps*kb, 1)
				ldo := n + rng.IntN(9)
				got, want := nanSlice((kb-1)*ldo+n), nanSlice((kb-1)*ldo+n)
				arch.fwd(kb, in, offs, w, got, ldo)
				convFwdGo(lanes, nv, kb, in, offs, w, want, ldo)
				for k := range kb {
					for j := range n {
						var mag float64
						for ti, off := range offs {
							mag += math.Abs(float64(in[off+j]) * float64(w[ti*kb+k]))
						}
						i := k*ldo + j
						if d := math.Abs(float64(got[i] - want[i])); d > 4*float64(taps)*mag/(1<<24) || math.IsNaN(float64(got[i])) {
							t.Fatalf("%s fwd kb=%d taps=%d: out[%d] = %g, Go twin %g", arch.name, kb, taps, i, got[i], want[i])
						}
					}
				}
			}
		}
		type pixKernel func(p int, in []float32, offs []int, w, y []float32, ldy int)
		pix32 := func(stride int) pixKernel {
			if arch.pix32 == nil {
				return nil
			}
			return func(p int, in []float32, offs []int, w, y []float32, ldy int) {
				arch.pix32(stride, p, in, offs, w, y, ldy)
			}
		}
		for _, pk := range []struct {
			kb, stride, most int
			pix              pixKernel
		}{{16, 1, arch.pixMax, arch.pix}, {16, 2, arch.pixMax, arch.pix2}, {32, 1, pix32Max, pix32(1)}, {32, 2, pix32Max, pix32(2)}} {
			if pk.pix == nil {
				continue
			}
			kb, stride := pk.kb, pk.stride
			for p := 1; p <= pk.most; p++ {
				taps := 1 + rng.IntN(60)
				offs := make([]int, taps)
				for i := 1; i < taps; i++ {
					offs[i] = offs[i-1] + rng.IntN(20)
				}
				in := randSlice(rng, offs[taps-1]+stride*(p-1)+1, 1)
				w := randSlice(rng, taps*kb, 1)
				ldy := p + rng.IntN(9)
				got, want := nanSlice((kb-1)*ldy+p), nanSlice((kb-1)*ldy+p)
				pk.pix(p, in, offs, w, got, ldy)
				convPixGo(kb, stride, p, in, offs, w, want, ldy)
				for k := range kb {
					for j := range ldy {
						i := k*ldy + j
						if k == kb-1 && j >= p {
							break
						}
						if j >= p { // between rows: not written
							if !math.IsNaN(float64(got[i])) {
								t.Fatalf("%s pix%d stride %d p=%d: wrote y[%d] = %g between rows", arch.name, kb, stride, p, i, got[i])
							}
							continue
						}
						var mag float64
						for ti, off := range offs {
							mag += math.Abs(float64(in[off+stride*j]) * float64(w[ti*kb+k]))
						}
						if d := math.Abs(float64(got[i] - want[i])); d > 4*float64(taps)*mag/(1<<24) || math.IsNaN(float64(got[i])) {
							t.Fatalf("%s pix%d stride %d p=%d taps=%d: y[%d] = %g, Go twin %g", arch.name, kb, stride, p, taps, i, got[i], want[i])
						}
					}
				}
			}
		}
		if arch.pixG != nil {
			// Gathered taps: input and weight offsets ascending, the
			// weights of a tap anywhere after the last one's.
			kb := arch.pixGKB
			for p := 1; p <= arch.pixGMax; p++ {
				taps := 1 + rng.IntN(60)
				offs := make([]int, 2*taps)
				for i := 1; i < taps; i++ {
					offs[2*i] = offs[2*i-2] + rng.IntN(20)
					offs[2*i+1] = offs[2*i-1] + kb*(1+rng.IntN(3))
				}
				in := randSlice(rng, offs[2*taps-2]+p, 1)
				w := randSlice(rng, offs[2*taps-1]+kb, 1)
				ldy := p + rng.IntN(9)
				got, want := nanSlice((kb-1)*ldy+p), nanSlice((kb-1)*ldy+p)
				arch.pixG(p, in, offs, w, got, ldy)
				convPixGGo(kb, p, in, offs, w, want, ldy)
				for k := range kb {
					for j := range ldy {
						i := k*ldy + j
						if k == kb-1 && j >= p {
							break
						}
						if j >= p {
							if !math.IsNaN(float64(got[i])) {
								t.Fatalf("%s pixG p=%d: wrote y[%d] = %g between rows", arch.name, p, i, got[i])
							}
							continue
						}
						var mag float64
						for ti := 0; ti < taps; ti++ {
							mag += math.Abs(float64(in[offs[2*ti]+j]) * float64(w[offs[2*ti+1]+k]))
						}
						if d := math.Abs(float64(got[i] - want[i])); d > 4*float64(taps)*mag/(1<<24) || math.IsNaN(float64(got[i])) {
							t.Fatalf("%s pixG p=%d taps=%d: y[%d] = %g, Go twin %g", arch.name, p, taps, i, got[i], want[i])
						}
					}
				}
			}
		}
		if arch.pixC != nil {
			// A 3×3 filter's inside taps without a table: the gathered
			// kernel's sums on the same taps, to the bit, and nothing
			// written between rows; the Go twin within the bound.
			kb := arch.pixGKB
			for nr := 2; nr <= 3; nr++ {
				for ns := 2; ns <= 3; ns++ {
					for p := 1; p <= arch.pixGMax; p++ {
						ch := 1 + rng.IntN(20)
						colstride := p + rng.IntN(3)
						rstride := ns*colstride + rng.IntN(5)
						cstride := nr*rstride + rng.IntN(7)
						in := randSlice(rng, (ch-1)*cstride+(nr-1)*rstride+(ns-1)*colstride+p, 1)
						w := randSlice(rng, ((ch-1)*9+3*(nr-1)+ns-1)*kb+kb, 1)
						offs := pixCTaps(kb, nr, ns, ch, cstride, rstride, colstride)
						ldy := p + rng.IntN(9)
						got, gath, twin := nanSlice((kb-1)*ldy+p), nanSlice((kb-1)*ldy+p), nanSlice((kb-1)*ldy+p)
						arch.pixC(p, nr, ns, in, ch, cstride, rstride, colstride, w, got, ldy)
						arch.pixG(p, in, offs, w, gath, ldy)
						convPixCGo(kb, p, nr, ns, in, ch, cstride, rstride, colstride, w, twin, ldy)
						for i := range got {
							if math.Float32bits(got[i]) != math.Float32bits(gath[i]) {
								t.Fatalf("%s pixC %d×%d p=%d ch=%d: y[%d] = %g, gathered %g", arch.name, nr, ns, p, ch, i, got[i], gath[i])
							}
							if d := math.Abs(float64(got[i] - twin[i])); d > 1e-4*float64(ch) {
								t.Fatalf("%s pixC %d×%d p=%d ch=%d: y[%d] = %g, Go twin %g", arch.name, nr, ns, p, ch, i, got[i], twin[i])
							}
						}
					}
				}
			}
		}
		if arch.wgradPix != nil {
			kw := arch.wgradKW
			for range 20 {
				nimg, oh, ow, stride := 1+rng.IntN(3), 1+rng.IntN(5), 1+rng.IntN(12), 1+rng.IntN(2)
				if kw == 8 { // AVX2's assembly: stride 1, rows of 2 pixels or more
					ow, stride = 2+rng.IntN(11), 1
				}
				wp := stride*ow + 2 + rng.IntN(3)
				ximg, dyimg := (stride*oh+2)*wp+rng.IntN(9), oh*ow*kw+rng.IntN(40)
				x := randSlice(rng, (nimg-1)*ximg+stride*((oh-1)*wp+ow-1)+2*wp+3, 1)
				dy := randSlice(rng, (nimg-1)*dyimg+oh*ow*kw, 1)
				add := rng.IntN(2) == 1
				got, want := randSlice(rng, 9*kw, 1), make([]float32, 9*kw)
				copy(want, got)
				start := append([]float32(nil), got...)
				arch.wgradPix(x, dy, nimg, oh, ow, stride, wp, ximg, dyimg, got, add)
				convWgradPixGo(kw, x, dy, nimg, oh, ow, stride, wp, ximg, dyimg, want, add)
				checkWgradPix(t, fmt.Sprintf("%s wgradPix nimg=%d oh=%d ow=%d stride %d add=%v", arch.name, nimg, oh, ow, stride, add), got, want, start, x, dy, kw, nimg, oh, ow, stride, wp, ximg, dyimg, add, false)
				if arch.wgradPixPad != nil && stride == 1 {
					// Without the padding's terms: x's padding is not zero
					// here, so a term left in shows.
					copy(got, start)
					copy(want, start)
					arch.wgradPixPad(x, dy, nimg, oh, ow, wp, ximg, dyimg, got, add)
					convWgradPixPadGo(kw, x, dy, nimg, oh, ow, wp, ximg, dyimg, want, add)
					checkWgradPix(t, fmt.Sprintf("%s wgradPixPad nimg=%d oh=%d ow=%d add=%v", arch.name, nimg, oh, ow, add), got, want, start, x, dy, kw, nimg, oh, ow, stride, wp, ximg, dyimg, add, true)
				}
			}
		}
		for kb := 1; kb <= arch.wgKB; kb++ {
			for tb := 1; tb <= arch.wgTB; tb++ {
				nimg, nvec := 1+rng.IntN(3), 1+rng.IntN(4)
				n := nvec * lanes
				offs := make([]int, tb)
				for i := 1; i < tb; i++ {
					offs[i] = offs[i-1] + rng.IntN(30)
				}
				kstride := n + rng.IntN(7)
				ximg, dyimg := offs[tb-1]+n+rng.IntN(5), kb*kstride+rng.IntN(5)
				x := randSlice(rng, (nimg-1)*ximg+offs[tb-1]+n, 1)
				dy := randSlice(rng, (nimg-1)*dyimg+(kb-1)*kstride+n, 1)
				got, want := nanSlice(kb*tb), nanSlice(kb*tb)
				arch.wgrad(kb, tb, x, dy, offs, nimg, nvec, ximg, dyimg, kstride, got)
				convWgradGo(lanes, kb, tb, x, dy, offs, nimg, nvec, ximg, dyimg, kstride, want)
				for k := range kb {
					for ti, off := range offs {
						var mag float64
						for img := range nimg {
							for p := range n {
								mag += math.Abs(float64(dy[img*dyimg+k*kstride+p]) * float64(x[img*ximg+off+p]))
							}
						}
						i := k*tb + ti
						if d := math.Abs(float64(got[i] - want[i])); d > 4*float64(nimg*nvec+4)*mag/(1<<24) || math.IsNaN(float64(got[i])) {
							t.Fatalf("%s wgrad kb=%d tb=%d: out[%d] = %g, Go twin %g", arch.name, kb, tb, i, got[i], want[i])
						}
					}
				}
			}
		}
	}
}

// TestCopyRows checks each copyRows this CPU runs against copyRowsGo on
// widths around whole vectors of 4, 8 and 16, and that it writes nothing
// between or past the rows.
func TestCopyRows(t *testing.T) {
	for name, copyRows := range copyRowsVariants() {
		rng := rand.New(rand.NewPCG(23, 23))
		for width := 1; width <= 40; width++ {
			rows := 1 + rng.IntN(4)
			ss, ds := width+rng.IntN(5), width+rng.IntN(5)
			src := randSlice(rng, (rows-1)*ss+width, 1)
			got, want := nanSlice((rows-1)*ds+width+16), nanSlice((rows-1)*ds+width+16)
			copyRows(got, src, rows, width, ds, ss)
			copyRowsGo(want, src, rows, width, ds, ss)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s: width %d, %d rows: dst[%d] = %g, want %g", name, width, rows, i, got[i], want[i])
				}
			}
		}
	}
}

// TestConvWgradPixShared checks the weight gradient where wgradPix reads
// padded images laid out once for all its items (wgradPixShared), on rows
// of 4 and 5 pixels, against the definition.
func TestConvWgradPixShared(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 23))
	for _, g := range []Conv2dGeom{
		{N: 3, C: 3, H: 4, W: 4, K: 256, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1},
		{N: 2, C: 2, H: 7, W: 7, K: 288, R: 3, S: 3, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, Groups: 1},
	} {
		g = withOut(g)
		if !g.directWgradPix() || !g.wgradPixShared() {
			if directArch == nil || directArch.wgradPix == nil {
				t.Skip("no wgradPix kernel on this CPU")
			}
			t.Fatalf("%+v: directWgradPix %v, wgradPixShared %v; want both", g, g.directWgradPix(), g.wgradPixShared())
		}
		x := randSlice(rng, g.N*g.C*g.H*g.W, 1)
		w := randSlice(rng, g.K*g.C*g.R*g.S, 1)
		dy := randSlice(rng, g.N*g.K*g.OH*g.OW, 1)
		_, _, want := refConv(x, w, dy, g)
		dw := nanSlice(len(w))
		Conv2dBackwardWeight(dw, x, dy, g)
		for i, v := range want {
			if !(math.Abs(float64(dw[i])-v) <= 1e-5*(1+math.Abs(v))) {
				t.Fatalf("%+v: dw[%d] = %g, want %g", g, i, dw[i], v)
			}
		}
	}
}

// TestPadPlanesZero checks that padPlanesZero writes every value of the
// planes, border and image, whatever they held.
func TestPadPlanesZero(t *testing.T) {
	rng := rand.New(rand.NewPCG(24, 24))
	for _, g := range []Conv2dGeom{
		{C: 2, H: 3, W: 4, PadH: 1, PadW: 1},
		{C: 3, H: 1, W: 1, PadH: 2, PadW: 0},
		{C: 1, H: 5, W: 2, PadH: 0, PadW: 2},
	} {
		hp, wp := g.H+2*g.PadH, g.W+2*g.PadW
		plane := hp * wp
		x := randSlice(rng, g.C*g.H*g.W, 1)
		got := nanSlice(g.C * plane)
		padPlanesZero(got, x, &g, wp, plane)
		for c := range g.C {
			for r := range hp {
				for s := range wp {
					var want float32
					if ih, iw := r-g.PadH, s-g.PadW; ih >= 0 && ih < g.H && iw >= 0 && iw < g.W {
						want = x[(c*g.H+ih)*g.W+iw]
					}
					if v := got[c*plane+r*wp+s]; math.Float32bits(v) != math.Float32bits(want) {
						t.Fatalf("%+v: plane %d (%d, %d) = %g, want %g", g, c, r, s, v, want)
					}
				}
			}
		}
	}
}

// checkConvEpilogue checks that conv (a forward pass of g into y, applying
// the epilogue e where not nil) gives with a residual, a bias and ReLU the
// bits of the plain pass followed by Epilogue.apply image by image.
func checkConvEpilogue(t *testing.T, name string, rng *rand.Rand, g Conv2dGeom, conv func(y []float32, e *Epilogue)) {
	t.Helper()
	ohw := g.OH * g.OW
	n := g.N * g.K * ohw
	e := &Epilogue{Residual: randSlice(rng, n, 1), Bias: randSlice(rng, g.K, 1), Act: Relu, HasAct: true}
	fused, ref := nanSlice(n), nanSlice(n)
	conv(fused, e)
	conv(ref, nil)
	for i := range g.N {
		at := i * g.K * ohw
		ge := *e
		ge.BiasRows, ge.Residual = true, e.Residual[at:]
		ge.apply(ref[at:], ohw, 0, g.K, 0, ohw)
	}
	for i := range ref {
		if math.Float32bits(ref[i]) != math.Float32bits(fused[i]) {
			t.Fatalf("%s: fused epilogue: y[%d] = %g, separately %g", name, i, fused[i], ref[i])
		}
	}
}

// TestDirectLiveTaps: every tap directLiveTaps leaves out of a call reads
// only zeros of the padded planes (checked against the image's positions
// one by one), and directConv with the taps left out gives the bits of
// directConv with every tap, on the direct geometries and their
// backward-input correlations, which pad by up to R−1.
func TestDirectLiveTaps(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	defer func(v bool) { directSkipDeadTaps = v }(directSkipDeadTaps)
	gs := directGeoms(rng)
	for _, g := range append([]Conv2dGeom(nil), gs...) {
		gs = append(gs, g.backwardInputGeom())
	}
	gs = append(gs, withOut(Conv2dGeom{N: 2, C: 3, H: 1, W: 40, K: 5, R: 5, S: 5, StrideH: 1, StrideW: 1, PadH: 4, PadW: 4, DilH: 1, DilW: 1, Groups: 1}))
	skipped := 0
	for _, g := range gs {
		if g.PadH == 0 {
			continue
		}
		for _, arch := range convArchs {
			if len(arch.fwdNV) == 0 || arch.pix != nil && g.K%16 == 0 && g.OW >= pixMinOW {
				continue
			}
			hp, wp := g.H+2*g.PadH, g.W+g.PadW
			plane, crs := hp*wp, g.C*g.R*g.S
			image := func(i int) bool { // flat index i of plane 0 holds an image value
				row, col := i/wp, i%wp
				return row >= g.PadH && row < g.PadH+g.H && col >= g.PadW && col < g.PadW+g.W
			}
			offs := make([]int, crs)
			for c := range g.C {
				for r := range g.R {
					for s := range g.S {
						offs[(c*g.R+r)*g.S+s] = c*plane + r*wp + s
					}
				}
			}
			chunks := ceilDiv(g.K, len(arch.fwdNV))
			wt := randSlice(rng, g.K*crs, 1)
			nvec := ceilDiv(g.OH*wp, arch.lanes)
			live := directLiveTaps(arch, &g, offs, wt, wp, nvec, chunks)
			for ch := range chunks {
				kb := splitEven(ch+1, g.K, chunks) - splitEven(ch, g.K, chunks)
				step := arch.fwdNV[kb-1] * arch.lanes
				for i := range ceilDiv(nvec*arch.lanes, step) {
					l := live.at(ch, i)
					if l == nil {
						continue
					}
					kept := map[int]bool{}
					for _, o := range *l.offs {
						kept[o] = true
					}
					for tap := range crs {
						if kept[offs[tap]] {
							continue
						}
						skipped++
						for q := range step {
							if at := i*step + q + offs[tap]%plane; image(at) {
								t.Fatalf("%s %+v: call %d leaves out tap %d, which reads the image at %d", arch.name, g, i, tap, at)
							}
						}
					}
				}
			}
			live.release()
			x := randSlice(rng, g.N*g.C*g.H*g.W, 1)
			w := randSlice(rng, g.K*crs, 1)
			run := func(skip bool) []float32 {
				directSkipDeadTaps = skip
				y := nanSlice(g.N * g.K * g.OH * g.OW)
				directConv(arch, y, x, chunkWeights(w, crs), g, nil)
				return y
			}
			all, some := run(false), run(true)
			for i := range all {
				if !sameFloat(all[i], some[i]) {
					t.Fatalf("%s %+v: y[%d] = %v without the dead taps, %v with them", arch.name, g, i, some[i], all[i])
				}
			}
		}
	}
	if skipped == 0 {
		t.Fatal("no geometry left a tap out")
	}
}

// checkWgradPix fails t where a wgradPix kernel's out (got) or its Go
// twin's (want) differs from the float64 sum of the terms (with pad1,
// those inside the padding only; start's too where add) by more than
// 4·(terms+1)·2⁻²⁴ of the sum of their magnitudes, or is NaN.
func checkWgradPix(t *testing.T, name string, got, want, start, x, dy []float32, kw, nimg, oh, ow, stride, wp, ximg, dyimg int, add, pad1 bool) {
	t.Helper()
	for i := range got {
		t9, k := i/kw, i%kw
		var ref, mag float64
		if add {
			ref, mag = float64(start[i]), math.Abs(float64(start[i]))
		}
		for img := range nimg {
			for row := range oh {
				for col := range ow {
					if r, s := row+t9/3, col+t9%3; pad1 && (r == 0 || r == oh+1 || s == 0 || s == ow+1) {
						continue
					}
					term := float64(dy[img*dyimg+(row*ow+col)*kw+k]) * float64(x[img*ximg+stride*(row*wp+col)+t9/3*wp+t9%3])
					ref += term
					mag += math.Abs(term)
				}
			}
		}
		bound := 4 * float64(nimg*oh*ow+1) * mag / (1 << 24)
		for _, v := range []struct {
			what string
			v    float32
		}{{"kernel", got[i]}, {"Go twin", want[i]}} {
			if d := math.Abs(float64(v.v) - ref); !(d <= bound) {
				t.Fatalf("%s: %s out[%d] = %g, float64 sum %g", name, v.what, i, v.v, ref)
			}
		}
	}
}

// TestChunkWeightsFlipped checks chunkWeightsFlipped's layout against its
// definition, dst[(k·R·S + t)·cb + c] = w[k, c0+c] at tap R·S−1−t, for
// chunks of 16 and 32 channels of 3×3 filters (flipTaps16 where there is
// one) and others, and that it writes nothing past the chunk.
func TestChunkWeightsFlipped(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 25))
	for _, c := range []struct{ k, c, c0, cb, r, s int }{
		{1, 16, 0, 16, 3, 3}, {5, 48, 16, 16, 3, 3}, {7, 32, 16, 16, 3, 3}, {3, 64, 32, 32, 3, 3}, {2, 48, 16, 32, 3, 3}, {3, 20, 3, 5, 3, 3}, {4, 16, 0, 16, 2, 3}, {2, 24, 8, 16, 5, 5},
	} {
		g := Conv2dGeom{K: c.k, C: c.c, R: c.r, S: c.s}
		rs := c.r * c.s
		w := randSlice(rng, c.k*c.c*rs, 1)
		dst := nanSlice(c.k*rs*c.cb + 16)
		chunkWeightsFlipped(w, &g)(dst, c.c0, c.cb)
		for k := range c.k {
			for ci := range c.cb {
				for tap := range rs {
					if got, want := dst[(k*rs+tap)*c.cb+ci], w[(k*c.c+c.c0+ci)*rs+rs-1-tap]; got != want {
						t.Fatalf("%+v: dst[k %d, tap %d, c %d] = %g, want %g", c, k, tap, ci, got, want)
					}
				}
			}
		}
		for i := c.k * rs * c.cb; i < len(dst); i++ {
			if !math.IsNaN(float64(dst[i])) {
				t.Fatalf("%+v: wrote dst[%d] past the chunk", c, i)
			}
		}
	}
}

// BenchmarkChunkWeightsFlipped times chunkWeightsFlipped on a ResNet's
// 512-channel 3×3 weights, a chunk of 16 channels, in ns a weight.
func BenchmarkChunkWeightsFlipped(b *testing.B) {
	g := Conv2dGeom{K: 512, C: 512, R: 3, S: 3}
	w := randSlice(rand.New(rand.NewPCG(26, 26)), 512*512*9, 1)
	dst := make([]float32, 512*9*16)
	f := chunkWeightsFlipped(w, &g)
	for b.Loop() {
		f(dst, 256, 16)
	}
	b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(b.N)/float64(len(dst)), "ns/weight")
}

// TestWgradLanes checks which direct weight gradients run with the images
// across a vector's lanes: LeNet's layers at batch 64 and groups filled at
// least half, not one image or a group past lanesMax.
func TestWgradLanes(t *testing.T) {
	if directArch == nil {
		t.Skip("no direct convolutions on this CPU")
	}
	lanes := directArch.lanes
	geom := squareConv
	for _, c := range []struct {
		g    Conv2dGeom
		want bool
	}{
		{geom(64, 1, 28, 6, 5, 2), true},
		{geom(64, 6, 14, 16, 5, 0), true},
		{geom(lanes/2, 6, 14, 16, 5, 0), true},
		{geom(lanes+lanes/2, 6, 14, 16, 5, 0), true},
		{geom(lanes/2-1, 6, 14, 16, 5, 0), false},
		{geom(lanes+1, 6, 14, 16, 5, 0), true},
		{geom(1, 6, 14, 16, 5, 0), false},
		{geom(64, 3, 256, 8, 5, 2), false},  // a group past lanesMax
		{geom(64, 96, 14, 96, 5, 2), false}, // not direct
	} {
		if got := c.g.wgradLanes(); got != c.want {
			t.Errorf("%+v: wgradLanes() = %v, want %v", c.g, got, c.want)
		}
	}
}

// TestDirectLanesConv checks the convolution with the images across the
// lanes, forward and as the input gradient's correlation, on every kernel
// set and direct geometry: against the float64 definition (checkSum, the
// small-plane correlations' bound for sums of n terms), bit for bit
// against directConv's sums in the same order (random values: no zero
// sums, whose sign may differ), the same bits at GOMAXPROCS 1 and 3 (runs
// of rows), and its fused epilogue against the epilogue applied after.
func TestDirectLanesConv(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	defer func(v bool) { directLanes = v }(directLanes)
	for _, g := range directGeoms(rng) {
		x, w, dy, wantY, wantDx, absY, absDx := randCorrelation(rng, g)
		crs := g.C * g.R * g.S
		bg := g.backwardInputGeom()
		for _, arch := range convArchs {
			name := fmt.Sprintf("%s/%+v", arch.name, g)
			for _, c := range []struct {
				pass  string
				run   func(arch *convArch, y []float32, e *Epilogue)
				lanes func(y []float32, e *Epilogue)
				want  []float64
				abs   []float64 // Σ|terms|
				terms int       // the most terms of a sum
			}{
				{"y", func(arch *convArch, y []float32, e *Epilogue) { directConv(arch, y, x, chunkWeights(w, crs), g, e) },
					func(y []float32, e *Epilogue) { directLanesConv(arch, y, x, chunkWeights(w, crs), g, e) }, wantY, absY, crs},
				{"dx", func(arch *convArch, dx []float32, e *Epilogue) { directBackwardInput(arch, dx, dy, w, g, e) },
					func(dx []float32, e *Epilogue) { directLanesConv(arch, dx, dy, chunkWeightsFlipped(w, &g), bg, e) }, wantDx, absDx, g.K * g.R * g.S},
			} {
				ref := nanSlice(len(c.want))
				directLanes = false
				c.run(arch, ref, nil)
				directLanes = true
				var first []float32
				for _, procs := range []int{1, 3} {
					got := nanSlice(len(c.want))
					withProcs(procs, func() { c.lanes(got, nil) })
					checkSum(t, fmt.Sprintf("%s: %s by lanes, GOMAXPROCS=%d", name, c.pass, procs), got, c.want, c.abs, c.terms)
					for i := range c.want {
						if math.Float32bits(got[i]) != math.Float32bits(ref[i]) {
							t.Fatalf("%s: %s by lanes, GOMAXPROCS=%d: [%d] = %g, directConv %g", name, c.pass, procs, i, got[i], ref[i])
						}
					}
					if first == nil {
						first = got
					}
				}
				eg := g
				if c.pass == "dx" {
					eg = bg
				}
				withProcs(3, func() { checkConvEpilogue(t, name+"/"+c.pass+" by lanes", rng, eg, c.lanes) })
			}
		}
	}
}

// TestConvLanes checks which correlations run with the images across the
// lanes: where directConv runs its row kernels for 6 output channels or
// more and the images fill 3/4 of their groups' lanes.
func TestConvLanes(t *testing.T) {
	if directArch == nil {
		t.Skip("no direct convolutions on this CPU")
	}
	lanes := directArch.lanes
	geom := squareConv
	lenet1, lenet2 := geom(64, 1, 28, 6, 5, 2), geom(64, 6, 14, 16, 5, 0)
	for _, c := range []struct {
		name string
		g    Conv2dGeom
		want bool
	}{
		{"LeNet layer 2 input gradient", lenet2.backwardInputGeom(), true},
		{"LeNet layer 1 forward", geom(64, 1, 28, 6, 5, 2), true},
		{"LeNet layer 2 forward (pixel kernel)", lenet2, false},
		{"LeNet layer 1 input gradient (one output channel)", lenet1.backwardInputGeom(), false},
		{"5 output channels", geom(64, 6, 14, 5, 5, 2), false},
		{"3/4 of the lanes", geom(3*lanes/4, 1, 28, 6, 5, 2), true},
		{"fewer", geom(3*lanes/4-1, 1, 28, 6, 5, 2), false},
		{"two groups, 3/4 of their lanes", geom(lanes+lanes/2, 1, 28, 6, 5, 2), true},
		{"two groups, fewer", geom(lanes+lanes/2-1, 1, 28, 6, 5, 2), false},
		{"narrow rows of 16 channels (no pixel kernel)", geom(64, 8, 6, 16, 3, 1), true},
		{"a group past lanesMax", geom(64, 3, 256, 8, 5, 2), false},
	} {
		if got := c.g.convLanes(directArch); got != c.want {
			t.Errorf("%s %+v: convLanes = %v, want %v", c.name, c.g, got, c.want)
		}
	}
}

// squareConv returns the stride-1 geometry of n images of c square planes
// of side h, k filters of r×r and padding pad.
func squareConv(n, c, h, k, r, pad int) Conv2dGeom {
	return withOut(Conv2dGeom{N: n, C: c, H: h, W: h, K: k, R: r, S: r, StrideH: 1, StrideW: 1, PadH: pad, PadW: pad, DilH: 1, DilW: 1, Groups: 1})
}
