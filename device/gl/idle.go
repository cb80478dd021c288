//go:build cgo && !nogl

package gl

import (
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/go-gl/gl/v4.3-core/gl"
	"github.com/tensorgl/tensorgl/device"
)

// SpinEnv names the environment variable that sets, when a device is
// opened, how long the GL thread with no commands queued, and a caller
// waiting for a Read or Sync (one at a time: other callers waiting then
// sleep at once), poll before they sleep: a duration such as
// 50us or 1ms, 0 to sleep at once. Unset, 2ms on hardware and 0 on a
// software renderer, whose own threads run the kernels on the cores a
// spinning thread would take.
//
// A sleeping thread costs the one that wakes it a system call, and itself
// tens of microseconds before it runs: on the development machine's VM a
// command that does nothing, handed to the GL thread and waited for, took
// 22.7–27.6 µs with both sleeping and 0.45–2.3 µs with both polling
// (BenchmarkWait, bench/results/gl-wait-spin-2026-12-04.txt). On llvmpipe the steps ran
// as fast either way (bench/results/gl-spin-llvmpipe-steps-2026-12-04.txt).
// Where the GL thread keeps pace with its callers (a GPU's dispatches
// return at once) it would sleep between any two commands of a training
// step, and a step's Read waits for the GPU, then for its caller to wake.
// 2 ms covers the wait for a small model's step on a GPU (the seed models'
// took 0.36–2.2 ms on the H200); a longer one costs a wake-up that is
// little beside it. CUDA's synchronisation spins likewise by default, and
// OpenMP's idle threads. Processes that share one machine's cores with more
// threads than it has (several data-parallel ranks on one GPU box) stop
// polling by themselves where ddp.New tells the device so (ShareMachine),
// as the CPU kernels' helpers do (kernels.ShareMachine).
const SpinEnv = "TENSORGL_GL_SPIN"

// defaultSpin is SpinEnv's default on hardware.
const defaultSpin = 2 * time.Millisecond

// spinSetting reads SpinEnv, and reports whether it was set.
func spinSetting(software bool) (time.Duration, bool, error) {
	v, set := os.LookupEnv(SpinEnv)
	if !set || v == "" {
		if software {
			return 0, false, nil
		}
		return defaultSpin, false, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, true, fmt.Errorf("%s=%q: want a duration of 0 or more such as 200us or 1ms", SpinEnv, v)
	}
	return d, true, nil
}

// spinFor is how long the GL thread and a waiting caller poll.
func (d *Device) spinFor() time.Duration { return time.Duration(d.spin.Load()) }

// ShareMachine tells the device that processes processes of one job run
// on this machine (device.MachineSharer; ddp.New calls it). Each process's
// GL thread and one waiting caller may poll: where those of all the
// processes outnumber the CPUs, they sleep at once instead, unless SpinEnv
// says otherwise, as the CPU kernels' helpers do (kernels.ShareMachine).
func (d *Device) ShareMachine(processes int) {
	if !d.spinFromEnv && processes > 1 && 2*processes > runtime.NumCPU() {
		d.spin.Store(0)
	}
}

// FlushEnv names the environment variable that chooses, when a device is
// opened, whether the GL thread calls glFlush when it runs out of queued
// commands after dispatches since its last flush (1; unset, on hardware
// only) or leaves the driver to submit them (0). A driver may hold
// commands in its buffer until something flushes it: then a step's
// kernels would start on the GPU only at the step's Read, after all of the
// host's work for it, instead of while the host is still at it. llvmpipe
// runs each dispatch as it is issued, so there is nothing to hurry.
const FlushEnv = "TENSORGL_GL_FLUSH"

// flushSetting reads FlushEnv.
func flushSetting(software bool) (bool, error) {
	return switchSetting(FlushEnv, !software, "0 (the driver submits) or 1 (glFlush when the GL thread runs out of commands)")
}

// poll receives from c for up to spin without sleeping, and reports
// whether it received (ok as a receive's: false for a closed channel).
func poll[T any](c <-chan T, spin time.Duration) (v T, ok, got bool) {
	if spin <= 0 {
		return v, false, false
	}
	start := time.Now()
	for {
		for range 64 {
			select {
			case v, ok = <-c:
				return v, ok, true
			default:
			}
		}
		if time.Since(start) > spin {
			return v, false, false
		}
	}
}

// next returns the GL thread's next batch of commands, false once the
// device is closed. With none queued it flushes the dispatches issued
// since the last flush (see FlushEnv), then polls for SpinEnv's time
// before it sleeps (GL thread).
func (d *Device) next() ([]command, bool) {
	select {
	case b, ok := <-d.q:
		return b, ok
	default:
	}
	if d.unflushed {
		d.unflushed = false
		gl.Flush()
		d.count(func(s *device.Stats) { s.Flushes++ })
	}
	if b, ok, got := poll(d.q, d.spinFor()); got {
		return b, ok
	}
	b, ok := <-d.q
	return b, ok
}

// pollWait polls done for up to spin (SpinEnv's time) and reports
// whether it closed meanwhile. One caller polls at a time: goroutines
// sharing the device that wait together sleep but the first, and leave
// the other cores to those that work.
func (d *Device) pollWait(done <-chan struct{}, spin time.Duration) bool {
	defer d.waiters.Add(-1)
	if d.waiters.Add(1) > 1 {
		return false
	}
	_, _, got := poll(done, spin)
	return got
}
