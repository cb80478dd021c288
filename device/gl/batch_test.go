//go:build cgo && !nogl

package gl

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tensorgl/tensorgl/device"
)

// TestBatchFlushedWithoutWait: a kernel queued alone, with nothing after
// it that waits, still runs (its batch is handed over after batchDelay).
func TestBatchFlushedWithoutWait(t *testing.T) {
	t.Setenv(BatchEnv, "32")
	d := openOrSkip(t)
	defer d.Close()
	b := d.Alloc(device.Float32, 8)
	defer d.Free(b)
	if err := d.Sync(); err != nil {
		t.Fatal(err)
	}
	before := d.Stats().Dispatches
	d.Fill(b, 0, 8, 2)
	for end := time.Now().Add(5 * time.Second); d.Stats().Dispatches == before; time.Sleep(time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("a queued Fill has not run 5 s later without a Sync")
		}
	}
}

// TestBatchSizes: chains of dependent kernels from several goroutines
// give the same results whatever the batch size, each goroutine's
// commands in its own order, with the GL thread and the waiting callers
// polling before they sleep or sleeping at once (SpinEnv), flushing when
// idle or not (FlushEnv); and the device closes either way.
func TestBatchSizes(t *testing.T) {
	for _, c := range []struct{ size, spin, flush string }{
		{"1", "0", "0"}, {"1", "200us", "1"}, {"1", "1ms", "0"}, {"3", "0", "1"},
		{"32", "200us", "1"}, {"1024", "0", "0"}, {"1024", "50us", "1"},
	} {
		t.Run(c.size+"/spin="+c.spin+"/flush="+c.flush, func(t *testing.T) {
			t.Setenv(BatchEnv, c.size)
			t.Setenv(SpinEnv, c.spin)
			t.Setenv(FlushEnv, c.flush)
			d := openOrSkip(t)
			defer d.Close()
			const workers, steps, n = 3, 40, 33
			var wg sync.WaitGroup
			errs := make(chan error, workers)
			for w := range workers {
				wg.Go(func() {
					x, y := d.Alloc(device.Float32, n), d.Alloc(device.Float32, n)
					defer d.Free(x)
					defer d.Free(y)
					d.Fill(x, 0, n, float32(w+1))
					d.Fill(y, 0, n, 0)
					add := device.BinaryParams{Op: device.Add, Shape: []int{n}}
					for range steps { // y += x, each reading the one before
						d.Binary(y, device.Strided{Buf: y, Strides: []int{1}}, device.Strided{Buf: x, Strides: []int{1}}, add)
					}
					got := make([]float32, n)
					if err := d.Read(y, got); err != nil {
						errs <- err
						return
					}
					for i, v := range got {
						if want := float32(steps * (w + 1)); v != want {
							errs <- fmt.Errorf("worker %d: y[%d] = %v, want %v", w, i, v, want)
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
		})
	}
	t.Setenv(BatchEnv, "0")
	if d, err := Open(); err == nil || !strings.Contains(err.Error(), `TENSORGL_GL_BATCH="0": want a number of commands from 1 to 1024`) {
		if d != nil {
			d.Close()
		}
		t.Errorf("Open with %s=0: %v", BatchEnv, err)
	}
}

// TestIdleSettings: SpinEnv and FlushEnv's defaults by renderer, their
// values, and the error naming what a bad one should be.
func TestIdleSettings(t *testing.T) {
	for _, c := range []struct {
		v        string
		software bool
		want     time.Duration
		err      string
	}{
		{"", false, defaultSpin, ""},
		{"", true, 0, ""},
		{"0", false, 0, ""},
		{"1ms", true, time.Millisecond, ""},
		{"50us", false, 50 * time.Microsecond, ""},
		{"-1us", false, 0, `TENSORGL_GL_SPIN="-1us": want a duration of 0 or more`},
		{"200", false, 0, `TENSORGL_GL_SPIN="200": want a duration`},
	} {
		t.Setenv(SpinEnv, c.v)
		got, set, err := spinSetting(c.software)
		if set != (c.v != "") {
			t.Errorf("%s=%q: set %v", SpinEnv, c.v, set)
		}
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s=%q: error %v, want %q", SpinEnv, c.v, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s=%q, software %v: %v, %v; want %v", SpinEnv, c.v, c.software, got, err, c.want)
		}
	}
	for _, c := range []struct {
		v              string
		software, want bool
	}{{"", false, true}, {"", true, false}, {"0", false, false}, {"1", true, true}} {
		t.Setenv(FlushEnv, c.v)
		if got, err := flushSetting(c.software); err != nil || got != c.want {
			t.Errorf("%s=%q, software %v: %v, %v; want %v", FlushEnv, c.v, c.software, got, err, c.want)
		}
	}
	t.Setenv(FlushEnv, "yes")
	if _, err := flushSetting(false); err == nil || !strings.Contains(err.Error(), `TENSORGL_GL_FLUSH="yes": want 0`) {
		t.Errorf("%s=yes: %v", FlushEnv, err)
	}
	t.Setenv(FlushEnv, "")
	t.Setenv(SpinEnv, "soon")
	if d, err := Open(); err == nil || !strings.Contains(err.Error(), `TENSORGL_GL_SPIN="soon"`) {
		if d != nil {
			d.Close()
		}
		t.Errorf("Open with %s=soon: %v", SpinEnv, err)
	}
}

// TestIdleFlush: with FlushEnv on, the GL thread flushes once when it runs
// out of commands after dispatches, and not again until it has dispatched
// more; with it off, never.
func TestIdleFlush(t *testing.T) {
	for _, on := range []bool{true, false} {
		t.Run(fmt.Sprint("flush=", on), func(t *testing.T) {
			t.Setenv(FlushEnv, map[bool]string{true: "1", false: "0"}[on])
			d := openOrSkip(t)
			defer d.Close()
			b := d.Alloc(device.Float32, 8)
			defer d.Free(b)
			want := int64(0)
			if on {
				want = 1
			}
			// settle waits for the queued work, then until the device has
			// counted least flushes (the GL thread flushes after its last
			// command, when it finds no more), and a little longer: a
			// flush that should not come has the time to show.
			settle := func(least int64) int64 {
				if err := d.Sync(); err != nil {
					t.Fatal(err)
				}
				for end := time.Now().Add(5 * time.Second); d.Stats().Flushes < least && time.Now().Before(end); {
					time.Sleep(time.Millisecond)
				}
				time.Sleep(20 * time.Millisecond)
				return d.Stats().Flushes
			}
			before := settle(0)
			for round := range 3 {
				// The round's fills queue behind a command that holds the
				// GL thread, so that it runs them back to back whatever
				// the machine's load: one flush after them (or after the
				// Sync, which the thread cannot tell flushed).
				gate := make(chan struct{})
				d.enqueue("gate", func() { <-gate })
				for range round + 1 {
					d.Fill(b, 0, 8, 2)
				}
				close(gate)
				after := settle(before + want)
				if got := after - before; got != want {
					t.Errorf("round %d: %d flushes, want %d", round, got, want)
				}
				if again := settle(after); again != after {
					t.Errorf("round %d: %d more flushes with nothing dispatched", round, again-after)
				}
				before = after
			}
		})
	}
}

// BenchmarkWait times a command that does nothing, handed to the GL thread
// and waited for: what each Read and Sync costs on the host besides its
// GL call, with the GL thread and the caller sleeping when idle (spin=0,
// a software renderer's default) and polling first (the hardware's).
func BenchmarkWait(b *testing.B) {
	for _, spin := range []string{"0", "2ms"} {
		b.Run("spin="+spin, func(b *testing.B) {
			b.Setenv(SpinEnv, spin)
			d, err := Open()
			if err != nil {
				b.Skip(err)
			}
			defer d.Close()
			for b.Loop() {
				d.wait("nothing", func() {})
			}
		})
	}
}

// TestPollWait: a waiter polls until its wait ends, and one at a time: with
// another polling, it returns at once to sleep instead.
// TestShareMachine: processes whose polling threads (two each) outnumber
// the CPUs make the device sleep at once, unless SpinEnv set its polling;
// one process, or few enough, leave it as it is.
func TestShareMachine(t *testing.T) {
	var _ device.MachineSharer = (*Device)(nil)
	cpus := runtime.NumCPU()
	type share struct {
		env       bool
		processes int
		want      time.Duration
	}
	cases := []share{{false, 1, defaultSpin}, {false, cpus/2 + 1, 0}, {true, cpus/2 + 1, defaultSpin}}
	if cpus >= 4 {
		cases = append(cases, share{false, cpus / 2, defaultSpin}) // as many polling threads as CPUs
	}
	for _, c := range cases {
		d := &Device{spinFromEnv: c.env}
		d.spin.Store(int64(defaultSpin))
		d.ShareMachine(c.processes)
		if got := d.spinFor(); got != c.want {
			t.Errorf("%d processes on %d CPUs, set by %s %v: polls %v, want %v", c.processes, cpus, SpinEnv, c.env, got, c.want)
		}
	}
}

func TestPollWait(t *testing.T) {
	d := openOrSkip(t)
	defer d.Close()
	const spin = 5 * time.Second
	done := make(chan struct{})
	go func() {
		time.Sleep(10 * time.Millisecond)
		close(done)
	}()
	if !d.pollWait(done, spin) {
		t.Error("the only waiter stopped polling before its wait ended")
	}
	d.waiters.Add(1) // another waiter polls
	start := time.Now()
	if d.pollWait(make(chan struct{}), spin) {
		t.Error("a second waiter's poll ended a wait that did not end")
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("a second waiter polled for %v, want it to sleep at once", el)
	}
	if n := d.waiters.Add(-1); n != 0 {
		t.Errorf("%d waiters left counted", n)
	}
}
