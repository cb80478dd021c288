//go:build cgo && !nogl

package gl

import "github.com/tensorgl/tensorgl/device"

// Gather copies src rows picked by idx; any dtype (bit copy).
func (d *Device) Gather(dst, src device.Buffer, idx device.Strided, p device.GatherParams) {
	d.gather("gather", []string{"GATHER"}, p.Outer*p.M*p.Inner, d.buf(dst), d.buf(src), captureIndex(idx), p)
}

// captureIndex captures an index operand with its strides padded to the
// three of [Outer, M, Inner].
func captureIndex(idx device.Strided) strided {
	ix := capture(idx)
	ix.strides = append(ix.strides, 0, 0, 0)[:3]
	return ix
}

// ScatterAdd adds src into dst rows picked by idx, summing each element's
// contributions in increasing m (deterministic). Indices that do not vary
// along Inner, more than d.scatterBucketMinM of them, go through per-row
// buckets (shaders/scatter.comp, six dispatches) where one invocation per
// dst element scanning all M indices (shaders/gather.comp, one dispatch)
// would read more than d.scatterScanMax of them; otherwise they are
// scanned. Both give the same bits.
func (d *Device) ScatterAdd(dst, src device.Buffer, idx device.Strided, p device.GatherParams) {
	ix := captureIndex(idx)
	reads := int64(p.Outer) * int64(p.N) * int64(p.Inner) * int64(p.M)
	if p.M > d.scatterBucketMinM && reads > int64(d.scatterScanMax) && (ix.strides[2] == 0 || p.Inner == 1) {
		d.scatterBuckets(d.buf(dst), d.buf(src), ix, p)
		return
	}
	modes := []string{"SCATTER"}
	if p.Overwrite {
		modes = append(modes, "SCATTER_SET")
	}
	d.gather("scatter-add", modes, p.Outer*p.N*p.Inner, d.buf(dst), d.buf(src), ix, p)
}

// defaultScatterBucketMinM is the index count above which ScatterAdd may
// build buckets: below it the six bucket passes cost more than scanning
// the indices (cross-entropy's pick has M = 1).
const defaultScatterBucketMinM = 32

// hardwareScatterScanMax is the number of index reads (destination
// elements × M) up to which a GPU scans the indices, one dispatch, rather
// than take the six bucket passes: a learned position embedding's gradient
// (64 positions of 256, a million reads) is scanned, a token embedding's
// (64·64 tokens into 256 rows of 256, 2²⁸) bucketed. A launch costs a GPU
// more than a million cached reads (unmeasured: a guess until a GPU times
// both). llvmpipe reads slower than it launches: the position embedding's
// scatter took 1.9 ms scanned and 0.3–0.45 ms bucketed there, so a
// software renderer buckets every scatter of more than 32 indices.
const hardwareScatterScanMax = 1 << 22

// scanLocal is the work-group size of the bucket offsets' prefix sum.
const scanLocal = 256

func (d *Device) scatterBuckets(dst, src *glBuffer, ix strided, p device.GatherParams) {
	rows, ents := p.Outer*(p.N+1), p.Outer*p.M
	scratch := []device.Buffer{
		d.Alloc(device.Int32, rows), d.Alloc(device.Int32, rows), // cnt, off
		d.Alloc(device.Int32, ents), d.Alloc(device.Int32, ents), d.Alloc(device.Int32, ents), // list, row, sorted
	}
	bufs := []*glBuffer{dst, src, ix.g}
	mg := indexMagic(p)
	for _, b := range scratch {
		bufs = append(bufs, d.buf(b))
	}
	d.enqueue("scatter-add", func() {
		// Bindings: 0 dst, 1 src, 2 ix, 3 cnt, 4 off, 5 list, 6 row, 7
		// sorted; writes are the ones each pass stores to (cnt's atomic
		// increments included).
		for _, pass := range []struct {
			mode   string
			total  int
			writes uint32
		}{
			{"SC_CLEAR", rows, writes(3)}, {"SC_COUNT", ents, writes(3)}, {"SC_SCAN", 0, writes(3, 4)},
			{"SC_FILL", ents, writes(3, 5, 6)}, {"SC_RANK", ents, writes(7)}, {"SC_ADD", p.Outer * p.N * p.Inner, writes(0)},
		} {
			local := elemLocal
			if pass.mode == "SC_SCAN" {
				local = scanLocal
			}
			defs := []string{pass.mode, localDef(local)}
			if pass.mode == "SC_ADD" && p.Overwrite {
				defs = append(defs, "SC_SET")
			}
			prog := d.program(variant{family: "scatter", defs: defs})
			if prog == nil {
				return
			}
			d.bind(pass.writes, bufs...)
			setIndexUniforms(prog, pass.total, ix, p, mg)
			if pass.mode == "SC_SCAN" {
				d.dispatch(prog, p.Outer, 1, 1)
			} else {
				d.dispatch1(prog, pass.total, local)
			}
		}
	})
	for _, b := range scratch {
		d.Free(b)
	}
}

func (d *Device) gather(name string, modes []string, total int, dst, src *glBuffer, ix strided, p device.GatherParams) {
	mg := indexMagic(p)
	defs := append(modes, localDef(elemLocal))
	d.enqueue(name, func() {
		prog := d.program(variant{family: "gather", defs: defs})
		if prog == nil {
			return
		}
		d.bind(writes(0), dst, src, ix.g)
		setIndexUniforms(prog, total, ix, p, mg)
		d.dispatch1(prog, total, elemLocal)
	})
}

// setIndexUniforms sets the uniforms gather.comp and scatter.comp share:
// the invocation count, the [Outer, ·, Inner] shape and the index operand
// (scatter.comp has no u_ixS2: its indices do not vary along Inner).
// mg holds udiv's pairs for Inner, M and N (indexMagic, computed once by
// the caller rather than at every pass).
func setIndexUniforms(prog *program, total int, ix strided, p device.GatherParams, mg [3][2]uint32) {
	prog.setUint("u_total", total)
	prog.setInt("u_n", p.N)
	prog.setInt("u_m", p.M)
	prog.setInt("u_inner", p.Inner)
	prog.setPair("u_dInner", mg[0])
	prog.setPair("u_dM", mg[1])
	prog.setPair("u_dN", mg[2])
	prog.setInt("u_ixOff", ix.off)
	prog.setInt("u_ixS0", ix.strides[0])
	prog.setInt("u_ixS1", ix.strides[1])
	prog.setInt("u_ixS2", ix.strides[2])
}

// indexMagic returns setIndexUniforms' pairs for p.
func indexMagic(p device.GatherParams) [3][2]uint32 {
	return [3][2]uint32{divMagic(max(p.Inner, 1)), divMagic(max(p.M, 1)), divMagic(max(p.N, 1))}
}
