//go:build cgo && !nogl

package gl

/*
#cgo pkg-config: egl
#include <stdlib.h>
#include <EGL/egl.h>
#include <EGL/eglext.h>

// Extension entry points are resolved at run time: libEGL exports only the
// core API.
static EGLBoolean tgl_query_devices(EGLint max, EGLDeviceEXT *devs, EGLint *n) {
	PFNEGLQUERYDEVICESEXTPROC f = (PFNEGLQUERYDEVICESEXTPROC)eglGetProcAddress("eglQueryDevicesEXT");
	if (!f) return EGL_FALSE;
	return f(max, devs, n);
}

static const char *tgl_device_string(EGLDeviceEXT dev, EGLint name) {
	PFNEGLQUERYDEVICESTRINGEXTPROC f = (PFNEGLQUERYDEVICESTRINGEXTPROC)eglGetProcAddress("eglQueryDeviceStringEXT");
	if (!f) return NULL;
	return f(dev, name);
}

static EGLDisplay tgl_platform_display(EGLenum platform, void *native) {
	PFNEGLGETPLATFORMDISPLAYEXTPROC f = (PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress("eglGetPlatformDisplayEXT");
	if (!f) return EGL_NO_DISPLAY;
	return f(platform, native, NULL);
}

// tgl_make_context initialises dpy and makes a surfaceless OpenGL 4.3 core
// context current on the calling thread. It returns the failing step's name
// (and sets *err to eglGetError) or NULL on success.
static const char *tgl_make_context(EGLDisplay dpy, EGLContext *ctx, EGLint *err) {
	EGLint major, minor;
	*err = EGL_SUCCESS;
	if (!eglInitialize(dpy, &major, &minor)) { *err = eglGetError(); return "eglInitialize"; }
	if (!eglBindAPI(EGL_OPENGL_API)) { *err = eglGetError(); return "eglBindAPI(EGL_OPENGL_API)"; }
	EGLint cfgAttr[] = { EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_NONE };
	EGLConfig cfg = (EGLConfig)0;
	EGLint ncfg = 0;
	// A surfaceless context needs no config when EGL_KHR_no_config_context
	// is present; choose one anyway when the display offers it.
	if (!eglChooseConfig(dpy, cfgAttr, &cfg, 1, &ncfg) || ncfg < 1) cfg = (EGLConfig)0;
	EGLint ctxAttr[] = {
		EGL_CONTEXT_MAJOR_VERSION, 4,
		EGL_CONTEXT_MINOR_VERSION, 3,
		EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
		EGL_NONE,
	};
	*ctx = eglCreateContext(dpy, cfg, EGL_NO_CONTEXT, ctxAttr);
	if (*ctx == EGL_NO_CONTEXT) { *err = eglGetError(); return "eglCreateContext(OpenGL 4.3 core)"; }
	if (!eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, *ctx)) {
		*err = eglGetError();
		eglDestroyContext(dpy, *ctx);
		*ctx = EGL_NO_CONTEXT;
		return "eglMakeCurrent(no surface)";
	}
	return NULL;
}

static void tgl_destroy_context(EGLDisplay dpy, EGLContext ctx) {
	eglMakeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
	eglDestroyContext(dpy, ctx);
	eglReleaseThread();
}

static const char *tgl_client_extensions(void) {
	return eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"unsafe"

	"github.com/tensorgl/tensorgl/device"
)

// eglContext is a surfaceless EGL context current on the GL thread.
type eglContext struct {
	dpy  C.EGLDisplay
	ctx  C.EGLContext
	desc string
}

func (c *eglContext) describe() string { return c.desc }

func (c *eglContext) destroy() { C.tgl_destroy_context(c.dpy, c.ctx) }

// openEGL tries, in order, every hardware EGL device (EGL_EXT_platform_device),
// the software devices only when no hardware one exists, then Mesa's
// surfaceless platform. It runs on the locked GL thread.
func openEGL() (glContext, error) {
	var errs []error
	devs, hw, err := eglDevices()
	if err != nil {
		errs = append(errs, err)
	}
	if hw > 0 {
		devs = devs[:hw]
	}
	for i := range devs {
		c, err := eglOnDevice(devs, i)
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
	}
	if strings.Contains(clientExtensions(), "EGL_MESA_platform_surfaceless") {
		c, err := eglOn(C.EGL_PLATFORM_SURFACELESS_MESA, nil, "EGL surfaceless platform")
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
	} else {
		errs = append(errs, errors.New("EGL client extension EGL_MESA_platform_surfaceless missing"))
	}
	return nil, fmt.Errorf("no headless EGL OpenGL 4.3 context: %w", errors.Join(errs...))
}

func init() {
	device.RegisterIndexed("gl", func(i int) (device.Device, error) { return OpenIndex(i) }, CountDevices)
}

// OpenIndex opens the GL device "gl:i": a headless context on device i of
// the EGL device platform, hardware devices first (as CountDevices counts
// them), then software ones. The error wraps device.ErrUnavailable when
// there is no such device or no OpenGL 4.3 context on it.
func OpenIndex(i int) (*Device, error) {
	if i < 0 {
		return nil, fmt.Errorf("gl:%d: %w: want a device number ≥ 0", i, device.ErrUnavailable)
	}
	return open(i)
}

// eglIndexMode is the context mode of a device opened by number, which
// takes precedence over ContextEnv.
const eglIndexMode = "egl device by number"

// contextMode returns how initContext makes its context: ContextEnv's
// value, unless the device was asked for by number.
func contextMode(eglIndex int) string {
	if eglIndex >= 0 {
		return eglIndexMode
	}
	return strings.TrimSpace(os.Getenv(ContextEnv))
}

// openEGLIndex makes the context on device i of eglDevices' list, the
// device "gl:i" names. It runs on the locked GL thread.
func openEGLIndex(i int) (glContext, error) {
	devs, _, err := eglDevices()
	if err != nil {
		return nil, fmt.Errorf("gl:%d: %w", i, err)
	}
	if i < 0 || i >= len(devs) {
		return nil, fmt.Errorf("gl:%d: no such EGL device: the EGL device platform lists %d (gl:0 to gl:%d)", i, len(devs), len(devs)-1)
	}
	return eglOnDevice(devs, i)
}

// CountDevices returns how many devices a process should spread over when
// picking "gl:N" by its local rank: the hardware EGL devices, or the
// software ones (Mesa's llvmpipe) when there is no hardware one.
func CountDevices() (int, error) {
	setDriverDefaults()
	devs, hw, err := eglDevices()
	if err != nil {
		return 0, err
	}
	if hw > 0 {
		return hw, nil
	}
	return len(devs), nil
}

// eglDevices lists the devices of the EGL device platform
// (EGL_EXT_device_enumeration), hardware ones first, each group in the
// driver's order, and says how many are hardware.
func eglDevices() (devs []C.EGLDeviceEXT, hw int, err error) {
	if !strings.Contains(clientExtensions(), "EGL_EXT_platform_device") {
		return nil, 0, errors.New("EGL client extension EGL_EXT_platform_device missing")
	}
	const maxDevs = 16
	var all [maxDevs]C.EGLDeviceEXT
	var n C.EGLint
	if C.tgl_query_devices(maxDevs, &all[0], &n) != C.EGL_TRUE {
		return nil, 0, fmt.Errorf("eglQueryDevicesEXT failed: %s", eglErrorName(C.eglGetError()))
	}
	var sw []C.EGLDeviceEXT
	for _, d := range all[:n] {
		if isSoftwareDevice(d) {
			sw = append(sw, d)
		} else {
			devs = append(devs, d)
		}
	}
	return append(devs, sw...), len(devs), nil
}

func eglOnDevice(devs []C.EGLDeviceEXT, i int) (*eglContext, error) {
	name := fmt.Sprintf("EGL device %d of %d (%s)", i, len(devs), deviceName(devs[i]))
	return eglOn(C.EGL_PLATFORM_DEVICE_EXT, unsafe.Pointer(devs[i]), name)
}

func clientExtensions() string {
	if s := C.tgl_client_extensions(); s != nil {
		return C.GoString(s)
	}
	return ""
}

func eglOn(platform C.EGLenum, native unsafe.Pointer, name string) (*eglContext, error) {
	dpy := C.tgl_platform_display(platform, native)
	if dpy == 0 {
		return nil, fmt.Errorf("%s: eglGetPlatformDisplayEXT: %s", name, eglErrorName(C.eglGetError()))
	}
	var ctx C.EGLContext
	var code C.EGLint
	if step := C.tgl_make_context(dpy, &ctx, &code); step != nil {
		return nil, fmt.Errorf("%s: %s: %s", name, C.GoString(step), eglErrorName(code))
	}
	return &eglContext{dpy: dpy, ctx: ctx, desc: name}, nil
}

// isSoftwareDevice reports Mesa's software device (llvmpipe/softpipe), which
// advertises EGL_MESA_device_software.
func isSoftwareDevice(d C.EGLDeviceEXT) bool {
	s := C.tgl_device_string(d, C.EGL_EXTENSIONS)
	return s != nil && strings.Contains(C.GoString(s), "EGL_MESA_device_software")
}

func deviceName(d C.EGLDeviceEXT) string {
	if s := C.tgl_device_string(d, C.EGL_DRM_DEVICE_FILE_EXT); s != nil {
		return C.GoString(s)
	}
	if isSoftwareDevice(d) {
		return "software"
	}
	return "no DRM node"
}

func eglErrorName(code C.EGLint) string {
	names := map[C.EGLint]string{
		C.EGL_SUCCESS: "EGL_SUCCESS", C.EGL_NOT_INITIALIZED: "EGL_NOT_INITIALIZED",
		C.EGL_BAD_ACCESS: "EGL_BAD_ACCESS", C.EGL_BAD_ALLOC: "EGL_BAD_ALLOC",
		C.EGL_BAD_ATTRIBUTE: "EGL_BAD_ATTRIBUTE", C.EGL_BAD_CONFIG: "EGL_BAD_CONFIG",
		C.EGL_BAD_CONTEXT: "EGL_BAD_CONTEXT", C.EGL_BAD_DISPLAY: "EGL_BAD_DISPLAY",
		C.EGL_BAD_MATCH: "EGL_BAD_MATCH", C.EGL_BAD_PARAMETER: "EGL_BAD_PARAMETER",
		C.EGL_BAD_SURFACE: "EGL_BAD_SURFACE",
	}
	if n, ok := names[code]; ok {
		return n
	}
	return fmt.Sprintf("EGL error 0x%x", int(code))
}
