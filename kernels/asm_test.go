package kernels

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestAsmAVXHygiene reads the package's assembly and checks two rules
// whose breach costs time, not correctness, so no other test sees it:
//   - no legacy (non-VEX) SSE instruction on an X register: run while a
//     ymm or zmm register's upper half is dirty, each one paid a state
//     transition; on a Zen 2 (fiftieth session) four MOVL AX, X0 in
//     philoxAVX2's loop made it 4–10× slower (bench/RESULTS.md);
//   - every RET of a function that touches a Y or Z register comes right
//     after VZEROUPPER, so the Go code after it (whose float arithmetic is
//     legacy SSE) starts clean;
//   - no AVX2 masked store (VMASKMOVPS, VPMASKMOVD and their kin with
//     memory as the last operand): on the Zen 2 the pooling kernels ran
//     1.6× (forward) and 2.2× (backward) as fast with their tails stored
//     4, 2 and 1 floats at a time. Masked loads are left alone.
func TestAsmAVXHygiene(t *testing.T) {
	files, err := filepath.Glob("*.s")
	if err != nil || len(files) == 0 {
		t.Fatalf("no assembly found: %v", err)
	}
	legacy := regexp.MustCompile(`^([A-Z][A-Z0-9.]*)\s.*\bX[0-9]+\b`)
	wide := regexp.MustCompile(`\b[YZ][0-9]+\b`)
	maskedStore := regexp.MustCompile(`^(VMASKMOVP[SD]|VPMASKMOV[DQ])\s.*,[^,]*\(.*\)$`)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fn, usesWide, prev := "", false, ""
		for i, line := range strings.Split(string(src), "\n") {
			// A macro's lines end in a backslash and may hold several
			// statements apart by semicolons.
			line = strings.TrimSuffix(strings.TrimSpace(strings.SplitN(line, "//", 2)[0]), "\\")
			for _, code := range strings.Split(line, ";") {
				code = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(code), "#define"))
				if strings.HasPrefix(code, "TEXT ") {
					fn, usesWide, prev = code, false, ""
					continue
				}
				if m := legacy.FindStringSubmatch(code); m != nil && !strings.HasPrefix(m[1], "V") {
					t.Errorf("%s:%d: legacy SSE instruction %s on an X register: use its VEX form", f, i+1, m[1])
				}
				if maskedStore.MatchString(code) {
					t.Errorf("%s:%d: an AVX2 masked store (%s): store the lanes by whole, 2- and 1-float stores", f, i+1, code)
				}
				if wide.MatchString(code) {
					usesWide = true
				}
				if fn != "" && usesWide && (code == "RET" || strings.HasPrefix(code, "RET ")) && prev != "VZEROUPPER" {
					t.Errorf("%s:%d: %s returns after %q, not VZEROUPPER", f, i+1, fn, prev)
				}
				if code != "" && !strings.HasSuffix(code, ":") {
					prev = code
				}
			}
		}
	}
}
