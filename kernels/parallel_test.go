package kernels

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestParallelItems checks that every item is worked on exactly once, by
// at most GOMAXPROCS workers, and that no worker starts for no items.
func TestParallelItems(t *testing.T) {
	for _, procs := range []int{1, 2, 5, 19} {
		for _, n := range []int{0, 1, 3, 100} {
			withProcs(procs, func() {
				counts := make([]atomic.Int32, n)
				var workers atomic.Int32
				ParallelItems(n, func() (func(int), func()) {
					workers.Add(1)
					return func(i int) { counts[i].Add(1) }, nil
				})
				for i := range counts {
					if c := counts[i].Load(); c != 1 {
						t.Fatalf("GOMAXPROCS=%d n=%d: item %d done %d times", procs, n, i, c)
					}
				}
				if w := workers.Load(); w > int32(min(n, procs)) || (n > 0) != (w > 0) {
					t.Fatalf("GOMAXPROCS=%d n=%d: %d workers", procs, n, w)
				}
			})
		}
	}
}

// TestItemRuns checks the order in which workers claim items: each its
// own run from the start, then the others' from their ends, the next
// run's first; every item once, with runs stored inline (up to 16
// workers) or not, and when dealt again.
func TestItemRuns(t *testing.T) {
	var d itemRuns
	for _, c := range []struct{ n, w int }{{10, 3}, {8, 2}, {3, 3}, {5, 1}, {40, 19}, {10, 3}, {0, 2}} {
		d.deal(c.n, c.w)
		// Worker 0 alone takes everything: its run forward, then each
		// other run backward, in run order.
		var want []int
		for r := range c.w {
			lo, hi := splitEven(r, c.n, c.w), splitEven(r+1, c.n, c.w)
			for i := range hi - lo {
				if r == 0 {
					want = append(want, lo+i)
				} else {
					want = append(want, hi-1-i)
				}
			}
		}
		var got []int
		for i, ok := d.next(0); ok; i, ok = d.next(0) {
			got = append(got, i)
		}
		if !slices.Equal(got, want) || d.left() {
			t.Fatalf("n=%d w=%d: worker 0 alone took %v, want %v (left %v)", c.n, c.w, got, want, d.left())
		}
		// Workers take turns, against a model of the runs: each takes the
		// first item of its own run while it lasts, then the last of the
		// first run after its own with any left; worker w has no run.
		d.deal(c.n, c.w)
		lo, hi := make([]int, c.w), make([]int, c.w)
		for r := range c.w {
			lo[r], hi[r] = splitEven(r, c.n, c.w), splitEven(r+1, c.n, c.w)
		}
		seen := make([]int, c.n)
		for round := 0; d.left(); round++ {
			r := round % (c.w + 1)
			want := -1
			if r < c.w && lo[r] < hi[r] {
				want = lo[r]
				lo[r]++
			} else {
				for k := 1; k <= c.w; k++ {
					if q := (r + k) % c.w; lo[q] < hi[q] {
						hi[q]--
						want = hi[q]
						break
					}
				}
			}
			i, ok := d.next(r)
			if !ok || i != want {
				t.Fatalf("n=%d w=%d round %d: worker %d took %d (%v), want %d", c.n, c.w, round, r, i, ok, want)
			}
			seen[i]++
		}
		for i, k := range seen {
			if k != 1 {
				t.Fatalf("n=%d w=%d: item %d taken %d times", c.n, c.w, i, k)
			}
		}
		if _, ok := d.next(0); ok {
			t.Fatalf("n=%d w=%d: an item after all were taken", c.n, c.w)
		}
	}
}

// TestItemJobJoin checks that ParallelItems keeps run 0 for its caller:
// the first helper to join a job works run 1 first.
func TestItemJobJoin(t *testing.T) {
	var got []int
	j := newItemJob(8, 2, func() (func(int), func()) {
		return func(i int) { got = append(got, i) }, nil
	})
	j.join()
	if want := []int{4, 5, 6, 7, 3, 2, 1, 0}; !slices.Equal(got, want) {
		t.Fatalf("the first helper took %v, want %v", got, want)
	}
	j.wait()
}

// TestParallelForRanges checks that ParallelFor's ranges cover [0, n)
// exactly once, each at least grain long where n allows, and that the
// ranges depend on n, grain and GOMAXPROCS only.
func TestParallelForRanges(t *testing.T) {
	for _, procs := range []int{1, 2, 3, 8} {
		for _, c := range [][2]int{{1, 1}, {7, 1}, {100, 1}, {100, 7}, {1000, 64}, {5, 100}, {1 << 16, 1 << 11}} {
			n, grain := c[0], c[1]
			withProcs(procs, func() {
				var first []int
				for rep := range 3 {
					var mu sync.Mutex
					var los []int
					seen := make([]atomic.Int32, n)
					ParallelFor(n, grain, func(lo, hi int) {
						if hi <= lo || hi-lo < min(n, grain)/2 {
							t.Errorf("procs %d n %d grain %d: range [%d, %d)", procs, n, grain, lo, hi)
						}
						for i := lo; i < hi; i++ {
							seen[i].Add(1)
						}
						mu.Lock()
						los = append(los, lo)
						mu.Unlock()
					})
					for i := range seen {
						if c := seen[i].Load(); c != 1 {
							t.Fatalf("procs %d n %d grain %d: index %d handled %d times", procs, n, grain, i, c)
						}
					}
					slices.Sort(los)
					if rep == 0 {
						first = los
					} else if !slices.Equal(los, first) {
						t.Fatalf("procs %d n %d grain %d: ranges start at %v, then at %v", procs, n, grain, first, los)
					}
				}
			})
		}
	}
}

// TestParallelItemsConcurrent runs ParallelItems from several goroutines
// at once, with items that call it again, with the pool spinning and
// calm: every item of every call is done exactly once, and each call
// returns only when its items are.
func TestParallelItemsConcurrent(t *testing.T) {
	was := pool.calm.Load()
	defer pool.calm.Store(was)
	for _, calm := range []bool{false, true} {
		if calm {
			pool.calm.Store(time.Now().Add(time.Hour).UnixNano())
		} else {
			pool.calm.Store(0)
		}
		withProcs(4, func() {
			var wg sync.WaitGroup
			for g := range 6 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for call := range 60 {
						n := 1 + (g*7+call*13)%40
						counts := make([]atomic.Int32, n)
						var inner atomic.Int64
						ParallelItems(n, func() (func(int), func()) {
							return func(i int) {
								if i%9 == 0 { // nested, as a batched product's GEMMs
									ParallelFor(300, 10, func(lo, hi int) { inner.Add(int64(hi - lo)) })
								}
								counts[i].Add(1)
							}, nil
						})
						for i := range counts {
							if c := counts[i].Load(); c != 1 {
								t.Errorf("calm %v: goroutine %d call %d: item %d of %d done %d times by the return", calm, g, call, i, n, c)
								return
							}
						}
						if want := int64(300 * ((n + 8) / 9)); inner.Load() != want {
							t.Errorf("calm %v: nested loops covered %d indices, want %d", calm, inner.Load(), want)
							return
						}
					}
				}()
			}
			wg.Wait()
		})
	}
}

// TestSpinSetting checks TENSORGL_CPU_SPIN's parsing.
func TestSpinSetting(t *testing.T) {
	for _, c := range []struct {
		v    string
		set  bool
		want time.Duration
		bad  bool
	}{
		{"", false, 200 * time.Microsecond, false},
		{"0", true, 0, false},
		{"50us", true, 50 * time.Microsecond, false},
		{"1ms", true, time.Millisecond, false},
		{"", true, 200 * time.Microsecond, true},
		{"200", true, 200 * time.Microsecond, true},
		{"-1ms", true, 200 * time.Microsecond, true},
	} {
		got, err := spinSetting(c.v, c.set)
		if got != c.want || (err != nil) != c.bad {
			t.Errorf("spinSetting(%q, %v) = %v, %v; want %v, error %v", c.v, c.set, got, err, c.want, c.bad)
		}
		if err != nil && !strings.Contains(err.Error(), SpinEnv) {
			t.Errorf("spinSetting(%q): error %q does not name %s", c.v, err, SpinEnv)
		}
	}
}

// BenchmarkHelperStart times how long after ParallelItems is called a
// helper claims its first item, after the caller has been busy for a gap
// of 0, 50 µs (within spinWait: the helper spins) and 1 ms (beyond it: the
// helper has parked), as helper-start-µs (the median of b.N calls) and
// the share of calls a helper joined at all.
func BenchmarkHelperStart(b *testing.B) {
	if runtime.GOMAXPROCS(0) < 2 {
		b.Skip("needs GOMAXPROCS ≥ 2")
	}
	busy := func(d time.Duration) {
		for t0 := time.Now(); time.Since(t0) < d; {
		}
	}
	for _, gap := range []time.Duration{0, 50 * time.Microsecond, time.Millisecond} {
		b.Run(fmt.Sprintf("gap=%v", gap), func(b *testing.B) {
			var starts []time.Duration
			for b.Loop() {
				t0 := time.Now()
				var start atomic.Int64
				var workers atomic.Int32
				ParallelItems(40, func() (func(int), func()) {
					if workers.Add(1) == 2 {
						start.Store(int64(time.Since(t0)))
					}
					return func(int) { busy(5 * time.Microsecond) }, nil
				})
				if s := start.Load(); s > 0 {
					starts = append(starts, time.Duration(s))
				}
				busy(gap)
			}
			if len(starts) > 0 {
				slices.Sort(starts)
				b.ReportMetric(float64(starts[len(starts)/2])/1e3, "helper-start-µs")
			}
			b.ReportMetric(float64(len(starts))/float64(b.N), "joined")
		})
	}
}

// TestShareMachine checks that processes sharing too few CPUs park their
// helpers at once, unless TENSORGL_CPU_SPIN was set.
func TestShareMachine(t *testing.T) {
	was, env := spinWait.Load(), spinFromEnv
	defer func() { spinWait.Store(was); spinFromEnv = env }()
	cpus := runtime.NumCPU()
	for _, c := range []struct {
		procs, processes int
		env              bool
	}{{2, 1, false}, {1, cpus, false}, {1, cpus + 1, false}, {2, cpus, false}, {2, cpus, true}} {
		withProcs(c.procs, func() {
			spinWait.Store(int64(200 * time.Microsecond))
			spinFromEnv = c.env
			ShareMachine(c.processes)
			want := !c.env && c.processes > 1 && c.processes*c.procs > cpus
			if parks := spinWait.Load() == 0; parks != want {
				t.Errorf("GOMAXPROCS %d, %d processes on %d CPUs, set by env %v: helpers park at once: %v, want %v",
					c.procs, c.processes, cpus, c.env, parks, want)
			}
		})
	}
}

// TestStreamGrain checks the memory-bound kernels' grain: streamNearGrain
// while the helper pool spins and its cores are near, streamGrain while it
// is calm or they are far, and that the plain SGD step, the streaming
// element-wise ops, outer products and matrix-vector products follow it
// (SGD with momentum at half of it; the transcendental ops keep
// elemGrain).
func TestStreamGrain(t *testing.T) {
	if spinWait.Load() == 0 {
		t.Skip("the helper pool does not spin (TENSORGL_CPU_SPIN=0)")
	}
	was := pool.calm.Load()
	defer pool.calm.Store(was)
	setState := func(calm, near bool) {
		if calm {
			pool.calm.Store(time.Now().Add(time.Hour).UnixNano())
		} else {
			pool.calm.Store(0)
		}
		forceNear(t, near)
	}
	for _, s := range []struct{ calm, near bool }{{false, true}, {false, false}, {true, true}, {true, false}} {
		setState(s.calm, s.near)
		want := streamGrain
		if !s.calm && s.near {
			want = streamNearGrain
		}
		for _, c := range []struct {
			name      string
			got, want int
		}{
			{"streamGrainNow", streamGrainNow(), want},
			{"plain SGD", sgdGrain(SGDConfig{LR: 0.1}), want},
			{"SGD with momentum", sgdGrain(SGDConfig{LR: 0.1, Momentum: 0.9}), want / 2},
			{"SGD with weight decay", sgdGrain(SGDConfig{LR: 0.1, WeightDecay: 1e-4}), want / 2},
			{"Affine", unaryGrain(Affine, 1), want},
			{"square", unaryGrain(PowScalar, 2), want},
			{"Log", unaryGrain(Log, 0), elemGrain},
			{"Add", binaryGrain(Add), want},
			{"BCEWithLogits", binaryGrain(BCEWithLogits), want / 4},
			{"Pow", binaryGrain(Pow), elemGrain},
		} {
			if c.got != c.want {
				t.Errorf("calm %v, near %v: %s's grain is %d; want %d", s.calm, s.near, c.name, c.got, c.want)
			}
		}
		// The MLP's SGD step (784·128 + 128 + 128·64 + 64 + 64·10 + 10
		// parameters) goes to more than one worker (four ranges of 2¹⁵ at
		// most) only while spinning and near.
		const mlpParams = 109386
		w, wantW := workers(mlpParams, sgdGrain(SGDConfig{LR: 0.1})), 1
		if !s.calm && s.near {
			wantW = min(runtime.GOMAXPROCS(0), 4)
		}
		if w != wantW {
			t.Errorf("calm %v, near %v: the MLP's SGD step on %d workers; want %d", s.calm, s.near, w, wantW)
		}
		// So does its first layer's weight gradient at batch 1, an outer
		// product of 128×784 values; and a GAN's 784×512 layer's
		// matrix-vector product at batch 1 (a weight the optimizer just
		// wrote), far only past streamGrain.
		split := wantW > 1
		if w := workers(128, outerRowGrain(784)); (w > 1) != split {
			t.Errorf("calm %v, near %v: the MLP's 128×784 outer product on %d workers; want more than one: %v", s.calm, s.near, w, split)
		}
		if w := gemvWorkers(1, 512, 784); (w > 1) != split {
			t.Errorf("calm %v, near %v: a 784×512 matrix-vector product on %d workers; want more than one: %v", s.calm, s.near, w, split)
		}
		if w := gemvWorkers(1, 1024, 1024); !s.calm && runtime.GOMAXPROCS(0) >= 2 && w < 2 {
			t.Errorf("calm %v, near %v: a 1024×1024 matrix-vector product on %d workers; want two or more", s.calm, s.near, w)
		}
	}
}
