//go:build cgo && !nogl

package gl

import (
	"strings"
	"testing"
	"time"

	"github.com/tensorgl/tensorgl/device"
)

// TestProfile: with profiling on, every command queued after it is counted
// under its name (products under their shape), a panicking command too,
// and the results match the unprofiled ones; off, nothing is gathered.
func TestProfile(t *testing.T) {
	d := openOrSkip(t)
	defer d.Close()
	var _ device.Profiler = d
	a, b, c := d.Alloc(device.Float32, 12), d.Alloc(device.Float32, 20), d.Alloc(device.Float32, 15)
	d.Fill(a, 0, 12, 1) // before profiling: not counted
	d.SetProfiling(true)
	d.Fill(b, 0, 20, 0.5)
	add := device.BinaryParams{Op: device.Add, Shape: []int{12}}
	for range 3 {
		d.Binary(a, device.Strided{Buf: a, Strides: []int{1}}, device.Strided{Buf: a, Strides: []int{1}}, add)
	}
	d.MatMul(c, a, b, device.Epilogue{}, device.MatMulParams{Batch: 1, M: 3, N: 5, K: 4, Alpha: 1})
	d.enqueue("exploding", func() { panic("boom") })
	prof, err := d.Profile()
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("Profile's error %v, want the panic's", err)
	}
	calls := map[string]int{}
	for _, k := range prof {
		calls[k.Name] = k.Calls
		if k.Device < 0 || k.Host <= 0 {
			t.Errorf("%s: device %v, host %v: want ≥ 0 and > 0", k.Name, k.Device, k.Host)
		}
	}
	for name, n := range map[string]int{"fill": 1, "binary add": 3, "matmul 1×3×5×4": 1, "exploding": 1} {
		if calls[name] != n {
			t.Errorf("%s: %d calls profiled, want %d (profile %v)", name, calls[name], n, calls)
		}
	}
	got := make([]float32, 15)
	if err := d.Read(c, got); err != nil {
		t.Fatal(err)
	}
	for i, v := range got { // a = 8 (1 doubled three times), b = 0.5: each output 4·8·0.5
		if v != 16 {
			t.Fatalf("c[%d] = %v, want 16", i, v)
		}
	}
	d.SetProfiling(false)
	d.Fill(b, 0, 20, 1)
	if prof, err := d.Profile(); err != nil || len(prof) != 0 {
		t.Errorf("profiling off: profile %v, error %v; want none", prof, err)
	}
}

// TestProfileIdle: the device's time between one command's end and the
// next one's start is the next one's Idle; the first command timed has
// none.
func TestProfileIdle(t *testing.T) {
	d := openOrSkip(t)
	defer d.Close()
	a := d.Alloc(device.Float32, 12)
	d.SetProfiling(true)
	d.Fill(a, 0, 12, 1)
	if err := d.Sync(); err != nil {
		t.Fatal(err)
	}
	const pause = 30 * time.Millisecond
	time.Sleep(pause) // nothing queued: the device waits for the host
	add := device.BinaryParams{Op: device.Add, Shape: []int{12}}
	d.Binary(a, device.Strided{Buf: a, Strides: []int{1}}, device.Strided{Buf: a, Strides: []int{1}}, add)
	prof, err := d.Profile()
	d.SetProfiling(false)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]device.KernelTime{}
	var moved bool
	for _, k := range prof {
		kinds[k.Name] = k
		moved = moved || k.Device > 0
	}
	if !moved {
		for _, k := range prof {
			if k.Idle != 0 {
				t.Errorf("%s: idle %v where the device's timer did not move", k.Name, k.Idle)
			}
		}
		t.Skip("the device's timer does not move: no idle time to measure")
	}
	if f := kinds["fill"]; f.Calls != 1 || f.Idle != 0 {
		t.Errorf("fill: %d calls, idle %v; want 1, 0 (the first command timed)", f.Calls, f.Idle)
	}
	if b := kinds["binary add"]; b.Calls != 1 || b.Idle < pause*2/3 || b.Idle > time.Second {
		t.Errorf("binary add: %d calls, idle %v; want 1, about the host's pause of %v", b.Calls, b.Idle, pause)
	}
}

// kernelsRun runs f with profiling on and returns the calls of each kind
// of command it queued, by name, a product's shape (" B×M×N×K") left off.
func kernelsRun(t *testing.T, d *Device, f func()) map[string]int {
	t.Helper()
	d.SetProfiling(true)
	f()
	prof, err := d.Profile()
	d.SetProfiling(false)
	if err != nil {
		t.Fatal(err)
	}
	ran := map[string]int{}
	for _, k := range prof {
		name := k.Name
		if i := strings.LastIndex(name, " "); i > 0 && strings.Contains(name[i:], "×") {
			name = name[:i]
		}
		ran[name] += k.Calls
	}
	return ran
}
