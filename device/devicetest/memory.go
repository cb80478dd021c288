package devicetest

import (
	"fmt"
	"math"
	"sync"

	"github.com/tensorgl/tensorgl/device"
)

func testInfo(t tb, d device.Device) {
	info := d.Info()
	if info.Name == "" || info.Renderer == "" || info.Version == "" {
		t.Errorf("Info() = %+v: want a non-empty Name, Renderer and Version", info)
	}
	l := info.Limits
	for _, v := range []int{l.MaxBufferElements, l.MaxInvocations, l.MaxSharedMemory, l.MaxStorageBlocks, l.Threads,
		l.MaxWorkGroupCount[0], l.MaxWorkGroupCount[1], l.MaxWorkGroupCount[2],
		l.MaxWorkGroupSize[0], l.MaxWorkGroupSize[1], l.MaxWorkGroupSize[2]} {
		if v < 0 {
			t.Errorf("Info().Limits = %+v: negative limit", l)
			break
		}
	}
	if l.MaxStorageBlockSize < 0 {
		t.Errorf("Info().Limits.MaxStorageBlockSize = %d, want ≥ 0", l.MaxStorageBlockSize)
	}
	if l.MaxStorageBlocks != 0 && l.MaxStorageBlocks < 4 {
		t.Errorf("Info().Limits.MaxStorageBlocks = %d: the optimizer kernels bind 4 buffers per tensor", l.MaxStorageBlocks)
	}
	if l.MaxBufferElements != 0 && l.MaxBufferElements < 1<<20 {
		t.Errorf("Info().Limits.MaxBufferElements = %d: a backend that cannot hold a million elements is unusable", l.MaxBufferElements)
	}
}

func testAlloc(t tb, d device.Device) {
	for _, n := range []int{1, 2, 7, 1000, 4099} {
		for _, dt := range []device.DType{device.Float32, device.Int32} {
			b := alloc(t, d, dt, n)
			if b.Len() != n || b.DType() != dt {
				t.Errorf("Alloc(%v, %d) returned a buffer of %d %v", dt, n, b.Len(), b.DType())
			}
		}
	}
}

func testFree(t tb, d device.Device) {
	const n = 1531
	before := d.Stats()
	b := d.Alloc(device.Float32, n)
	live := d.Stats()
	if grew := live.BytesInUse - before.BytesInUse; grew < 4*n {
		t.Errorf("Alloc(float32, %d): BytesInUse grew by %d, want at least %d", n, grew, 4*n)
	}
	d.Free(b)
	freed := d.Stats()
	if freed.BytesInUse != before.BytesInUse {
		t.Errorf("Alloc then Free: BytesInUse went %d → %d → %d, want it back at %d", before.BytesInUse, live.BytesInUse, freed.BytesInUse, before.BytesInUse)
	}
	if freed.BytesPooled <= live.BytesPooled {
		t.Errorf("Free: BytesPooled went %d → %d, want it to grow", live.BytesPooled, freed.BytesPooled)
	}
	// An allocation of the same size must come from the pool.
	b = d.Alloc(device.Float32, n)
	defer d.Free(b)
	reused := d.Stats()
	if reused.BuffersReused != freed.BuffersReused+1 || reused.BuffersAllocated != freed.BuffersAllocated {
		t.Errorf("Alloc after Free of the same size: BuffersReused %d → %d, BuffersAllocated %d → %d; want the pooled buffer reused",
			freed.BuffersReused, reused.BuffersReused, freed.BuffersAllocated, reused.BuffersAllocated)
	}
	if b.Len() != n {
		t.Errorf("reused buffer has Len %d, want %d", b.Len(), n)
	}
	// A freed buffer is usable again once reallocated.
	want := uniform(newRand(t), n, -1, 1)
	d.Write(b, want)
	expectEqual(t, "Write/Read of a reused buffer", download(t, d, b, n), want)
}

// specialFloats are values a round trip must keep bit for bit.
var specialFloats = []float32{0, float32(math.Copysign(0, -1)), 1, -1, math.MaxFloat32, -math.MaxFloat32,
	math.SmallestNonzeroFloat32, 0x1p-126, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 3.1415927, -2.5e-20}

func testWrite(t tb, d device.Device) {
	r := newRand(t)
	subtest(t, "float32", func(t tb) {
		data := append(uniform(r, 997, -1e6, 1e6), specialFloats...)
		b := upload(t, d, data)
		expectEqual(t, "Write then Read", download(t, d, b, len(data)), data)
	})
	subtest(t, "int32", func(t tb) {
		data := []int32{0, 1, -1, math.MaxInt32, math.MinInt32, 16777217, -16777217}
		for range 1000 {
			data = append(data, int32(r.Uint32()))
		}
		b := uploadInt(t, d, data)
		expectInts(t, "Write then Read", downloadInt(t, d, b, len(data)), data)
	})
	subtest(t, "prefix", func(t tb) {
		// A short Write fills the start of the buffer and leaves the rest.
		full := uniform(r, 101, -1, 1)
		b := upload(t, d, full)
		short := uniform(r, 37, 5, 6)
		d.Write(b, short)
		want := append(append([]float32{}, short...), full[len(short):]...)
		expectEqual(t, "Write of 37 elements into 101", download(t, d, b, len(full)), want)
	})
	subtest(t, "counts", func(t tb) {
		b := alloc(t, d, device.Float32, 10)
		before := d.Stats().Uploads
		d.Write(b, filled(10, 1))
		if after := d.Stats().Uploads; after != before+1 {
			t.Errorf("Write: Stats().Uploads went %d → %d, want +1", before, after)
		}
	})
}

func testRead(t tb, d device.Device) {
	r := newRand(t)
	subtest(t, "prefix", func(t tb) {
		data := uniform(r, 313, -1, 1)
		b := upload(t, d, data)
		expectEqual(t, "Read of the first 100 of 313", download(t, d, b, 100), data[:100])
		ib := uploadInt(t, d, []int32{5, -6, 7, 8})
		expectInts(t, "Read of the first 3 of 4 int32", downloadInt(t, d, ib, 3), []int32{5, -6, 7})
	})
	subtest(t, "mismatch", func(t tb) {
		// A destination of the other dtype, of an unknown type or longer
		// than the buffer is an error, and dst keeps its values.
		fb := upload(t, d, []float32{1, 2, 3})
		ib := uploadInt(t, d, []int32{4, 5, 6})
		for _, c := range []struct {
			name string
			b    device.Buffer
			dst  any
		}{
			{"[]int32 from float32", fb, []int32{-7, -7}},
			{"[]float32 from int32", ib, []float32{-7, -7}},
			{"[]float64", fb, []float64{-7, -7}},
			{"longer than the buffer", fb, []float32{-7, -7, -7, -7}},
		} {
			if err := d.Read(c.b, c.dst); err == nil {
				t.Errorf("Read into %s: no error", c.name)
			}
			switch v := c.dst.(type) {
			case []int32:
				expectInts(t, "Read into "+c.name, v, filledInts(len(v), -7))
			case []float32:
				expectEqual(t, "Read into "+c.name, v, filled(len(v), -7))
			}
		}
	})
	subtest(t, "afterKernel", func(t tb) {
		// Read waits for queued kernels.
		b := alloc(t, d, device.Float32, 4001)
		d.Fill(b, 0, 4001, 2.5)
		expectEqual(t, "Read after Fill", download(t, d, b, 4001), filled(4001, 2.5))
	})
	subtest(t, "counts", func(t tb) {
		b := upload(t, d, filled(10, 1))
		before := d.Stats().Downloads
		download(t, d, b, 10)
		if after := d.Stats().Downloads; after != before+1 {
			t.Errorf("Read: Stats().Downloads went %d → %d, want +1", before, after)
		}
	})
}

func testSync(t tb, d device.Device) {
	subtest(t, "afterFill", func(t tb) {
		b := alloc(t, d, device.Float32, 777)
		d.Fill(b, 0, 777, -1)
		if err := d.Sync(); err != nil {
			t.Fatalf("Sync after Fill: %v", err)
		}
		if err := d.Sync(); err != nil {
			t.Fatalf("Sync with nothing queued: %v", err)
		}
		expectEqual(t, "Read after Sync", download(t, d, b, 777), filled(777, -1))
	})
	subtest(t, "concurrent", func(t tb) {
		// Goroutines queue chains of dependent kernels at once, freeing each
		// input as soon as its last kernel is queued (as the tensor layer
		// does); each chain must see its own kernels in order.
		const workers, rounds = 4, 8
		errs := make(chan error, workers*rounds)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for k := range rounds {
					errs <- chain(d, 500+w*37+k, float32(w*rounds+k))
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
	})
}

// chain computes 3x+1 for x = base+i%100 through Write, Unary, Binary and
// Free without waiting in between, then reads and checks the result (which
// is exact in float32).
func chain(d device.Device, n int, base float32) error {
	x := make([]float32, n)
	for i := range x {
		x[i] = base + float32(i%100)
	}
	src, twice, out := d.Alloc(device.Float32, n), d.Alloc(device.Float32, n), d.Alloc(device.Float32, n)
	defer d.Free(out)
	d.Write(src, x)
	whole := []int{1}
	d.Unary(twice, device.Strided{Buf: src, Strides: whole}, device.UnaryParams{Op: device.Affine, A: 2, B: 1, Shape: []int{n}})
	d.Binary(out, device.Strided{Buf: twice, Strides: whole}, device.Strided{Buf: src, Strides: whole}, device.BinaryParams{Op: device.Add, Shape: []int{n}})
	d.Free(src)
	d.Free(twice)
	got := make([]float32, n)
	if err := d.Read(out, got); err != nil {
		return fmt.Errorf("Read: %v", err)
	}
	for i, v := range got {
		if want := 3*x[i] + 1; v != want {
			return fmt.Errorf("chain of %d elements from %v: element %d is %v, want %v", n, base, i, v, want)
		}
	}
	return nil
}

func testStats(t tb, d device.Device) {
	before := d.Stats()
	b := d.Alloc(device.Float32, 2053)
	d.Fill(b, 0, 2053, 1)
	if err := d.Sync(); err != nil {
		t.Fatal(err)
	}
	after := d.Stats()
	d.Free(b)
	if after.Dispatches <= before.Dispatches {
		t.Errorf("Fill: Stats().Dispatches went %d → %d, want it to grow", before.Dispatches, after.Dispatches)
	}
	if after.BuffersAllocated+after.BuffersReused != before.BuffersAllocated+before.BuffersReused+1 {
		t.Errorf("one Alloc: BuffersAllocated+BuffersReused went %d → %d, want +1",
			before.BuffersAllocated+before.BuffersReused, after.BuffersAllocated+after.BuffersReused)
	}
	for _, v := range []int64{after.BuffersAllocated, after.BuffersReused, after.BytesInUse, after.BytesPooled, after.Uploads, after.Downloads, after.Dispatches, after.Barriers, after.StateCalls} {
		if v < 0 {
			t.Errorf("Stats() = %+v: negative counter", after)
			break
		}
	}
}

func testClose(t tb, d device.Device) {
	if err := d.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}
