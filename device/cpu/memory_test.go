package cpu

import (
	"errors"
	"fmt"
	"math"
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
	d.pool.Limit = limit
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
	want := "cpu: the pool of freed buffers is full (1 MiB, want at most 1 MiB); buffers freed from now on are released, not reused."
	if len(*logged) != 1 || !strings.HasPrefix((*logged)[0], want) {
		t.Errorf("logged %q, want one line starting %q", *logged, want)
	}
	// The pool still serves what it kept.
	d.Alloc(device.Float32, 16<<10)
	if s := d.Stats(); s.BuffersReused != 1 || s.BytesPooled != 1<<20-64<<10 {
		t.Errorf("after one more Alloc: %+v, want one reuse", s)
	}
}

// TestMemoryBoundedWithoutRelease frees every buffer the way the tensor
// layer's safety net does when a program never calls Tidy or Release: in a
// cleanup run by the garbage collector. A cleanup keeps its buffer alive for
// one more cycle, so the collector's pacing let such garbage (and, with an
// unbounded pool, the pool) grow from cycle to cycle: hundreds of MiB here.
// The device must keep the heap near the live data plus its collection
// step and pool limit, and say once why it collects.
func TestMemoryBoundedWithoutRelease(t *testing.T) {
	const limit = 4 << 20 // pool limit; the collection step is 16 MiB
	d, logged := small(t, limit)
	type handle struct{ b device.Buffer } // what a tensor is to its buffer
	var peak uint64
	var ms runtime.MemStats
	for i := range 3000 {
		for j := range 8 {
			h := &handle{d.Alloc(device.Float32, 8<<10*(1+j%4))} // 32 to 128 KiB
			runtime.AddCleanup(h, func(b device.Buffer) { d.Free(b) }, h.b)
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
	want := "cpu: 16 MiB in buffers not yet freed, up 16 MiB: running the garbage collector to free tensors that were not released. Wrap each step in tensor.Tidy"
	var lines []string
	for _, l := range *logged {
		if strings.Contains(l, "not yet freed") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || !strings.HasPrefix(lines[0], want) {
		t.Errorf("logged %q, want one line starting %q", lines, want)
	}
	t.Logf("heap peak %d MiB, pool %d KiB", peak>>20, d.Stats().BytesPooled>>10)
}
