//go:build cgo && !nogl

package gl

import (
	"fmt"
	"sync"

	"github.com/go-gl/glfw/v3.3/glfw"
)

// GLFW is process-global: it is initialised once and kept for the life of
// the process, since devices may come and go.
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
	// GLFW reports failures by panicking with a *glfw.Error.
	defer func() {
		if r := recover(); r != nil {
			ctx, err = nil, fmt.Errorf("GLFW: %v", r)
		}
	}()
	if !glfwInit {
		if err := glfw.Init(); err != nil {
			return nil, fmt.Errorf("GLFW init (is DISPLAY set?): %w", err)
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
		return nil, fmt.Errorf("GLFW window with an OpenGL 4.3 core context: %w", err)
	}
	win.MakeContextCurrent()
	return &glfwContext{win: win}, nil
}
