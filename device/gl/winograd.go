//go:build cgo && !nogl

package gl

import (
	"fmt"
	"os"

	"github.com/tensorgl/tensorgl/device"
)

// WinogradEnv names the environment variable that chooses, when a device is
// opened, which convolutions run by Winograd's F(2×2, 3×3)
// (shaders/winograd.comp): 0 none, 1 every one it can run (winogradFits),
// unset those of at least winogradMinMACs multiply-adds (on hardware; on
// llvmpipe, winogradSoftwareMinMACs). The forward pass and the input
// gradient of a 3×3 stride-1 layer take 2.25× fewer multiply-adds that way,
// in four dispatches (the weights' and the input's transforms, a GEMM
// batched over the 16 elements of the transformed tiles, and the output's
// transform with the epilogue) in place of one, and so does its weight
// gradient where each weight sums winogradWgradMinTerms terms or more (the
// input's and the output gradient's transforms, the GEMM, the weights'
// transform); the results differ from the direct sums' by rounding, within
// the conformance tolerances.
const WinogradEnv = "TENSORGL_GL_WINOGRAD"

// winogradMinMACs is the fewest multiply-adds of the direct sum of a
// convolution run by F(2×2, 3×3) on hardware by default: 2²⁷, ~50 µs at
// 5 TFLOP/s, so that the three dispatches it adds are a small part of
// what it saves. A CIFAR ResNet-18's 3×3 layers at batch 128 take 1.2·10⁹
// each. (Not yet timed on a GPU: bench/gpu/run.sh times both ways.)
const winogradMinMACs = 1 << 27

// winogradSoftwareMinMACs is winogradMinMACs on llvmpipe, 2²²: there a
// 64-channel layer of 1×16×16 (2²³ multiply-adds) ran 2.1–2.5× as fast by
// F(2×2, 3×3) and one of 1×8×8 (2²¹) 0.97–1.09×; layers of 2×64×32×32 ran
// 2.7–3.0×, 2×256×8×8 1.8×, 2×512×4×4 2.0–2.1× and 4×64×32×32 to
// 32×512×4×4 2.7–16× (the direct kernel's 64-wide tiles fill a quarter
// on a 4×4 plane), and ResNet-18's step at batch 2 1.42×
// (bench/results/winograd-gl-llvmpipe-2026-12-04-zen5.txt).
const winogradSoftwareMinMACs = 1 << 22

// winogradMinChannels is the fewest channels, each way, of a convolution
// run by F(2×2, 3×3): its rounding errors grow with the magnitudes of every
// input of a tile's 4×4 patch, not only those an output's window takes,
// and sums over fewer channels leave them too large for the bound the
// conformance suite states for a direct sum (the CPU backend's kernels
// hold the same minimum).
const winogradMinChannels = 64

// winogradSetting reads WinogradEnv: the fewest multiply-adds of a
// convolution run by F(2×2, 3×3), or −1 for none.
func winogradSetting(software bool) (int, error) {
	switch v := os.Getenv(WinogradEnv); v {
	case "":
		if software {
			return winogradSoftwareMinMACs, nil
		}
		return winogradMinMACs, nil
	case "0":
		return -1, nil
	case "1":
		return 0, nil
	default:
		return -1, fmt.Errorf("%s=%q: want 0 (no convolution by F(2×2, 3×3)) or 1 (every one that can)", WinogradEnv, v)
	}
}

// winogradFits reports whether the convolution p can run by F(2×2, 3×3)
// and, with d's setting, should: 3×3 filters, stride and dilation 1, no
// groups, padding of at most 2 (so that the input gradient's correlation
// is padded too), at least winogradMinChannels channels each way, at least
// d.winogradMin multiply-adds, and transformed tensors within a buffer and
// 32-bit indices.
func (d *Device) winogradFits(p device.Conv2dParams) bool {
	if d.winogradMin < 0 || p.R != 3 || p.S != 3 || p.StrideH != 1 || p.StrideW != 1 || p.DilH != 1 || p.DilW != 1 ||
		max(p.Groups, 1) != 1 || p.PadH > 2 || p.PadW > 2 || min(p.C, p.K) < winogradMinChannels {
		return false
	}
	oh, ow := p.OutH(), p.OutW()
	if oh < 1 || ow < 1 || int64(p.N)*int64(p.K)*int64(p.C)*9*int64(oh)*int64(ow) < int64(d.winogradMin) {
		return false
	}
	// The input gradient's tiles cover the H×W plane, the forward pass's
	// the OH×OW one.
	tiles := int64(p.N) * int64((max(oh, p.H)+1)/2) * int64((max(ow, p.W)+1)/2)
	most := 16 * max(tiles*int64(max(p.C, p.K)), int64(p.C)*int64(p.K))
	return most < 1<<31 && most <= int64(d.info.Limits.MaxBufferElements)
}

// winograd runs a 3×3 stride-1 correlation of x [n, in, h, w], padded by
// padH, padW, to y [n, out, oh, ow] by F(2×2, 3×3) and applies e: with the
// filters w [out, in, 3, 3], or, with flip, w [in, out, 3, 3] each turned
// by 180° (an input gradient).
func (d *Device) winograd(name string, y, x, w device.Buffer, e device.Epilogue, flip bool, n, in, out, h, wd, padH, padW, oh, ow int) {
	tiles, setTiles, setOut := winogradTiles(n, oh, ow)
	u := d.Alloc(device.Float32, 16*out*in)
	v := d.Alloc(device.Float32, 16*in*tiles)
	m := d.Alloc(device.Float32, 16*out*tiles)
	defs := []string{"WEIGHTS"}
	if flip {
		defs = append(defs, "FLIP")
	}
	dIn := divMagic(in)
	d.winogradPass(name+" weights", defs, []*glBuffer{d.buf(u), d.buf(w)}, device.Epilogue{}, out*in, out, in, func(p *program) {
		p.setPair("u_dIn", dIn)
	})
	d.winogradInput(name, v, x, setTiles, in*tiles, out, in, h, wd, padH, padW)
	d.matMul(name+" product", m, u, v, device.Epilogue{}, device.MatMulParams{Batch: 16, M: out, N: tiles, K: in,
		StrideA: out * in, StrideB: in * tiles, StrideC: out * tiles, Alpha: 1})
	d.winogradPass(name+" output", []string{"OUTPUT"}, []*glBuffer{d.buf(y), d.buf(m)}, e, out*tiles, out, in, setOut)
	// Commands run in order: whatever reuses these next comes after.
	d.Free(u)
	d.Free(v)
	d.Free(m)
}

// winogradWgradMinTerms is the fewest terms (N·OH·OW) of each weight's sum
// for a weight gradient by F(2×2, 3×3). Its rounding errors grow with the
// magnitudes of every input of a tile's 4×4 patch, not only those a weight
// multiplies, so against the bound the conformance suite states for a
// float32 sum of n terms it needs deep sums (the CPU backend's kernels
// take the same minimum, with the measurements behind it).
const winogradWgradMinTerms = 1024

// winogradWgradFits reports whether the weight gradient of p runs by
// F(2×2, 3×3): where its forward pass does, with winogradWgradMinTerms
// terms or more in each weight's sum.
func (d *Device) winogradWgradFits(p device.Conv2dParams) bool {
	return d.winogradFits(p) && p.N*p.OutH()*p.OutW() >= winogradWgradMinTerms
}

// winogradWgrad computes dw [out, in, 3, 3] of a 3×3 stride-1 correlation
// of x [n, in, h, w], padded by padH, padW, to dy [n, out, oh, ow] by
// F(2×2, 3×3): dU_ξ = dM_ξ·V_ξᵀ summed over the tiles, with dM the output
// gradient's tiles transformed (A·dY·Aᵀ) and V the input's (Bᵀ·d·B), then
// dw = Gᵀ·dU·G.
func (d *Device) winogradWgrad(name string, dw, x, dy device.Buffer, n, in, out, h, wd, padH, padW, oh, ow int) {
	tiles, setTiles, setOut := winogradTiles(n, oh, ow)
	v := d.Alloc(device.Float32, 16*in*tiles)
	dm := d.Alloc(device.Float32, 16*out*tiles)
	du := d.Alloc(device.Float32, 16*out*in)
	d.winogradInput(name, v, x, setTiles, in*tiles, out, in, h, wd, padH, padW)
	d.winogradPass(name+" output gradient", []string{"DY"}, []*glBuffer{d.buf(dm), d.buf(dy)}, device.Epilogue{}, out*tiles, out, in, setOut)
	d.matMul(name+" product", du, dm, v, device.Epilogue{}, device.MatMulParams{Batch: 16, M: out, N: in, K: tiles, TransB: true,
		StrideA: out * tiles, StrideB: in * tiles, StrideC: out * in, Alpha: 1})
	d.winogradPass(name+" weights", []string{"WGRAD"}, []*glBuffer{d.buf(dw), d.buf(du)}, device.Epilogue{}, out*in, out, in, func(*program) {})
	// Commands run in order: whatever reuses these next comes after.
	d.Free(v)
	d.Free(dm)
	d.Free(du)
}

// winogradInput enqueues the input's transform V of x [n, in, h, wd],
// padded by padH, padW, over count = in·tiles invocations.
func (d *Device) winogradInput(name string, v, x device.Buffer, setTiles func(*program), count, out, in, h, wd, padH, padW int) {
	d.winogradPass(name+" input", []string{"INPUT"}, []*glBuffer{d.buf(v), d.buf(x)}, device.Epilogue{}, count, out, in, func(p *program) {
		setTiles(p)
		p.setInt("u_h", h)
		p.setInt("u_w", wd)
		p.setInt("u_padH", padH)
		p.setInt("u_padW", padW)
	})
}

// winogradTiles returns the number of 2×2 tiles covering n output planes
// of oh × ow, and functions setting the tile uniforms of the INPUT kernel
// and, with the plane's, of the OUTPUT and DY kernels.
func winogradTiles(n, oh, ow int) (tiles int, setTiles, setOut func(*program)) {
	tilesH, tilesW := (oh+1)/2, (ow+1)/2
	tiles = n * tilesH * tilesW
	dTiles, dTilesW, dTilesHW := divMagic(tiles), divMagic(tilesW), divMagic(tilesH*tilesW)
	setTiles = func(p *program) {
		p.setInt("u_tiles", tiles)
		p.setInt("u_tilesW", tilesW)
		p.setInt("u_tilesHW", tilesH*tilesW)
		p.setPair("u_dTiles", dTiles)
		p.setPair("u_dTilesW", dTilesW)
		p.setPair("u_dTilesHW", dTilesHW)
	}
	setOut = func(p *program) {
		setTiles(p)
		p.setInt("u_oh", oh)
		p.setInt("u_ow", ow)
	}
	return tiles, setTiles, setOut
}

// winogradPass enqueues the winograd family's kernel of defs over count
// invocations: it writes bufs[0], reads bufs[1], and applies e (OUTPUT).
func (d *Device) winogradPass(name string, defs []string, bufs []*glBuffer, e device.Epilogue, count, out, in int, set func(*program)) {
	all := []*glBuffer{bufs[0], bufs[1], nil, nil, nil, nil, nil}
	defs = d.epilogueDefs(append(defs, localDef(elemLocal)), all, e)
	d.enqueue(name, func() {
		p := d.program(variant{family: "winograd", defs: defs, ops: unaryOps})
		if p == nil {
			return
		}
		d.bind(writes(0), all...)
		p.setUint("u_n", count)
		p.setInt("u_out", out)
		p.setInt("u_in", in)
		setEpilogue(p, e)
		set(p)
		d.dispatch1(p, count, elemLocal)
	})
}
