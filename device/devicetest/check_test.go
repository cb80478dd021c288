package devicetest_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/device/cpu"
	"github.com/tensorgl/tensorgl/device/devicetest"
)

// check runs Check on d and returns the names of the subtests it reported
// and of those that failed.
func check(d device.Device) (names, failed []string) {
	n := devicetest.Check(d, func(r devicetest.Result) {
		names = append(names, r.Name)
		if len(r.Failures) > 0 {
			failed = append(failed, r.Name)
		}
	})
	if n != len(failed) {
		panic("Check's count disagrees with its reports")
	}
	return names, failed
}

// TestCheck: Check runs the suite's cases without package testing; the CPU
// device passes every one, and a case checks the same thing as under Run
// (the mutant it exists for fails it, and a panicking kernel fails its
// subtest without stopping the others).
func TestCheck(t *testing.T) {
	names, failed := check(cpu.New())
	if len(failed) > 0 {
		t.Errorf("Check fails on the CPU device: %v", failed)
	}
	for _, op := range devicetest.Ops() {
		if !slices.ContainsFunc(names, func(n string) bool { return n == op || strings.HasPrefix(n, op+"/") }) {
			t.Errorf("Check reported no result for %s: %v", op, names)
		}
	}
	if names[len(names)-1] != "Close" {
		t.Errorf("Check must test Close last; it reported %v", names)
	}
	for _, mu := range mutants {
		if !slices.Contains([]string{"random counter off by one", "gather drops the index offset"}, mu.name) {
			continue
		}
		m := &mutant{Device: cpu.New()}
		mu.bug(m.Device, m)
		if _, failed := check(m); !slices.Contains(failed, mu.catches) {
			t.Errorf("mutant %q: Check did not fail %s (failed %v)", mu.name, mu.catches, failed)
		}
	}
	m := &mutant{Device: cpu.New()}
	m.unary = func(dst device.Buffer, src device.Strided, p device.UnaryParams) {
		if p.Op == device.Exp {
			panic("broken kernel")
		}
		m.Device.Unary(dst, src, p)
	}
	if _, failed = check(m); !slices.Equal(failed, []string{"Unary/exp"}) {
		t.Errorf("a Unary that panics for exp: Check failed %v, want [Unary/exp]", failed)
	}
}
