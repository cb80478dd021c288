package device

import (
	"strings"
	"testing"
)

// TestCatalogue checks what the backends rely on: within a kernel, names and
// GLSL defines are unique, and each entry's code is its op's value.
func TestCatalogue(t *testing.T) {
	for _, c := range []struct {
		kernel, prefix string
		ops            []OpInfo
	}{
		{"unary", "OP_", unaryCatalogue},
		{"binary", "OP_", binaryCatalogue},
		{"reduce", "OP_", reduceCatalogue},
		{"distribution", "DIST_", distributionCatalogue},
	} {
		names := map[string]bool{}
		for code, o := range c.ops {
			if names[o.Name] {
				t.Errorf("%s: two ops are named %q", c.kernel, o.Name)
			}
			names[o.Name] = true
			if o.Code != code || o.Define != c.prefix+strings.ToUpper(o.Name) {
				t.Errorf("%s op %q: code %d, define %q; want %d, %q", c.kernel, o.Name, o.Code, o.Define, code, c.prefix+strings.ToUpper(o.Name))
			}
			if o.Name != strings.ToLower(o.Name) || strings.ContainsAny(o.Name, " /-") {
				t.Errorf("%s op %q: names are lower case letters, used in test names and GLSL defines", c.kernel, o.Name)
			}
		}
	}
	if got := Softplus.String(); got != "softplus" {
		t.Errorf("Softplus.String() = %q", got)
	}
	if got := UnaryOp(200).Info(); got.Name != "unary(200)" || got.Define != "200" {
		t.Errorf("UnaryOp(200).Info() = %+v; want the bare code, which no shader handles", got)
	}
}

// TestTolerances checks that every tolerance has a reason and no negative
// term.
func TestTolerances(t *testing.T) {
	for _, name := range ToleranceNames() {
		tl := ToleranceOf(name)
		if tl.Why == "" {
			t.Errorf("tolerance %q has no reason", name)
		}
		if tl.Abs < 0 || tl.ULP < 0 || tl.ArgULP < 0 {
			t.Errorf("tolerance %q is negative: %+v", name, tl)
		}
	}
}
