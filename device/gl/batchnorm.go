//go:build cgo && !nogl

package gl

import "github.com/tensorgl/tensorgl/device"

// BatchNormStats runs one work group per channel, or where the channels
// are too few to fill a GPU one per slice of each channel's values and
// then one invocation per channel merging the slices in order (bnSlices).
func (d *Device) BatchNormStats(mean, invstd, runMean, runVar, x device.Buffer, p device.BatchNormParams) {
	bufs := []device.Buffer{mean, invstd, nil, nil, x}
	if p.Track {
		bufs[2], bufs[3] = runMean, runVar
	}
	if slices := d.bnSlices(p); slices > 1 {
		defs := []string{"STATS_COMBINE"}
		if p.Track {
			defs = append(defs, "TRACK")
		}
		d.bnSplit(p, slices,
			bnStage{"batch-norm statistics", []string{"STATS", "SPLIT"}, writes(0), []device.Buffer{nil, nil, nil, nil, x}, 0},
			bnStage{"batch-norm statistics combine", defs, writes(0, 1, 2, 3), bufs, 4})
		return
	}
	d.batchNorm("batch-norm statistics", "STATS", true, writes(0, 1, 2, 3), bufs, p)
}

// BatchNorm runs one invocation per element.
func (d *Device) BatchNorm(y, x, mean, invstd, w, b, r device.Buffer, p device.BatchNormParams) {
	if r != nil {
		d.batchNorm("batch norm", "NORMALISE", false, writes(0), []device.Buffer{y, x, mean, invstd, w, b, r}, p)
		return
	}
	d.batchNorm("batch norm", "NORMALISE", false, writes(0), []device.Buffer{y, x, mean, invstd, w, b}, p)
}

// BatchNormBackwardReduce runs one work group per channel; with p.Relu it
// binds y and writes dz as well (8 storage blocks, GL 4.3's minimum). Where
// the channels are too few to fill a GPU it sums slices of each channel's
// values in groups of their own, then adds them in order (bnSlices).
func (d *Device) BatchNormBackwardReduce(dw, db, dy, x, mean, invstd, y, dz device.Buffer, p device.BatchNormParams) {
	if slices := d.bnSlices(p); slices > 1 {
		d.batchNormReduceSplit(dw, db, dy, x, mean, invstd, y, dz, p, slices)
		return
	}
	if p.Relu {
		d.batchNorm("batch-norm backward reduce", "BACKWARD_REDUCE", true, writes(0, 1, 7), []device.Buffer{dw, db, dy, x, mean, invstd, y, dz}, p)
		return
	}
	d.batchNorm("batch-norm backward reduce", "BACKWARD_REDUCE", true, writes(0, 1), []device.Buffer{dw, db, dy, x, mean, invstd}, p)
}

// BatchNormBackward runs one invocation per element.
func (d *Device) BatchNormBackward(dx, dy, x, mean, invstd, w, dw, db device.Buffer, p device.BatchNormParams) {
	d.batchNorm("batch-norm backward", "BACKWARD", false, writes(0), []device.Buffer{dx, dy, x, mean, invstd, w, dw, db}, p)
}

// BNSplitEnv names the environment variable that chooses, when a device is
// opened, whether BatchNormStats and BatchNormBackwardReduce take slices of
// a channel's values in work groups of their own where the channels are too few to fill a GPU
// (see bnSlices): 1 (the default on hardware), 0 never (one work group a
// channel, llvmpipe's default), with the same results within the
// conformance tolerances (sums in another order). bench/gpu/run.sh times
// both.
const BNSplitEnv = "TENSORGL_GL_BNSPLIT"

// bnSplitSetting reads BNSplitEnv: the work-group count bnSlices splits
// below, 0 for none.
func bnSplitSetting(software bool) (int, error) {
	split, err := switchSetting(BNSplitEnv, !software, "0 or 1")
	if !split || err != nil {
		return 0, err
	}
	return hardwareSplitTarget, nil
}

// bnSliceMin is the fewest values of a channel one work group of the split
// batch-norm backward reduction sums (16 per invocation of 256): the
// default of Device.bnSliceMin.
const bnSliceMin = 4096

// bnSlices returns how many slices of each channel's N·Inner values
// BatchNormStats and BatchNormBackwardReduce take in work groups of their
// own: enough to bring
// C·slices up to the device's bnTarget groups, each slice of at least
// bnSliceMin values (the device's); 1 where the channels alone reach it,
// or with bnTarget 0 (llvmpipe, whose cores the channels fill). A CIFAR ResNet-18 at batch
// 128 sums 131 072 values in each of its first stage's 64 channels, 64
// groups on the H200's 132 multiprocessors: its backward reductions took
// 3.1 ms of the step by the device's timer
// (bench/results/h200-run-2026-12-04-first/profile.txt.gz), its
// statistics 0.76 ms; split, 512 groups each (unmeasured on a GPU).
func (d *Device) bnSlices(p device.BatchNormParams) int {
	if d.bnTarget == 0 || p.C >= d.bnTarget {
		return 1
	}
	return max(1, min((d.bnTarget+p.C-1)/p.C, p.N*p.Inner/d.bnSliceMin))
}

// batchNormReduceSplit runs BatchNormBackwardReduce as slices of each
// channel's values, their two sums into a pooled buffer, then one
// invocation per channel adding them in order.
func (d *Device) batchNormReduceSplit(dw, db, dy, x, mean, invstd, y, dz device.Buffer, p device.BatchNormParams, slices int) {
	split := bnStage{"batch-norm backward reduce", []string{"BACKWARD_REDUCE", "SPLIT"}, writes(0), []device.Buffer{nil, nil, dy, x, mean, invstd}, 0}
	if p.Relu {
		split.w, split.bufs, split.defs = writes(0, 7), append(split.bufs, y, dz), append(split.defs, "RELU")
	}
	d.bnSplit(p, slices, split,
		bnStage{"batch-norm backward combine", []string{"BACKWARD_COMBINE"}, writes(0, 1), []device.Buffer{dw, db, nil, nil, nil, invstd}, 2})
}

// bnStage is one pass of a split batch-norm reduction: its command name,
// defines, the bindings it writes, its buffers from binding 0 and the
// binding of the slices' partial results among them (bnSplit sets it).
type bnStage struct {
	name string
	defs []string
	w    uint32
	bufs []device.Buffer
	part int
}

// bnSplit runs a batch-norm reduction as slices: split, a work group per
// slice of each channel's N·Inner values writing two values a slice into
// a pooled buffer, then combine, one invocation per channel combining them
// in order.
func (d *Device) bnSplit(p device.BatchNormParams, slices int, split, combine bnStage) {
	chunk := (p.N*p.Inner + slices - 1) / slices
	part := d.Alloc(device.Float32, 2*p.C*slices)
	split.bufs[split.part], combine.bufs[combine.part] = part, part
	d.bnPass(split.name, append(split.defs, localDef(rowLocal(chunk))), split.w, split.bufs, p, func(prog *program) {
		prog.setInt("u_chunk", chunk)
		prog.setInt("u_slices", slices)
		d.dispatch(prog, p.C, slices, 1)
	})
	d.bnPass(combine.name, append(combine.defs, localDef(elemLocal)), combine.w, combine.bufs, p, func(prog *program) {
		prog.setInt("u_chunk", chunk)
		prog.setInt("u_slices", slices)
		prog.setFloat("u_momentum", p.Momentum)
		d.dispatch1(prog, p.C, elemLocal)
	})
	d.Free(part) // commands run in order: a reuse comes after the combine
}

// batchNorm enqueues the batch-norm variant def, the buffers bound in order
// from binding 0 (nil ones left unbound; it writes those set in w): one work
// group per channel when perChannel, else one invocation per element.
func (d *Device) batchNorm(name, def string, perChannel bool, w uint32, bufs []device.Buffer, p device.BatchNormParams) {
	local := elemLocal
	if perChannel {
		local = rowLocal(p.N * p.Inner)
	}
	defs := []string{def, localDef(local)}
	if p.Track && def == "STATS" {
		defs = append(defs, "TRACK")
	}
	if p.Relu && (def == "NORMALISE" || def == "BACKWARD_REDUCE") {
		defs = append(defs, "RELU")
	}
	if def == "NORMALISE" && len(bufs) == 7 {
		defs = append(defs, "RESIDUAL")
	}
	d.bnPass(name, defs, w, bufs, p, func(prog *program) {
		if perChannel {
			if def == "STATS" {
				prog.setFloat("u_momentum", p.Momentum)
			}
			d.dispatch(prog, p.C, 1, 1)
			return
		}
		d.dispatch1(prog, p.N*p.C*p.Inner, local)
	})
}

// bnPass enqueues the batch-norm variant of defs (EVAL added for p.Eval),
// bufs bound from binding 0 (it writes those set in w), the shape's
// uniforms set, then run (GL thread) setting its own and dispatching.
func (d *Device) bnPass(name string, defs []string, w uint32, bufs []device.Buffer, p device.BatchNormParams, run func(*program)) {
	gs := d.bufs(bufs)
	if p.Eval {
		defs = append(defs, "EVAL")
	}
	mInner, mC := divMagic(p.Inner), divMagic(p.C)
	d.enqueue(name, func() {
		prog := d.program(variant{family: "batchnorm", defs: defs})
		if prog == nil {
			return
		}
		d.bind(w, gs...)
		prog.setInt("u_n", p.N)
		prog.setInt("u_c", p.C)
		prog.setInt("u_inner", p.Inner)
		prog.setFloat("u_eps", p.Eps)
		prog.setPair("u_dInner", mInner)
		prog.setPair("u_dC", mC)
		run(prog)
	})
}
