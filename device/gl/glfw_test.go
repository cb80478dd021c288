//go:build cgo && !nogl

package gl

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

// glfwChildEnv marks the helper process of TestGLFWNoDisplay.
const glfwChildEnv = "TENSORGL_TEST_GLFW_CHILD"

// TestGLFWNoDisplay opens a GLFW context in a process without DISPLAY (GLFW
// state is process-wide, and this one may have initialised it already):
// the error must say why, not GLFW's later NotInitialized.
func TestGLFWNoDisplay(t *testing.T) {
	if os.Getenv(glfwChildEnv) != "" {
		_, err := Open()
		if err == nil {
			t.Fatal("Open through GLFW without DISPLAY succeeded")
		}
		want := "GLFW init: X11: The DISPLAY environment variable is missing"
		if !errors.Is(err, device.ErrUnavailable) || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "NotInitialized") {
			t.Fatalf("Open = %v\nwant device.ErrUnavailable with %q and no NotInitialized", err, want)
		}
		t.Log(err)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestGLFWNoDisplay$", "-test.v")
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k != "DISPLAY" && k != "WAYLAND_DISPLAY" && k != ContextEnv {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, glfwChildEnv+"=1", ContextEnv+"=glfw")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper process: %v\n%s", err, out)
	}
	t.Logf("helper process:\n%s", out)
}
