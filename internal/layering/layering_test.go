package layering

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/tensorgl/tensorgl"

// rank gives each package's layer; a package may import module packages of
// a lower rank only, or one of its own family (see sameFamily).
func rank(pkg string) int {
	rel := strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
	top := strings.SplitN(rel, "/", 2)[0]
	switch {
	case rel == "kernels" || rel == "shaders" || rel == "device" || rel == "internal/safetensors" || rel == "internal/atomicfile" || rel == "dist":
		return 0
	case strings.HasPrefix(rel, "device/"):
		return 1
	case rel == "tensor":
		return 2
	case top == "nn" || top == "data":
		return 3
	case rel == "internal/train" || strings.HasPrefix(rel, "internal/train/"): // the examples' shared training loop
		return 4
	case top == "examples" || top == "cmd" || top == "bench":
		return 5
	}
	return 3
}

// sameFamily reports whether two packages share a top-level directory
// other than device/ (whose backends must stay independent of each other):
// nn/optim may import nn, data/internal/mksample data/internal/idx.
func sameFamily(a, b string) bool {
	top := func(p string) string {
		return strings.SplitN(strings.TrimPrefix(strings.TrimPrefix(p, module), "/"), "/", 2)[0]
	}
	return top(a) == top(b) && top(a) != "device"
}

type pkgInfo struct {
	ImportPath string
	Imports    []string
	CgoFiles   []string
}

func list(t *testing.T, env ...string) []pkgInfo {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", module+"/...")
	cmd.Env = append(cmd.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkgInfo
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkgInfo
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func TestImportsPointDownward(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	for _, p := range list(t) {
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			if rank(imp) >= rank(p.ImportPath) && !sameFamily(p.ImportPath, imp) {
				t.Errorf("%s (layer %d) imports %s (layer %d)", p.ImportPath, rank(p.ImportPath), imp, rank(imp))
			}
		}
	}
}

func TestCgoOnlyInGLBackend(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	// With -tags mpi, package dist's one file of cgo binds the system MPI.
	for _, p := range list(t, "CGO_ENABLED=1", "GOFLAGS=-tags=mpi") {
		gl := p.ImportPath == module+"/device/gl"
		mpi := p.ImportPath == module+"/dist" && len(p.CgoFiles) == 1
		if len(p.CgoFiles) > 0 && !gl && !mpi {
			t.Errorf("%s has cgo files %v; only device/gl and dist (one file, under -tags mpi) may use cgo", p.ImportPath, p.CgoFiles)
		}
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, "github.com/go-gl/") && !gl {
				t.Errorf("%s imports %s; only device/gl may use GL", p.ImportPath, imp)
			}
		}
	}
}
