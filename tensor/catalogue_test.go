package tensor_test

import (
	"testing"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/device/cpu"
	"github.com/tensorgl/tensorgl/tensor"
)

// recorder is the CPU device noting which Unary and Binary ops it runs.
type recorder struct {
	device.Device
	unary  map[device.UnaryOp]bool
	binary map[device.BinaryOp]bool
}

func newRecorder() *recorder {
	return &recorder{Device: cpu.New(), unary: map[device.UnaryOp]bool{}, binary: map[device.BinaryOp]bool{}}
}

func (r *recorder) Unary(dst device.Buffer, src device.Strided, p device.UnaryParams) {
	r.unary[p.Op] = true
	r.Device.Unary(dst, src, p)
}

func (r *recorder) Binary(dst device.Buffer, x, y device.Strided, p device.BinaryParams) {
	r.binary[p.Op] = true
	r.Device.Binary(dst, x, y, p)
}

// gradOf runs f's backward pass from Σ f(x): the binary ops of the
// derivatives run there.
func gradOf(f func(x *tensor.Tensor) *tensor.Tensor) func(x, _ *tensor.Tensor) *tensor.Tensor {
	return func(x, _ *tensor.Tensor) *tensor.Tensor {
		x.SetRequiresGrad(true)
		f(x).Sum().Backward()
		return x.Grad()
	}
}

// The tensor method (or backward rule) that runs each op of the device
// catalogue: the tensor half of adding an op.
var (
	unaryMethods = map[device.UnaryOp]func(x *tensor.Tensor) *tensor.Tensor{
		device.Affine:    func(x *tensor.Tensor) *tensor.Tensor { return x.Affine(2, 1) },
		device.Exp:       (*tensor.Tensor).Exp,
		device.Log:       (*tensor.Tensor).Log,
		device.Sqrt:      (*tensor.Tensor).Sqrt,
		device.Rsqrt:     (*tensor.Tensor).Rsqrt,
		device.Abs:       (*tensor.Tensor).Abs,
		device.Relu:      (*tensor.Tensor).Relu,
		device.LeakyRelu: func(x *tensor.Tensor) *tensor.Tensor { return x.LeakyRelu(0.1) },
		device.Sigmoid:   (*tensor.Tensor).Sigmoid,
		device.Tanh:      (*tensor.Tensor).Tanh,
		device.Sin:       (*tensor.Tensor).Sin,
		device.Cos:       (*tensor.Tensor).Cos,
		device.Square:    (*tensor.Tensor).Square,
		device.Recip:     (*tensor.Tensor).Recip,
		device.Sign:      (*tensor.Tensor).Sign,
		device.PowScalar: func(x *tensor.Tensor) *tensor.Tensor { return x.PowScalar(3) },
		device.Clamp:     func(x *tensor.Tensor) *tensor.Tensor { return x.Clamp(0.5, 1.5) },
		device.GtScalar:  func(x *tensor.Tensor) *tensor.Tensor { return x.GtScalar(1) },
		device.LtScalar:  func(x *tensor.Tensor) *tensor.Tensor { return x.LtScalar(1) },
		device.EqScalar:  func(x *tensor.Tensor) *tensor.Tensor { return x.EqScalar(1) },
		device.Softplus:  (*tensor.Tensor).Softplus,
		device.Erf:       (*tensor.Tensor).Erf,
		device.Gelu:      (*tensor.Tensor).Gelu,
		device.GeluTanh:  (*tensor.Tensor).GeluTanh,
	}
	binaryMethods = map[device.BinaryOp]func(x, y *tensor.Tensor) *tensor.Tensor{
		device.Add:           (*tensor.Tensor).Add,
		device.Sub:           (*tensor.Tensor).Sub,
		device.Mul:           (*tensor.Tensor).Mul,
		device.Div:           (*tensor.Tensor).Div,
		device.Pow:           (*tensor.Tensor).Pow,
		device.Maximum:       (*tensor.Tensor).Maximum,
		device.Minimum:       (*tensor.Tensor).Minimum,
		device.Eq:            (*tensor.Tensor).Eq,
		device.Ne:            (*tensor.Tensor).Ne,
		device.Lt:            (*tensor.Tensor).Lt,
		device.Le:            (*tensor.Tensor).Le,
		device.Gt:            (*tensor.Tensor).Gt,
		device.Ge:            (*tensor.Tensor).Ge,
		device.ReluGrad:      gradOf((*tensor.Tensor).Relu),
		device.SigmoidGrad:   gradOf((*tensor.Tensor).Sigmoid),
		device.TanhGrad:      gradOf((*tensor.Tensor).Tanh),
		device.LeakyReluGrad: gradOf(func(x *tensor.Tensor) *tensor.Tensor { return x.LeakyRelu(0.1) }),
		device.GeluGrad:      gradOf((*tensor.Tensor).Gelu),
		device.GeluTanhGrad:  gradOf((*tensor.Tensor).GeluTanh),
		device.BCEWithLogits: func(x, y *tensor.Tensor) *tensor.Tensor { return tensor.BCEWithLogits(x, y, 1) },
	}
)

// TestCatalogueOpsHaveMethods fails when an op of the device catalogue has
// no tensor method that runs it, or the method listed for it does not.
func TestCatalogueOpsHaveMethods(t *testing.T) {
	operand := func(dev device.Device) *tensor.Tensor {
		return tensor.FromSlice([]float32{0.5, 1, 1.5, 2, 2.5, 3}, 2, 3).To(dev)
	}
	checkMethods(t, "unary", device.UnaryOps(), unaryMethods, func(f func(x *tensor.Tensor) *tensor.Tensor) map[device.UnaryOp]bool {
		dev := newRecorder()
		f(operand(dev)).Data()
		return dev.unary
	})
	checkMethods(t, "binary", device.BinaryOps(), binaryMethods, func(f func(x, y *tensor.Tensor) *tensor.Tensor) map[device.BinaryOp]bool {
		dev := newRecorder()
		f(operand(dev), operand(dev)).Data()
		return dev.binary
	})
}

// checkMethods fails unless methods lists, for every op of one kernel, a
// function that run shows running it.
func checkMethods[Op comparable, F any](t *testing.T, kind string, ops []Op, methods map[Op]F, run func(F) map[Op]bool) {
	t.Helper()
	for _, op := range ops {
		f, ok := methods[op]
		if !ok {
			t.Errorf("no tensor method runs %s op %v: add one, and list it in %sMethods", kind, op, kind)
			continue
		}
		if ran := run(f); !ran[op] {
			t.Errorf("the method listed for %s op %v ran %v, not it", kind, op, ran)
		}
	}
}
