package tensor

import (
	"runtime"
	"slices"

	"github.com/tensorgl/tensorgl/device"
)

// BatchNormOpts configures BatchNorm.
type BatchNormOpts struct {
	// Training normalises with the batch's statistics (and updates the
	// running ones, when given); otherwise the running statistics
	// normalise and are constants for the gradient.
	Training bool
	// Momentum weighs the batch's statistics in the running ones' update.
	Momentum float32
	// Eps is added to the variance before its square root.
	Eps float32
	// Relu applies max(·, 0) to the output in the same kernel, and the
	// ReLU's backward inside batch norm's (BatchNorm followed by Relu,
	// one kernel fewer each way and one pass less over the activations).
	Relu bool
	// Residual, when not nil, is added to the normalised output before
	// the ReLU, in the same kernel, as a residual block adds its shortcut
	// (BatchNorm, Add, Relu: two kernels fewer forward and one backward).
	// It has the input's shape; its gradient is the output's, masked by
	// the ReLU.
	Residual *Tensor
}

// BatchNorm normalises each channel (dimension 1) of x [N, C, ...] and
// applies the per-channel affine map of weight and bias [C] (nil: 1 and 0,
// no affine map), as PyTorch's batch_norm:
//
//	y = (x − μ_c)/√(σ²_c + ε)·weight_c + bias_c
//
// In training, μ and σ² are the mean and biased variance of the channel's
// N·(size of the dimensions after 1) values, and runMean and runVar [C],
// when not nil, are updated in place: run = (1 − momentum)·run +
// momentum·stat, runVar from the unbiased variance. In evaluation μ and σ²
// are runMean and runVar, which must be given, and are read again by the
// backward pass. The running statistics take no gradient and must be
// contiguous tensors of their own (not views at an offset).
//
// It runs as two kernels (per-channel statistics and the normalisation,
// one in evaluation) where the separate ops take about ten, and its
// backward as two (per-channel Σ dy and Σ dy·x̂, the gradients of weight
// and bias, then dx), with o.Relu's activation and its backward included.
func BatchNorm(x, weight, bias, runMean, runVar *Tensor, o BatchNormOpts) *Tensor {
	const op = "BatchNorm"
	ins := []*Tensor{x}
	for _, t := range []*Tensor{weight, bias} {
		if t != nil {
			ins = append(ins, t)
		}
	}
	if (runMean == nil) != (runVar == nil) {
		fail(op, "give both running statistics or neither")
	}
	if runMean != nil {
		ins = append(ins, runMean, runVar)
	}
	perChannel := ins[1:]
	if o.Residual != nil {
		ins = append(ins, o.Residual)
	}
	wantFloat(op, ins...)
	dev := sameDevice(op, ins...)
	for _, t := range ins {
		t.live(op)
	}
	if len(x.shape) < 2 {
		fail(op, "want input [N C ...], got %v", x.shape)
	}
	c := x.shape[1]
	if r := o.Residual; r != nil && !slices.Equal(r.shape, x.shape) {
		fail(op, "want a residual of the input's shape %v, got %v", x.shape, r.shape)
	}
	for _, t := range perChannel {
		if len(t.shape) != 1 || t.shape[0] != c {
			fail(op, "want weight, bias and running statistics [%d] for input %v, got %v", c, x.shape, t.shape)
		}
	}
	if runMean != nil {
		for _, t := range []*Tensor{runMean, runVar} {
			if t.requiresGrad || !t.IsContiguous() || t.offset != 0 {
				fail(op, "the running statistics must be contiguous tensors of their own that require no gradient")
			}
		}
	}
	p := device.BatchNormParams{N: x.shape[0], C: c, Inner: 1, Eps: o.Eps, Momentum: o.Momentum, Relu: o.Relu}
	for _, s := range x.shape[2:] {
		p.Inner *= s
	}
	m := p.N * p.Inner
	if o.Training && m < 2 {
		fail(op, "training needs more than one value per channel, got input %v", x.shape)
	}
	if !o.Training && runMean == nil {
		fail(op, "evaluation needs the running statistics")
	}
	var rc *Tensor
	var rb device.Buffer
	if o.Residual != nil {
		rc = o.Residual.Contiguous()
		rb = rc.st.buf
	}
	sc := ScopeOf(ins...)
	if weight == nil {
		weight = fullOn(sc, dev, 1, []int{c})
	}
	if bias == nil {
		bias = fullOn(sc, dev, 0, []int{c})
	}
	xc, wc, bc := x.Contiguous(), weight.Contiguous(), bias.Contiguous()
	// The statistics the normalisation used. The backward closure holds
	// them as tensors, not buffers: storage outside every scope is freed
	// once unreachable, and a bare buffer would not keep it reachable.
	var meanT, invstdT *Tensor
	if o.Training {
		mt, it := newTensor(sc, dev, device.Float32, []int{c}), newTensor(sc, dev, device.Float32, []int{c})
		var rm, rv device.Buffer
		if runMean != nil {
			p.Track = true
			rm, rv = runMean.st.buf, runVar.st.buf
		}
		dev.BatchNormStats(mt.st.buf, it.st.buf, rm, rv, xc.st.buf, p)
		p.Track = false
		meanT, invstdT = mt, it
	} else {
		p.Eval = true
		meanT, invstdT = runMean, runVar
	}
	y := newTensor(sc, dev, device.Float32, x.shape)
	if m > 0 {
		dev.BatchNorm(y.st.buf, xc.st.buf, meanT.st.buf, invstdT.st.buf, wc.st.buf, bc.st.buf, rb, p)
	}
	runtime.KeepAlive(rc)
	return record(op, y, []*Tensor{xc, wc, bc, rc}, func(g *Tensor) []*Tensor {
		mean, invstd := meanT.st.buf, invstdT.st.buf
		gc := g.Contiguous()
		bs := ScopeOf(g)
		dw, db := newTensor(bs, dev, device.Float32, []int{c}), newTensor(bs, dev, device.Float32, []int{c})
		// With the ReLU the reduction also masks g by y > 0 into dz, the
		// gradient the rest of the backward takes.
		var yb, dzb device.Buffer
		dz := gc
		if p.Relu {
			dz = newTensor(bs, dev, device.Float32, x.shape)
			yb, dzb = y.st.buf, dz.st.buf
		}
		// The training dx needs both sums; evaluation's needs neither, but
		// with the ReLU it needs dz.
		if !p.Eval || wc.requiresGrad || bc.requiresGrad || p.Relu {
			if m > 0 {
				dev.BatchNormBackwardReduce(dw.st.buf, db.st.buf, gc.st.buf, xc.st.buf, mean, invstd, yb, dzb, p)
			} else {
				dev.Fill(dw.st.buf, 0, c, 0)
				dev.Fill(db.st.buf, 0, c, 0)
			}
		}
		var gx *Tensor
		if xc.requiresGrad {
			gx = newTensor(bs, dev, device.Float32, x.shape)
			if m > 0 {
				dev.BatchNormBackward(gx.st.buf, dz.st.buf, xc.st.buf, mean, invstd, wc.st.buf, dw.st.buf, db.st.buf, p)
			}
		}
		runtime.KeepAlive(meanT)
		runtime.KeepAlive(invstdT)
		runtime.KeepAlive(y)
		gs := []*Tensor{gx, nil, nil, nil}
		if wc.requiresGrad {
			gs[1] = dw
		}
		if bc.requiresGrad {
			gs[2] = db
		}
		if rc != nil && rc.requiresGrad {
			gs[3] = dz
		}
		return gs
	})
}
