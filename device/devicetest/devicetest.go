package devicetest

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

// method is the conformance test of one method of device.Device.
type method struct {
	name string
	test func(t tb, d device.Device)
}

// methods lists a test for every method of device.Device, in the order Run
// runs them. Close comes last because it ends the device.
var methods = []method{
	{"Info", testInfo},
	{"Alloc", testAlloc},
	{"Free", testFree},
	{"Write", testWrite},
	{"Read", testRead},
	{"Sync", testSync},
	{"Stats", testStats},
	{"Fill", testFill},
	{"Copy", testCopy},
	{"Unary", testUnary},
	{"Binary", testBinary},
	{"Where", testWhere},
	{"BCEWithLogitsBackward", testBCEWithLogitsBackward},
	{"Reduce", testReduce},
	{"MatMul", testMatMul},
	{"Conv2d", testConv2d},
	{"Conv2dBackwardInput", testConv2dBackwardInput},
	{"Conv2dBackwardWeight", testConv2dBackwardWeight},
	{"Pool2d", testPool2d},
	{"Pool2dBackward", testPool2dBackward},
	{"Softmax", testSoftmax},
	{"SoftmaxBackward", testSoftmaxBackward},
	{"CrossEntropy", testCrossEntropy},
	{"CrossEntropyBackward", testCrossEntropyBackward},
	{"LSTMCell", testLSTMCell},
	{"LSTMCellBackward", testLSTMCellBackward},
	{"LSTMStep", testLSTMStep},
	{"LSTMStepBackward", testLSTMStepBackward},
	{"LSTM", testLSTM},
	{"LSTMBackward", testLSTMBackward},
	{"GRU", testGRU},
	{"GRUBackward", testGRUBackward},
	{"Elman", testElman},
	{"ElmanBackward", testElmanBackward},
	{"GRUCell", testGRUCell},
	{"GRUCellBackward", testGRUCellBackward},
	{"GRUStep", testGRUStep},
	{"GRUStepBackward", testGRUStepBackward},
	{"BatchNormStats", testBatchNormStats},
	{"BatchNorm", testBatchNorm},
	{"BatchNormBackwardReduce", testBatchNormBackwardReduce},
	{"BatchNormBackward", testBatchNormBackward},
	{"LayerNorm", testLayerNorm},
	{"LayerNormBackward", testLayerNormBackward},
	{"Gather", testGather},
	{"ScatterAdd", testScatterAdd},
	{"Random", testRandom},
	{"RandomMul", testRandomMul},
	{"SGDStep", testSGDStep},
	{"AdamStep", testAdamStep},
	{"SumSquares", testSumSquares},
	{"ClipScale", testClipScale},
	{"Close", testClose},
}

// Methods returns the names of the device.Device methods Run tests, in the
// order it tests them; each is the name of a subtest of Run.
func Methods() []string {
	names := make([]string, len(methods))
	for i, m := range methods {
		names[i] = m.name
	}
	return names
}

// Ops returns, for every op of package device's catalogue, the name of the
// subtest of Run (and result of Check) that tests it: "Unary/exp",
// "Reduce/argmax". A distribution's subtests lie below its name
// ("Random/normal/seed0").
func Ops() []string {
	var names []string
	for _, op := range device.UnaryOps() {
		names = append(names, "Unary/"+op.String())
	}
	for _, op := range device.BinaryOps() {
		names = append(names, "Binary/"+op.String())
	}
	for _, op := range device.ReduceOps() {
		names = append(names, "Reduce/"+op.String())
	}
	for _, dist := range device.Distributions() {
		names = append(names, "Random/"+dist.String())
	}
	return names
}

// Run tests every method of d against the contract in package device, one
// subtest per method and op. Run closes d when it has finished (the last
// subtest tests Close), so the caller must not use d afterwards.
func Run(t *testing.T, d device.Device) {
	t.Helper()
	info := d.Info()
	t.Logf("device %s: %s, %s", info.Name, info.Renderer, info.Version)
	runMethods(testingT{t}, d)
}

func runMethods(t tb, d device.Device) {
	for _, m := range methods {
		subtest(t, m.name, func(t tb) { m.test(t, d) })
	}
}

// tb is what the suite reports through: a *testing.T under Run, a
// recorder under Check, so that a program runs the very same cases.
type tb interface {
	Helper()
	Error(args ...any)
	Errorf(format string, args ...any)
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
	Name() string
	// run runs fn as a subtest named name.
	run(name string, fn func(t tb))
}

// testingT reports to package testing.
type testingT struct{ *testing.T }

func (t testingT) run(name string, fn func(t tb)) {
	t.T.Run(name, func(t *testing.T) { fn(testingT{t}) })
}

// subtest runs fn as a subtest that turns a panic on the test's goroutine
// into a failure of that subtest alone, so one broken kernel does not hide
// the results of the others.
func subtest(t tb, name string, fn func(t tb)) {
	t.Helper()
	t.run(name, func(t tb) {
		defer func() {
			if r := recover(); r != nil && r != errFatal {
				t.Fatalf("panic: %v\n%s", r, debug.Stack())
			}
		}()
		fn(t)
	})
}

// newRand returns a generator seeded by the subtest's name below Run's test
// (Unary/exp), so each subtest sees the same numbers on every run and on
// every backend, whatever else runs.
func newRand(t tb) *rand.Rand {
	_, name, _ := strings.Cut(t.Name(), "/")
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(h.Sum64(), 0x7e45097))
}

// upload allocates a Float32 buffer holding data; it is freed when the test ends.
func upload(t tb, d device.Device, data []float32) device.Buffer {
	t.Helper()
	b := alloc(t, d, device.Float32, len(data))
	d.Write(b, data)
	return b
}

// uploadInt allocates an Int32 buffer holding data; it is freed when the test ends.
func uploadInt(t tb, d device.Device, data []int32) device.Buffer {
	t.Helper()
	b := alloc(t, d, device.Int32, len(data))
	d.Write(b, data)
	return b
}

// alloc allocates a buffer of n elements (at least one) that is freed when
// the test ends.
func alloc(t tb, d device.Device, dt device.DType, n int) device.Buffer {
	t.Helper()
	b := d.Alloc(dt, max(n, 1))
	if b == nil {
		t.Fatalf("Alloc(%v, %d) returned nil", dt, n)
	}
	t.Cleanup(func() { d.Free(b) })
	return b
}

// download reads the first n elements of a Float32 buffer.
func download(t tb, d device.Device, b device.Buffer, n int) []float32 {
	t.Helper()
	dst := make([]float32, n)
	if err := d.Read(b, dst); err != nil {
		t.Fatalf("Read: %v", err)
	}
	return dst
}

// downloadInt reads the first n elements of an Int32 buffer.
func downloadInt(t tb, d device.Device, b device.Buffer, n int) []int32 {
	t.Helper()
	dst := make([]int32, n)
	if err := d.Read(b, dst); err != nil {
		t.Fatalf("Read: %v", err)
	}
	return dst
}

// uniform returns n values drawn uniformly from [lo, hi).
func uniform(r *rand.Rand, n int, lo, hi float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(lo + (hi-lo)*r.Float64())
	}
	return v
}

// filled returns n copies of v.
func filled(n int, v float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// filledInts returns n copies of v.
func filledInts(n int, v int32) []int32 {
	s := make([]int32, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// describe formats kernel parameters for failure messages.
func describe(p any) string { return fmt.Sprintf("%+v", p) }
