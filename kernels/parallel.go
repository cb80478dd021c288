package kernels

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// ParallelFor calls fn(lo, hi) over disjoint ranges covering [0, n), in
// parallel across GOMAXPROCS goroutines. Ranges hold at least grain
// elements, so small loops run inline. Each index is handled by exactly one
// call, and the split never changes what a single index computes, so kernels
// that write only their own indices are deterministic.
//
// The loop is cut into up to piecesPerWorker ranges a worker, fixed by n,
// grain and GOMAXPROCS alone, and handed out as ParallelItems hands out
// items: the calling goroutine starts at once on the first part of the
// loop, a helper on the next when it starts, each takes what is left of
// the others' once done with its own, and ParallelFor returns once every
// range is done. A helper woken from a parked thread can start 100 µs or
// more late on a busy VM; with one fixed range a worker, the caller waited
// for it after doing its own half.
func ParallelFor(n, grain int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	w := workers(n, grain)
	if w <= 1 {
		fn(0, n)
		return
	}
	pieces := min(ceilDiv(n, grain), w*piecesPerWorker)
	work := func(i int) { fn(splitEven(i, n, pieces), splitEven(i+1, n, pieces)) }
	ParallelItems(pieces, func() (func(int), func()) { return work, nil })
}

// piecesPerWorker is how many ranges ParallelFor cuts a loop into for each
// worker it could use: enough that a worker who starts late finds some
// left, few enough that each is still a grain or more.
const piecesPerWorker = 4

// workers is how many goroutines ParallelFor(n, grain, …) runs on.
func workers(n, grain int) int {
	return min(runtime.GOMAXPROCS(0), (n+max(grain, 1)-1)/max(grain, 1))
}

// serial reports whether ParallelFor(n, grain, fn) would call fn(0, n) on
// the calling goroutine: a kernel that runs the loop itself then keeps its
// state off the heap (a closure handed to other goroutines moves what it
// captures there).
func serial(n, grain int) bool { return workers(n, grain) <= 1 }

// ParallelItems calls work(i) once for each i in [0, n), handing the
// items out one at a time to the calling goroutine and to the pool's
// helpers (up to GOMAXPROCS−1 of them), so a helper that starts late or
// runs slow takes fewer. Each worker gets its work function from newWorker
// when it claims its first item, and calls its release function (if not
// nil) when it runs out. ParallelItems returns once every item is done,
// without waiting for helpers that found none left. Results are as
// deterministic as work(i) is on its own. Any number of goroutines may call
// it at once, and work may call it again (the pool serves every call).
//
// The items are dealt out in contiguous runs, one a worker: the caller
// works the first run from its start, the helper that joins first the
// second, and so on, and a worker whose run is done takes items from the
// end of the others'. Two loops over the same data in a row so work the
// same parts of it on the same cores where no worker started late: what
// one kernel wrote is in the cache of the core the next one reads it on.
func ParallelItems(n int, newWorker func() (work func(i int), release func())) {
	if n <= 0 {
		return
	}
	procs := runtime.GOMAXPROCS(0)
	if n == 1 || procs == 1 {
		work, release := newWorker()
		for i := range n {
			work(i)
		}
		if release != nil {
			release()
		}
		return
	}
	w := min(n, procs)
	j := newItemJob(n, w, newWorker)
	pool.publish(j, w-1, procs-1)
	j.run(0)
	pool.retire(j)
	j.wait()
}

// itemJob is one call of ParallelItems.
type itemJob struct {
	itemRuns
	joined    atomic.Int32  // workers that joined, the caller included
	pending   atomic.Int64  // items not yet done
	done      chan struct{} // closed when pending reaches 0
	newWorker func() (func(int), func())
}

// newItemJob returns a job of n items in w runs, run 0 kept for its
// caller: helpers join as the workers of runs 1, 2, …
func newItemJob(n, w int, newWorker func() (func(int), func())) *itemJob {
	j := &itemJob{newWorker: newWorker, done: make(chan struct{})}
	j.deal(n, w)
	j.joined.Store(1)
	j.pending.Store(int64(n))
	return j
}

// itemRuns deals items [0, n) out to w workers in contiguous runs, one
// a worker, and hands each worker the items of its own run from the
// start, then those of the others from their ends.
type itemRuns struct {
	runs   []atomic.Uint64   // each worker's run of items left: packRun(lo, hi)
	inline [16]atomic.Uint64 // runs' storage for up to 16 workers (a desktop CPU's threads)
	more   []atomic.Uint64   // and for more
}

// deal sets the runs of n items for w workers.
func (d *itemRuns) deal(n, w int) {
	if w <= len(d.inline) {
		d.runs = d.inline[:w]
	} else {
		if len(d.more) < w {
			d.more = make([]atomic.Uint64, w)
		}
		d.runs = d.more[:w]
	}
	for r := range w {
		d.runs[r].Store(packRun(splitEven(r, n, w), splitEven(r+1, n, w)))
	}
}

// packRun packs the run of items [lo, hi) in one word.
func packRun(lo, hi int) uint64 { return uint64(uint32(lo)) | uint64(hi)<<32 }

// claim takes the next item of run r from its start (own) or its end,
// and reports whether there was one.
func (d *itemRuns) claim(r int, own bool) (int, bool) {
	for {
		v := d.runs[r].Load()
		lo, hi := int(uint32(v)), int(v>>32)
		if lo >= hi {
			return 0, false
		}
		i, nv := lo, packRun(lo+1, hi)
		if !own {
			i, nv = hi-1, packRun(lo, hi-1)
		}
		if d.runs[r].CompareAndSwap(v, nv) {
			return i, true
		}
	}
}

// next claims the next item for the worker of run r: its own run's first
// item left, else the last of another's (the next run's first); r past
// the runs is a worker with none of its own.
func (d *itemRuns) next(r int) (int, bool) {
	if r < len(d.runs) {
		if i, ok := d.claim(r, true); ok {
			return i, true
		}
	}
	for k := 1; k <= len(d.runs); k++ {
		if i, ok := d.claim((r+k)%len(d.runs), false); ok {
			return i, true
		}
	}
	return 0, false
}

// left reports whether any item is unclaimed.
func (d *itemRuns) left() bool {
	for r := range d.runs {
		if v := d.runs[r].Load(); uint32(v) < uint32(v>>32) {
			return true
		}
	}
	return false
}

// run claims and works items of j until none are left, as the worker of
// run r (past the runs: a worker with none of its own).
func (j *itemJob) run(r int) {
	var work func(int)
	var release func()
	for i, ok := j.next(r); ok; i, ok = j.next(r) {
		if work == nil {
			work, release = j.newWorker()
		}
		work(i)
		if j.pending.Add(-1) == 0 {
			close(j.done)
		}
	}
	if release != nil {
		release()
	}
}

// join runs j as the next worker to join it.
func (j *itemJob) join() { j.run(int(j.joined.Add(1) - 1)) }

// wait returns once every item of j is done. The caller spins for
// spinWait (while the pool spins) before it blocks: a goroutine blocked
// here parks its thread, and waking a parked thread takes as long as
// waking a parked helper.
func (j *itemJob) wait() {
	if j.pending.Load() == 0 {
		return
	}
	if pool.spinning() {
		start := time.Now()
		for {
			for range 64 {
				if j.pending.Load() == 0 {
					return
				}
			}
			if time.Since(start) > spinFor() {
				break
			}
		}
	}
	<-j.done
}

// The helper pool. A helper that runs out of items spins for spinWait,
// watching for the next job, before it parks, and a caller spins as long
// for the items helpers still work on before it blocks: on a 2-core VM a
// parked helper joined a job 100–190 µs after the call, a spinning one
// 2–3 µs after it (BenchmarkHelperStart), so with parked threads the loops
// of a training step shorter than that ran on one core.
//
// Spinning costs a core that another process may want. A helper checks
// what it lost of each of its jobs' time to the OS (its thread's CPU time against
// the wall clock), and a spin whether its core was taken: losing more than
// spinPreempted twice within spinCalm/4 (once now and then is a VM's host
// at work; a CPU-bound process sharing the core does it every few
// milliseconds) calms the pool for spinCalm: nothing spins, and products
// go parallel only from the size where waking a parked helper pays
// (sgemmWorkers).
var pool = helperPool{wake: make(chan struct{}, maxHelpers)}

// maxHelpers bounds the pool (and the wake channel's buffer).
const maxHelpers = 255

const (
	spinPreempted = time.Millisecond
	spinCalm      = 100 * time.Millisecond
)

// SpinEnv names the environment variable that sets how long an idle
// helper, or a caller waiting for helpers, spins: a duration such as 50us
// or 1ms, 0 to park at once (as a shared machine may want); 200µs unset.
const SpinEnv = "TENSORGL_CPU_SPIN"

// spinWait is SpinEnv's setting in nanoseconds, read once (ShareMachine
// may set it to 0); spinFromEnv reports whether SpinEnv was set.
var (
	spinWait    atomic.Int64
	spinFromEnv bool
)

func init() {
	v, set := os.LookupEnv(SpinEnv)
	d, err := spinSetting(v, set)
	if err != nil {
		println("tensorgl:", err.Error())
	}
	spinWait.Store(int64(d))
	spinFromEnv = set
}

// spinFor is how long helpers and callers spin.
func spinFor() time.Duration { return time.Duration(spinWait.Load()) }

// ShareMachine tells the CPU kernels that processes processes of one job
// run on this machine (ddp.New calls it with dist's Comm.LocalSize).
// Where their threads (GOMAXPROCS each) outnumber the CPUs, helpers park
// at once instead of spinning, unless SpinEnv says otherwise: spinning
// helpers of two processes on two cores ran LeNet's data-parallel
// training 0.85× as fast.
func ShareMachine(processes int) {
	if !spinFromEnv && processes > 1 && processes*runtime.GOMAXPROCS(0) > runtime.NumCPU() {
		spinWait.Store(0)
	}
}

// spinSetting parses SpinEnv's value: 200µs when unset or bad (with an
// error naming what was expected and found).
func spinSetting(v string, set bool) (time.Duration, error) {
	const unset = 200 * time.Microsecond
	if !set {
		return unset, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return unset, fmt.Errorf("%s=%q: want a duration of 0 or more such as 200us or 1ms; spinning %v", SpinEnv, v, unset)
	}
	return d, nil
}

type helperPool struct {
	mu     sync.Mutex
	jobs   []*itemJob // published jobs, some maybe with no items left
	count  int        // helpers started
	parked int        // helpers waiting on wake
	wake   chan struct{}
	gen    atomic.Uint64 // bumped with every job published
	// Nanoseconds since the epoch: until when nothing spins, and when a
	// spin or a job last lost its core.
	calm, preempted atomic.Int64
}

// publish makes j's items available to helpers, starting helpers up to
// limit in all and waking up to want parked ones.
func (p *helperPool) publish(j *itemJob, want, limit int) {
	p.mu.Lock()
	p.jobs = append(p.jobs, j)
	for p.count < min(limit, maxHelpers) {
		p.count++
		go p.helper()
	}
	for w := min(want, p.parked); w > 0; w-- {
		p.parked--
		p.wake <- struct{}{}
	}
	p.gen.Add(1)
	p.mu.Unlock()
}

// parkedHelpers returns how many helpers are parked.
func (p *helperPool) parkedHelpers() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.parked
}

// retire drops j from the published jobs once its caller found no items
// left; helpers still working on its last items finish them.
func (p *helperPool) retire(j *itemJob) {
	p.mu.Lock()
	for i, q := range p.jobs {
		if q == j {
			p.jobs = append(p.jobs[:i], p.jobs[i+1:]...)
			break
		}
	}
	p.mu.Unlock()
}

// take returns a published job with items left, or nil.
func (p *helperPool) take() *itemJob {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, j := range p.jobs {
		if j.left() {
			return j
		}
	}
	return nil
}

func (p *helperPool) helper() {
	for {
		gen := p.gen.Load()
		if j := p.take(); j != nil {
			p.runTimed(j)
			continue
		}
		if p.spin(gen) {
			continue
		}
		p.mu.Lock()
		if p.gen.Load() != gen {
			p.mu.Unlock()
			continue
		}
		p.parked++
		p.mu.Unlock()
		<-p.wake
	}
}

// runTimed works items of j and notes whether the OS took the core away
// meanwhile (threadCPU: where the OS tells a thread's CPU time).
func (p *helperPool) runTimed(j *itemJob) {
	cpu0, ok := threadCPU()
	t0 := time.Now()
	j.join()
	if !ok {
		return
	}
	// A goroutine that ran on another thread by the end reads another
	// thread's clock: a time used below 0 or above the wall clock's is
	// not a measurement.
	cpu1, _ := threadCPU()
	wall, used := time.Since(t0), cpu1-cpu0
	if used >= 0 && used <= wall && wall-used > spinPreempted {
		p.lost(time.Now().UnixNano())
	}
}

// lost notes that a helper lost its core at now.
func (p *helperPool) lost(now int64) {
	if now-p.preempted.Swap(now) < int64(spinCalm/4) {
		p.calm.Store(now + int64(spinCalm))
	}
}

// spinning reports whether helpers and callers spin now.
func (p *helperPool) spinning() bool {
	return spinWait.Load() > 0 && time.Now().UnixNano() >= p.calm.Load()
}

// spin waits up to spinWait for a job published after gen, and reports
// whether one was. It does not yield: a goroutine queued behind it on its
// P waits at most spinWait (or for another P to steal it).
func (p *helperPool) spin(gen uint64) bool {
	if !p.spinning() {
		return false
	}
	start := time.Now()
	last := start
	for {
		for range 64 {
			if p.gen.Load() != gen {
				return true
			}
		}
		now := time.Now()
		if now.Sub(last) > spinPreempted {
			p.lost(now.UnixNano())
		}
		if now.Sub(start) > spinFor() {
			return false
		}
		last = now
	}
}
