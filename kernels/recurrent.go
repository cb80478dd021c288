package kernels

import (
	"runtime"
	"sync/atomic"
)

// The pointwise parts of one LSTM and one GRU time step
// (device.LSTMCell, device.GRUCell and their backwards). Every slice starts
// at its operand's offset; batch rows of hidden units, gate blocks side by
// side in a row. Rows run in parallel; within a row the sigmoids and tanhs
// run over whole gate blocks with the Unary kernel's span code, so that a
// fused step rounds as the separate ops do.

// RecurrentRows runs a recurrence whose batch rows are independent (a
// row's state at a step depends on the same row's state before it alone,
// as in the RNN, LSTM and GRU) in blocks of rows side by side: fn(lo, hi,
// n) runs step n of rows [lo, hi), its products with SgemmPackedRows and
// its cells with the cell kernels' Rows forms; each block runs steps 0 to
// steps−1 in order. pb is the recurrent weight packed for batch rows, by
// which each step multiplies.
//
// A step's product worth one worker alone (a batch of 64 times a 128-wide
// weight: 1 Mi multiply-adds, 11 µs) ran on one core while the others
// waited; blocks of rows run the whole recurrence with no join between
// steps, each reading the shared weight. The caller runs a step of each
// block in turn until a helper takes a block over (at a step's end), so a
// helper that joins late, woken from a parked thread 100–200 µs after the
// call, still takes its share of the steps left. Where a step's product
// is worth several workers, each block would stream all of a large weight
// at every step, where the product's column chunks keep a part of it in
// each core's cache: then fn(0, batch, n) runs for each step, and its
// products and cells go parallel step by step. Blocks are whole slivers of
// the micro-kernel's rows, one a worker; no split and no order of the
// blocks changes what any element computes.
func RecurrentRows(pb *PackedB, batch, steps int, fn func(lo, hi, n int)) {
	blocks := recurrentBlocks(pb, batch, steps, runtime.GOMAXPROCS(0))
	if blocks <= 1 {
		for n := range steps {
			fn(0, batch, n)
		}
		return
	}
	slivers, mr := ceilDiv(batch, pb.arch.mr), pb.arch.mr
	rs := make([]rowBlock, blocks)
	step := func(i int) {
		b := &rs[i]
		fn(splitEven(i, slivers, blocks)*mr, min(batch, splitEven(i+1, slivers, blocks)*mr), b.next)
		b.next++
	}
	work := func(i int) {
		if i == 0 {
			// The caller's item: a step of each block no helper has
			// taken, in turn, until they are all done.
			for more := true; more; {
				more = false
				for j := range rs {
					b := &rs[j]
					if !b.state.CompareAndSwap(blockShared, blockStepping) {
						continue // taken
					}
					if b.next < steps {
						step(j)
					}
					more = more || b.next < steps
					b.state.Store(blockShared)
				}
			}
			return
		}
		// Take block i over between two of the caller's steps, and run
		// what is left of it.
		b := &rs[i]
		for spins := 1; !b.state.CompareAndSwap(blockShared, blockTaken); spins++ {
			if spins%64 == 0 {
				runtime.Gosched() // the caller's goroutine may wait for a P
			}
		}
		for b.next < steps {
			step(i)
		}
	}
	ParallelItems(blocks, func() (func(int), func()) { return work, nil })
}

// rowBlock is the state of one of RecurrentRows' blocks of rows: who runs
// it, and its next step, which only that one reads or writes (the
// caller's while it holds blockStepping).
type rowBlock struct {
	state atomic.Int32
	next  int
	_     [64 - 16]byte // a cache line each
}

// rowBlock states.
const (
	blockShared   = iota // the caller runs its steps, one at a time
	blockStepping        // the caller is running one of its steps
	blockTaken           // a worker runs the rest of it
)

// recurrentBlockWork, if not 0, is the least work (multiply-adds) of a
// row block in place of the pool's: tests split small recurrences.
var recurrentBlockWork int64

// recurrentBlocks is how many row blocks RecurrentRows runs a recurrence
// of steps products of batch rows with pb in, on workers: 1 where a
// step's product goes parallel by itself or the recurrence's work is not
// worth more (as sgemmWorkers weighs a product's), else one a worker, at
// most one a sliver of rows.
func recurrentBlocks(pb *PackedB, batch, steps, workers int) int {
	if steps <= 0 || !pb.packedFor(batch) || sgemmWorkers(workers, batch, pb.n, pb.k) > 1 {
		return 1
	}
	work := int64(batch) * int64(pb.n) * int64(pb.k) * int64(steps)
	per := recurrentBlockWork
	switch {
	case per > 0:
	case pool.spinning():
		per = sgemmTaskWork
	default:
		per = sgemmParkedWork
	}
	return int(max(1, min(int64(workers), int64(ceilDiv(batch, pb.arch.mr)), work/per)))
}

// cellGrain is the fewest rows×hidden elements worth another goroutine:
// each costs a few transcendentals.
const cellGrain = elemGrain / 4

// LSTMCell activates gates [batch, 4·hidden] (i, f, g, o) in place and
// writes c = f·cPrev + i·g and h = o·tanh(c).
func LSTMCell(h, c, gates, cPrev []float32, batch, hidden int) {
	LSTMCellRows(h, c, gates, cPrev, batch, 0, batch, hidden)
}

// LSTMCellRows is LSTMCell on rows [lo, hi) of the batch (every slice
// still from row 0): in parallel when they are all of them, else on the
// calling goroutine (a row block of RecurrentRows).
func LSTMCellRows(h, c, gates, cPrev []float32, batch, lo, hi, hidden int) {
	cellRows(batch, lo, hi, hidden, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			g := gates[b*4*hidden:][:4*hidden]
			unarySpan(Sigmoid, 0, 0, g[:2*hidden], g[:2*hidden])
			unarySpan(Tanh, 0, 0, g[2*hidden:3*hidden], g[2*hidden:3*hidden])
			unarySpan(Sigmoid, 0, 0, g[3*hidden:], g[3*hidden:])
			ig, fg, gg, og := g[:hidden], g[hidden:2*hidden], g[2*hidden:3*hidden], g[3*hidden:]
			cr, cp, hr := c[b*hidden:][:hidden], cPrev[b*hidden:][:hidden], h[b*hidden:][:hidden]
			lstmCState(cr, ig, fg, gg, cp)
			unarySpan(Tanh, 0, 0, hr, cr)
			binarySpan(Mul, 0, hr, hr, og)
		}
	})
}

// LSTMCellBackward writes dgates [batch, 4·hidden] and dcPrev from dh, dc,
// the activated gates, c and cPrev. dcPrev may be dc: each element is read
// before it is written.
func LSTMCellBackward(dgates, dcPrev, dh, dc, gates, c, cPrev []float32, batch, hidden int) {
	LSTMCellBackwardRows(dgates, dcPrev, dh, dc, gates, c, cPrev, batch, 0, batch, hidden)
}

// LSTMCellBackwardRows is LSTMCellBackward on rows [lo, hi), as
// LSTMCellRows.
func LSTMCellBackwardRows(dgates, dcPrev, dh, dc, gates, c, cPrev []float32, batch, lo, hi, hidden int) {
	cellRows(batch, lo, hi, hidden, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			g, d := gates[b*4*hidden:][:4*hidden], dgates[b*4*hidden:][:4*hidden]
			row := func(s []float32) []float32 { return s[b*hidden:][:hidden] }
			// tanh(c) goes through do, which is written last.
			unarySpan(Tanh, 0, 0, d[3*hidden:], row(c))
			lstmCellBack(d, g, row(dh), row(dc), row(dcPrev), row(cPrev), hidden)
		}
	})
}

// GRUCell writes h and saves r, z, n, hh_n in gates [batch, 4·hidden] from
// x and hh [batch, 3·hidden] and hPrev.
func GRUCell(h, gates, x, hh, hPrev []float32, batch, hidden int) {
	GRUCellRows(h, gates, x, hh, hPrev, batch, 0, batch, hidden)
}

// GRUCellRows is GRUCell on rows [lo, hi), as LSTMCellRows.
func GRUCellRows(h, gates, x, hh, hPrev []float32, batch, lo, hi, hidden int) {
	cellRows(batch, lo, hi, hidden, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			g := gates[b*4*hidden:][:4*hidden]
			xr, hr := x[b*3*hidden:][:3*hidden], hh[b*3*hidden:][:3*hidden]
			// Each line of the loop this was, as whole-row vector passes:
			// the same operations on each element, so the same bits.
			rz := g[:2*hidden]
			binarySpan(Add, 0, rz, xr[:2*hidden], hr[:2*hidden])
			unarySpan(Sigmoid, 0, 0, rz, rz)
			r, z, n, hn := g[:hidden], g[hidden:2*hidden], g[2*hidden:3*hidden], g[3*hidden:]
			copy(hn, hr[2*hidden:])
			binarySpan(Mul, 0, n, r, hn)            // r·hn
			binarySpan(Add, 0, n, xr[2*hidden:], n) // xn + r·hn
			unarySpan(Tanh, 0, 0, n, n)
			hp, ho := hPrev[b*hidden:][:hidden], h[b*hidden:][:hidden]
			binarySpan(Sub, 0, ho, hp, n) // hp − n (ho may be hp)
			binarySpan(Mul, 0, ho, z, ho) // z·(hp − n)
			binarySpan(Add, 0, ho, n, ho) // n + z·(hp − n)
		}
	})
}

// GRUCellBackward writes dx and dhh [batch, 3·hidden] and dhPrev = dh·z
// from dh, the saved gates and hPrev. dhPrev may be dh: each element is
// read before it is written.
func GRUCellBackward(dx, dhh, dhPrev, dh, gates, hPrev []float32, batch, hidden int) {
	GRUCellBackwardRows(dx, dhh, dhPrev, dh, gates, hPrev, batch, 0, batch, hidden)
}

// GRUCellBackwardRows is GRUCellBackward on rows [lo, hi), as
// LSTMCellRows.
func GRUCellBackwardRows(dx, dhh, dhPrev, dh, gates, hPrev []float32, batch, lo, hi, hidden int) {
	cellRows(batch, lo, hi, hidden, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			row := func(s []float32) []float32 { return s[b*hidden:][:hidden] }
			gruCellBack(dx[b*3*hidden:], dhh[b*3*hidden:], row(dhPrev), row(dh), gates[b*4*hidden:], row(hPrev), hidden)
		}
	})
}

// cellRows runs a cell's rows [lo, hi) of batch: split over the workers
// when they are the whole batch, else all on the calling goroutine.
func cellRows(batch, lo, hi, hidden int, rows func(lo, hi int)) {
	if lo == 0 && hi == batch {
		ParallelFor(batch, max(1, cellGrain/hidden), rows)
		return
	}
	rows(lo, hi)
}

// lstmCStateGo sets c = f·cp + i·g: the portable lstmCState.
func lstmCStateGo(c, i, f, g, cp []float32) {
	i, f, g, cp = i[:len(c)], f[:len(c)], g[:len(c)], cp[:len(c)]
	for j := range c {
		c[j] = f[j]*cp[j] + i[j]*g[j]
	}
}

// lstmCellBackGo is one row of LSTMCellBackward's arithmetic, the
// portable lstmCellBack, on the first n units: d and g the row's four gate
// blocks (i, f, g, o), hidden units apart, d's last block tanh(c) on
// entry; dcp may be dc.
func lstmCellBackGo(d, g, dh, dc, dcp, cp []float32, hidden, n int) {
	ig, fg, gg, og := g[:n], g[hidden:hidden+n], g[2*hidden:2*hidden+n], g[3*hidden:3*hidden+n]
	di, df, dg, do := d[:n], d[hidden:hidden+n], d[2*hidden:2*hidden+n], d[3*hidden:3*hidden+n]
	dh, dc, dcp, cp = dh[:n], dc[:n], dcp[:n], cp[:n]
	for j, tc := range do {
		i, f, gv, o := ig[j], fg[j], gg[j], og[j]
		dct := dc[j] + dh[j]*o*(1-tc*tc)
		di[j] = dct * gv * i * (1 - i)
		df[j] = dct * cp[j] * f * (1 - f)
		dg[j] = dct * i * (1 - gv*gv)
		do[j] = dh[j] * tc * o * (1 - o)
		dcp[j] = dct * f
	}
}

// gruCellBackGo is one row of GRUCellBackward's arithmetic, the portable
// gruCellBack, on the first m units: dx and dhh the row's three blocks
// (r, z, n), hidden units apart, gates its four (r, z, n, hh_n); dhp may
// be dh.
func gruCellBackGo(dx, dhh, dhp, dh, gates, hp []float32, hidden, m int) {
	r, z, n, hn := gates[:m], gates[hidden:hidden+m], gates[2*hidden:2*hidden+m], gates[3*hidden:3*hidden+m]
	dxr, dhr := dx[:2*hidden+m], dhh[:2*hidden+m]
	hp, dhp, dho := hp[:m], dhp[:m], dh[:m]
	for j, d := range dho {
		rv, zv, nv := r[j], z[j], n[j]
		an := d * (1 - zv) * (1 - nv*nv)
		ar := an * hn[j] * rv * (1 - rv)
		az := d * (hp[j] - nv) * zv * (1 - zv)
		dxr[j], dxr[hidden+j], dxr[2*hidden+j] = ar, az, an
		dhr[j], dhr[hidden+j], dhr[2*hidden+j] = ar, az, an*rv
		dhp[j] = d * zv
	}
}
