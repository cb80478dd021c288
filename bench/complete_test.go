package bench

import (
	"reflect"
	"testing"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/device/devicetest"
)

// notKernels are the methods of device.Device that manage the device rather
// than compute; they have no benchmark of their own (Alloc and Free are
// timed inside the training steps, whose allocations come from the pool).
var notKernels = map[string]bool{"Info": true, "Alloc": true, "Free": true, "Sync": true, "Stats": true, "Close": true}

// TestKernelCasesComplete fails when a method of device.Device, or an op of
// the device catalogue (Unary, Binary, Reduce, Random), has no benchmark
// case, or no case small enough for a software renderer.
func TestKernelCasesComplete(t *testing.T) {
	cases, soft := map[string]int{}, map[string]int{}
	ops := map[string]bool{}
	names := map[string]bool{}
	for _, c := range kernelCases {
		cases[c.method]++
		if c.soft {
			soft[c.method]++
		}
		if c.op != "" {
			ops[c.method+"/"+c.op] = true
		}
		if names[c.method+"/"+c.name()] {
			t.Errorf("two cases are named %s/%s", c.method, c.name())
		}
		names[c.method+"/"+c.name()] = true
		if c.work == (work{}) {
			t.Errorf("case %s/%s reports no rate", c.method, c.name())
		}
	}

	iface := reflect.TypeFor[device.Device]()
	for i := range iface.NumMethod() {
		name := iface.Method(i).Name
		switch {
		case notKernels[name]:
			if cases[name] > 0 {
				t.Errorf("%s is listed as not a kernel but has %d cases", name, cases[name])
			}
		case cases[name] == 0:
			t.Errorf("device.Device.%s has no benchmark case in kernelCases", name)
		case soft[name] == 0:
			t.Errorf("device.Device.%s has no case small enough for a software renderer (soft: true)", name)
		}
		delete(cases, name)
	}
	for name := range cases {
		if !notKernels[name] {
			t.Errorf("kernelCases has cases for %s, which is not a method of device.Device", name)
		}
	}

	for _, w := range devicetest.Ops() {
		if !ops[w] {
			t.Errorf("op %s has no benchmark case", w)
		}
	}
}

// TestKernelCasesRun runs every case once on the CPU device, so a case
// whose operands do not fit its parameters fails here rather than in the
// middle of a benchmark run.
func TestKernelCasesRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every kernel once at full size")
	}
	cpu, err := device.Open("cpu")
	if err != nil {
		t.Fatal(err)
	}
	defer cpu.Close()
	for _, c := range kernelCases {
		o := newOperands(t, cpu)
		c.setup(o)()
		if err := cpu.Sync(); err != nil {
			t.Errorf("%s/%s: %v", c.method, c.name(), err)
		}
		o.free()
	}
}
