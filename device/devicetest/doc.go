// Package devicetest is the conformance suite every device.Device must pass,
// in the manner of testing/fstest.
//
// A backend's test opens its device and calls Run:
//
//	func TestConformance(t *testing.T) {
//		d, err := cpu.Open()
//		if err != nil {
//			t.Fatal(err)
//		}
//		devicetest.Run(t, d)
//	}
//
// Run has one subtest per method of device.Device, and inside it one per op
// or case (Unary/sigmoid, MatMul/transA, Conv2dBackwardWeight/groups). Each
// result is compared with a float64 reference written here from the doc
// comments of package device — naive loops that share no code with any
// backend — within a tolerance stated once, with its reason, in
// tolerance.go. The tolerances are those a float32 GPU may honestly need
// (GLSL's transcendental functions are only a few ULP accurate), so a
// backend that computes in float64 passes with room to spare.
//
// Shapes are small and drawn from a generator seeded by the subtest's name,
// so every run, on every backend, sees the same inputs, and a failing
// subtest can be rerun alone with go test -run. Operands cover odd and
// 1-sized dimensions, batch 1, transposed, sliced, offset and stride-0
// (broadcast) layouts, and values of large magnitude wherever the op is
// defined for them.
//
// Check runs the same suite without package testing, for programs
// (tensorgl check); the op catalogue of package device gives each
// element-wise, reduce and random op its inputs, parameters and tolerance.
//
// The suite's own tests check that it has a test for every method of
// device.Device and a case for every op, and run it on the CPU backend with
// deliberate bugs (mutants), each of which must fail the subtest meant to
// catch it.
package devicetest
