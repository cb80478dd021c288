package shaders_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/shaders"
)

func infos[Op interface{ Info() device.OpInfo }](ops []Op) []device.OpInfo {
	var out []device.OpInfo
	for _, op := range ops {
		out = append(out, op.Info())
	}
	return out
}

// TestCatalogueOpsHaveBodies checks, without a GL context, that the source
// of each family that selects an op by name tests the GLSL define of every
// op of its device catalogue, and only those: an op added to the catalogue
// without a GLSL body fails here, and so does a body selected by a bare
// number (which would break when the codes move).
func TestCatalogueOpsHaveBodies(t *testing.T) {
	for _, c := range []struct {
		family, selector string
		body             string // the function whose body selects; "" for the whole source
		ops              []device.OpInfo
	}{
		{"elementwise", "OP", "float op(float x) {", infos(device.UnaryOps())},
		{"elementwise", "OP", "float op(float x, float y) {", infos(device.BinaryOps())},
		{"reduce", "OP", "", infos(device.ReduceOps())},
		{"random", "DIST", "float draw(uint x, uint y, bool sn) {", infos(device.Distributions())},
	} {
		src, err := shaders.Source(c.family)
		if err != nil {
			t.Fatal(err)
		}
		what := c.family
		if c.body != "" {
			start := strings.Index(src, c.body)
			if start < 0 {
				t.Errorf("%s has no %q", c.family, c.body)
				continue
			}
			end := strings.Index(src[start:], "\n}\n")
			src, what = src[start:start+end], c.family+" "+c.body
		}
		tested := map[string]bool{}
		re := regexp.MustCompile(`\b` + c.selector + `\s*[!=]=\s*(\w+)`)
		for _, m := range re.FindAllStringSubmatch(src, -1) {
			tested[m[1]] = true
		}
		var defines []string
		for _, op := range c.ops {
			defines = append(defines, op.Define)
			if !tested[op.Define] {
				t.Errorf("%s: no branch tests %s == %s: op %q has no GLSL body", what, c.selector, op.Define, op.Name)
			}
		}
		for name := range tested {
			if !slices.Contains(defines, name) {
				t.Errorf("%s: tests %s == %s, which is not a define of the device catalogue (%v)", what, c.selector, name, defines)
			}
		}
	}
}
