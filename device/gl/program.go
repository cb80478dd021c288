//go:build cgo && !nogl

package gl

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unsafe"

	"github.com/go-gl/gl/v4.3-core/gl"
	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/shaders"
)

// variant names one compiled program: a kernel family's source, optionally
// followed by a second family's (conv appends matmul's tiled GEMM core), and
// the #defines that specialise it.
type variant struct {
	family string
	tail   string
	defs   []string // "NAME" or "NAME=value"
	// ops is the device catalogue of the ops the family selects among
	// (OP=OP_EXP): each gets "#define OP_EXP <code>", so the shaders name
	// ops and never depend on their codes. It is the same for every variant
	// of a family, so String leaves it out.
	ops []device.OpInfo
}

// The catalogues of the families that select an op by name.
var (
	unaryOps      = catalogue(device.UnaryOps())
	binaryOps     = catalogue(device.BinaryOps())
	reduceOps     = catalogue(device.ReduceOps())
	distributions = catalogue(device.Distributions())
)

func catalogue[Op interface{ Info() device.OpInfo }](ops []Op) []device.OpInfo {
	infos := make([]device.OpInfo, len(ops))
	for i, op := range ops {
		infos[i] = op.Info()
	}
	return infos
}

// opVariant returns the variant of family with the defines defs and then
// the macro selector (OP, DIST) naming op, one of ops.
func opVariant(family, selector string, ops []device.OpInfo, op device.OpInfo, defs ...string) variant {
	return variant{family: family, defs: append(defs, selector+"="+op.Define), ops: ops}
}

func (v variant) String() string { return string(v.appendKey(nil)) }

// appendKey appends v's name (String) to b: the GL thread looks programs up
// by it in a reused buffer, without building a string.
func (v variant) appendKey(b []byte) []byte {
	b = append(b, v.family...)
	if v.tail != "" {
		b = append(b, '+')
		b = append(b, v.tail...)
	}
	b = append(b, '[')
	for i, d := range v.defs {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, d...)
	}
	return append(b, ']')
}

// source assembles the GLSL text of v.
func (v variant) source() (string, error) {
	var b strings.Builder
	b.WriteString("#version 430 core\n")
	for _, o := range v.ops {
		fmt.Fprintf(&b, "#define %s %d\n", o.Define, o.Code)
	}
	for _, d := range v.defs {
		name, val, _ := strings.Cut(d, "=")
		fmt.Fprintf(&b, "#define %s %s\n", name, val)
	}
	for _, f := range []string{shaders.Common, v.family, v.tail} {
		if f == "" {
			continue
		}
		src, err := shaders.Source(f)
		if err != nil {
			return "", err
		}
		b.WriteString(src)
		b.WriteString("\n")
	}
	return b.String(), nil
}

// program is a linked compute program and its uniforms.
type program struct {
	id       uint32
	err      error
	blocks   int // storage blocks the program uses
	st       *glState
	uniforms map[string]*uniform
}

// uniform is a uniform's location and the value last set to it in its
// program (uniform values are per-program state in GL, so this is exact).
type uniform struct {
	loc int32
	val []uint32 // the bit patterns last set; nil before the first
}

// program returns the compiled program for v, compiling it on first use,
// and makes it current (GL thread). A compile or link failure is cached and
// recorded as the deferred error on every use, and nil is returned.
func (d *Device) program(v variant) *program {
	p := d.compiled(v)
	if p.err != nil {
		d.setErr(p.err)
		return nil
	}
	if err := d.checkBlocks(v, p); err != nil {
		d.setErr(err)
		return nil
	}
	d.st.use(p.id)
	return p
}

// tryProgram is program for a variant that may fail to build without it
// being the caller's error (a GEMM tiling tried by the tuner): a failure
// returns nil and records nothing.
func (d *Device) tryProgram(v variant) *program {
	p := d.compiled(v)
	if p.err != nil || d.checkBlocks(v, p) != nil {
		return nil
	}
	d.st.use(p.id)
	return p
}

// checkBlocks returns an error when p uses more storage blocks than the
// device's limit. The driver checks its own limit when it links; this
// checks the one the device works to, which tests lower to GL 4.3's
// minimum of 8 so that a shader needing more fails on llvmpipe (16) as
// it would on a GPU that offers only 8.
func (d *Device) checkBlocks(v variant, p *program) error {
	if limit := d.info.Limits.MaxStorageBlocks; p.blocks > limit {
		return fmt.Errorf("gl: shader %s uses %d storage blocks, more than the %d this device allows", v, p.blocks, limit)
	}
	return nil
}

// compiled returns v's program, compiling it on first use (GL thread).
func (d *Device) compiled(v variant) *program {
	d.key = v.appendKey(d.key[:0])
	p, ok := d.progs[string(d.key)]
	if !ok {
		p = &program{st: &d.st, uniforms: map[string]*uniform{}}
		p.id, p.err = compile(v, d.dumpDir != "")
		if p.err == nil {
			var n int32
			gl.GetProgramInterfaceiv(p.id, gl.SHADER_STORAGE_BLOCK, gl.ACTIVE_RESOURCES, &n)
			p.blocks = int(n)
			if d.dumpDir != "" {
				if err := dumpProgram(d.dumpDir, v, p.id); err != nil {
					d.setErr(fmt.Errorf("gl: %s: program %s: %w", DumpEnv, v, err))
				}
			}
		}
		d.progs[string(d.key)] = p
	}
	return p
}

// compiledHook, where set (by the package's tests), is called with the
// name and source of each variant the driver compiled and linked, on the
// GL thread of whichever device compiled it: the tests check every source
// the suite ran against the GLSL specification with an offline compiler.
var compiledHook func(name, src string)

// compile builds v's program; retrievable asks the driver to keep its
// binary for glGetProgramBinary (DumpEnv).
func compile(v variant, retrievable bool) (uint32, error) {
	src, err := v.source()
	if err != nil {
		return 0, fmt.Errorf("gl: shader %s: %w", v, err)
	}
	sh := gl.CreateShader(gl.COMPUTE_SHADER)
	defer gl.DeleteShader(sh)
	csrc, free := gl.Strs(src + "\x00")
	gl.ShaderSource(sh, 1, csrc, nil)
	free()
	gl.CompileShader(sh)
	var status int32
	gl.GetShaderiv(sh, gl.COMPILE_STATUS, &status)
	if status == gl.FALSE {
		return 0, fmt.Errorf("gl: compiling shader %s failed: %s", v, infoLog(sh, gl.GetShaderiv, gl.GetShaderInfoLog))
	}
	prog := gl.CreateProgram()
	gl.AttachShader(prog, sh)
	if retrievable {
		gl.ProgramParameteri(prog, gl.PROGRAM_BINARY_RETRIEVABLE_HINT, gl.TRUE)
	}
	gl.LinkProgram(prog)
	gl.GetProgramiv(prog, gl.LINK_STATUS, &status)
	if status == gl.FALSE {
		log := infoLog(prog, gl.GetProgramiv, gl.GetProgramInfoLog)
		gl.DeleteProgram(prog)
		return 0, fmt.Errorf("gl: linking shader %s failed: %s", v, log)
	}
	if compiledHook != nil {
		compiledHook(v.String(), src)
	}
	return prog, nil
}

func infoLog(obj uint32, getiv func(uint32, uint32, *int32), getLog func(uint32, int32, *int32, *uint8)) string {
	var n int32
	getiv(obj, gl.INFO_LOG_LENGTH, &n)
	if n <= 1 {
		return "(the driver gave no info log)"
	}
	buf := make([]uint8, n)
	getLog(obj, n, nil, &buf[0])
	return strings.TrimSpace(gl.GoStr(&buf[0]))
}

// uniformKind is the glUniform* call that sets a uniform.
type uniformKind uint8

const (
	int1 uniformKind = iota
	uint1
	float1
	uint2
	uint3
	intArray
	uintArray
	floatArray
	uint2Array
)

// set sets the uniform name of kind k to vals (bit patterns: int32, uint32
// or float32 bits), unless elision is on and it already holds them; with
// elision on, a uniform the compiler removed (location −1) is never set.
func (p *program) set(name string, k uniformKind, vals ...uint32) {
	u, ok := p.uniforms[name]
	if !ok {
		u = &uniform{loc: gl.GetUniformLocation(p.id, gl.Str(name+"\x00"))}
		p.uniforms[name] = u
	}
	if p.st.elide && (u.loc < 0 || u.val != nil && slices.Equal(u.val, vals)) {
		return
	}
	// The calls take the cached copy: a pointer into vals would make every
	// caller's argument slice escape to the heap (cgo).
	u.val = append(u.val[:0], vals...)
	v := u.val
	p.st.calls++
	n := int32(len(v))
	switch k {
	case int1:
		gl.Uniform1i(u.loc, int32(v[0]))
	case uint1:
		gl.Uniform1ui(u.loc, v[0])
	case float1:
		gl.Uniform1f(u.loc, math.Float32frombits(v[0]))
	case uint2:
		gl.Uniform2ui(u.loc, v[0], v[1])
	case uint3:
		gl.Uniform3ui(u.loc, v[0], v[1], v[2])
	case intArray:
		gl.Uniform1iv(u.loc, n, (*int32)(unsafe.Pointer(&v[0])))
	case uintArray:
		gl.Uniform1uiv(u.loc, n, &v[0])
	case floatArray:
		gl.Uniform1fv(u.loc, n, (*float32)(unsafe.Pointer(&v[0])))
	case uint2Array:
		gl.Uniform2uiv(u.loc, n/2, &v[0])
	default:
		panic(fmt.Sprintf("gl: uniform %s of unknown kind %d", name, k))
	}
}

func (p *program) setInt(name string, v int)       { p.set(name, int1, uint32(int32(v))) }
func (p *program) setUint(name string, v int)      { p.set(name, uint1, uint32(v)) }
func (p *program) setFloat(name string, v float32) { p.set(name, float1, math.Float32bits(v)) }

// setPair sets a uvec2 uniform (a udiv pair from divMagic).
func (p *program) setPair(name string, v [2]uint32) { p.set(name, uint2, v[0], v[1]) }

// setInts sets a uniform int array (shape or strides, padded to MaxRank).
func (p *program) setInts(name string, v []int) {
	var a [8]uint32
	for i, x := range v {
		a[i] = uint32(int32(x))
	}
	p.set(name, intArray, a[:]...)
}

// bind attaches bufs to storage bindings 0, 1, … in order for the next
// dispatch, which writes the bindings set in w (see writes) and reads the
// others; a nil entry leaves its binding unused.
func (d *Device) bind(w uint32, bufs ...*glBuffer) { d.st.bind(w, bufs...) }

// dispatch runs the current program p over a gx×gy×gz grid of work groups,
// on the buffers the last bind declared, behind a storage barrier when they
// depend on earlier dispatches. An axis longer than the work-group-count
// limit is split into several dispatches; u_groupBase tells each one where
// its groups start.
func (d *Device) dispatch(p *program, gx, gy, gz int) {
	if gx <= 0 || gy <= 0 || gz <= 0 {
		d.st.endDispatch()
		return
	}
	c := d.groupCap
	n := 0
	for z := 0; z < gz; z += c[2] {
		for y := 0; y < gy; y += c[1] {
			for x := 0; x < gx; x += c[0] {
				d.st.beforeDispatch()
				p.set("u_groupBase", uint3, uint32(x), uint32(y), uint32(z))
				gl.DispatchCompute(uint32(min(c[0], gx-x)), uint32(min(c[1], gy-y)), uint32(min(c[2], gz-z)))
				d.st.afterDispatch()
				n++
			}
		}
	}
	d.st.endDispatch()
	d.unflushed = d.unflushed || d.flushIdle && n > 0
	d.countGL(int64(n))
}

// countGL adds n dispatches, and the state calls and barriers issued since
// it last ran, to the stats (GL thread).
func (d *Device) countGL(n int64) {
	calls, barriers := d.st.take()
	d.count(func(s *device.Stats) {
		s.Dispatches += n
		s.StateCalls += calls
		s.Barriers += barriers
	})
}

// dispatch1 runs p with one invocation per element of an n-element 1-D
// index space, in groups of local invocations.
func (d *Device) dispatch1(p *program, n, local int) {
	d.dispatch(p, (n+local-1)/local, 1, 1)
}
