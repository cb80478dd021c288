//go:build cgo && !nogl

package gl

/*
#include <stdio.h>

// The GLFW library is compiled into go-gl/glfw; only what is used here is
// declared, as in GLFW/glfw3.h.
typedef void (*tgl_glfw_errorfun)(int code, const char *desc);
extern tgl_glfw_errorfun glfwSetErrorCallback(tgl_glfw_errorfun callback);

// go-gl/glfw installs an error callback that keeps only the latest error
// and logs platform errors, so the cause of a failed glfwInit (no DISPLAY)
// goes to the log while the caller sees a later NotInitialized. This
// callback records the first error since tgl_glfw_capture and passes every
// error on to go-gl's.
static tgl_glfw_errorfun tgl_glfw_prev;
static int tgl_glfw_installed;
static int tgl_glfw_code;
static char tgl_glfw_desc[512];

static void tgl_glfw_error(int code, const char *desc) {
	if (tgl_glfw_code == 0) {
		tgl_glfw_code = code;
		snprintf(tgl_glfw_desc, sizeof tgl_glfw_desc, "%s", desc ? desc : "(no description)");
	}
	if (tgl_glfw_prev) tgl_glfw_prev(code, desc);
}

// tgl_glfw_capture forgets the recorded error, installing the callback the
// first time.
static void tgl_glfw_capture(void) {
	if (!tgl_glfw_installed) {
		tgl_glfw_prev = glfwSetErrorCallback(tgl_glfw_error);
		tgl_glfw_installed = 1;
	}
	tgl_glfw_code = 0;
	tgl_glfw_desc[0] = 0;
}

static const char *tgl_glfw_first(void) { return tgl_glfw_code ? tgl_glfw_desc : NULL; }
*/
import "C"

import (
	"fmt"
	"strings"
	"sync"

	"github.com/go-gl/glfw/v3.3/glfw"
)

// GLFW is process-global: it is initialised once and kept for the life of
// the process, since devices may come and go. glfwMu also guards the error
// recorded by the C callback above.
var (
	glfwMu   sync.Mutex
	glfwInit bool
)

// glfwContext is a hidden 1×1 GLFW window whose OpenGL 4.3 core context is
// current on the GL thread: the fallback for desktops without headless EGL.
type glfwContext struct {
	win *glfw.Window
}

func (c *glfwContext) describe() string { return "GLFW hidden window" }

func (c *glfwContext) destroy() {
	glfwMu.Lock()
	defer glfwMu.Unlock()
	glfw.DetachCurrentContext()
	c.win.Destroy()
}

func openGLFW() (ctx glContext, err error) {
	glfwMu.Lock()
	defer glfwMu.Unlock()
	C.tgl_glfw_capture()
	// GLFW reports some failures by panicking with a *glfw.Error.
	defer func() {
		if r := recover(); r != nil {
			ctx, err = nil, glfwError("", fmt.Errorf("%v", r))
		}
	}()
	if !glfwInit {
		// go-gl's Init logs a platform error (no DISPLAY) and returns nil,
		// so ask GLFW whether it is initialised.
		if err := glfw.Init(); err != nil || !glfwReady() {
			return nil, glfwError("init", err)
		}
		glfwInit = true
	}
	glfw.DefaultWindowHints()
	glfw.WindowHint(glfw.Visible, glfw.False)
	glfw.WindowHint(glfw.ContextVersionMajor, 4)
	glfw.WindowHint(glfw.ContextVersionMinor, 3)
	glfw.WindowHint(glfw.OpenGLProfile, glfw.OpenGLCoreProfile)
	glfw.WindowHint(glfw.OpenGLForwardCompatible, glfw.True)
	win, err := glfw.CreateWindow(1, 1, "tensorgl", nil, nil)
	if err != nil {
		return nil, glfwError("window with an OpenGL 4.3 core context", err)
	}
	win.MakeContextCurrent()
	return &glfwContext{win: win}, nil
}

// glfwReady reports whether GLFW is initialised: GetTime panics with
// NotInitialized otherwise.
func glfwReady() (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	glfw.GetTime()
	return true
}

// glfwError describes a failed GLFW step: the first error GLFW reported
// since openGLFW began (the cause, which go-gl only logs), then err where it
// says more.
func glfwError(step string, err error) error {
	what := "GLFW"
	if step != "" {
		what += " " + step
	}
	cause := ""
	if s := C.tgl_glfw_first(); s != nil {
		cause = C.GoString(s)
	}
	switch {
	case cause == "" && err == nil:
		return fmt.Errorf("%s failed and GLFW gave no reason", what)
	case err == nil:
		return fmt.Errorf("%s: %s", what, cause)
	case cause == "" || strings.Contains(err.Error(), cause):
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%s: %s (then: %w)", what, cause, err)
}
