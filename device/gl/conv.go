//go:build cgo && !nogl

package gl

import (
	"math/bits"

	"github.com/tensorgl/tensorgl/device"
)

// Conv2d computes y = conv(x, w) as an implicit GEMM per group, the images
// side by side along its columns, or by F(2×2, 3×3) where winogradFits, and
// applies e.
func (d *Device) Conv2d(y, x, w device.Buffer, e device.Epilogue, p device.Conv2dParams) {
	e.OnlyMatMul("Conv2d")
	oh, ow := p.OutH(), p.OutW()
	if d.winogradFits(p) {
		d.winograd("conv2d winograd", y, x, w, e, false, p.N, p.C, p.K, p.H, p.W, p.PadH, p.PadW, oh, ow)
		return
	}
	g := max(p.Groups, 1)
	if d.convDirectFits(p, false) {
		d.convDirectPass("conv2d direct", "FORWARD", y, x, w, e, p, p.K/g, oh, ow)
		return
	}
	d.conv("conv2d", "FORWARD", d.buf(y), d.buf(x), d.buf(w), e, p, g, p.K/g, p.N*oh*ow, p.C/g*p.R*p.S)
}

// Conv2dBackwardInput computes dx from dy and w; each input gradient is one
// dot product over the (k, r, s) taps that reach it, finished by e; or,
// where winogradFits, the correlation of dy padded by 2 − pad with the
// filters turned by 180° runs by F(2×2, 3×3); or, where convColsFits, a
// GEMM forms what each output pixel sends through each tap to each input
// channel (the columns wᵀ·dy, summing over the Kg filters) and a second
// kernel sums each input pixel's taps (the fold, col2im).
func (d *Device) Conv2dBackwardInput(dx, dy, w device.Buffer, e device.Epilogue, p device.Conv2dParams) {
	e.OnlyMatMul("Conv2dBackwardInput")
	if d.winogradFits(p) {
		d.winograd("conv2d backward input winograd", dx, dy, w, e, true, p.N, p.K, p.C, p.OutH(), p.OutW(), 2-p.PadH, 2-p.PadW, p.H, p.W)
		return
	}
	g := max(p.Groups, 1)
	if d.convDirectFits(p, true) {
		d.convDirectPass("conv2d backward input direct", "BACKWARD_X", dx, dy, w, e, p, p.C/g, p.H, p.W)
		return
	}
	if d.convColsFits(p) {
		// The columns wᵀ·dy, a GEMM summing over Kg, then their fold.
		cg, rs, np := p.C/g, p.R*p.S, p.N*p.OutH()*p.OutW()
		cols := d.Alloc(device.Float32, p.C*rs*np)
		d.conv("conv2d backward input cols", "BACKWARD_COLS", d.buf(cols), d.buf(dy), d.buf(w), device.Epilogue{}, p, g, cg*rs, np, p.K/g)
		d.convElementwise("conv2d backward input fold", []string{"FOLD"}, dx, cols, nil, e, p, p.N*p.C*p.H*p.W, 1, divMagic(p.H*p.W), divMagic(p.W))
		d.Free(cols) // commands run in order: its next user comes after the fold
		return
	}
	d.conv("conv2d backward input", "BACKWARD_X", d.buf(dx), d.buf(dy), d.buf(w), e, p, g, p.C/g, p.N*p.H*p.W, p.K/g*p.R*p.S)
}

// Conv2dBackwardWeight computes dw from x and dy, one GEMM per group that
// reduces over images and output positions, db, unless nil, in the same
// dispatch (the GEMM's row sums of dy); or, where winogradWgradFits, by
// F(2×2, 3×3), db by Reduce after it. Where convDirectWgradFits, the
// direct kernel computes both.
func (d *Device) Conv2dBackwardWeight(dw, db, x, dy device.Buffer, p device.Conv2dParams) {
	switch {
	case d.winogradWgradFits(p):
		d.winogradWgrad("conv2d backward weight winograd", dw, x, dy, p.N, p.C, p.K, p.H, p.W, p.PadH, p.PadW, p.OutH(), p.OutW())
	case d.convDirectWgradFits(p):
		d.convDirectWgrad("conv2d backward weight direct", dw, db, x, dy, p)
		return
	default:
		g := max(p.Groups, 1)
		d.conv("conv2d backward weight", "BACKWARD_W", d.buf(dw), d.buf(x), d.buf(dy), device.Epilogue{BiasGrad: db}, p, g, p.K/g, p.C/g*p.R*p.S, p.N*p.OutH()*p.OutW())
		return
	}
	if db != nil {
		d.Reduce(db, dy, p.BiasGrad())
	}
}

func (d *Device) conv(name, mode string, out, in0, in1 *glBuffer, e device.Epilogue, p device.Conv2dParams, batch, m, n, k int) {
	defs := []string{mode}
	if mode == "BACKWARD_X" && p.StrideH == 1 && p.StrideW == 1 {
		defs = append(defs, "UNIT_STRIDE")
	}
	// The loaders' divisors, their pairs computed here rather than at every
	// dispatch on the GL thread.
	magic := [...]struct {
		name string
		m    [2]uint32
	}{
		{"u_dRS", divMagic(p.R * p.S)}, {"u_dS", divMagic(p.S)}, {"u_dOW", divMagic(p.OutW())}, {"u_dW", divMagic(p.W)},
		{"u_dP", divMagic(p.OutH() * p.OutW())}, {"u_dHW", divMagic(p.H * p.W)},
		{"u_dSH", divMagic(p.StrideH)}, {"u_dSW", divMagic(p.StrideW)},
	}
	d.gemm(name, "conv", "matmul", defs, nil, []*glBuffer{out, in0, in1}, e, nil, func(prog *program) {
		setConvShape(prog, p)
		for _, u := range magic {
			prog.setPair(u.name, u.m)
		}
	}, batch, m, n, k)
}

// setConvShape sets the uniforms of p's shape that conv.comp and
// convdirect.comp share (u_n, u_c, … u_groups).
func setConvShape(prog *program, p device.Conv2dParams) {
	for _, u := range []struct {
		name string
		v    int
	}{
		{"u_n", p.N}, {"u_c", p.C}, {"u_h", p.H}, {"u_w", p.W}, {"u_k", p.K}, {"u_r", p.R}, {"u_s", p.S},
		{"u_oh", p.OutH()}, {"u_ow", p.OutW()}, {"u_strideH", p.StrideH}, {"u_strideW", p.StrideW},
		{"u_padH", p.PadH}, {"u_padW", p.PadW}, {"u_dilH", p.DilH}, {"u_dilW", p.DilW}, {"u_groups", max(p.Groups, 1)},
	} {
		prog.setInt(u.name, u.v)
	}
}

// divMagic returns the pair (m, l) with which the shaders' fdiv divides
// 0 ≤ x < 2³¹ by d ≥ 1 with a multiplication: l = ⌈log₂ d⌉ and
// m = ⌊2³²·(2ˡ − d)/d⌋ + 1, so that x/d = (⌊x·m/2³²⌋ + x) >> l (the
// round-up method of Granlund and Montgomery; the sum stays below 2³²).
func divMagic(d int) [2]uint32 {
	l := uint(bits.Len(uint(d - 1)))
	m := (uint64(1)<<32*(uint64(1)<<l-uint64(d)))/uint64(d) + 1
	return [2]uint32{uint32(m), uint32(l)}
}
