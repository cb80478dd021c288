//go:build cgo && !nogl

package gl

import (
	"fmt"
	"strings"

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

func (v variant) String() string {
	s := v.family
	if v.tail != "" {
		s += "+" + v.tail
	}
	return s + "[" + strings.Join(v.defs, " ") + "]"
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

// program is a linked compute program and its uniform locations.
type program struct {
	id   uint32
	err  error
	locs map[string]int32
}

// program returns the compiled program for v, compiling it on first use
// (GL thread). A compile or link failure is cached and recorded as the
// deferred error on every use, and nil is returned.
func (d *Device) program(v variant) *program {
	key := v.String()
	p, ok := d.progs[key]
	if !ok {
		p = &program{locs: map[string]int32{}}
		p.id, p.err = compile(v)
		d.progs[key] = p
	}
	if p.err != nil {
		d.setErr(p.err)
		return nil
	}
	gl.UseProgram(p.id)
	return p
}

func compile(v variant) (uint32, error) {
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
	gl.LinkProgram(prog)
	gl.GetProgramiv(prog, gl.LINK_STATUS, &status)
	if status == gl.FALSE {
		log := infoLog(prog, gl.GetProgramiv, gl.GetProgramInfoLog)
		gl.DeleteProgram(prog)
		return 0, fmt.Errorf("gl: linking shader %s failed: %s", v, log)
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

// loc returns the location of a uniform; -1 (ignored by glUniform*) when
// the compiler removed it as unused in this variant.
func (p *program) loc(name string) int32 {
	l, ok := p.locs[name]
	if !ok {
		l = gl.GetUniformLocation(p.id, gl.Str(name+"\x00"))
		p.locs[name] = l
	}
	return l
}

func (p *program) setInt(name string, v int)       { gl.Uniform1i(p.loc(name), int32(v)) }
func (p *program) setUint(name string, v int)      { gl.Uniform1ui(p.loc(name), uint32(v)) }
func (p *program) setFloat(name string, v float32) { gl.Uniform1f(p.loc(name), v) }

// setInts sets a uniform int array (shape or strides, padded to MaxRank).
func (p *program) setInts(name string, v []int) {
	var a [8]int32
	for i, x := range v {
		a[i] = int32(x)
	}
	gl.Uniform1iv(p.loc(name), int32(len(a)), &a[0])
}

// bind attaches buffers to storage bindings 0, 1, … in order; a nil entry
// leaves its binding unused.
func bind(bufs ...*glBuffer) {
	for i, g := range bufs {
		if g != nil {
			gl.BindBufferBase(gl.SHADER_STORAGE_BUFFER, uint32(i), g.name)
		}
	}
}

// dispatch runs the current program p over a gx×gy×gz grid of work groups.
// An axis longer than the work-group-count limit is split into several
// dispatches; u_groupBase tells each one where its groups start.
func (d *Device) dispatch(p *program, gx, gy, gz int) {
	if gx <= 0 || gy <= 0 || gz <= 0 {
		return
	}
	c := d.groupCap
	n := 0
	for z := 0; z < gz; z += c[2] {
		for y := 0; y < gy; y += c[1] {
			for x := 0; x < gx; x += c[0] {
				if d.ssboDirty {
					gl.MemoryBarrier(gl.SHADER_STORAGE_BARRIER_BIT)
				}
				gl.Uniform3ui(p.loc("u_groupBase"), uint32(x), uint32(y), uint32(z))
				gl.DispatchCompute(uint32(min(c[0], gx-x)), uint32(min(c[1], gy-y)), uint32(min(c[2], gz-z)))
				d.ssboDirty, d.hostDirty = true, true
				n++
			}
		}
	}
	d.count(func(s *device.Stats) { s.Dispatches += int64(n) })
}

// dispatch1 runs p with one invocation per element of an n-element 1-D
// index space, in groups of local invocations.
func (d *Device) dispatch1(p *program, n, local int) {
	d.dispatch(p, (n+local-1)/local, 1, 1)
}
