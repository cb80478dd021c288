package devicetest

import (
	"reflect"
	"slices"
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

// TestMethodsCoverDevice fails when a method of device.Device has no test in
// Run, or Run tests a method the interface no longer has.
func TestMethodsCoverDevice(t *testing.T) {
	iface := reflect.TypeFor[device.Device]()
	tested := Methods()
	for i := range iface.NumMethod() {
		if name := iface.Method(i).Name; !slices.Contains(tested, name) {
			t.Errorf("device.Device.%s has no test in devicetest.Run: add one to methods", name)
		}
	}
	for _, name := range tested {
		if _, ok := iface.MethodByName(name); !ok {
			t.Errorf("devicetest.Run tests %s, which device.Device does not have", name)
		}
	}
	if tested[len(tested)-1] != "Close" {
		t.Errorf("Run must test Close last, after every other method has used the device; it tests %v", tested)
	}
}

// TestOpsHaveCases fails when an op of package device has no case here.
func TestOpsHaveCases(t *testing.T) {
	for _, op := range device.UnaryOps() {
		if _, ok := unaryCases[op]; !ok {
			t.Errorf("unary op %v has no case in unaryCases", op)
		}
	}
	for _, op := range device.BinaryOps() {
		if _, ok := binaryCases[op]; !ok {
			t.Errorf("binary op %v has no case in binaryCases", op)
		}
	}
	for _, op := range device.ReduceOps() {
		if _, ok := reduceInputs[op]; !ok {
			t.Errorf("reduce op %v has no case in reduceInputs", op)
		}
	}
}

// TestTolerances checks that every tolerance has a reason and names a
// known test case, and that each case names a tolerance that exists.
func TestTolerances(t *testing.T) {
	for name, tl := range tolerances {
		if tl.Why == "" {
			t.Errorf("tolerance %q has no reason", name)
		}
		if tl.Abs < 0 || tl.ULP < 0 || tl.ArgULP < 0 {
			t.Errorf("tolerance %q is negative: %+v", name, tl)
		}
	}
	for op, c := range unaryCases {
		if _, ok := tolerances[c.tol]; c.tol != "" && !ok {
			t.Errorf("unary op %v names unknown tolerance %q", op, c.tol)
		}
	}
	for op, c := range binaryCases {
		if _, ok := tolerances[c.tol]; c.tol != "" && !ok {
			t.Errorf("binary op %v names unknown tolerance %q", op, c.tol)
		}
	}
}

// TestPhilox checks philox4x32 against the known-answer vectors of the
// Random123 distribution (kat_vectors: philox4x32 with 10 rounds).
func TestPhilox(t *testing.T) {
	for _, c := range []struct {
		ctr  [4]uint32
		key  [2]uint32
		want [4]uint32
	}{
		{[4]uint32{0, 0, 0, 0}, [2]uint32{0, 0}, [4]uint32{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
		{[4]uint32{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, [2]uint32{0xffffffff, 0xffffffff},
			[4]uint32{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
		{[4]uint32{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, [2]uint32{0xa4093822, 0x299f31d0},
			[4]uint32{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
	} {
		if got := philox4x32(c.ctr, c.key); got != c.want {
			t.Errorf("philox4x32(%08x, %08x) = %08x, want %08x", c.ctr, c.key, got, c.want)
		}
	}
}

// TestAddresses checks the strided walk the references use.
func TestAddresses(t *testing.T) {
	got := addresses([]int{2, 3}, 1, []int{1, 4}) // a transposed 3×2 matrix at offset 1
	want := []int{1, 5, 9, 2, 6, 10}
	if !slices.Equal(got, want) {
		t.Errorf("addresses = %v, want %v", got, want)
	}
	if got := addresses([]int{}, 7, []int{}); !slices.Equal(got, []int{7}) {
		t.Errorf("addresses of a scalar = %v, want [7]", got)
	}
	if got := addresses([]int{2, 2}, 0, []int{0, 1}); !slices.Equal(got, []int{0, 1, 0, 1}) {
		t.Errorf("addresses with a broadcast dimension = %v, want [0 1 0 1]", got)
	}
}
