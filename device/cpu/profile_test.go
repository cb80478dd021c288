package cpu_test

import (
	"sync"
	"testing"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/device/cpu"
)

// TestProfile: while profiling, each op is timed whole under its method's
// name (with the operation or shapes that tell its calls apart), the
// longest first, on the host; ops before SetProfiling(true) and after
// SetProfiling(false) are not, and every op is still counted as a
// dispatch. Calls from several goroutines at once are each counted.
func TestProfile(t *testing.T) {
	d := cpu.New()
	defer d.Close()
	p, ok := d.(device.Profiler)
	if !ok {
		t.Fatal("the CPU device is not a device.Profiler")
	}
	alloc := func(vals ...float32) device.Buffer {
		b := d.Alloc(device.Float32, len(vals))
		d.Write(b, vals)
		return b
	}
	x := alloc(1, 2, 3, 4, 5, 6)
	y := alloc(6, 5, 4, 3, 2, 1)
	z := d.Alloc(device.Float32, 6)
	strides, shape := []int{3, 1}, []int{2, 3}
	addTo := func(z device.Buffer) {
		d.Binary(z, device.Strided{Buf: x, Strides: strides}, device.Strided{Buf: y, Strides: strides},
			device.BinaryParams{Op: device.Add, Shape: shape})
	}
	add := func() { addTo(z) }
	add() // not profiled
	before := d.Stats().Dispatches
	p.SetProfiling(true)
	for range 3 {
		add()
	}
	c := d.Alloc(device.Float32, 4)
	d.MatMul(c, x, y, device.Epilogue{}, device.MatMulParams{Batch: 1, M: 2, N: 2, K: 3})
	img, w, out := alloc(make([]float32, 16)...), alloc(make([]float32, 18)...), d.Alloc(device.Float32, 8)
	d.Conv2d(out, img, w, device.Epilogue{}, device.Conv2dParams{N: 1, C: 1, H: 4, W: 4, K: 2, R: 3, S: 3,
		StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, Groups: 1})
	prof, err := p.Profile()
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Stats().Dispatches - before; got != 5 {
		t.Errorf("%d dispatches counted while profiling, want 5", got)
	}
	want := map[string]int{"Binary add": 3, "MatMul 1×2×2×3": 1, "Conv2d 1×1×4×4 k2 3×3": 1}
	if len(prof) != len(want) {
		t.Fatalf("profile %+v, want the calls %v", prof, want)
	}
	for i, k := range prof {
		if want[k.Name] != k.Calls {
			t.Errorf("%q: %d calls, want %d (profile %+v)", k.Name, k.Calls, want[k.Name], prof)
		}
		if k.Host <= 0 || k.Device != 0 || k.Idle != 0 {
			t.Errorf("%q: host %v, device %v, idle %v: want the time on the host alone", k.Name, k.Host, k.Device, k.Idle)
		}
		if i > 0 && k.Host > prof[i-1].Host {
			t.Errorf("%q (%v) after %q (%v): want the longest first", k.Name, k.Host, prof[i-1].Name, prof[i-1].Host)
		}
	}

	// Several goroutines at once.
	p.SetProfiling(true)
	var wg sync.WaitGroup
	for range 8 {
		z := d.Alloc(device.Float32, 6)
		wg.Go(func() {
			for range 100 {
				addTo(z)
			}
		})
	}
	wg.Wait()
	if prof, _ = p.Profile(); len(prof) != 1 || prof[0].Calls != 800 {
		t.Errorf("8 goroutines' 100 adds each: profile %+v, want 800 calls of Binary add", prof)
	}

	p.SetProfiling(false)
	add()
	if prof, _ = p.Profile(); len(prof) != 0 {
		t.Errorf("profile after SetProfiling(false): %+v, want none", prof)
	}
	if n := testing.AllocsPerRun(100, add); n != 0 {
		t.Errorf("an add allocates %v times with profiling off, want 0", n)
	}
}
