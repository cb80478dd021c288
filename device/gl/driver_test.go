//go:build cgo && !nogl

package gl

import (
	"os"
	"strings"
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

// TestDefaultsEnv checks that DefaultsEnv picks a GPU's settings or a
// software renderer's whatever the renderer, leaves Info().Software as the
// renderer's kind, and names itself when its value is wrong.
func TestDefaultsEnv(t *testing.T) {
	base := openOrSkip(t)
	software := base.Info().Software
	base.Close()
	for _, c := range []struct {
		value string
		soft  bool
	}{{"", software}, {"software", true}, {"hardware", false}} {
		t.Setenv(DefaultsEnv, c.value)
		d := openOrSkip(t)
		soft, split, fused, info := d.softDefaults, d.splitTarget, d.recurrenceFused, d.Info().Software
		d.Close()
		if soft != c.soft || info != software {
			t.Errorf("%s=%q: software defaults %v, Info().Software %v; want %v, %v", DefaultsEnv, c.value, soft, info, c.soft, software)
		}
		if !soft && (split != hardwareSplitTarget || !fused) {
			t.Errorf("%s=%q: split target %d, recurrences fused %v; want a GPU's, %d and true", DefaultsEnv, c.value, split, fused, hardwareSplitTarget)
		}
	}
	t.Setenv(DefaultsEnv, "gpu")
	if d, err := Open(); err == nil {
		d.Close()
		t.Errorf("%s=gpu: opened; want an error", DefaultsEnv)
	} else if !strings.Contains(err.Error(), DefaultsEnv) || !strings.Contains(err.Error(), "hardware or software") {
		t.Errorf("%s=gpu: %v; want an error naming the variable and its values", DefaultsEnv, err)
	}
}
