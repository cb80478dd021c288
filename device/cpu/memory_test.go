package cpu

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

// TestAllocTooLarge: a buffer that cannot exist panics with a
// *device.SizeError naming the limit, not with Go's fatal out-of-memory or
// a runtime error from make.
func TestAllocTooLarge(t *testing.T) {
	d := New()
	defer d.Close()
	max := d.Info().Limits.MaxBufferElements
	if max <= 0 {
		t.Fatalf("MaxBufferElements = %d, want the machine's memory in elements", max)
	}
	for _, n := range []int{math.MaxInt, math.MaxInt / 4, max + 1} {
		err := func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					err, _ = r.(error)
					if err == nil {
						err = fmt.Errorf("panic with %T %v", r, r)
					}
				}
			}()
			d.Alloc(device.Float32, n)
			return nil
		}()
		var se *device.SizeError
		wantPrefix := fmt.Sprintf("cpu: Alloc: %d float32 elements (%.0f bytes), want at most %d (", n, 4*float64(n), max)
		if !errors.As(err, &se) || !errors.Is(err, device.ErrTooLarge) || !strings.HasPrefix(err.Error(), wantPrefix) {
			t.Errorf("Alloc(%d) panicked with %v\nwant a *device.SizeError starting %q", n, err, wantPrefix)
		}
	}
	if s := d.Stats(); s.BytesInUse != 0 || s.BuffersAllocated != 0 {
		t.Errorf("stats after refused allocations: %+v, want nothing in use", s)
	}
}

// small returns a CPU device whose pool keeps at most limit bytes, and
// captures the warning it logs.
func small(t *testing.T, limit int64) (*cpuDevice, *[]string) {
	var logged []string
	saved := device.Logf
	device.Logf = func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }
	t.Cleanup(func() { device.Logf = saved })
	d := New().(*cpuDevice)
	d.pool.Limit, d.pool.Max = limit, limit
	d.gcStep, d.nextGC = 4*limit, 4*limit
	t.Cleanup(func() { d.Close() })
	return d, &logged
}

// TestPoolCapped: freed buffers beyond the pool's limit go to the garbage
// collector, and the first one says so once.
func TestPoolCapped(t *testing.T) {
	d, logged := small(t, 1<<20)
	var bufs []device.Buffer
	for range 40 {
		bufs = append(bufs, d.Alloc(device.Float32, 16<<10)) // 64 KiB each, 2.5 MiB in all
	}
	for _, b := range bufs {
		d.Free(b)
	}
	if s := d.Stats(); s.BytesPooled != 1<<20 || s.BytesInUse != 0 {
		t.Errorf("after freeing 2.5 MiB: %d bytes pooled, %d in use; want 1 MiB (the limit) and 0", s.BytesPooled, s.BytesInUse)
	}
	want := "cpu: the pool of freed buffers is full (1 MiB, want at most 1 MiB); buffers freed beyond it are released, not reused."
	if len(*logged) != 1 || !strings.HasPrefix((*logged)[0], want) {
		t.Errorf("logged %q, want one line starting %q", *logged, want)
	}
	// The pool still serves what it kept.
	d.Alloc(device.Float32, 16<<10)
	if s := d.Stats(); s.BuffersReused != 1 || s.BytesPooled != 1<<20-64<<10 {
		t.Errorf("after one more Alloc: %+v, want one reuse", s)
	}
}

// TestPoolKeepsWorkingSet: a step whose buffers in use at once exceed the
// pool's Limit still finds all of them in the pool the next time, as a
// ResNet-18 step at batch 128 (2.1 GiB at its peak) must.
func TestPoolKeepsWorkingSet(t *testing.T) {
	d := New().(*cpuDevice)
	defer d.Close()
	d.pool.Limit = 1 << 20
	step := func() {
		var bufs []device.Buffer
		for i := range 40 {
			bufs = append(bufs, d.Alloc(device.Float32, 16<<10+i)) // 64 KiB and up, 2.5 MiB in all
		}
		for _, b := range bufs {
			d.Free(b)
		}
	}
	step()
	before := d.Stats()
	step()
	if s := d.Stats().Sub(before); s.BuffersAllocated != 0 || s.BuffersReused != 40 {
		t.Errorf("second step of 2.5 MiB with a 1 MiB Limit: %d new buffers, %d reused; want 0 and 40", s.BuffersAllocated, s.BuffersReused)
	}
}

// TestCollectsOnlyForGarbage: a program that frees every buffer itself but
// holds a working set far above the collection step (as a ResNet-18 step in
// tensor.Tidy does) makes the device collect a few times while the step
// grows, then no more, and say nothing.
func TestCollectsOnlyForGarbage(t *testing.T) {
	d, logged := small(t, 1<<20)
	d.gcStep, d.nextGC, d.maxGCStep = 1<<20, 1<<20, 64<<20
	step := func() {
		var bufs []device.Buffer
		for range 32 {
			bufs = append(bufs, d.Alloc(device.Float32, 256<<10)) // 1 MiB each
		}
		for _, b := range bufs {
			d.Free(b)
		}
	}
	for range 10 {
		step()
	}
	d.mu.Lock()
	before := d.collects
	d.mu.Unlock()
	for range 10 {
		step()
	}
	d.mu.Lock()
	after, gcStep := d.collects, d.gcStep
	d.mu.Unlock()
	if after != before || before > 8 {
		t.Errorf("a 32 MiB working set freed by the program, 1 MiB step: %d collections in the first 10 steps, %d in the next 10; want a few, then none", before, after-before)
	}
	if gcStep < 32<<20 {
		t.Errorf("collection step grew to %d MiB, want it past the 32 MiB working set", gcStep>>20)
	}
	for _, l := range *logged {
		if strings.Contains(l, "came back through the garbage collector") {
			t.Errorf("logged %q for buffers the program freed itself", l)
		}
	}
}

// TestMemoryBoundedWithoutRelease frees every buffer the way the tensor
// layer's safety net does when a program never calls Tidy or Release: in a
// cleanup run by the garbage collector. A cleanup keeps its buffer alive for
// one more cycle, so the collector's pacing let such garbage (and, with an
// unbounded pool, the pool) grow from cycle to cycle: hundreds of MiB here.
// The device must keep the heap near the live data plus its collection
// step and pool limit, and say once why it collects: the buffers come back
// through FreeCollected, as the tensor layer's cleanups return them.
func TestMemoryBoundedWithoutRelease(t *testing.T) {
	const limit = 4 << 20 // pool limit; the collection step is 16 MiB
	d, logged := small(t, limit)
	type handle struct{ b device.Buffer } // what a tensor is to its buffer
	var peak uint64
	var ms runtime.MemStats
	for i := range 3000 {
		for j := range 8 {
			h := &handle{d.Alloc(device.Float32, 8<<10*(1+j%4))} // 32 to 128 KiB
			runtime.AddCleanup(h, func(b device.Buffer) { d.FreeCollected(b) }, h.b)
		}
		if i%50 == 49 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	if s := d.Stats(); s.BytesPooled > limit {
		t.Errorf("pool holds %d bytes, want at most its limit %d", s.BytesPooled, limit)
	}
	if peak > 128<<20 {
		t.Errorf("heap peaked at %d MiB over 3000 steps of 640 KiB, want it bounded near the 16 MiB collection step and the 4 MiB pool", peak>>20)
	}
	var lines []string
	for _, l := range *logged {
		if strings.Contains(l, "came back through the garbage collector") {
			lines = append(lines, l)
		}
	}
	want := regexp.MustCompile(`^cpu: \d+ MiB of buffers came back through the garbage collector since it last ran, not through tensor.Tidy or Release ` +
		`\(\d+ MiB in use now\): running it whenever unfreed buffers grow by 16 MiB. Wrap each step in tensor.Tidy`)
	if len(lines) != 1 || !want.MatchString(lines[0]) {
		t.Errorf("logged %q, want one line matching %q", lines, want)
	}
	t.Logf("heap peak %d MiB, pool %d KiB", peak>>20, d.Stats().BytesPooled>>10)
}

// TestEmptyCache: EmptyCache drops the pooled buffers, so the next Alloc
// allocates anew, and leaves buffers in use alone.
func TestEmptyCache(t *testing.T) {
	d := New()
	defer d.Close()
	kept := d.Alloc(device.Float32, 100)
	d.Write(kept, []float32{7})
	for range 3 {
		d.Free(d.Alloc(device.Float32, 1<<20))
	}
	if s := d.Stats(); s.BytesPooled != 4<<20 || s.BuffersAllocated != 2 {
		t.Fatalf("before EmptyCache: %+v, want 4 MiB pooled and 2 buffers allocated", s)
	}
	if !device.EmptyCache(d) {
		t.Fatal("the CPU device is not a device.CacheEmptier")
	}
	if s := d.Stats(); s.BytesPooled != 0 {
		t.Errorf("after EmptyCache: %d bytes pooled, want 0", s.BytesPooled)
	}
	d.Free(d.Alloc(device.Float32, 1<<20))
	if s := d.Stats(); s.BuffersAllocated != 3 || s.BuffersReused != 2 {
		t.Errorf("Alloc after EmptyCache: %+v, want a new buffer (3 allocated, 2 reused)", s)
	}
	got := make([]float32, 1)
	if err := d.Read(kept, got); err != nil || got[0] != 7 {
		t.Errorf("buffer in use across EmptyCache reads %v, %v; want 7", got, err)
	}
}
