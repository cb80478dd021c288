package train

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/internal/testdevices"
	"github.com/tensorgl/tensorgl/tensor"
)

// stepLogDevices opens the CPU device and, where a GL context opens (or
// TENSORGL_REQUIRE_GL demands one), the GL device.
func stepLogDevices(t *testing.T) map[string]device.Device {
	devs := map[string]device.Device{"cpu": openDevice(t, "cpu")}
	if d, err := device.Open("gl"); err == nil {
		t.Cleanup(func() { d.Close() })
		devs["gl"] = d
	} else if testdevices.GLRequired() {
		t.Fatal(err)
	} else {
		t.Logf("no GL device: %v", err)
	}
	return devs
}

// openDevice opens the named device for the test, closed at its end.
func openDevice(t *testing.T, name string) device.Device {
	d, err := device.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// useDevice makes dev the default device until the test ends.
func useDevice(t *testing.T, dev device.Device) {
	prev := tensor.DefaultDevice()
	tensor.SetDefaultDevice(dev)
	t.Cleanup(func() { tensor.SetDefaultDevice(prev) })
}

// TestStepLog checks that a StepLog hands each step's values to emit in
// order with their sample counts and the bits a read after each step
// gives, reading the device back only when StepLogRows rows are queued and
// at Flush, and that its buffer goes back to the device at Release.
func TestStepLog(t *testing.T) {
	for name, dev := range stepLogDevices(t) {
		t.Run(name, func(t *testing.T) {
			useDevice(t, dev)
			before := dev.Stats()

			const steps, width = 2*StepLogRows + 22, 3
			type row struct {
				vals    []float32
				samples int
			}
			var got, want []row
			l := NewStepLog(width, func(v []float32, samples int) error {
				got = append(got, row{append([]float32(nil), v...), samples})
				return nil
			})
			l.every = time.Hour // reads only when full and at Flush
			g := tensor.NewGenerator(7)
			reads := dev.Stats().Downloads
			for i := range steps {
				var direct []float32
				tensor.Tidy(func(s *tensor.Scope) {
					// Values computed on the device, large and small.
					v := s.Own(tensor.RandN(g, width)).MulScalar(float32(math.Pow(10, float64(i%7-3)))).Exp().Log()
					direct = v.Data()
					reads++ // the read above
					if err := l.Add(i%5+1, v); err != nil {
						t.Fatal(err)
					}
				})
				want = append(want, row{direct, i%5 + 1})
				if i == StepLogRows-2 && len(got) != 0 {
					t.Fatalf("%d rows emitted before the buffer was full", len(got))
				}
			}
			if len(got) != 2*StepLogRows {
				t.Fatalf("%d rows emitted before Flush, want %d", len(got), 2*StepLogRows)
			}
			if err := l.Flush(); err != nil {
				t.Fatal(err)
			}
			if err := l.Flush(); err != nil { // nothing queued: no read
				t.Fatal(err)
			}
			if n := dev.Stats().Downloads - reads; n != 3 {
				t.Errorf("%d reads of the log for %d steps of %d rows, want 3", n, steps, StepLogRows)
			}
			if len(got) != steps {
				t.Fatalf("%d rows emitted, want %d", len(got), steps)
			}
			for i := range want {
				if got[i].samples != want[i].samples {
					t.Fatalf("row %d: %d samples, want %d", i, got[i].samples, want[i].samples)
				}
				for j, v := range want[i].vals {
					if math.Float32bits(got[i].vals[j]) != math.Float32bits(v) {
						t.Fatalf("row %d: %v, read after its step %v", i, got[i].vals, want[i].vals)
					}
				}
			}
			l.Release()
			if d := dev.Stats().Sub(before); d.BytesInUse != 0 {
				t.Errorf("%d bytes still in use after Release", d.BytesInUse)
			}
		})
	}
}

// TestStepLogErrors checks what goes wrong: a tensor of the wrong size is
// refused, an error of emit stops the read and is returned, and a log
// reads by time as well as when full.
func TestStepLogErrors(t *testing.T) {
	useDevice(t, openDevice(t, "cpu"))

	emitted := 0
	stop := errors.New("the loss became NaN")
	l := NewStepLog(1, func(v []float32, _ int) error {
		if math.IsNaN(float64(v[0])) {
			return stop
		}
		emitted++
		return nil
	})
	defer l.Release()
	l.every = time.Hour
	tensor.Tidy(func(s *tensor.Scope) {
		if err := l.Add(1, s.FromSlice([]float32{1, 2})); err == nil || !strings.Contains(err.Error(), "StepLog of 1 values a step: got a tensor of 2 ([2])") {
			t.Errorf("two values into a log of one: error %v", err)
		}
		for _, v := range []float32{1, 2, float32(math.NaN()), 4} {
			if err := l.Add(1, s.FromSlice([]float32{v})); err != nil {
				t.Fatal(err)
			}
		}
	})
	if err := l.Flush(); !errors.Is(err, stop) {
		t.Errorf("Flush: error %v, want emit's", err)
	}
	if emitted != 2 {
		t.Errorf("%d rows emitted before the failing one, want 2", emitted)
	}

	// Due by time: every Add reads when the interval is over.
	l.every = 0
	tensor.Tidy(func(s *tensor.Scope) {
		if err := l.Add(1, s.FromSlice([]float32{5})); err != nil {
			t.Fatal(err)
		}
	})
	if emitted != 3 {
		t.Errorf("a row added after the interval was not read back at once (%d emitted)", emitted)
	}

	// Finish reads what is queued, or, after an error, returns it unread.
	for _, loopErr := range []error{nil, errors.New("a step failed")} {
		f := NewStepLog(1, func([]float32, int) error { emitted++; return nil })
		f.every = time.Hour
		tensor.Tidy(func(s *tensor.Scope) {
			if err := f.Add(1, s.FromSlice([]float32{6})); err != nil {
				t.Fatal(err)
			}
		})
		before := emitted
		if err := f.Finish(loopErr); err != loopErr {
			t.Errorf("Finish(%v): %v", loopErr, err)
		}
		if read := emitted - before; (loopErr == nil) != (read == 1) {
			t.Errorf("Finish(%v) read back %d rows", loopErr, read)
		}
	}
}
