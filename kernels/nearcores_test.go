package kernels

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"
)

// forceNear makes nearCores report near for the rest of the test (or
// until the next forceNear), with no probe, and restores the state after.
func forceNear(t *testing.T, near bool) {
	t.Helper()
	until, was := nearState.until.Load(), nearState.near.Load()
	t.Cleanup(func() { nearState.near.Store(was); nearState.until.Store(until) })
	nearState.near.Store(near)
	nearState.until.Store(int64(time.Since(nearEpoch) + time.Hour))
}

// TestProbeRoundTrip checks that a probe times round trips with a helper
// when one is free, and gives up at once without one.
func TestProbeRoundTrip(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS ≥ 2")
	}
	// The first probes start or wake the helpers; on a machine busy with
	// other tests a helper may not get a core within probeWait for a while.
	joined := false
	for t0 := time.Now(); !joined && time.Since(t0) < 5*time.Second; {
		rt, j, ok := probeRoundTrip(8, probeWait)
		if j && ok {
			if rt <= 0 || rt > probeWait {
				t.Fatalf("round trip %v: want within (0, %v]", rt, probeWait)
			}
			joined = true
		}
	}
	if !joined {
		t.Skip("no helper joined a probe within probeWait for 5 s: the machine is busy")
	}

	was := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(was)
	// The quickest of five probes: on a machine busy with other tests the
	// system may stop this thread for tens of milliseconds (51 ms seen in
	// one run while another build shared the two vCPUs).
	fastest := time.Duration(math.MaxInt64)
	for range 5 {
		t0 := time.Now()
		if _, j, ok := probeRoundTrip(8, probeWait); j || ok {
			t.Errorf("GOMAXPROCS 1: joined %v, ok %v; want no helper", j, ok)
		}
		fastest = min(fastest, time.Since(t0))
	}
	if fastest > 100*probeWait {
		t.Errorf("GOMAXPROCS 1: the quickest of 5 probes took %v; want it to give up after about %v", fastest, probeWait)
	}
}

// TestNearCoresHolds checks what a probe's finding holds for: a probe that
// no helper joins holds nearRetry, then twice that; one that found the
// cores far holds nearProbeEvery and resets the count.
func TestNearCoresHolds(t *testing.T) {
	until, near, fails := nearState.until.Load(), nearState.near.Load(), nearState.fails
	defer func() { nearState.until.Store(until); nearState.near.Store(near); nearState.fails = fails }()
	was := runtime.GOMAXPROCS(1) // no helper can join
	defer runtime.GOMAXPROCS(was)
	nearState.until.Store(0)
	nearState.fails = 0
	for i, want := range []time.Duration{nearRetry, 2 * nearRetry, 4 * nearRetry} {
		nearState.until.Store(0) // stale
		before := time.Since(nearEpoch)
		if nearCores() {
			t.Fatalf("probe %d without a helper found the cores near", i)
		}
		after := time.Since(nearEpoch)
		// The probe set until = (a moment between before and after) + hold.
		if until := time.Duration(nearState.until.Load()); until-before < want || until-after > want {
			t.Errorf("probe %d without a helper holds %v to %v; want %v", i, until-after, until-before, want)
		}
	}
	if nearState.fails != 3 {
		t.Errorf("fails = %d after three probes no helper joined; want 3", nearState.fails)
	}
	runtime.GOMAXPROCS(was)
	if was >= 2 {
		// With helpers, a probe that one joins holds nearProbeEvery, near or
		// far, and starts the count of failures again.
		joined := false
		for t0 := time.Now(); !joined && time.Since(t0) < 5*time.Second; {
			nearState.until.Store(0)
			nearState.fails = 0 // a failure then holds nearRetry
			before := time.Since(nearEpoch)
			nearCores()
			until := time.Duration(nearState.until.Load())
			if joined = until-before >= nearProbeEvery; joined { // a failure would hold nearRetry
				if until-time.Since(nearEpoch) > nearProbeEvery {
					t.Errorf("a probe a helper joined holds until %v after it began; want %v", until-before, nearProbeEvery)
				}
				if nearState.fails != 0 {
					t.Errorf("fails = %d after a probe a helper joined; want 0", nearState.fails)
				}
			}
		}
		if !joined {
			t.Logf("no helper joined a probe for 5 s (%d failures): the machine is busy", nearState.fails)
		}
	}
	nearState.until.Store(int64(time.Since(nearEpoch) + time.Hour))
	nearState.near.Store(true)
	if !nearCores() {
		t.Error("a finding that still holds was not reported")
	}
}

// parkHelpers waits until the pool has a parked helper (its helpers
// started first), and reports false if none parked within a second (a
// spin set longer than that, or helpers kept busy).
func parkHelpers() bool {
	ParallelItems(2, func() (func(int), func()) { return func(int) {}, nil })
	for t0 := time.Now(); time.Since(t0) < time.Second; {
		time.Sleep(spinFor() + time.Millisecond)
		pool.mu.Lock()
		parked := pool.parked
		pool.mu.Unlock()
		if parked > 0 {
			return true
		}
	}
	return false
}

// TestProbeJoinWait checks that a probe waits for a parked helper to wake
// (probeWake), and only probeWait where no helper is parked or there is no
// other core.
func TestProbeJoinWait(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS ≥ 2")
	}
	if !parkHelpers() {
		t.Skip("no helper parked within a second")
	}
	if w := probeJoinWait(); w != probeWake {
		t.Errorf("with a helper parked a probe waits %v to join; want probeWake, %v", w, probeWake)
	}
	was := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(was)
	if w := probeJoinWait(); w != probeWait {
		t.Errorf("GOMAXPROCS 1: a probe waits %v to join; want probeWait, %v", w, probeWait)
	}
}

// TestNearCoresWakes checks that a probe made while the helpers are parked
// (every product on one worker) gets a helper to join it: one that gave up
// after probeWait never did, and nearCores then found the cores far for
// good (on a 2-vCPU Zen 4 such a helper joined 0–2 of 40 probes within
// probeWait, 17–26 within probeWake). Of 40 probes, each made after the
// helpers parked, a tenth must be joined.
func TestNearCoresWakes(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS ≥ 2")
	}
	until, near, fails := nearState.until.Load(), nearState.near.Load(), nearState.fails
	defer func() { nearState.until.Store(until); nearState.near.Store(near); nearState.fails = fails }()
	const tries = 40
	joins := 0
	for range tries {
		if !parkHelpers() {
			t.Skip("no helper parked within a second")
		}
		nearState.until.Store(0)
		nearState.fails = 0
		nearCores()
		if nearState.fails == 0 { // a probe no helper joined counts a failure
			joins++
		}
	}
	if joins < tries/10 {
		t.Errorf("a helper joined %d of %d probes made while the helpers were parked; want %d or more", joins, tries, tries/10)
	}
	t.Logf("a helper joined %d of %d probes made while the helpers were parked", joins, tries)
}

// TestSgemmNearSplit checks that the batch-64 MLP's products and LeNet's
// 400→120 layer's go to two workers while the cores are near and stay on
// one while far, and that either way gives the same bits.
func TestSgemmNearSplit(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS ≥ 2")
	}
	if !pool.spinning() {
		t.Skip("the helper pool does not spin (TENSORGL_CPU_SPIN=0 or calmed)")
	}
	// workers is sgemmWorkers(2, …), the test skipped if the pool calmed
	// meanwhile (a helper that lost its core twice in a row on a busy
	// machine stops the spinning, and with it every split below the
	// parked threshold).
	workers := func(m, n, k int) int {
		w := sgemmWorkers(2, m, n, k)
		if !pool.spinning() {
			t.Skip("the helper pool calmed during the test")
		}
		return w
	}
	rng := rand.New(rand.NewPCG(53, 1))
	for _, s := range []struct {
		transA     bool
		m, n, k    int
		lda, ldb   int
		aLen, bLen int
	}{
		{false, 64, 128, 784, 784, 128, 64 * 784, 784 * 128}, // forward
		{true, 128, 784, 64, 128, 784, 64 * 128, 64 * 784},   // weight gradient
		{false, 64, 120, 400, 400, 120, 64 * 400, 400 * 120}, // LeNet's forward
		{false, 64, 400, 120, 120, 400, 64 * 120, 120 * 400}, // its input gradient
		{true, 120, 400, 64, 120, 400, 64 * 120, 64 * 400},   // its weight gradient
	} {
		forceNear(t, false)
		if w := workers(s.m, s.n, s.k); w != 1 {
			t.Errorf("%d×%d×%d far: %d workers; want 1", s.m, s.n, s.k, w)
		}
		a, b := randSlice(rng, s.aLen, 1), randSlice(rng, s.bLen, 1)
		far := make([]float32, s.m*s.n)
		Sgemm(s.transA, false, s.m, s.n, s.k, 1, a, s.lda, b, s.ldb, 0, far, s.n)
		forceNear(t, true)
		if w := workers(s.m, s.n, s.k); w != 2 {
			t.Errorf("%d×%d×%d near: %d workers; want 2", s.m, s.n, s.k, w)
		}
		near := make([]float32, s.m*s.n)
		Sgemm(s.transA, false, s.m, s.n, s.k, 1, a, s.lda, b, s.ldb, 0, near, s.n)
		for i := range far {
			if math.Float32bits(far[i]) != math.Float32bits(near[i]) {
				t.Fatalf("%d×%d×%d: element %d is %v on one worker, %v on two", s.m, s.n, s.k, i, far[i], near[i])
			}
		}
	}
	// Small products stay on one worker however near.
	forceNear(t, true)
	if w := workers(64, 64, 128); w != 1 {
		t.Errorf("64×64×128 near: %d workers; want 1", w)
	}
}

// BenchmarkProbeRoundTrip times the pool's probe back to back: the round
// trip between the caller's core and a helper's (round-trip-ns, the median
// of the probes a helper joined), the share of probes a helper joined, and
// the share that found the cores near.
func BenchmarkProbeRoundTrip(b *testing.B) {
	if runtime.GOMAXPROCS(0) < 2 {
		b.Skip("needs GOMAXPROCS ≥ 2")
	}
	var rts []time.Duration
	near := 0
	for b.Loop() {
		if rt, j, ok := probeRoundTrip(nearProbeRounds, probeWait); j && ok {
			rts = append(rts, rt)
			if isNear(rt) {
				near++
			}
		}
	}
	if len(rts) > 0 {
		slices.Sort(rts)
		b.ReportMetric(float64(rts[len(rts)/2]), "round-trip-ns")
	}
	b.ReportMetric(float64(len(rts))/float64(b.N), "joined")
	b.ReportMetric(float64(near)/float64(b.N), "near")
}

// TestCoreRoundTrip checks the exported measure: a round trip within the
// probe's bounds, near as the probe counts it, and none with one thread.
func TestCoreRoundTrip(t *testing.T) {
	if runtime.GOMAXPROCS(0) >= 2 {
		rt, near, ok := CoreRoundTrip()
		switch {
		case !ok:
			t.Log("no helper joined a probe: the machine is busy")
		case rt <= 0 || rt > probeWait:
			t.Errorf("round trip %v: want within (0, %v]", rt, probeWait)
		case near != isNear(rt):
			t.Errorf("round trip %v reported near = %v; near is at most %v", rt, near, nearRoundTrip)
		}
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if rt, near, ok := CoreRoundTrip(); ok || near || rt != 0 {
		t.Errorf("GOMAXPROCS 1: CoreRoundTrip() = %v, %v, %v; want 0, false, false", rt, near, ok)
	}
}
