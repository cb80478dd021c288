//go:build cgo && !nogl

package gl

import (
	"os"
	"testing"
)

// TestDriverDefaults checks that the driver options are set when a device
// opens, and that setUnlessSet leaves a value the user set, even an empty
// one.
func TestDriverDefaults(t *testing.T) {
	d := openOrSkip(t)
	defer d.Close()
	for _, o := range driverDefaults {
		if _, set := os.LookupEnv(o.name); !set {
			t.Errorf("%s unset after a device opened; want it set (to %q unless set before)", o.name, o.value)
		}
	}
	const name = "TENSORGL_TEST_DRIVER_OPTION"
	os.Unsetenv(name)
	t.Cleanup(func() { os.Unsetenv(name) })
	setUnlessSet(name, "false")
	if v := os.Getenv(name); v != "false" {
		t.Errorf("unset, then setUnlessSet(%q, false): %q; want false", name, v)
	}
	for _, user := range []string{"true", ""} {
		t.Setenv(name, user)
		setUnlessSet(name, "false")
		if v, set := os.LookupEnv(name); !set || v != user {
			t.Errorf("set to %q, then setUnlessSet(%q, false): %q (set %v); want the user's %q", user, name, v, set, user)
		}
	}
}
