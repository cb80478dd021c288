package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSgemmEpilogue checks that a fused epilogue gives bit for bit what the
// product followed by separate residual, bias, scale and activation (or
// activation-derivative) passes gives, for every micro-kernel, on the small,
// packed and ragged paths, with the bias along rows or columns, and with
// k = 0 and α = 0; the epilogue once per block of a task and once per
// column sliver.
func TestSgemmEpilogue(t *testing.T) {
	defer func(saved int) { epiGroupFloats = saved }(epiGroupFloats)
	for _, group := range []int{epiGroupFloats, 1} {
		epiGroupFloats = group
		testSgemmEpilogue(t)
	}
}

// epiAct is an activation of the epilogue tests: op and its derivative
// grad, with LeakyRelu's slope; on false for none.
type epiAct struct {
	op    UnaryOp
	grad  BinaryOp
	slope float32
	on    bool
}

// epiActs lists none and every activation an epilogue applies.
var epiActs = []epiAct{{on: false}, {Relu, ReluGrad, 0, true}, {LeakyRelu, LeakyReluGrad, 0.1, true}, {Sigmoid, SigmoidGrad, 0, true}, {Tanh, TanhGrad, 0, true}}

func testSgemmEpilogue(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	acts := epiActs
	shapes := [][3]int{{1, 1, 1}, {3, 5, 2}, {7, 9, 8}, {33, 70, 129}, {64, 128, 784}, {131, 37, 260}, {6, 784, 25}, {4, 3, 0}, {20, 30, 2100}} // the last summed in two parts of its depth (sgemmDepthParts)
	for _, arch := range sgemmArchs {
		for _, sh := range shapes {
			for _, act := range acts {
				for variant := range 4 {
					for _, bias := range []bool{false, true} {
						rows, extra := variant%2 == 1, variant/2 == 1 // extra: a residual and, with an activation, its derivative
						m, n, k := sh[0], sh[1], sh[2]
						alpha, beta := float32(1), float32(0)
						if rng.IntN(3) == 0 {
							alpha, beta = 0.5, 1.25
						}
						tc := newSgemmCase(rng, rng.IntN(2) == 0, rng.IntN(2) == 0, m, n, k, alpha, beta, 2)
						e := &Epilogue{Act: act.op, Grad: act.grad, Slope: act.slope, HasAct: act.on, BiasRows: rows}
						if bias {
							e.Bias = randSlice(rng, max(m, n), 3)
						}
						if extra {
							e.Residual = randSlice(rng, len(tc.c), 3)
							if act.on {
								e.ActOut = randSlice(rng, len(tc.c), 1)
							}
							if rng.IntN(2) == 0 {
								e.Scale = randSlice(rng, len(tc.c), 2)
							}
						}
						name := fmt.Sprintf("%s/%v/act=%d,%v/rows=%v/bias=%v/extra=%v/scale=%v/group=%d", arch.name, tc, act.op, act.on, rows, bias, extra, e.Scale != nil, epiGroupFloats)
						want := tc.run(arch)
						for i := range m {
							row := want[i*tc.ldc:][:n]
							if e.Residual != nil {
								binarySpan(Add, 0, row, row, e.Residual[i*tc.ldc:])
							}
							for j := range row {
								switch {
								case !bias:
								case rows:
									row[j] += e.Bias[i]
								default:
									row[j] += e.Bias[j]
								}
							}
							if e.Scale != nil {
								binarySpan(Mul, 0, row, row, e.Scale[i*tc.ldc:])
							}
							switch {
							case !act.on:
							case e.ActOut != nil:
								binarySpan(act.grad, act.slope, row, row, e.ActOut[i*tc.ldc:])
							default:
								unarySpan(act.op, act.slope, 0, row, row)
							}
						}
						got := slices.Clone(tc.c)
						sgemm(arch, tc.transA, tc.transB, m, n, k, tc.alpha, tc.a, tc.lda, tc.b, tc.ldb, tc.beta, got, tc.ldc, e)
						for i := range got {
							if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(got[i] != got[i] && want[i] != want[i]) {
								t.Fatalf("%s: element %d (row %d) = %v, unfused %v", name, i, i/tc.ldc, got[i], want[i])
							}
						}
					}
				}
			}
		}
	}
}

// TestEpilogueAddTanh checks the recurrences' epilogues, the residual and
// tanh (forward) or the residual and tanh's gradient (backward) in one
// pass where a vector kernel does both, against the separate passes bit
// for bit, on every width this CPU runs: blocks of whole rows (one span)
// and of part rows, lengths across whole vectors and ragged ends, with
// signed zeros, NaNs, infinities and subnormals; nothing outside the
// block is written.
func TestEpilogueAddTanh(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 3))
	for _, w := range epilogueWidths() {
		restore := w.set()
		for _, grad := range []bool{false, true} {
			for _, rows := range []int{1, 3, 8} {
				for _, cols := range []int{1, 7, 8, 9, 15, 16, 17, 33, 128} {
					for _, j0 := range []int{0, 2} {
						ldc := cols
						if j0 > 0 {
							ldc = cols + j0 + 1
						}
						i0 := 1
						size := (i0 + rows) * ldc
						c, res, y := withSpecials(rng, size, 6, 9), withSpecials(rng, size, 6, 9), withSpecials(rng, size, 6, 3)
						e := Epilogue{Residual: res, Act: Tanh, HasAct: true}
						if grad {
							e.ActOut, e.Grad = y, TanhGrad
						}
						want := slices.Clone(c)
						for i := i0; i < i0+rows; i++ {
							row := want[i*ldc+j0:][:cols]
							binarySpan(Add, 0, row, row, res[i*ldc+j0:])
							if grad {
								binarySpan(TanhGrad, 0, row, row, y[i*ldc+j0:])
							} else {
								unarySpan(Tanh, 0, 0, row, row)
							}
						}
						got := slices.Clone(c)
						e.apply(got[i0*ldc+j0:], ldc, i0, rows, j0, cols)
						for k := range got {
							if !sameFloat(got[k], want[k]) {
								t.Fatalf("%s, grad %v, %d×%d at column %d of %d: element %d = %v, want %v (residual %v, y %v, c %v)",
									w.name, grad, rows, cols, j0, ldc, k, got[k], want[k], res[k], y[k], c[k])
							}
						}
					}
				}
			}
		}
		restore()
	}
}

// TestSgemmPackedRowsEpilogue checks that products run a band of rows at a
// time (SgemmPackedRows, as the recurrences run them) give, with an
// epilogue whose operands are laid out as C (residual, scale, saved
// activation), the bits of the whole product: each band reads its rows of
// them. Small products run from B itself, larger ones from its packing.
func TestSgemmPackedRowsEpilogue(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for _, sh := range [][3]int{{9, 7, 5}, {70, 200, 130}} {
		m, n, k := sh[0], sh[1], sh[2]
		tc := newSgemmCase(rng, false, rng.IntN(2) == 0, m, n, k, 1, 0, 1)
		e := &Epilogue{Residual: randSlice(rng, len(tc.c), 1), Scale: randSlice(rng, len(tc.c), 2),
			ActOut: randSlice(rng, len(tc.c), 1), Act: Tanh, Grad: TanhGrad, HasAct: true}
		pb := PackB(m, n, k, tc.transB, tc.b, tc.ldb, make([]float32, PackedBLen(m, n, k)))
		want := slices.Clone(tc.c)
		SgemmPacked(false, m, tc.alpha, tc.a, tc.lda, pb, tc.beta, want, tc.ldc, e)
		got := slices.Clone(tc.c)
		for lo := 0; lo < m; lo += 4 {
			SgemmPackedRows(m, lo, min(lo+4, m), tc.alpha, tc.a, tc.lda, pb, tc.beta, got, tc.ldc, e)
		}
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%v: C[%d] = %v by bands of 4 rows, %v whole", tc, i, got[i], want[i])
			}
		}
	}
}
