//go:build cgo && !nogl

package gl

import (
	"cmp"
	"slices"
	"time"

	"github.com/go-gl/gl/v4.3-core/gl"

	"github.com/tensorgl/tensorgl/device"
)

// profiler is the GL thread's timing of commands (see device.Profiler):
// each command run while on is bracketed by two GL timestamp queries, read
// back when maxPendingQueries are in flight or the profile is asked for.
type profiler struct {
	on      bool
	pending []timedCommand
	free    []uint32 // query objects to reuse
	totals  map[string]*device.KernelTime
	lastEnd uint64 // the device's time at the end of the last command read
}

// timedCommand is a command whose timestamps are in flight.
type timedCommand struct {
	name   string
	q0, q1 uint32
	host   time.Duration
}

// maxPendingQueries bounds the commands whose timestamps are unread.
const maxPendingQueries = 1024

// SetProfiling turns the timing of the commands queued after it on or off
// and clears the profile.
func (d *Device) SetProfiling(on bool) {
	d.profiling.Store(on)
	d.enqueue("set profiling", func() {
		p := &d.prof
		p.resolve()
		p.on, p.totals, p.lastEnd = on, map[string]*device.KernelTime{}, 0
	})
}

// Profile waits for the queued commands and returns the time of each kind
// since SetProfiling(true), the longest on the device first (on the host
// where the device's timer did not move).
func (d *Device) Profile() ([]device.KernelTime, error) {
	var out []device.KernelTime
	d.wait("profile", func() {
		p := &d.prof
		p.resolve()
		for _, t := range p.totals {
			out = append(out, *t)
		}
	})
	slices.SortFunc(out, func(a, b device.KernelTime) int {
		if c := cmp.Compare(b.Device, a.Device); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Host, a.Host); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out, d.takeErr()
}

// run runs c between two timestamps (GL thread). The second is taken even
// when c panics, so that no query is left without a result.
func (p *profiler) run(c command) {
	q0, q1 := p.query(), p.query()
	gl.QueryCounter(q0, gl.TIMESTAMP)
	start := time.Now()
	defer func() {
		host := time.Since(start)
		gl.QueryCounter(q1, gl.TIMESTAMP)
		p.pending = append(p.pending, timedCommand{name: c.name, q0: q0, q1: q1, host: host})
		if len(p.pending) >= maxPendingQueries {
			p.resolve()
		}
	}()
	c.run()
}

// query returns a query object, reusing a read one.
func (p *profiler) query() uint32 {
	if n := len(p.free); n > 0 {
		q := p.free[n-1]
		p.free = p.free[:n-1]
		return q
	}
	var q uint32
	gl.GenQueries(1, &q)
	return q
}

// resolve reads the pending timestamps (waiting for the GPU to reach them)
// into the totals.
func (p *profiler) resolve() {
	if p.totals == nil {
		p.totals = map[string]*device.KernelTime{}
	}
	for _, c := range p.pending {
		var t0, t1 uint64
		gl.GetQueryObjectui64v(c.q0, gl.QUERY_RESULT, &t0)
		gl.GetQueryObjectui64v(c.q1, gl.QUERY_RESULT, &t1)
		t := p.totals[c.name]
		if t == nil {
			t = &device.KernelTime{Name: c.name}
			p.totals[c.name] = t
		}
		t.Calls++
		if t1 > t0 {
			t.Device += time.Duration(t1 - t0)
		}
		if p.lastEnd > 0 && t0 > p.lastEnd {
			t.Idle += time.Duration(t0 - p.lastEnd)
		}
		p.lastEnd = max(p.lastEnd, t1)
		t.Host += c.host
		p.free = append(p.free, c.q0, c.q1)
	}
	p.pending = p.pending[:0]
}

// release deletes the query objects (GL thread, at Close).
func (p *profiler) release() {
	p.resolve()
	if len(p.free) > 0 {
		gl.DeleteQueries(int32(len(p.free)), &p.free[0])
	}
	p.free = nil
}
