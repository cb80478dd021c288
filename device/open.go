package device

import (
	"errors"
	"fmt"
	"log"
	"os"
	"sort"
	"strings"
	"sync"
)

// ErrUnavailable is returned (wrapped) by Open when a backend cannot run on
// this machine: not linked into the program, built without cgo, or no
// suitable context.
var ErrUnavailable = errors.New("device unavailable")

// Opener opens a backend.
type Opener func() (Device, error)

var (
	mu      sync.Mutex
	openers = map[string]Opener{}
	// Logf receives the one line Open("auto") writes about its choice and
	// the backends' one-time warnings (a full buffer pool, buffers freed
	// only by the garbage collector). Programs may replace it (nil silences
	// it).
	Logf = log.Printf
)

// Register makes a backend available to Open under name. It panics if the
// name is registered twice.
func Register(name string, open Opener) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := openers[name]; dup {
		panic("device: Register called twice for " + name)
	}
	openers[name] = open
}

// Backends returns the registered backend names, sorted.
func Backends() []string {
	mu.Lock()
	defer mu.Unlock()
	names := make([]string, 0, len(openers))
	for n := range openers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// EnvVar names the environment variable that overrides Open("auto").
const EnvVar = "TENSORGL_DEVICE"

// Open opens the named backend: "cpu", "gl", or "auto" (also ""). For
// "auto" the environment variable TENSORGL_DEVICE, when set, names the
// backend instead; otherwise "auto" takes GL when it is linked and opens on a
// hardware renderer, and the CPU backend otherwise, and logs one line saying
// which device it chose and why.
func Open(name string) (Device, error) {
	if name == "" || name == "auto" {
		if env := strings.TrimSpace(os.Getenv(EnvVar)); env != "" {
			if env != "auto" {
				d, err := openNamed(env)
				if err != nil {
					return nil, fmt.Errorf("device: %s=%q: %w", EnvVar, env, err)
				}
				logf("tensorgl: device %s (%s) chosen by %s", d.Info().Name, d.Info().Renderer, EnvVar)
				return d, nil
			}
		}
		return openAuto()
	}
	return openNamed(name)
}

func openNamed(name string) (Device, error) {
	mu.Lock()
	open, ok := openers[name]
	mu.Unlock()
	if !ok {
		switch name {
		case "gl":
			return nil, fmt.Errorf("device: gl backend not linked into this program (import _ \"github.com/tensorgl/tensorgl/device/gl\"): %w", ErrUnavailable)
		case "cpu":
			return nil, fmt.Errorf("device: cpu backend not linked into this program (import _ \"github.com/tensorgl/tensorgl/device/cpu\"): %w", ErrUnavailable)
		}
		return nil, fmt.Errorf("device: unknown device %q: want auto, cpu or gl", name)
	}
	return open()
}

func openAuto() (Device, error) {
	var why string
	mu.Lock()
	_, haveGL := openers["gl"]
	mu.Unlock()
	if haveGL {
		d, err := openNamed("gl")
		switch {
		case err != nil:
			why = "no usable OpenGL 4.3 context: " + err.Error()
		case d.Info().Software:
			why = fmt.Sprintf("GL renderer %q is a software renderer, slower than the CPU backend (use -device gl or %s=gl to force it)", d.Info().Renderer, EnvVar)
			d.Close()
		default:
			logf("tensorgl: device gl (%s, %s): hardware OpenGL renderer", d.Info().Renderer, d.Info().Version)
			return d, nil
		}
	} else {
		why = "gl backend not linked into this program"
	}
	d, err := openNamed("cpu")
	if err != nil {
		return nil, err
	}
	logf("tensorgl: device cpu (%s): %s", d.Info().Renderer, why)
	return d, nil
}

func logf(format string, args ...any) {
	if Logf != nil {
		Logf(format, args...)
	}
}
