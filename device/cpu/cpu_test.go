package cpu_test

import (
	"testing"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/device/cpu"
	"github.com/tensorgl/tensorgl/device/devicetest"
)

func TestConformance(t *testing.T) {
	devicetest.Run(t, cpu.New()) // Run closes the device
}

func TestOpenRegistered(t *testing.T) {
	d, err := device.Open("cpu")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if got := d.Info().Name; got != "cpu" {
		t.Fatalf("Info().Name = %q, want cpu", got)
	}
}

// TestPoolReuse checks that a freed buffer serves the next allocation of
// its size bucket and that the counters follow.
func TestPoolReuse(t *testing.T) {
	d := cpu.New()
	defer d.Close()
	a := d.Alloc(device.Float32, 100)
	if s := d.Stats(); s.BuffersAllocated != 1 || s.BytesInUse != 4*128 || s.BytesPooled != 0 {
		t.Fatalf("after Alloc(100): %+v", s)
	}
	d.Free(a)
	if s := d.Stats(); s.BytesInUse != 0 || s.BytesPooled != 4*128 {
		t.Fatalf("after Free: %+v", s)
	}
	b := d.Alloc(device.Float32, 65)
	if b.Len() != 65 {
		t.Fatalf("Len = %d, want 65", b.Len())
	}
	if s := d.Stats(); s.BuffersAllocated != 1 || s.BuffersReused != 1 || s.BytesPooled != 0 {
		t.Fatalf("after reuse: %+v", s)
	}
	c := d.Alloc(device.Int32, 65)
	if s := d.Stats(); s.BuffersAllocated != 2 {
		t.Fatalf("an Int32 buffer must not reuse a Float32 one: %+v", s)
	}
	d.Write(c, []int32{7, -3})
	got := make([]int32, 2)
	if err := d.Read(c, got); err != nil || got[0] != 7 || got[1] != -3 {
		t.Fatalf("Read = %v, %v; want [7 -3]", got, err)
	}
}
