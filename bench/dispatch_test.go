package bench

import (
	"fmt"
	"testing"
	"time"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/tensor"
)

// dispatchBurst is how many kernels BenchmarkDispatch enqueues back to back
// before it waits for the device.
const dispatchBurst = 1000

// dispatchElems is the size of a dispatch benchmark's operands: small enough
// that the kernel's own work is negligible beside launching it.
const dispatchElems = 256

// dispatchKernel is a tiny kernel: setup allocates its operands on dev and
// returns, for the scope of a burst, its call, and a cleanup.
type dispatchKernel struct {
	name  string
	setup func(dev device.Device) (call func(s *tensor.Scope) func(), cleanup func())
}

// unscoped returns a call that needs no scope.
func unscoped(call func()) func(*tensor.Scope) func() {
	return func(*tensor.Scope) func() { return call }
}

var dispatchKernels = []dispatchKernel{
	{"fill", func(dev device.Device) (func(*tensor.Scope) func(), func()) {
		dst := dev.Alloc(device.Float32, dispatchElems)
		return unscoped(func() { dev.Fill(dst, 0, dispatchElems, 1.5) }), func() { dev.Free(dst) }
	}},
	{"relu", func(dev device.Device) (func(*tensor.Scope) func(), func()) {
		src, dst := dev.Alloc(device.Float32, dispatchElems), dev.Alloc(device.Float32, dispatchElems)
		dev.Fill(src, 0, dispatchElems, -0.5)
		p := device.UnaryParams{Op: device.Relu, Shape: []int{dispatchElems}}
		return unscoped(func() { dev.Unary(dst, contiguous(src, dispatchElems), p) }), func() { dev.Free(src); dev.Free(dst) }
	}},
	// A tensor op, as a training step issues them: shape checks, a buffer
	// from the pool, the kernel, and (at the end of the scope) the free.
	// The operands are read in the burst's scope, so each result joins it
	// and goes back to the pool when the burst ends.
	{"tensor-add", func(dev device.Device) (func(*tensor.Scope) func(), func()) {
		defer tensor.SetDefaultDevice(tensor.DefaultDevice())
		tensor.SetDefaultDevice(dev)
		x, y := tensor.Full(1, dispatchElems), tensor.Full(2, dispatchElems)
		return func(s *tensor.Scope) func() {
			a, b := s.Use(x), s.Use(y)
			return func() { a.Add(b) }
		}, func() { x.Release(); y.Release() }
	}},
}

// BenchmarkDispatch measures what launching a kernel costs, with kernels
// too small to matter, as BenchmarkDispatch/<device>/<kernel>-x1000 (1000
// back to back, then one Sync) and <kernel>-sync (one kernel and Sync: the
// round trip). µs/dispatch is the time of an iteration divided by its
// kernels; µs/enqueue only the time until the last call returned, before
// the Sync: what the host spends per kernel when it does not wait.
// dispatches/call checks that each call is one kernel; barriers/dispatch,
// state-calls/dispatch and flushes/dispatch count the GL backend's
// glMemoryBarrier, glUseProgram/glBindBufferBase/glUniform* and glFlush
// calls (device.Stats; 0 on the CPU; TENSORGL_GL_ELIDE=0 issues all of the
// first two, TENSORGL_GL_FLUSH=0 none of the last). tensor-add runs through the
// tensor package, inside tensor.Tidy. fill-read fills one value and reads
// it back (µs/read): the round trip that ends a training step.
func BenchmarkDispatch(b *testing.B) {
	devs, note := openDevices()
	b.Log(note)
	for _, d := range devs {
		b.Run(d.label, func(b *testing.B) {
			for _, k := range dispatchKernels {
				b.Run(fmt.Sprintf("%s-x%d", k.name, dispatchBurst), func(b *testing.B) { runDispatch(b, d.dev, k, dispatchBurst) })
				b.Run(k.name+"-sync", func(b *testing.B) { runDispatch(b, d.dev, k, 1) })
			}
			b.Run("fill-read", func(b *testing.B) { runRead(b, d.dev) })
		})
	}
}

// runRead times b.N iterations of a fill of one value and a Read of it,
// as a training step ends reading its loss: µs/read.
func runRead(b *testing.B, dev device.Device) {
	buf := dev.Alloc(device.Float32, 1)
	defer dev.Free(buf)
	var v [1]float32
	step := func(i int) {
		dev.Fill(buf, 0, 1, float32(i))
		if err := dev.Read(buf, v[:]); err != nil {
			b.Fatal(err)
		}
		if v[0] != float32(i) {
			b.Fatalf("read %v after filling with %d", v[0], i)
		}
	}
	step(0) // warm-up: compiles the fill
	b.ResetTimer()
	for i := range b.N {
		step(i + 1)
	}
	b.StopTimer()
	b.ReportMetric(1e6*b.Elapsed().Seconds()/float64(b.N), "µs/read")
}

// runDispatch times b.N iterations of burst calls of k followed by a Sync.
func runDispatch(b *testing.B, dev device.Device, k dispatchKernel, burst int) {
	call, cleanup := k.setup(dev)
	defer cleanup()
	iteration := func() (enqueue time.Duration) {
		start := time.Now()
		tensor.Tidy(func(s *tensor.Scope) {
			c := call(s)
			for range burst {
				c()
			}
			enqueue = time.Since(start)
		})
		if err := dev.Sync(); err != nil {
			b.Fatal(err)
		}
		return enqueue
	}
	iteration() // warm-up: compiles the shader variant, fills the pool
	before := dev.Stats()
	var enqueue time.Duration
	b.ResetTimer()
	for range b.N {
		enqueue += iteration()
	}
	b.StopTimer()
	calls := float64(b.N * burst)
	b.ReportMetric(1e6*b.Elapsed().Seconds()/calls, "µs/dispatch")
	b.ReportMetric(1e6*enqueue.Seconds()/calls, "µs/enqueue")
	s := dev.Stats().Sub(before)
	dispatches := float64(s.Dispatches)
	b.ReportMetric(dispatches/calls, "dispatches/call")
	b.ReportMetric(float64(s.Barriers)/dispatches, "barriers/dispatch")
	b.ReportMetric(float64(s.StateCalls)/dispatches, "state-calls/dispatch")
	b.ReportMetric(float64(s.Flushes)/dispatches, "flushes/dispatch")
}
