package device

import (
	"errors"
	"fmt"
	"log"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// ErrUnavailable is returned (wrapped) by Open when a backend cannot run on
// this machine: not linked into the program, built without cgo, or no
// suitable context.
var ErrUnavailable = errors.New("device unavailable")

// Opener opens a backend.
type Opener func() (Device, error)

// IndexedOpener opens device number i of a backend that has several (the
// GPUs of one machine).
type IndexedOpener func(i int) (Device, error)

// indexed is a backend whose devices can be opened by number.
type indexed struct {
	open  IndexedOpener
	count func() (int, error)
}

var (
	mu      sync.Mutex
	openers = map[string]Opener{}
	byIndex = map[string]indexed{}
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

// RegisterIndexed makes the devices of backend name available to Open as
// "name:N"; count says how many devices processes should spread over
// (OpenLocal). It panics if the name is registered twice.
func RegisterIndexed(name string, open IndexedOpener, count func() (int, error)) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := byIndex[name]; dup {
		panic("device: RegisterIndexed called twice for " + name)
	}
	byIndex[name] = indexed{open, count}
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

// Open opens the named backend: "cpu", "gl", "gl:N", or "auto" (also "").
// "gl:N" is GL device number N of this machine: the N-th device of the EGL
// device platform, hardware GPUs first, in the driver's order (gl:0 is the
// first GPU; on a machine without one, Mesa's llvmpipe). For "auto" the
// environment variable TENSORGL_DEVICE, when set, names the backend
// instead; otherwise "auto" takes GL when it is linked and opens on a
// hardware renderer, and the CPU backend otherwise, and logs one line
// saying which device it chose and why.
func Open(name string) (Device, error) { return open(name, -1) }

// OpenLocal is Open for process number local (counting from 0) of the
// processes of a job on this machine, its MPI local rank: a GL device,
// asked for as "gl" or chosen by "auto", is GL device local mod n, where n
// is the number of GPUs (or, without one, of software devices), so that
// the processes spread over the machine's GPUs. Other names open as with
// Open.
func OpenLocal(name string, local int) (Device, error) { return open(name, local) }

func open(name string, local int) (Device, error) {
	if name == "" || name == "auto" {
		if env := strings.TrimSpace(os.Getenv(EnvVar)); env != "" {
			if env != "auto" {
				d, err := openNamed(env, local)
				if err != nil {
					return nil, fmt.Errorf("device: %s=%q: %w", EnvVar, env, err)
				}
				logf("tensorgl: device %s (%s) chosen by %s", d.Info().Name, d.Info().Renderer, EnvVar)
				return d, nil
			}
		}
		return openAuto(local)
	}
	return openNamed(name, local)
}

// openNamed opens a backend by name, or by "name:N". With local ≥ 0 a
// backend that has numbered devices opens number local mod their count.
func openNamed(name string, local int) (Device, error) {
	base, num, numbered := strings.Cut(name, ":")
	mu.Lock()
	open, ok := openers[base]
	idx, hasIdx := byIndex[base]
	mu.Unlock()
	if numbered {
		i, err := strconv.Atoi(num)
		switch {
		case !ok:
			// Fall through to the message for an unknown or unlinked backend.
		case err != nil || i < 0:
			return nil, fmt.Errorf("device: %q: want %s:N with a device number N ≥ 0", name, base)
		case hasIdx:
			return idx.open(i)
		default:
			// A backend that cannot number its devices, or one built
			// without them (gl under CGO_ENABLED=0): its own error says why.
			d, err := open()
			if err != nil {
				return nil, err
			}
			d.Close()
			return nil, fmt.Errorf("device: %q: backend %s does not number its devices", name, base)
		}
	} else if ok && hasIdx && local >= 0 {
		n, err := idx.count()
		if err != nil {
			return nil, fmt.Errorf("device: %s for local rank %d: counting devices: %w", name, local, err)
		}
		if n > 0 {
			return idx.open(local % n)
		}
	}
	if !ok {
		switch base {
		case "gl":
			return nil, fmt.Errorf("device: gl backend not linked into this program (import _ \"github.com/tensorgl/tensorgl/device/gl\"): %w", ErrUnavailable)
		case "cpu":
			return nil, fmt.Errorf("device: cpu backend not linked into this program (import _ \"github.com/tensorgl/tensorgl/device/cpu\"): %w", ErrUnavailable)
		}
		return nil, fmt.Errorf("device: unknown device %q: want auto, cpu, gl or gl:N", name)
	}
	return open()
}

func openAuto(local int) (Device, error) {
	var why string
	mu.Lock()
	_, haveGL := openers["gl"]
	mu.Unlock()
	if haveGL {
		d, err := openNamed("gl", local)
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
	d, err := openNamed("cpu", local)
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
