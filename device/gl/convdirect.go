//go:build cgo && !nogl

package gl

import (
	"fmt"
	"os"
	"strconv"

	"github.com/tensorgl/tensorgl/device"
)

// ConvDirectEnv names the environment variable that chooses, when a device
// is opened, whether the forward pass and the input gradient of
// convolutions with few channels run as a direct convolution
// (shaders/convdirect.comp, convDirectFits): 1 (the default) where they
// fit, 0 never, so every one runs as the implicit GEMM. One invocation per
// pixel computes every output channel of its group from inputs it reads
// once, the group's weights staged in shared memory; the implicit GEMM
// filled 6 or 16 of its tiles' rows on such layers and split each operand
// index it loaded. The sums run in the same order, without the padding's
// zero terms.
const ConvDirectEnv = "TENSORGL_GL_CONVDIRECT"

// convDirectMaxOut is the most output channels of a group that one
// invocation of the direct convolution computes, in registers.
const convDirectMaxOut = 16

// convDirectMaxWeights is the most weights of a group (Kg·Cg·R·S) the
// direct convolution stages in shared memory: 16 KiB of the 32 KiB GL 4.3
// guarantees.
const convDirectMaxWeights = 4096

// convDirectPix is how many adjacent pixels of a row one invocation of the
// direct convolution computes, each weight it reads serving all of them.
const convDirectPix = 4

// convDirectSetting reads ConvDirectEnv.
func convDirectSetting() (bool, error) {
	switch v := os.Getenv(ConvDirectEnv); v {
	case "", "1":
		return true, nil
	case "0":
		return false, nil
	default:
		return true, fmt.Errorf("%s=%q: want 0 (convolutions as implicit GEMMs only) or 1 (few channels direct)", ConvDirectEnv, v)
	}
}

// convDirectFits reports whether the forward pass of p (the input gradient,
// with backward) runs as a direct convolution: with d's setting, at most
// convDirectMaxOut output channels a group (filters forward, input channels
// backward) and convDirectMaxWeights weights a group; the input gradient
// with stride 1 only.
func (d *Device) convDirectFits(p device.Conv2dParams, backward bool) bool {
	g := max(p.Groups, 1)
	cg, kg := p.C/g, p.K/g
	out := kg
	if backward {
		if p.StrideH != 1 || p.StrideW != 1 {
			return false
		}
		out = cg
	}
	return d.convDirect && out >= 1 && out <= convDirectMaxOut && kg*cg*p.R*p.S <= convDirectMaxWeights
}

// convDirectPass runs shaders/convdirect.comp in mode (FORWARD or
// BACKWARD_X) from in0 (x or dy) and w into out, e applied, one invocation
// per pixel of the output planes (oh×ow, n images), nout channels each.
func (d *Device) convDirectPass(name, mode string, out, in0, w device.Buffer, e device.Epilogue, p device.Conv2dParams, nout, oh, ow int) {
	g := max(p.Groups, 1)
	row := (ow + convDirectPix - 1) / convDirectPix // invocations along a row of the output planes
	pixels := p.N * oh * row
	all := []*glBuffer{d.buf(out), d.buf(in0), d.buf(w), nil, nil, nil, nil}
	defs := d.epilogueDefs([]string{mode, localDef(elemLocal), "NOUT=" + strconv.Itoa(nout), "PIX=" + strconv.Itoa(convDirectPix),
		"WSIZE=" + strconv.Itoa(p.K/g*p.C/g*p.R*p.S)}, all, e)
	dPlane, dRow := divMagic(oh*row), divMagic(row)
	d.enqueue(name, func() {
		prog := d.program(variant{family: "convdirect", defs: defs, ops: unaryOps})
		if prog == nil {
			return
		}
		d.bind(writes(0), all...)
		prog.setUint("u_pixels", pixels)
		setConvShape(prog, p)
		prog.setPair("u_dPlane", dPlane)
		prog.setPair("u_dRow", dRow)
		setEpilogue(prog, e)
		d.dispatch(prog, (pixels+elemLocal-1)/elemLocal, g, 1)
	})
}
