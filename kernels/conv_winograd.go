package kernels

import (
	"fmt"
	"os"
	"runtime"
)

// Winograd's minimal filtering F(2×2, 3×3) for 3×3 stride-1 convolutions
// with many channels (a ResNet's 64- to 512-channel layers): each 2×2
// tile of the output is computed from the 4×4 patch of the input under it
// with 16 multiply-adds per channel pair where the direct sum takes 36,
// 2.25× fewer, so that what is left is 16 GEMMs with the channels as their
// depth:
//
//	Y = Aᵀ [ Σ_c (G w[k,c] Gᵀ) ⊙ (Bᵀ d[c] B) ] A
//
// with the transforms
//
//	Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]
//	G  = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
//	Aᵀ = [1 1 1 0; 0 1 −1 −1]
//
// (Lavin and Gray, “Fast Algorithms for Convolutional Neural Networks”,
// 2016). Element ξ of the 4×4 transformed tiles makes one product
// M_ξ [P, K] = V_ξ [P, C] · U_ξ [C, K] over P tiles: the transformed
// weights U_ξ are packed once a call (PackB) and serve every tile.
//
// The transforms run on vectors of channels. The tiles go in chunks of
// whole tile rows (winoChunk): a chunk's input rows are laid out
// channel-minor in a worker's scratch (a zero vector after them for the
// taps in the padding), so that each tap of a tile is a run of C floats;
// its V and M stay there between the input transform, the 16 products
// and the output transform; its outputs are written channel-minor, laid
// back out as [N, K, OH, OW] and finished by the epilogue while in cache.
//
// The weight gradient is the adjoint: dU_ξ [C, K] = Σ_tiles V_ξᵀ ·
// (A·dY·Aᵀ)_ξ, then dW = Gᵀ·dU·G (winogradBackwardWeight).
//
// Every sum over the channels (or tiles) is a GEMM sum, cut at the same kc
// boundaries whatever GOMAXPROCS is, and the chunks depend on the shape
// only, so the result does not depend on the number of threads.

// winoArch is a set of F(2×2, 3×3) transform kernels.
type winoArch struct {
	name string
	// in writes the input transform of one tile for n channels (a
	// multiple of 16): tap i·4+j at base[offs[i·4+j]:], element ξ to
	// dst[ξ·dstStride:].
	in func(base []float32, offs *[16]int, dst []float32, dstStride, n int)
	// out writes the output transform of one tile for n channels (a
	// multiple of 16): element ξ at src[ξ·srcStride:], output (i, j) to
	// base[offs[i·2+j]:].
	out func(src []float32, srcStride int, base []float32, offs *[4]int, n int)
	// dy writes the transposed output transform A·dY·Aᵀ of one tile for n
	// channels (a multiple of 16): output (i, j)'s gradient at
	// base[offs[i·2+j]:], element ξ to dst[ξ·dstStride:].
	dy func(base []float32, offs *[4]int, dst []float32, dstStride, n int)
	// wtGrad writes the weight-gradient transform Gᵀ·dU·G of n filters (a
	// multiple of 16): element ξ of dU at src[ξ·srcStride:], tap t of the
	// 3×3 gradient to dst[t·dstStride:].
	wtGrad func(src []float32, srcStride int, dst []float32, dstStride, n int)
	// wt writes the weight transform of n filters (a multiple of 16): tap
	// t of the 3×3 filters at src[t·srcStride:], element ξ to
	// dst[ξ·dstStride:].
	wt func(src []float32, srcStride int, dst []float32, dstStride, n int)
	// transpose16, where not nil, writes the transpose of the 16×16 block
	// of src (rows lds apart) to dst (rows ldd apart).
	transpose16 func(dst []float32, ldd int, src []float32, lds int)
}

// winoGoArch is the portable set, the twins the assembly is tested against.
var winoGoArch = &winoArch{name: "go", in: winoInGo, out: winoOutGo, dy: winoDyGo, wt: winoWtGo, wtGrad: winoWtGradGo}

// winoInGo is winoArch.in: V = Bᵀ·d·B for each channel, a row of
// t = Bᵀ·d at a time (t0 = d0−d2, t1 = d1+d2, t2 = d2−d1, t3 = d1−d3),
// then V's row i = (t_i0−t_i2, t_i1+t_i2, t_i2−t_i1, t_i1−t_i3).
func winoInGo(base []float32, offs *[16]int, dst []float32, dstStride, n int) {
	rows := [4][2]int{{0, 2}, {1, 2}, {2, 1}, {1, 3}}
	for c := range n {
		for r, ab := range rows {
			var t [4]float32
			for j := range 4 {
				a, b := base[offs[ab[0]*4+j]+c], base[offs[ab[1]*4+j]+c]
				if r == 1 {
					t[j] = a + b
				} else {
					t[j] = a - b
				}
			}
			dst[(r*4+0)*dstStride+c] = t[0] - t[2]
			dst[(r*4+1)*dstStride+c] = t[1] + t[2]
			dst[(r*4+2)*dstStride+c] = t[2] - t[1]
			dst[(r*4+3)*dstStride+c] = t[1] - t[3]
		}
	}
}

// winoOutGo is winoArch.out: by columns of M, s0 = (m0+m1)+m2 and
// s1 = (m1−m2)−m3, then y_i0 = (s_i0+s_i1)+s_i2, y_i1 = (s_i1−s_i2)−s_i3.
func winoOutGo(src []float32, srcStride int, base []float32, offs *[4]int, n int) {
	for c := range n {
		var s [2][4]float32
		for j := range 4 {
			m0, m1, m2, m3 := src[j*srcStride+c], src[(4+j)*srcStride+c], src[(8+j)*srcStride+c], src[(12+j)*srcStride+c]
			s[0][j] = m0 + m1 + m2
			s[1][j] = m1 - m2 - m3
		}
		for i := range 2 {
			base[offs[i*2]+c] = s[i][0] + s[i][1] + s[i][2]
			base[offs[i*2+1]+c] = s[i][1] - s[i][2] - s[i][3]
		}
	}
}

// winoDyGo is winoArch.dy: by columns b of dY, r_0b = y_0b, r_1b =
// y_0b+y_1b, r_2b = y_0b−y_1b, r_3b = 0−y_1b; then dM's row i = (r_i0,
// r_i0+r_i1, r_i0−r_i1, 0−r_i1).
func winoDyGo(base []float32, offs *[4]int, dst []float32, dstStride, n int) {
	for c := range n {
		y00, y01, y10, y11 := base[offs[0]+c], base[offs[1]+c], base[offs[2]+c], base[offs[3]+c]
		r := [4][2]float32{{y00, y01}, {y00 + y10, y01 + y11}, {y00 - y10, y01 - y11}, {0 - y10, 0 - y11}}
		for i, ri := range r {
			dst[(i*4+0)*dstStride+c] = ri[0]
			dst[(i*4+1)*dstStride+c] = ri[0] + ri[1]
			dst[(i*4+2)*dstStride+c] = ri[0] - ri[1]
			dst[(i*4+3)*dstStride+c] = 0 - ri[1]
		}
	}
}

// winogradMinChannels is the fewest channels, each way, of a convolution
// by F(2×2, 3×3): the transforms cost a fixed amount per channel and
// tile, the products 16·C·K multiply-adds a tile, so few channels leave
// the transforms dominant. Forward and backward-input passes at batch 32
// on 32×32 planes (Intel Xeon, AVX-512, against the path each took
// before; bench/results/winograd-layers-2026-12-02.txt, before each
// chunk's layout was kept in cache, which made 64 channels 1.14–1.18×
// faster again): 16 channels 0.38–0.44×, 32 0.82–0.99×, 64 0.92–1.26×.
const winogradMinChannels = 64

// winogradTiles is the number of tiles a chunk of the weight gradient's
// passes (winogradBackwardWeight) aims at.
const winogradTiles = 64

// winogradChunkRows returns the tile rows of a chunk of a forward or
// input-gradient pass by F(2×2, 3×3), of rows tile rows tw tiles wide,
// from c channels to k: about 96 tiles up to 256 channels in and out, 48
// beyond (a chunk's 16 transforms and products take 64·(c+k) bytes a
// tile), in a multiple of 4 chunks of near-equal rows, so that 2 or 4
// threads share them evenly. Against chunks of 64 tiles on a Zen 2 (2
// threads): a ResNet's 64-channel layer 1.07–1.09× as fast at batch 8,
// 1.11–1.12× at 32 and 128, its 128-channel layer 0.99–1.06× at 8,
// 0.98–1.05× at 32, 1.09–1.10× at 128, its 256-channel layer 1.03–1.05×,
// 1.01–1.02× and 1.05×; at batch 8 the 256-channel layer's 128 tiles in 2
// chunks of 96 and 32 or 3 of 48, 48 and 32 had run 0.76–0.88×
// (bench/results/winograd-chunks-2026-12-06-zen2.txt.gz).
//
// Every chunk reads all of the packed U_ξ, 64·c·k bytes. Where they are
// more than winogradBigU, they come from memory for each chunk, and the
// tiles go in chunks of up to winogradBigTiles instead, as many as there
// are threads or a multiple of them: on the Zen 2 a ResNet's 512-channel
// layer (16 MiB of U_ξ) at batch 128, 512 tiles, ran 1.42–1.48× as fast
// forward and 1.49–1.51× backward-input in two chunks of 256 as in twelve
// of 44, 1.27–1.37× in four of 128, 1.32–1.38× in one; its 256-channel
// layer (4 MiB) ran fastest in chunks of 48 (5–11% ahead of 96, 9–14% of
// two chunks of 1 024) (bench/results/winograd-big-u-2026-12-06-zen2.txt).
// The chunks depend on GOMAXPROCS then; each output's sum does not depend
// on the chunks.
func winogradChunkRows(rows, tw, c, k int) int {
	tiles, mult := 96, 4
	switch {
	case 64*c*k > winogradBigU:
		tiles, mult = winogradBigTiles, runtime.GOMAXPROCS(0)
	case c+k > 256:
		tiles = 48
	}
	r := max(1, tiles/tw)
	chunks := mult * ceilDiv(rows, mult*r)
	return max(1, ceilDiv(rows, chunks))
}

// winogradBigU (bytes) and winogradBigTiles: see winogradChunkRows. A
// variable, so that tests reach it with few channels.
var winogradBigU = 8 << 20

const winogradBigTiles = 256

// winogradWgradTiles and winogradWgradChunks set the chunks of a weight
// gradient summed in groups (winogradBackwardWeightGroups): about
// winogradWgradTiles tiles, whole tile rows, and at least
// winogradWgradChunks chunks where the tiles allow, so that two threads
// share them evenly. Each chunk's 16 products read and write back its
// group's 16 dU (16·C·K floats), so the more tiles a chunk, the fewer
// passes over dU: on a Zen 2 (2 threads) against chunks of 64 tiles, a
// ResNet's 64-channel layer ran 1.14× as fast at batch 8, 1.23× at 32 and
// 1.26× at 128, its 128-channel layer 1.29×, 1.14× and 1.09×; chunks of 512
// tiles ran the 128-channel layer 0.78× at 128, and 256 tiles with at least
// 8 chunks 0.97× at 8 (bench/results/winograd-chunks-2026-12-06-zen2.txt.gz).
// The chunks set the order of each weight's sum, so they depend on the
// shape alone, never on GOMAXPROCS.
const (
	winogradWgradTiles  = 256
	winogradWgradChunks = 4
)

// winogradUse is the transform set convolutions run F(2×2, 3×3) on (nil:
// none, where there is no assembly); winogradAny lifts the minimums of
// channels and terms, so that tests reach small shapes.
// Variables, so that tests can run every way.
var (
	winogradUse = winoBest
	winogradAny = false
)

// winograd reports whether g's forward pass runs by F(2×2, 3×3): a 3×3
// filter, stride 1, no dilation or groups, padding of at most 2 (so that
// its backward-input correlation is padded too), channels a multiple of 16
// each way, at least winogradMinChannels each way and at most
// winogradMaxPairs pairs of them, and at least winogradMinTiles 2×2 tiles
// of output.
func (g *Conv2dGeom) winograd() bool {
	return winogradUse != nil && g.R == 3 && g.S == 3 && g.StrideH == 1 && g.StrideW == 1 && g.DilH == 1 && g.DilW == 1 &&
		g.Groups == 1 && g.PadH <= 2 && g.PadW <= 2 && g.C%16 == 0 && g.K%16 == 0 &&
		(winogradAny || min(g.C, g.K) >= winogradMinChannels && g.N*((g.OH+1)/2)*((g.OW+1)/2) >= winogradMinTiles) &&
		g.C*g.K <= winogradMaxPairs && g.OH >= 1 && g.OW >= 1
}

// winogradMinTiles is the fewest 2×2 output tiles of a convolution by
// F(2×2, 3×3): the weights' transform (16·C·K values written and packed, a
// call) is paid whatever the tiles, so few of them leave it dominant. On 2
// threads of a Zen 5, against the direct kernels (both passes): 512
// channels on 4×4 planes ran 0.10–0.30× as fast with 4–8 tiles (batch 1–2),
// 0.79–0.92× with 64 and 1.11–1.14× with 128 (batch 32), 256 channels on
// 4×4 0.77–0.85× with 64 and 1.02× with 128, 64 channels on 8×8
// 0.78–1.31× with 64 to 256 and 1.01–1.33× from 128 on
// (bench/results/winograd-tiles-cpu-2026-12-04-zen5.txt).
const winogradMinTiles = 128

// winogradOverSmall reports whether g has tiles enough for F(2×2, 3×3)
// to run its forward or input-gradient pass rather than the small-plane
// kernel (convArch.smallWinoTiles), or the tests lift the minimums.
func (g *Conv2dGeom) winogradOverSmall() bool {
	return winogradAny || g.N*ceilDiv(g.OH, 2)*ceilDiv(g.OW, 2) >= directArch.smallWinoTiles
}

// winogradWgrad reports whether g's weight gradient runs by F(2×2, 3×3):
// where its forward pass does, with winogradWgradMinTerms terms or more
// in each weight's sum. With as few channels as the forward pass takes
// (64) the groups of winogradBackwardWeightGroups beat the direct kernels:
// a ResNet's 64-channel layer at batch 128 1.11–1.22× on 2 threads of a
// Zen 5, 1.37–1.42× on one, 1.25× in the training step
// (bench/results/winograd-wgrad-groups-2026-12-03-zen5.txt; in passes it
// had run 0.95–1.01× on an Intel Xeon,
// bench/results/winograd-wgrad-2026-12-02.txt).
func (g *Conv2dGeom) winogradWgrad() bool {
	return g.winograd() && (winogradAny || g.N*g.OH*g.OW >= winogradWgradMinTerms)
}

// winogradWgradMinTerms is the fewest terms (N·OH·OW) of each weight's
// sum for a weight gradient by F(2×2, 3×3). Its rounding errors grow with
// the magnitudes of every input in a tile's 4×4 patch, not only those a
// weight multiplies, so against the bound the conformance suite states
// for a float32 sum of n terms (n·2⁻²⁴·Σ|term|) it needs deep sums: with
// inputs as the suite draws them (one in 8 spanning 10⁻³ to 10³), 128
// channels, the worst element of three draws stood at 33–82× the bound
// over 40 terms, 0.4–1.0× over 256, 0.16–0.44× over 512, 0.04× over 1 024
// and 0.01× over 2 048 (the direct kernels: 0.17 to 0.005×). A ResNet's
// layers at batch 128 sum 2 048 to 131 072 terms.
const winogradWgradMinTerms = 1024

// winogradMaxPairs bounds C·K of a convolution by F(2×2, 3×3): its
// transformed weights take 16·C·K floats, and their packed copy as many
// (128 MiB in all at the bound, 32 MiB for a ResNet's 512 channels).
const winogradMaxPairs = 1024 * 1024

// winogradPad is added to the distance between the 16 matrices of a
// transform, written or read side by side: a power of two apart (a
// 512×512 matrix is 1 MiB), all 16 streams fell in one set of the L1
// cache, whose 12 ways they overran at every step.
const winogradPad = 16

// winogradStride returns the distance in floats between the 16 matrices
// of n floats of a transform.
func winogradStride(n int) int { return n + winogradPad }

// winoWtGo is winoArch.wt: U = G·g·Gᵀ in float64, rounded once. By
// columns s, t_0s = g_0s, t_1s = ½((g_0s+g_1s)+g_2s), t_2s =
// ½((g_0s−g_1s)+g_2s), t_3s = g_2s; then U's row i = (t_i0,
// ½((t_i0+t_i1)+t_i2), ½((t_i0−t_i1)+t_i2), t_i2).
func winoWtGo(src []float32, srcStride int, dst []float32, dstStride, n int) {
	for f := range n {
		var t [12]float64
		for j := range 3 {
			g0, g1, g2 := float64(src[j*srcStride+f]), float64(src[(3+j)*srcStride+f]), float64(src[(6+j)*srcStride+f])
			t[j], t[3+j], t[6+j], t[9+j] = g0, 0.5*(g0+g1+g2), 0.5*(g0-g1+g2), g2
		}
		for i := range 4 {
			t0, t1, t2 := t[i*3], t[i*3+1], t[i*3+2]
			dst[(i*4+0)*dstStride+f] = float32(t0)
			dst[(i*4+1)*dstStride+f] = float32(0.5 * (t0 + t1 + t2))
			dst[(i*4+2)*dstStride+f] = float32(0.5 * (t0 - t1 + t2))
			dst[(i*4+3)*dstStride+f] = float32(t2)
		}
	}
}

// winogradWeights writes the transformed weights U_ξ of the 3×3 filters
// w [K, C, 3, 3] for ξ = 0…15 as [C, K] matrices (the input channels as
// rows), u[ξ·st + c·K + k] = (G w[k,c] Gᵀ)_ξ (st = winogradStride(K·C)):
// w's taps laid out as [C, 3, 3, K], so that the transform runs on vectors
// of filters. With flip, w is [C, K, 3, 3], the weights of the
// convolution whose input gradient this is, and the filters transformed
// are w[c,k] rotated by 180°: each input channel's K·9 weights, a run of
// w, are laid out tap-major with the taps reversed as the channel's
// transform takes them, without flipWeights' pass over the whole of w and
// the transpose after it: at batch 8 on a Zen 2 a ResNet's 256-channel
// input gradient ran 4.45 → 3.56 ms, its 128-channel one 2.65 → 2.21
// (bench/results/conv-batch8-2026-12-05-zen2.txt.gz). The flip read w's
// rows 9 KiB apart, which fell into four of the Zen 2's 64 L1 sets. With
// AVX2 the channel's taps go by flipTaps16, 16 filters a block: the
// 256-channel input gradient 1.03× as fast again as by flipTaps' loop
// (bench/results/winograd-flip-avx2-2026-12-06-zen2.txt).
func winogradWeights(arch *winoArch, u, w []float32, k, c int, flip bool) {
	winogradWeightsTo(arch, u, winogradStride(k*c), w, k, c, flip, k, func(ci, _ int) int { return ci * k })
}

// winogradWeightsPacked is winogradWeights writing each U_ξ straight into
// the packed layout of pb (the ξ-th at packed[ξ·plen:]), sliver by sliver
// of pb's micro-kernel width: the same values, without the U_ξ matrices
// written out and read back by PackB (16·C·K floats each way; a
// ResNet's 256-channel layer's 4 MiB): at batch 8 on a Zen 2 its forward
// pass 1.07× as fast, the 128-channel layer's passes 1.03–1.04×, the step
// 1.01× at batch 8 and 1.02× at 128
// (bench/results/winograd-packed-weights-2026-12-05-zen2.txt).
func winogradWeightsPacked(arch *winoArch, packed []float32, plen int, pb *PackedB, w []float32, k, c int, flip bool) {
	winogradWeightsTo(arch, packed, plen, w, k, c, flip, pb.arch.nr, pb.rowAt)
}

// winogradWeightsTo writes the transforms of winogradWeights' weights to
// dst, the ξ-th dstStride floats after the one before, by columns of
// width (the last may be narrower, its remaining columns set to zero):
// row ci's columns [s·width, s·width+width) of each U_ξ at at(ci, s). A
// run of winoPackRows rows at a time, laid out tap-major in a worker's
// scratch first (flipped, or transposed from w's columns of those rows),
// then column block by block: each U_ξ's block is written along, 16
// streams. (With w transposed whole first and read back, a ResNet's
// 256-channel layer's forward pass at batch 8 on a Zen 2 took 1.11× as
// long, the 512-channel one's at batch 128 1.04×:
// bench/results/winograd-wt-rows-2026-12-06-zen2.txt.)
// (Row by row across all the blocks of a packed layout, 16·K/nr lines at
// once, a 256-channel layer's input gradient ran 0.97× as fast as laying
// U_ξ out and packing it.)
func winogradWeightsTo(arch *winoArch, dst []float32, dstStride int, w []float32, k, c int, flip bool, width int, at func(ci, s int) int) {
	// The flipped taps 16 filters a block in assembly where the transforms
	// are (the portable set keeps the portable loop).
	flip16 := flip && k%16 == 0 && flipTaps16 != nil && arch.transpose16 != nil
	ParallelFor(ceilDiv(c, winoPackRows), 1, func(lo, hi int) {
		wtp := getScratch(winoPackRows * 9 * k)
		defer putScratch(wtp)
		wt := *wtp // the rows' 9 taps by k filters, row after row
		for r0 := lo * winoPackRows; r0 < min(c, hi*winoPackRows); r0 += winoPackRows {
			r1 := min(c, r0+winoPackRows)
			switch {
			case flip16:
				for ci := r0; ci < r1; ci++ {
					flipTaps16(wt[(ci-r0)*9*k:], w[ci*k*9:], k/16, 144, k, 16)
				}
			case flip:
				for ci := r0; ci < r1; ci++ {
					flipTaps(wt[(ci-r0)*9*k:][:9*k], w[ci*k*9:][:9*k], k)
				}
			default:
				transposeBlock(arch, wt, k, w[r0*9:], c*9, k, (r1-r0)*9, false)
			}
			for s := range ceilDiv(k, width) {
				n := min(width, k-s*width)
				for ci := r0; ci < r1; ci++ {
					off := at(ci, s)
					arch.wt(wt[(ci-r0)*9*k+s*width:], k, dst[off:], dstStride, n)
					for xi := range 16 {
						clear(dst[xi*dstStride+off+n : xi*dstStride+off+width])
					}
				}
			}
		}
	})
}

// winoPackRows is how many rows of the U_ξ winogradWeightsTo takes at
// a time: their 9·K weights (a 512-channel layer's 18 KiB a row) stay in
// L2 from the flip to the last block of columns.
const winoPackRows = 16

// flipTaps writes dst[t·k + j] = src[j·9 + 8 − t] for the k 3×3 filters
// of src: their taps as 9 rows of k, in reverse order.
func flipTaps(dst, src []float32, k int) {
	d0, d1, d2 := dst[0*k:1*k], dst[1*k:2*k], dst[2*k:3*k]
	d3, d4, d5 := dst[3*k:4*k], dst[4*k:5*k], dst[5*k:6*k]
	d6, d7, d8 := dst[6*k:7*k], dst[7*k:8*k], dst[8*k:9*k]
	for j := range k {
		s := src[j*9:][:9:9]
		d0[j], d1[j], d2[j], d3[j], d4[j], d5[j], d6[j], d7[j], d8[j] = s[8], s[7], s[6], s[5], s[4], s[3], s[2], s[1], s[0]
	}
}

// transposeBlock writes the transpose of the rows×cols matrix src (rows
// lds apart) to dst (rows ldd apart): dst[j·ldd + i] = src[i·lds + j],
// by 16×16 blocks with arch's transpose16 where there is one (arch may be
// nil: none). The blocks go
// along 16 rows of src at a time, or with alongDst along 16 rows of dst:
// along the rows of the side that is a large tensor in memory, so that
// they are read or written on, line after line. Across them instead, the
// output layout of a 64-channel 32×32 layer (yc to [N, K, OH, OW]) wrote
// 16 planes 4 KiB apart at the same offset, one set of Zen 5's L1 cache,
// at every step, and ran 5.6–6.4× slower on one thread, 2.1–6.3× on two
// (bench/results/winograd-transpose-zen5-2026-12-02.txt.gz).
func transposeBlock(arch *winoArch, dst []float32, ldd int, src []float32, lds, rows, cols int, alongDst bool) {
	i0 := 0
	if arch != nil && arch.transpose16 != nil {
		i0 = rows &^ 15
		j0 := cols &^ 15
		if alongDst {
			for j := 0; j < j0; j += 16 {
				for i := 0; i < i0; i += 16 {
					arch.transpose16(dst[j*ldd+i:], ldd, src[i*lds+j:], lds)
				}
			}
		} else {
			for i := 0; i < i0; i += 16 {
				for j := 0; j < j0; j += 16 {
					arch.transpose16(dst[j*ldd+i:], ldd, src[i*lds+j:], lds)
				}
			}
		}
		for i := range i0 {
			for j := j0; j < cols; j++ {
				dst[j*ldd+i] = src[i*lds+j]
			}
		}
	}
	for ib := i0; ib < rows; ib += 8 {
		for jb := 0; jb < cols; jb += 8 {
			for i := ib; i < min(rows, ib+8); i++ {
				row := src[i*lds:]
				for j := jb; j < min(cols, jb+8); j++ {
					dst[j*ldd+i] = row[j]
				}
			}
		}
	}
}

// transposeParallel is transposeBlock with the rows of src in blocks of
// 16 shared out among threads.
func transposeParallel(arch *winoArch, dst []float32, ldd int, src []float32, lds, rows, cols int) {
	ParallelFor(ceilDiv(rows, 16), max(1, elemGrain/(cols*16)), func(lo, hi int) {
		transposeBlock(arch, dst[lo*16:], ldd, src[lo*16*lds:], lds, min(rows, hi*16)-lo*16, cols, false)
	})
}

// winogradConv computes y = conv(x, w) for a g where winograd holds, by
// F(2×2, 3×3) on arch's transforms; with flip, w holds the weights of the
// convolution whose input gradient this is (w [C, K, 3, 3], flipped and
// transposed by winogradWeights). e (nil: none) is applied as in Conv2d.
func winogradConv(arch *winoArch, y, x, w []float32, g Conv2dGeom, flip bool, e *Epilogue) {
	C, K := g.C, g.K
	th, tw := ceilDiv(g.OH, 2), ceilDiv(g.OW, 2)
	rows := g.N * th
	chunkRows := winogradChunkRows(rows, tw, C, K)
	pcMax := min(rows, chunkRows) * tw

	// U_ξ, packed for the products of pcMax rows: written packed by the
	// transform where every chunk's product reads them so, else laid out
	// and then packed (PackB). They too lie winogradPad apart beyond their
	// size: PackedBLen is a power of two for 128 and 256 channels, and the
	// transform's 16 streams had all fallen in one set of the L1 and of the
	// L2 (at batch 8 on a Zen 2 the 256-channel layer's passes ran
	// 1.13–1.20× as fast padded, the 128-channel one's 1.02–1.13×,
	// bench/results/winograd-packed-pad-2026-12-05-zen2.txt).
	plen := winogradStride(PackedBLen(pcMax, K, C))
	pp := getScratch(16 * plen)
	defer putScratch(pp)
	var pbs [16]*PackedB
	lastP := pcMax
	if rest := rows % chunkRows; rows > chunkRows && rest > 0 {
		lastP = rest * tw
	}
	if pb := packedBInto(pcMax, K, C, *pp); pb != nil && pb.packedFor(lastP) {
		for xi := range pbs {
			pbs[xi] = packedBInto(pcMax, K, C, (*pp)[xi*plen:])
		}
		winogradWeightsPacked(arch, (*pp)[:16*plen], plen, pb, w, K, C, flip)
	} else {
		ust := winogradStride(K * C)
		up := getScratch(16 * ust)
		defer putScratch(up)
		u := *up
		winogradWeights(arch, u, w, K, C, flip)
		for xi := range pbs {
			pbs[xi] = PackB(pcMax, K, C, false, u[xi*ust:], K, (*pp)[xi*plen:])
		}
	}

	ParallelItems(ceilDiv(rows, chunkRows), func() (func(int), func()) {
		c := newWinoChunk(arch, &g, e, pcMax, min(rows, chunkRows))
		return func(i int) {
			c.run(y, x, pbs[:], i*chunkRows, min(rows, (i+1)*chunkRows))
		}, c.release
	})
}

// winoChunk is a worker's scratch for the chunks of tile rows of a
// convolution by F(2×2, 3×3): the input rows under a chunk's tiles laid
// out channel-minor (xc, a zero vector at its end for the taps in the
// padding), their transforms (v), the 16 products (m), and the outputs
// channel-minor (yc, a vector at its end for the parts of tiles past the
// output's edge), all small enough to stay in cache from one step to the
// next. (With the whole input and output laid out at once, a ResNet's
// 64-channel layer spent a third as long laying out as multiplying.)
type winoChunk struct {
	arch         *winoArch
	g            *Conv2dGeom
	e            *Epilogue
	th, tw       int
	vst, mst     int
	xc, yc, v, m []float32
	zero, trash  int
	segs         []winoSeg
	scratch      *[]float32
}

// winoSeg is the part of a chunk in one image: tile rows [tyA, tyB) of
// image n, whose input rows from ihLo lie at xc[xo:] and whose output rows
// [oyLo, oyHi) go to yc[yo:].
type winoSeg struct {
	n, tyA, tyB, ihLo, xo, oyLo, oyHi, yo int
}

// newWinoChunk returns the scratch of a worker for chunks of up to
// chunkRows tile rows, pc tiles; with pc 0, none for their transforms and
// products (the weight gradient writes those to shared scratch).
func newWinoChunk(arch *winoArch, g *Conv2dGeom, e *Epilogue, pc, chunkRows int) *winoChunk {
	c := &winoChunk{arch: arch, g: g, e: e, th: ceilDiv(g.OH, 2), tw: ceilDiv(g.OW, 2)}
	if pc > 0 {
		c.vst, c.mst = winogradStride(pc*g.C), winogradStride(pc*g.K)
	}
	// A segment of r tile rows reads at most 2r+2 input rows and writes
	// 2r output rows.
	c.zero = (2*chunkRows + 2*min(chunkRows, g.N)) * g.W * g.C
	c.trash = 2 * chunkRows * g.OW * g.K
	nx, ny := c.zero+g.C, c.trash+g.K
	c.scratch = getScratch(nx + ny + 16*(c.vst+c.mst))
	s := *c.scratch
	c.xc, s = s[:nx], s[nx:]
	c.yc, s = s[:ny], s[ny:]
	c.v, c.m = s[:16*c.vst], s[16*c.vst:]
	clear(c.xc[c.zero:])
	return c
}

func (c *winoChunk) release() { putScratch(c.scratch) }

// segments sets c.segs to the parts of the tile rows [r0, r1) in each
// image.
func (c *winoChunk) segments(r0, r1 int) {
	g := c.g
	c.segs = c.segs[:0]
	xo, yo := 0, 0
	for gr := r0; gr < r1; {
		s := winoSeg{n: gr / c.th, tyA: gr % c.th, xo: xo, yo: yo}
		s.tyB = min(c.th, s.tyA+r1-gr)
		s.ihLo = max(0, 2*s.tyA-g.PadH)
		xo += max(0, min(g.H, 2*(s.tyB-1)-g.PadH+4)-s.ihLo) * g.W * g.C
		s.oyLo, s.oyHi = 2*s.tyA, min(g.OH, 2*s.tyB)
		yo += (s.oyHi - s.oyLo) * g.OW * g.K
		c.segs = append(c.segs, s)
		gr += s.tyB - s.tyA
	}
}

// input lays out the input rows of c.segs channel-minor in c.xc and
// writes the input transforms of their tiles in turn to v (tile p's
// element ξ at v[ξ·vst + p·C:]); it returns the number of tiles.
func (c *winoChunk) input(x, v []float32, vst int) int {
	g, arch := c.g, c.arch
	C, H, W := g.C, g.H, g.W
	hw := H * W
	for _, s := range c.segs {
		if ihHi := min(H, 2*(s.tyB-1)-g.PadH+4); ihHi > s.ihLo {
			transposeBlock(arch, c.xc[s.xo:], C, x[s.n*C*hw+s.ihLo*W:], hw, C, (ihHi-s.ihLo)*W, false)
		}
	}
	var offs [16]int
	p := 0
	for _, s := range c.segs {
		for ty := s.tyA; ty < s.tyB; ty++ {
			for tx := range c.tw {
				for ti := range 4 {
					ih := 2*ty - g.PadH + ti
					for tj := range 4 {
						iw := 2*tx - g.PadW + tj
						if ih >= 0 && ih < H && iw >= 0 && iw < W {
							offs[ti*4+tj] = s.xo + ((ih-s.ihLo)*W+iw)*C
						} else {
							offs[ti*4+tj] = c.zero
						}
					}
				}
				arch.in(c.xc, &offs, v[p*C:], vst, C)
				p++
			}
		}
	}
	return p
}

// outOffsets sets oo to the offsets in c.yc of the outputs of tile
// (ty, tx) of segment s, c.trash for those past the output's edge.
func (c *winoChunk) outOffsets(oo *[4]int, s *winoSeg, ty, tx int) {
	OH, OW, K := c.g.OH, c.g.OW, c.g.K
	for oi := range 2 {
		for oj := range 2 {
			oy, ox := 2*ty+oi, 2*tx+oj
			if oy < OH && ox < OW {
				oo[oi*2+oj] = s.yo + ((oy-s.oyLo)*OW+ox)*K
			} else {
				oo[oi*2+oj] = c.trash
			}
		}
	}
}

// run computes the outputs of the tile rows [r0, r1) of y = conv(x, ·)
// with the packed transformed weights pbs.
func (c *winoChunk) run(y, x []float32, pbs []*PackedB, r0, r1 int) {
	g, arch := c.g, c.arch
	C, K, OW := g.C, g.K, g.OW
	ohw := g.OH * OW
	c.segments(r0, r1)
	p := c.input(x, c.v, c.vst)
	for xi, pb := range pbs {
		SgemmPacked(false, p, 1, c.v[xi*c.vst:], C, pb, 0, c.m[xi*c.mst:], K, nil)
	}
	var oo [4]int
	var ge Epilogue
	p = 0
	for _, s := range c.segs {
		for ty := s.tyA; ty < s.tyB; ty++ {
			for tx := range c.tw {
				c.outOffsets(&oo, &s, ty, tx)
				arch.out(c.m[p*K:], c.mst, c.yc, &oo, K)
				p++
			}
		}
		// Back to [N, K, OH, OW], and the epilogue while the rows are in cache.
		at := s.n * K * ohw
		pix := (s.oyHi - s.oyLo) * OW
		// Along y's rows where its planes are longer than the channels
		// (64 channels of 32×32: 1.12×, 128 of 16×16: 1.02–1.03×); on
		// the 256- and 512-channel layers it read 0.96–1.01×.
		transposeBlock(arch, y[at+s.oyLo*OW:], ohw, c.yc[s.yo:], K, pix, K, ohw > K)
		if !c.e.none() {
			imageEpilogue(&ge, c.e, 0, K, at).apply(y[at+s.oyLo*OW:], ohw, 0, K, s.oyLo*OW, pix)
		}
	}
}

// outputGrad lays out the output-gradient rows of c.segs channel-minor in
// c.yc and writes the transposed output transforms A·dY·Aᵀ of their
// tiles in turn to dm (tile p's element ξ at dm[ξ·mst + p·K:]); c.yc's
// vector at c.trash must be zero, for the parts of tiles past the edge.
func (c *winoChunk) outputGrad(dy, dm []float32, mst int) {
	g, arch := c.g, c.arch
	K, OW := g.K, g.OW
	ohw := g.OH * OW
	for _, s := range c.segs {
		transposeBlock(arch, c.yc[s.yo:], K, dy[s.n*K*ohw+s.oyLo*OW:], ohw, K, (s.oyHi-s.oyLo)*OW, false)
	}
	var oo [4]int
	p := 0
	for _, s := range c.segs {
		for ty := s.tyA; ty < s.tyB; ty++ {
			for tx := range c.tw {
				c.outOffsets(&oo, &s, ty, tx)
				arch.dy(c.yc, &oo, dm[p*K:], mst, K)
				p++
			}
		}
	}
}

// winogradWgradFloats bounds the scratch of a pass of
// winogradBackwardWeight's products: the transformed inputs and output
// gradients of its tiles, 16·(C+K) floats a tile. A variable, so that
// tests can make passes small.
var winogradWgradFloats = 1 << 22

// winogradBackwardWeight writes dw (overwriting it) from x and dy for a
// g where winograd holds, by F(2×2, 3×3): dU_ξ [C, K] = Σ_tiles V_ξᵀ ·
// (A·dY·Aᵀ)_ξ, the adjoint of the forward pass's products, then
// dW[k,c] = Gᵀ·dU[c,k]·G. Where C·K is at most winogradWgradGroupPairs,
// the tiles go in groups (winogradBackwardWeightGroups); else in passes of
// whole tile rows, whose transforms are written in parallel and whose 16
// products (one per ξ, in parallel) add to dU in pass order. Either way
// the sums do not depend on GOMAXPROCS.
func winogradBackwardWeight(arch *winoArch, dw, x, dy []float32, g Conv2dGeom) {
	if g.C*g.K <= winogradWgradGroupPairs {
		winogradBackwardWeightGroups(arch, dw, x, dy, g)
		return
	}
	C, K := g.C, g.K
	th, tw := ceilDiv(g.OH, 2), ceilDiv(g.OW, 2)
	rows := g.N * th
	subRows := max(1, winogradTiles/tw)                                         // rows of a worker's chunk
	passRows := max(subRows, winogradWgradFloats/(16*(C+K)*tw)/subRows*subRows) // whole chunks
	pcMax := min(rows, passRows) * tw
	vst, mst, ust := winogradStride(pcMax*C), winogradStride(pcMax*K), winogradStride(C*K)
	sp := getScratch(16 * (vst + mst + ust))
	defer putScratch(sp)
	v, dm, du := (*sp)[:16*vst], (*sp)[16*vst:16*(vst+mst)], (*sp)[16*(vst+mst):]
	for r0 := 0; r0 < rows; r0 += passRows {
		r1 := min(rows, r0+passRows)
		ParallelItems(ceilDiv(r1-r0, subRows), func() (func(int), func()) {
			c := newWinoChunk(arch, &g, nil, 0, subRows)
			clear(c.yc[c.trash:])
			return func(i int) {
				a, b := r0+i*subRows, min(r1, r0+(i+1)*subRows)
				c.segments(a, b)
				at := (a - r0) * tw
				c.input(x, v[at*C:], vst)
				c.outputGrad(dy, dm[at*K:], mst)
			}, c.release
		})
		var beta float32
		if r0 > 0 {
			beta = 1
		}
		pc := (r1 - r0) * tw
		ParallelFor(16, 1, func(lo, hi int) {
			for xi := lo; xi < hi; xi++ {
				Sgemm(true, false, C, K, pc, 1, v[xi*vst:], C, dm[xi*mst:], K, beta, du[xi*ust:], K)
			}
		})
	}
	winogradWeightsGrad(arch, dw, du, ust, K, C)
}

// winogradWgradGroups is how many groups of chunks
// winogradBackwardWeightGroups cuts the tiles into (fewer where there are
// fewer chunks): enough for 16 threads. A variable, so that tests can
// make groups uneven.
var winogradWgradGroups = 16

// winogradWgradGroupPairs bounds C·K of a weight gradient summed in groups
// (winogradBackwardWeightGroups) rather than in passes: a group's 16 dU
// take 16·C·K floats, 1 MiB at the bound, which the products of each of
// its chunks read and write back, so they must stay in a core's cache. On
// a ResNet's layers at batch 128 (Zen 5, 2 threads, against the passes, in
// two runs): 64 channels 1.39× and 1.22×, 128 1.19× and 1.07×, 256 1.01×
// and 1.05×; on one thread 64 and 128 channels 1.26× and 1.20×
// (bench/results/winograd-wgrad-groups-2026-12-03-zen5.txt). A variable,
// so that tests can run both ways.
var winogradWgradGroupPairs = 128 * 128

// winogradBackwardWeightGroups writes dw as winogradBackwardWeight does,
// the tiles in chunks of whole tile rows (as winogradConv's) cut into
// groups by their order alone: a worker takes a group at a time and runs
// each of its chunks through the transforms and the 16 products into the
// group's own dU, all in its cache; the groups' dU are then added in group
// order. So no transform leaves the worker's cache, and the sums do not
// depend on GOMAXPROCS.
func winogradBackwardWeightGroups(arch *winoArch, dw, x, dy []float32, g Conv2dGeom) {
	C, K := g.C, g.K
	th, tw := ceilDiv(g.OH, 2), ceilDiv(g.OW, 2)
	rows := g.N * th
	chunkRows := max(1, min(winogradWgradTiles/tw, ceilDiv(rows, winogradWgradChunks)))
	chunks := ceilDiv(rows, chunkRows)
	groups := min(winogradWgradGroups, chunks)
	pcMax := min(rows, chunkRows) * tw
	ust := winogradStride(C * K)
	sp := getScratch(groups * 16 * ust)
	defer putScratch(sp)
	parts := *sp
	ParallelItems(groups, func() (func(int), func()) {
		c := newWinoChunk(arch, &g, nil, pcMax, min(rows, chunkRows))
		clear(c.yc[c.trash:])
		return func(gi int) {
			du := parts[gi*16*ust:]
			lo, hi := splitEven(gi, chunks, groups), splitEven(gi+1, chunks, groups)
			for ci := lo; ci < hi; ci++ {
				c.segments(ci*chunkRows, min(rows, (ci+1)*chunkRows))
				p := c.input(x, c.v, c.vst)
				c.outputGrad(dy, c.m, c.mst)
				var beta float32
				if ci > lo {
					beta = 1
				}
				for xi := range 16 {
					Sgemm(true, false, C, K, p, 1, c.v[xi*c.vst:], C, c.m[xi*c.mst:], K, beta, du[xi*ust:], K)
				}
			}
		}, c.release
	})
	du := parts[:16*ust]
	addInOrder(du, parts[16*ust:], groups-1)
	winogradWeightsGrad(arch, dw, du, ust, K, C)
}

// winoWtGradGo is winoArch.wtGrad: dw = Gᵀ·dU·G in float64, rounded
// once. By columns j, s_0j = u_0j + ½(u_1j+u_2j), s_1j = ½(u_1j−u_2j),
// s_2j = ½(u_1j+u_2j) + u_3j; then dw's row r = (s_r0 + ½(s_r1+s_r2),
// ½(s_r1−s_r2), ½(s_r1+s_r2) + s_r3). The conversions keep each product
// apart from the sum it meets (no fused multiply-add), as the assembly.
func winoWtGradGo(src []float32, srcStride int, dst []float32, dstStride, n int) {
	for f := range n {
		var s [12]float64
		for j := range 4 {
			u0, u1, u2, u3 := float64(src[j*srcStride+f]), float64(src[(4+j)*srcStride+f]), float64(src[(8+j)*srcStride+f]), float64(src[(12+j)*srcStride+f])
			s[j], s[4+j], s[8+j] = u0+float64(0.5*(u1+u2)), 0.5*(u1-u2), float64(0.5*(u1+u2))+u3
		}
		for r := range 3 {
			s0, s1, s2, s3 := s[r*4], s[r*4+1], s[r*4+2], s[r*4+3]
			dst[(r*3)*dstStride+f] = float32(s0 + float64(0.5*(s1+s2)))
			dst[(r*3+1)*dstStride+f] = float32(0.5 * (s1 - s2))
			dst[(r*3+2)*dstStride+f] = float32(float64(0.5*(s1+s2)) + s3)
		}
	}
}

// winogradWeightsGrad writes dw [K, C, 3, 3] = Gᵀ·dU·G from the 16
// matrices dU_ξ [C, K] (du[ξ·ust + c·K + k]): the transform on vectors
// of filters into [C, 3, 3, K], then laid out as dw.
func winogradWeightsGrad(arch *winoArch, dw, du []float32, ust, k, c int) {
	tp := getScratch(len(dw))
	defer putScratch(tp)
	dwt := *tp
	ParallelFor(c, max(1, elemGrain/(k*16)), func(lo, hi int) {
		for ci := lo; ci < hi; ci++ {
			arch.wtGrad(du[ci*k:], ust, dwt[ci*9*k:], k, k)
		}
	})
	transposeParallel(arch, dw, c*9, dwt, k, c*9, k)
}

// WinogradEnv names the environment variable that turns F(2×2, 3×3) off
// (0) or on (1, the default): off, every convolution is summed the way it
// was without it, with the same bits.
const WinogradEnv = "TENSORGL_CPU_WINOGRAD"

func init() {
	v, set := os.LookupEnv(WinogradEnv)
	on, err := winogradSetting(v, set)
	if err != nil {
		println("tensorgl:", err.Error())
	}
	if !on {
		winogradUse = nil
	}
}

// winogradSetting parses WinogradEnv's value: on when unset or bad (with
// an error naming what was expected and found).
func winogradSetting(v string, set bool) (bool, error) {
	switch {
	case !set || v == "1":
		return true, nil
	case v == "0":
		return false, nil
	}
	return true, fmt.Errorf("%s=%q: want 0 (off) or 1 (on); on", WinogradEnv, v)
}
