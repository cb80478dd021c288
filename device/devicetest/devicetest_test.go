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

// TestOpsHaveReferences fails when an op of package device's catalogue has
// no float64 reference here, or its entry lacks the inputs or the
// tolerance its test needs.
func TestOpsHaveReferences(t *testing.T) {
	for _, op := range device.UnaryOps() {
		if _, ok := unaryRefs[op]; !ok {
			t.Errorf("unary op %v has no reference in unaryRefs", op)
		}
		checkEntry(t, op.Info(), 1)
	}
	for _, op := range device.BinaryOps() {
		if _, ok := binaryRefs[op]; !ok {
			t.Errorf("binary op %v has no reference in binaryRefs", op)
		}
		checkEntry(t, op.Info(), 2)
	}
	for _, op := range device.ReduceOps() {
		checkEntry(t, op.Info(), 1)
	}
	for _, dist := range device.Distributions() {
		checkEntry(t, dist.Info(), 0)
		if len(dist.Info().Params) == 0 {
			t.Errorf("distribution %v has no parameters to test it with", dist)
		}
	}
}

// checkEntry fails unless a catalogue entry draws inputs for each of n
// operands and names a tolerance that exists.
func checkEntry(t *testing.T, info device.OpInfo, n int) {
	t.Helper()
	if len(info.Inputs) != n {
		t.Errorf("op %s has %d input domains, want %d", info.Name, len(info.Inputs), n)
	}
	if info.Tol != "" && !slices.Contains(device.ToleranceNames(), info.Tol) {
		t.Errorf("op %s names unknown tolerance %q", info.Name, info.Tol)
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
