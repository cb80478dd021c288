package kernels

import (
	"runtime"
	"slices"
	"sync/atomic"
	"time"
)

// How far apart the pool's cores are. A product split between two
// workers leaves its output in two cores' caches, and the kernels after it
// read what the other core wrote. On a 2-vCPU VM whose vCPUs the host
// placed now on neighbouring cores (a value went from one to the other and
// back in 44–102 ns), now far apart (240–1 400 ns), every few seconds to
// minutes, the batch-64 MLP's step ran 1.42× as fast with its two 6.4
// Mi-multiply-add products split while near (322 against 456 µs), and
// 0.93–1.00× while far (its optimizer step, reading the weight gradient,
// 19 → 48 µs): bench/results/near-cores-2026-12-05-zen2.txt.gz. Products
// between sgemmNearWork and sgemmTaskWork a worker therefore go parallel
// only while a probe finds the cores near (nearCores): the step ran 315
// against 456 µs near, 457 against 458 far.

// nearRoundTrip is the longest round trip between two workers' cores that
// counts as near.
const nearRoundTrip = 150 * time.Nanosecond

// nearProbeEvery is how long a probe's finding holds: the host moved the
// VM's vCPUs every few seconds to minutes.
const nearProbeEvery = 50 * time.Millisecond

// nearProbeRounds is how many round trips a probe times (about 1 µs near,
// 8 µs far).
const nearProbeRounds = 16

// nearState holds the last probe's finding: until when it holds (ns since
// nearEpoch; 0: none yet) and whether the cores were near; probing is
// held by the goroutine probing.
var nearState struct {
	until   atomic.Int64
	near    atomic.Bool
	probing atomic.Bool
	fails   int // probes in a row that no helper joined; only the prober touches it
}

var nearEpoch = time.Now()

// nearCores reports whether the last probe, at most nearProbeEvery ago,
// found the pool's cores near, probing again first where it is older and
// no other goroutine is probing. A probe whose round trips were slow (or
// lost a core) finds them far for nearProbeEvery. A probe waits
// probeJoinWait for a helper to join: where helpers are parked, as they
// are while every product runs on one worker, long enough for the one it
// wakes. One that no helper joined (busy) finds them far for
// nearRetry·2^(failures in a row − 1), at most nearProbeEvery, so a
// program on a busy machine pays the wait ever more rarely.
//
// A probe that gave up after probeWait where a helper was parked used to
// count as a failure too, hoping the helper it woke would spin by the
// next product's call: on a 2-vCPU Zen 4 a loop of the batch-64 MLP's two
// products then found the cores far for good in one run of three (31
// failures in a row, a probe every 50 ms, each finding the helpers parked
// again), so its products never went parallel.
func nearCores() bool {
	now := int64(time.Since(nearEpoch))
	if now < nearState.until.Load() || !nearState.probing.CompareAndSwap(false, true) {
		return nearState.near.Load()
	}
	rt, joined, ok := probeRoundTrip(nearProbeRounds, probeJoinWait())
	near := ok && isNear(rt)
	nearState.near.Store(near)
	hold := nearProbeEvery
	if joined {
		nearState.fails = 0
	} else {
		hold = min(hold, nearRetry<<min(nearState.fails, 20))
		nearState.fails++
	}
	nearState.until.Store(int64(time.Since(nearEpoch)) + int64(hold))
	nearState.probing.Store(false)
	return near
}

// isNear reports whether a round trip of rt between two workers' cores
// counts as near.
func isNear(rt time.Duration) bool { return rt <= nearRoundTrip }

// nearRetry is how long a probe that no helper joined holds, doubled for
// each such probe in a row.
const nearRetry = 50 * time.Microsecond

// probeWait bounds how long either side of a probe waits for the other
// once both are running: a round trip that long means a worker lost its
// core; and how long the caller waits for a helper to join where none is
// parked: one that has not joined by then is busy.
const probeWait = 10 * time.Microsecond

// probeWake is how long the caller of a probe waits for a helper to join
// where one is parked: a parked helper joined a job 100–230 µs after the
// call on 2-core Zen 2 and Zen 5 VMs (BenchmarkHelperStart); on a 2-vCPU
// Zen 4, 20 of 60 probes within 110 µs, 2 more within 500 µs, the rest
// after 0.8–2.8 ms (most 1.7–2.0 ms, the other vCPU waking from idle).
// Waiting that long would cost a busy machine, whose helpers never join,
// up to 4% of its time (a probe every nearProbeEvery); a probe that gives
// up still wakes the helper, which spins by the next retry (nearRetry).
const probeWake = 500 * time.Microsecond

// probeJoinWait is how long a probe made now waits for a helper to join:
// probeWake where the pool has a parked helper (the probe wakes it) and
// another core to run it on, else probeWait.
func probeJoinWait() time.Duration {
	if runtime.GOMAXPROCS(0) > 1 && pool.parkedHelpers() > 0 {
		return probeWake
	}
	return probeWait
}

// probeRoundTrip times rounds round trips of a value between the calling
// goroutine and a helper of the pool, and reports the mean, whether a
// helper joined within joinWait, and whether every round trip took less
// than probeWait.
func probeRoundTrip(rounds int, joinWait time.Duration) (mean time.Duration, joined, ok bool) {
	// flag: 0 until the helper joins (1), −1 once the caller gave up
	// waiting; then 2r (the caller's ping r) and 2r+1 (the helper's pong).
	var flag atomic.Int64
	// await spins until flag holds want, and reports false after wait
	// (time read every 64 loads).
	await := func(want int64, wait time.Duration) bool {
		start := time.Now()
		for {
			for range 64 {
				if flag.Load() == want {
					return true
				}
			}
			if time.Since(start) > wait {
				return false
			}
		}
	}
	ParallelItems(2, func() (func(int), func()) {
		return func(i int) {
			if i == 0 { // the caller's own item
				if !await(1, joinWait) && flag.CompareAndSwap(0, -1) {
					return
				}
				joined = true
				t0 := time.Now()
				for r := int64(1); r <= int64(rounds); r++ {
					flag.Store(2 * r)
					if !await(2*r+1, probeWait) {
						flag.Store(-1)
						return
					}
				}
				mean, ok = time.Since(t0)/time.Duration(rounds), true
				return
			}
			if !flag.CompareAndSwap(0, 1) { // the caller gave up, or runs this item itself
				return
			}
			for r := int64(1); r <= int64(rounds); r++ {
				if !await(2*r, probeWait) {
					return
				}
				flag.Store(2*r + 1)
			}
		}, nil
	})
	return mean, joined, ok
}

// CoreRoundTrip times how long a value takes to go from the calling
// goroutine's core to a helper's of the CPU kernels' pool and back, as the
// probe behind splitting small products does (nearCores): the median of 9
// probes of 16 round trips, at most 200 tries (the first wake the
// helpers). near reports whether that counts as near (at most 150 ns),
// ok whether any helper joined: not with GOMAXPROCS 1, or on a machine
// too busy to give one a core within 10 µs. On a VM the host may move the
// vCPUs between near and far cores at any time (`tensorgl info` prints it).
func CoreRoundTrip() (rt time.Duration, near, ok bool) {
	if runtime.GOMAXPROCS(0) < 2 {
		return 0, false, false
	}
	var rts []time.Duration
	for try := 0; try < 200 && len(rts) < 9; try++ {
		if d, joined, fine := probeRoundTrip(nearProbeRounds, probeWait); joined && fine {
			rts = append(rts, d)
		}
	}
	if len(rts) == 0 {
		return 0, false, false
	}
	slices.Sort(rts)
	rt = rts[len(rts)/2]
	return rt, isNear(rt), true
}
