//go:build cgo && !nogl

package gl

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// glslangEnv, when set, makes the package's tests fail where Khronos'
// offline compiler glslangValidator is not installed (CI installs it, with
// make deps), rather than leave the shaders unchecked.
const glslangEnv = "TENSORGL_REQUIRE_GLSLANG"

// shaderSources collects the source of every shader variant the tests
// compile, by name (compiledHook).
type shaderSources struct {
	mu   sync.Mutex
	srcs map[string]string
}

func (s *shaderSources) add(name, src string) {
	s.mu.Lock()
	s.srcs[name] = src
	s.mu.Unlock()
}

// checkShaders runs glslangValidator on every collected source as a GLSL
// 4.30 compute shader and returns a report of those it rejects, empty when
// it rejects none. Mesa's compiler accepts some sources the specification
// forbids and other drivers (NVIDIA's among them) reject, so passing the
// conformance suite on llvmpipe alone does not show a shader is portable.
// The sources go to the validator in batches of files (each compiled on
// its own; one process a source took 0.1 s); a batch that fails is run
// again a file at a time for the report.
func checkShaders(validator string, s *shaderSources) (string, error) {
	names := make([]string, 0, len(s.srcs))
	for n := range s.srcs {
		names = append(names, n)
	}
	sort.Strings(names)
	dir, err := os.MkdirTemp("", "tensorgl-glsl")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	files := make([]string, len(names))
	for i, n := range names {
		files[i] = filepath.Join(dir, fmt.Sprintf("%04d.comp", i))
		if err := os.WriteFile(files[i], []byte(s.srcs[n]), 0o644); err != nil {
			return "", err
		}
	}
	validate := func(files ...string) (string, bool) {
		out, err := exec.Command(validator, files...).CombinedOutput()
		return strings.TrimSpace(string(out)), err == nil
	}
	const batch = 64
	var bad []string
	for lo := 0; lo < len(files); lo += batch {
		hi := min(lo+batch, len(files))
		if _, ok := validate(files[lo:hi]...); ok {
			continue
		}
		for i := lo; i < hi; i++ {
			if out, ok := validate(files[i]); !ok {
				bad = append(bad, fmt.Sprintf("%s:\n%s", names[i], out))
			}
		}
	}
	if len(bad) == 0 {
		return "", nil
	}
	return fmt.Sprintf("glslangValidator rejects %d of the %d shader sources the tests compiled:\n\n%s\n",
		len(bad), len(names), strings.Join(bad, "\n\n")), nil
}

// withShaderCheck runs the tests (run) with every compiled source
// collected, then checks the sources; it returns run's exit code, or 1
// when a source is rejected or the validator is required and missing.
func withShaderCheck(run func() int) int {
	validator, err := exec.LookPath("glslangValidator")
	if err != nil {
		if os.Getenv(glslangEnv) != "" {
			fmt.Fprintf(os.Stderr, "FAIL: %s is set but glslangValidator is not installed (Debian: glslang-tools)\n", glslangEnv)
			return 1
		}
		return run()
	}
	s := &shaderSources{srcs: map[string]string{}}
	compiledHook = s.add
	code := run()
	compiledHook = nil
	if len(s.srcs) == 0 {
		return code
	}
	report, err := checkShaders(validator, s)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: checking the shaders: %v\n", err)
		return 1
	}
	if report != "" {
		fmt.Fprintf(os.Stderr, "FAIL: %s", report)
		return 1
	}
	return code
}
