//go:build cgo && !nogl

package gl

import (
	"fmt"
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
// commands in its own order.
func TestBatchSizes(t *testing.T) {
	for _, size := range []string{"1", "3", "32", "1024"} {
		t.Run(size, func(t *testing.T) {
			t.Setenv(BatchEnv, size)
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
