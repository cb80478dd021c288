package cpu

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/tensorgl/tensorgl/device"
)

// The CPU device's profile (device.Profiler): its kernels run on the
// goroutine that calls the op (and the kernels package's helpers) and are
// done when it returns, so an op's time is the wall time of its call,
// reported as Host, as a software renderer's is; Device and Idle stay
// zero. An op is named by its method, with the operation of Unary, Binary
// and Reduce and the shapes of the products, convolutions, pools and
// normalisations, which a step's profile tells apart by them. Calls from
// several goroutines at once are each timed whole.

// SetProfiling turns the timing of the ops called after it on or off and
// clears the profile.
func (d *cpuDevice) SetProfiling(on bool) {
	d.profMu.Lock()
	d.profile = map[string]*device.KernelTime{}
	d.profMu.Unlock()
	if on {
		d.ops.Or(1)
	} else {
		d.ops.And(^1)
	}
}

// Profile returns the time of each kind of op since SetProfiling(true),
// the longest first.
func (d *cpuDevice) Profile() ([]device.KernelTime, error) {
	d.profMu.Lock()
	out := make([]device.KernelTime, 0, len(d.profile))
	for _, k := range d.profile {
		out = append(out, *k)
	}
	d.profMu.Unlock()
	slices.SortFunc(out, func(a, b device.KernelTime) int {
		if c := cmp.Compare(b.Host, a.Host); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out, nil
}

// dispatch counts an op and returns, while profiling, the time it
// starts (as Unix nanoseconds), else 0: an op defers done (or doneAs)
// with it. All three inline, so an op pays one atomic add for the count
// and the profiler when it is off.
func (d *cpuDevice) dispatch() (start int64) {
	if d.ops.Add(2)&1 != 0 {
		start = now()
	}
	return
}

// done adds the time since start of the op that called it to the profile,
// under its method's name, where start is not 0.
func (d *cpuDevice) done(start int64) {
	if start != 0 {
		d.record(start, nil)
	}
}

// doneAs is done for an op whose name detail() completes.
func (d *cpuDevice) doneAs(start int64, detail func() string) {
	if start != 0 {
		d.record(start, detail)
	}
}

func now() int64 { return time.Now().UnixNano() }

// record adds the time since start to the profile of the op that called
// done or doneAs, named by its method (and detail(), where not nil).
func (d *cpuDevice) record(start int64, detail func() string) {
	t := time.Duration(now() - start)
	name := callerName()
	if detail != nil {
		name += " " + detail()
	}
	d.profMu.Lock()
	defer d.profMu.Unlock()
	k := d.profile[name]
	if k == nil {
		if d.profile == nil {
			d.profile = map[string]*device.KernelTime{}
		}
		k = &device.KernelTime{Name: name}
		d.profile[name] = k
	}
	k.Calls++
	k.Host += t
}

// callerName returns the name of the method that called done or doneAs
// (for record): "Conv2d" for (*cpuDevice).Conv2d.
func callerName() string {
	pc, _, _, ok := runtime.Caller(3)
	if !ok {
		return "op"
	}
	name := runtime.FuncForPC(pc).Name()
	return name[strings.LastIndexByte(name, '.')+1:]
}

// convName names a convolution by its shapes: images N×C×H×W, K filters
// of R×S, and its stride where it is not 1.
func convName(p device.Conv2dParams) string {
	s := fmt.Sprintf("%d×%d×%d×%d k%d %d×%d", p.N, p.C, p.H, p.W, p.K, p.R, p.S)
	if p.StrideH != 1 || p.StrideW != 1 {
		s += fmt.Sprintf(" s%d", p.StrideH)
		if p.StrideW != p.StrideH {
			s += fmt.Sprintf("×%d", p.StrideW)
		}
	}
	return s
}

// poolName names a pooling by its kind and input's shape.
func poolName(p device.Pool2dParams) string {
	kind := "max"
	if p.Mode == device.AvgPool {
		kind = "avg"
	}
	return fmt.Sprintf("%s %d×%d×%d×%d %d×%d", kind, p.N, p.C, p.H, p.W, p.KH, p.KW)
}
