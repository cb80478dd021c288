package shaders

import (
	"embed"
	"fmt"
	"sort"
	"strings"
)

//go:embed *.comp *.glsl
var files embed.FS

// Common is the prelude every variant includes after its #defines.
const Common = "common"

// Source returns the GLSL text of a kernel family ("matmul") or of the
// common prelude.
func Source(family string) (string, error) {
	name := family + ".comp"
	if family == Common {
		name = family + ".glsl"
	}
	b, err := files.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("shaders: no source for kernel family %q (have %s)", family, strings.Join(Families(), ", "))
	}
	return string(b), nil
}

// Families lists the kernel families, sorted.
func Families() []string {
	ents, _ := files.ReadDir(".")
	var fams []string
	for _, e := range ents {
		if n, ok := strings.CutSuffix(e.Name(), ".comp"); ok {
			fams = append(fams, n)
		}
	}
	sort.Strings(fams)
	return fams
}
