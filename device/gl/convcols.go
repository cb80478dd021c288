//go:build cgo && !nogl

package gl

import "github.com/tensorgl/tensorgl/device"

// ConvColsEnv names the environment variable that chooses, when a device
// is opened, how the input gradient of a convolution of few input channels
// a group runs where it runs neither direct nor by F(2×2, 3×3): as a GEMM
// forming the columns wᵀ·dy, what each output pixel sends through each
// tap to each input channel, then their fold, each input pixel summing its
// taps (1, the default); or as one implicit GEMM (0), each input gradient
// one dot product over the (k, r, s) taps that could reach it.
//
// The implicit GEMM has as many rows as the group has input channels (6 on
// LeNet's second layer: a third of a thin tile's 16) and sums Kg·R·S terms
// for each input pixel, most of them from taps that fall outside dy (zeros
// it still multiplies: LeNet's second layer 400 against 16·R·S of which
// about half land, at 128×128 tiles' pace of one K step at a time); it took
// 126 µs on the H200 for LeNet's second layer at batch 64
// (bench/results/h200-kernels-final-gl.txt), 2.7 times its forward pass of
// the same multiply-adds. The columns' GEMM has Cg·R·S rows (150 there)
// and sums Kg (16) terms, only the taps that land: half the arithmetic in
// two short kernels. The results are within the conformance bounds, not
// the implicit GEMM's bits (the sums run in another order).
const ConvColsEnv = "TENSORGL_GL_CONVCOLS"

// convColsMaxC is the most input channels a group whose input gradient
// runs by columns: the thin tiles' rows (16), which the implicit GEMM
// fills one per channel.
const convColsMaxC = 16

// convColsMaxElems bounds the columns' scratch buffer, C·R·S·N·OH·OW
// values (64 MiB): LeNet's second layer at batch 1 024 needs 15.4·10⁶.
const convColsMaxElems = 1 << 24

// convColsSetting reads ConvColsEnv.
func convColsSetting() (bool, error) {
	return switchSetting(ConvColsEnv, true, "0 (input gradients as implicit GEMMs) or 1 (few channels by columns and their fold)")
}

// convColsFits reports whether the input gradient of p runs by columns:
// with d's setting, at most convColsMaxC input channels a group and
// columns of 1 to convColsMaxElems values.
func (d *Device) convColsFits(p device.Conv2dParams) bool {
	g := max(p.Groups, 1)
	cols := p.C * p.R * p.S * p.N * p.OutH() * p.OutW()
	return d.convCols && p.C/g <= convColsMaxC && cols > 0 && cols <= convColsMaxElems
}
