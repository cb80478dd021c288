package tensor

import (
	"math"
	"slices"

	"github.com/tensorgl/tensorgl/device"
)

// broadcastShape returns the numpy broadcast of shapes a and b.
func broadcastShape(op string, a, b []int) []int {
	if slices.Equal(a, b) { // the usual case; shapes are never written in place
		return a
	}
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := range n {
		da, db := dimAt(a, i-n+len(a)), dimAt(b, i-n+len(b))
		switch {
		case da == db || db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			fail(op, "shapes %v and %v cannot be broadcast", a, b)
		}
	}
	return out
}

func dimAt(s []int, i int) int {
	if i < 0 {
		return 1
	}
	return s[i]
}

// stridedAs walks t over shape, which t broadcasts to (stride 0 on
// broadcast dimensions).
func (t *Tensor) stridedAs(shape []int) device.Strided {
	if slices.Equal(shape, t.shape) { // t's own strides, never written in place
		return t.strided()
	}
	st := make([]int, len(shape))
	lead := len(shape) - len(t.shape)
	for i := lead; i < len(shape); i++ {
		if t.shape[i-lead] != 1 || shape[i] == 1 {
			st[i] = t.strides[i-lead]
		}
	}
	return device.Strided{Buf: t.st.buf, Offset: t.offset, Strides: st}
}

// sumTo sums g over the dimensions that were broadcast from shape.
func sumTo(g *Tensor, shape []int) *Tensor {
	if slices.Equal(g.shape, shape) {
		return g
	}
	lead := len(g.shape) - len(shape)
	var dims []int
	for i := range g.shape {
		if i < lead || (shape[i-lead] == 1 && g.shape[i] != 1) {
			dims = append(dims, i)
		}
	}
	return g.reduceDims("Sum", device.Sum, dims, true).Reshape(shape...)
}

func (t *Tensor) unary(op string, p device.UnaryParams, backward func(x, y, g *Tensor) *Tensor) *Tensor {
	wantFloat(op, t)
	t.live(op)
	out := newTensor(ScopeOf(t), t.st.dev, device.Float32, t.shape)
	p.Shape = t.shape
	if t.NumEl() > 0 {
		t.st.dev.Unary(out.st.buf, t.strided(), p)
	}
	if backward == nil {
		return out
	}
	if !t.requiresGrad { // no rule to build (record still checks for anomalies)
		return record(op, out, nil, nil)
	}
	return record(op, out, []*Tensor{t}, func(g *Tensor) []*Tensor { return []*Tensor{backward(t, out, g)} })
}

func (t *Tensor) binary(op string, o *Tensor, p device.BinaryParams, backward func(a, b, y, g *Tensor) (*Tensor, *Tensor)) *Tensor {
	wantFloat(op, t, o)
	dev := sameDevice(op, t, o)
	shape := broadcastShape(op, t.shape, o.shape)
	out := newTensor(ScopeOf(t, o), dev, device.Float32, shape)
	p.Shape = shape
	if out.NumEl() > 0 {
		dev.Binary(out.st.buf, t.stridedAs(shape), o.stridedAs(shape), p)
	}
	if backward == nil {
		return out
	}
	if !t.requiresGrad && !o.requiresGrad { // as in unary
		return record(op, out, nil, nil)
	}
	return record(op, out, []*Tensor{t, o}, func(g *Tensor) []*Tensor {
		ga, gb := backward(t, o, out, g)
		var ra, rb *Tensor
		if ga != nil && t.requiresGrad {
			ra = sumTo(ga, t.shape)
		}
		if gb != nil && o.requiresGrad {
			rb = sumTo(gb, o.shape)
		}
		return []*Tensor{ra, rb}
	})
}

func bin(op device.BinaryOp) device.BinaryParams { return device.BinaryParams{Op: op} }

// Add returns t + o with broadcasting.
func (t *Tensor) Add(o *Tensor) *Tensor {
	return t.binary("Add", o, bin(device.Add), func(a, b, y, g *Tensor) (*Tensor, *Tensor) { return g, g })
}

// Sub returns t − o with broadcasting.
func (t *Tensor) Sub(o *Tensor) *Tensor {
	return t.binary("Sub", o, bin(device.Sub), func(a, b, y, g *Tensor) (*Tensor, *Tensor) { return g, g.Neg() })
}

// Mul returns t · o element-wise with broadcasting.
func (t *Tensor) Mul(o *Tensor) *Tensor {
	return t.binary("Mul", o, bin(device.Mul), func(a, b, y, g *Tensor) (*Tensor, *Tensor) {
		return gradIf(a, func() *Tensor { return g.Mul(b) }), gradIf(b, func() *Tensor { return g.Mul(a) })
	})
}

// Div returns t / o element-wise with broadcasting.
func (t *Tensor) Div(o *Tensor) *Tensor {
	return t.binary("Div", o, bin(device.Div), func(a, b, y, g *Tensor) (*Tensor, *Tensor) {
		return gradIf(a, func() *Tensor { return g.Div(b) }),
			gradIf(b, func() *Tensor { return g.Mul(y).Div(b).Neg() })
	})
}

// Pow returns t raised to o element-wise with broadcasting. As PyTorch's,
// the gradient with respect to t is zero where o is 0, and with respect
// to o zero where t is 0 and o ≥ 0 (the limits of o·tᵒ⁻¹ and tᵒ·ln t
// there, which the formulas give as NaN or −∞).
func (t *Tensor) Pow(o *Tensor) *Tensor {
	return t.binary("Pow", o, bin(device.Pow), func(a, b, y, g *Tensor) (*Tensor, *Tensor) {
		zero := fullOn(ScopeOf(g), g.st.dev, 0, []int{1})
		return gradIf(a, func() *Tensor { return Where(b.EqScalar(0), zero, g.Mul(b).Mul(a.Pow(b.AddScalar(-1)))) }),
			gradIf(b, func() *Tensor {
				return Where(a.EqScalar(0).Mul(b.LtScalar(0).Neg().AddScalar(1)), zero, g.Mul(y).Mul(a.Log()))
			})
	})
}

// Maximum returns the element-wise maximum; the gradient goes to t where
// t ≥ o, else to o.
func (t *Tensor) Maximum(o *Tensor) *Tensor {
	return t.binary("Maximum", o, bin(device.Maximum), func(a, b, y, g *Tensor) (*Tensor, *Tensor) {
		m := a.Ge(b)
		return g.Mul(m), g.Mul(m.Neg().AddScalar(1))
	})
}

// Minimum returns the element-wise minimum; the gradient goes to t where
// t ≤ o, else to o.
func (t *Tensor) Minimum(o *Tensor) *Tensor {
	return t.binary("Minimum", o, bin(device.Minimum), func(a, b, y, g *Tensor) (*Tensor, *Tensor) {
		m := a.Le(b)
		return g.Mul(m), g.Mul(m.Neg().AddScalar(1))
	})
}

func gradIf(t *Tensor, f func() *Tensor) *Tensor {
	if !t.requiresGrad {
		return nil
	}
	return f()
}

// Comparisons return 1 where the relation holds and 0 elsewhere; they are
// not differentiable.

func (t *Tensor) Eq(o *Tensor) *Tensor { return t.binary("Eq", o, bin(device.Eq), nil) }
func (t *Tensor) Ne(o *Tensor) *Tensor { return t.binary("Ne", o, bin(device.Ne), nil) }
func (t *Tensor) Lt(o *Tensor) *Tensor { return t.binary("Lt", o, bin(device.Lt), nil) }
func (t *Tensor) Le(o *Tensor) *Tensor { return t.binary("Le", o, bin(device.Le), nil) }
func (t *Tensor) Gt(o *Tensor) *Tensor { return t.binary("Gt", o, bin(device.Gt), nil) }
func (t *Tensor) Ge(o *Tensor) *Tensor { return t.binary("Ge", o, bin(device.Ge), nil) }

// GtScalar returns 1 where t > v, else 0.
func (t *Tensor) GtScalar(v float32) *Tensor {
	return t.unary("GtScalar", device.UnaryParams{Op: device.GtScalar, A: v}, nil)
}

// LtScalar returns 1 where t < v, else 0.
func (t *Tensor) LtScalar(v float32) *Tensor {
	return t.unary("LtScalar", device.UnaryParams{Op: device.LtScalar, A: v}, nil)
}

// EqScalar returns 1 where t == v, else 0.
func (t *Tensor) EqScalar(v float32) *Tensor {
	return t.unary("EqScalar", device.UnaryParams{Op: device.EqScalar, A: v}, nil)
}

// Affine returns a·t + b.
func (t *Tensor) Affine(a, b float32) *Tensor {
	return t.unary("Affine", device.UnaryParams{Op: device.Affine, A: a, B: b}, func(x, y, g *Tensor) *Tensor {
		return g.MulScalar(a)
	})
}

// AddScalar returns t + v.
func (t *Tensor) AddScalar(v float32) *Tensor { return t.Affine(1, v) }

// MulScalar returns t · v.
func (t *Tensor) MulScalar(v float32) *Tensor { return t.Affine(v, 0) }

// Neg returns −t.
func (t *Tensor) Neg() *Tensor { return t.Affine(-1, 0) }

func un(op device.UnaryOp) device.UnaryParams { return device.UnaryParams{Op: op} }

// Exp returns eᵗ.
func (t *Tensor) Exp() *Tensor {
	return t.unary("Exp", un(device.Exp), func(x, y, g *Tensor) *Tensor { return g.Mul(y) })
}

// Log returns the natural logarithm.
func (t *Tensor) Log() *Tensor {
	return t.unary("Log", un(device.Log), func(x, y, g *Tensor) *Tensor { return g.Div(x) })
}

// Sqrt returns √t.
func (t *Tensor) Sqrt() *Tensor {
	return t.unary("Sqrt", un(device.Sqrt), func(x, y, g *Tensor) *Tensor { return g.Div(y).MulScalar(0.5) })
}

// Rsqrt returns 1/√t.
func (t *Tensor) Rsqrt() *Tensor {
	return t.unary("Rsqrt", un(device.Rsqrt), func(x, y, g *Tensor) *Tensor {
		return g.Mul(y.PowScalar(3)).MulScalar(-0.5)
	})
}

// Abs returns |t|.
func (t *Tensor) Abs() *Tensor {
	return t.unary("Abs", un(device.Abs), func(x, y, g *Tensor) *Tensor { return g.Mul(x.Sign()) })
}

// Sign returns −1, 0 or 1 (not differentiable).
func (t *Tensor) Sign() *Tensor { return t.unary("Sign", un(device.Sign), nil) }

// Relu returns max(t, 0).
func (t *Tensor) Relu() *Tensor {
	return t.unary("Relu", un(device.Relu), func(x, y, g *Tensor) *Tensor {
		return g.binary("ReluGrad", x, bin(device.ReluGrad), nil)
	})
}

// LeakyRelu returns t where t > 0, else slope·t.
func (t *Tensor) LeakyRelu(slope float32) *Tensor {
	return t.unary("LeakyRelu", device.UnaryParams{Op: device.LeakyRelu, A: slope}, func(x, y, g *Tensor) *Tensor {
		return g.binary("LeakyReluGrad", x, device.BinaryParams{Op: device.LeakyReluGrad, A: slope}, nil)
	})
}

// Sigmoid returns 1/(1+e⁻ᵗ).
func (t *Tensor) Sigmoid() *Tensor {
	return t.unary("Sigmoid", un(device.Sigmoid), func(x, y, g *Tensor) *Tensor {
		return g.binary("SigmoidGrad", y, bin(device.SigmoidGrad), nil)
	})
}

// Tanh returns the hyperbolic tangent.
func (t *Tensor) Tanh() *Tensor {
	return t.unary("Tanh", un(device.Tanh), func(x, y, g *Tensor) *Tensor {
		return g.binary("TanhGrad", y, bin(device.TanhGrad), nil)
	})
}

// Softplus returns ln(1+eᵗ); its gradient is sigmoid(t).
func (t *Tensor) Softplus() *Tensor {
	return t.unary("Softplus", un(device.Softplus), func(x, y, g *Tensor) *Tensor { return g.Mul(x.Sigmoid()) })
}

// Erf returns the error function (2/√π)∫₀ᵗ e^(−u²) du; its gradient is
// (2/√π)·e^(−t²).
func (t *Tensor) Erf() *Tensor {
	return t.unary("Erf", un(device.Erf), func(x, y, g *Tensor) *Tensor {
		return g.Mul(x.Square().Neg().Exp().MulScalar(2 / math.SqrtPi))
	})
}

// Gelu returns the Gaussian error linear unit t·Φ(t), Φ the standard
// normal distribution function (PyTorch's gelu with approximate='none'):
// one kernel forward and one, from t, backward.
func (t *Tensor) Gelu() *Tensor {
	return t.unary("Gelu", un(device.Gelu), func(x, y, g *Tensor) *Tensor {
		return g.binary("GeluGrad", x, bin(device.GeluGrad), nil)
	})
}

// GeluTanh returns GELU's tanh approximation ½·t·(1 + tanh(√(2/π)·(t +
// 0.044715·t³))) (PyTorch's gelu with approximate='tanh'), one kernel each
// way as Gelu.
func (t *Tensor) GeluTanh() *Tensor {
	return t.unary("GeluTanh", un(device.GeluTanh), func(x, y, g *Tensor) *Tensor {
		return g.binary("GeluTanhGrad", x, bin(device.GeluTanhGrad), nil)
	})
}

// Sin returns sin t.
func (t *Tensor) Sin() *Tensor {
	return t.unary("Sin", un(device.Sin), func(x, y, g *Tensor) *Tensor { return g.Mul(x.Cos()) })
}

// Cos returns cos t.
func (t *Tensor) Cos() *Tensor {
	return t.unary("Cos", un(device.Cos), func(x, y, g *Tensor) *Tensor { return g.Mul(x.Sin()).Neg() })
}

// Square returns t².
func (t *Tensor) Square() *Tensor {
	return t.unary("Square", un(device.Square), func(x, y, g *Tensor) *Tensor { return g.Mul(x).MulScalar(2) })
}

// Recip returns 1/t.
func (t *Tensor) Recip() *Tensor {
	return t.unary("Recip", un(device.Recip), func(x, y, g *Tensor) *Tensor { return g.Mul(y.Square()).Neg() })
}

// PowScalar returns tᵖ. For p = 0 the gradient is zero (as PyTorch's),
// also at t = 0, where p·tᵖ⁻¹ would be NaN.
func (t *Tensor) PowScalar(p float32) *Tensor {
	return t.unary("PowScalar", device.UnaryParams{Op: device.PowScalar, A: p}, func(x, y, g *Tensor) *Tensor {
		if p == 0 {
			return fullOn(ScopeOf(g), g.st.dev, 0, g.shape)
		}
		return g.Mul(x.PowScalar(p - 1)).MulScalar(p)
	})
}

// Clamp limits t to [lo, hi]; the gradient passes where lo ≤ t ≤ hi. With
// lo > hi every element is hi (PyTorch's min(max(t, lo), hi)), and the
// gradient is zero.
func (t *Tensor) Clamp(lo, hi float32) *Tensor {
	return t.unary("Clamp", device.UnaryParams{Op: device.Clamp, A: lo, B: hi}, func(x, y, g *Tensor) *Tensor {
		if lo > hi {
			return fullOn(ScopeOf(g), g.st.dev, 0, g.shape)
		}
		inside := x.LtScalar(lo).Add(x.GtScalar(hi)).Neg().AddScalar(1)
		return g.Mul(inside)
	})
}

// Where returns x where cond ≠ 0, else y, with broadcasting of all three.
func Where(cond, x, y *Tensor) *Tensor {
	wantFloat("Where", cond, x, y)
	dev := sameDevice("Where", cond, x, y)
	shape := broadcastShape("Where", broadcastShape("Where", cond.shape, x.shape), y.shape)
	out := newTensor(ScopeOf(cond, x, y), dev, device.Float32, shape)
	if out.NumEl() > 0 {
		dev.Where(out.st.buf, cond.stridedAs(shape), x.stridedAs(shape), y.stridedAs(shape), shape)
	}
	return record("Where", out, []*Tensor{nil, x, y}, func(g *Tensor) []*Tensor {
		zero := fullOn(ScopeOf(g), g.st.dev, 0, []int{1})
		var gx, gy *Tensor
		if x.requiresGrad {
			gx = sumTo(Where(cond, g, zero), x.shape)
		}
		if y.requiresGrad {
			gy = sumTo(Where(cond, zero, g), y.shape)
		}
		return []*Tensor{nil, gx, gy}
	})
}
