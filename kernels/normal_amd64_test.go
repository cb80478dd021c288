//go:build amd64 && !purego

package kernels

import (
	"math"
	"testing"
)

// TestFloat64Lanes checks the float64 results of the Sin, Cos, Softplus,
// Erf and PowScalar vector kernels, before their rounding to float32,
// against sinCos, softplusGo's parts, erf64 and powValue bit for bit, over
// every 1021st float32 pattern (every 6007th in short mode) that the
// kernels take: a wrong last bit of a float64 seldom shows after the
// rounding.
func TestFloat64Lanes(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	step := sampleStep(1021)
	trig, soft, erf := []float32{}, []float32{}, []float32{}
	for _, x := range softplusArgs(step) {
		if x == x {
			erf = append(erf, x)
		}
		a := math.Abs(float64(x))
		if a < sinCosMax {
			trig = append(trig, x)
		}
		if a <= softplusMax {
			soft = append(soft, x)
		}
	}
	trig, soft, erf = trig[:len(trig)&^15], soft[:len(soft)&^15], erf[:len(erf)&^15]
	for _, width := range logWidths() {
		t.Run(width.name, func(t *testing.T) {
			defer width.set()()
			for _, op := range []UnaryOp{Sin, Cos, Softplus, Erf} {
				xs := map[UnaryOp][]float32{Sin: trig, Cos: trig, Softplus: soft, Erf: erf}[op]
				got := make([]float64, len(xs))
				var done int
				switch {
				case op == Softplus && hasAVX512:
					done = softplusUAVX512(nil, &xs[0], len(xs), &got[0])
				case op == Softplus:
					done = softplusUAVX2(nil, &xs[0], len(xs), &got[0])
				case op == Erf && hasAVX512:
					done = erfUAVX512(nil, &xs[0], len(xs), &got[0])
				case op == Erf:
					done = erfUAVX2(nil, &xs[0], len(xs), &got[0])
				case hasAVX512:
					done = sinCosUAVX512(nil, &xs[0], len(xs), op == Cos, &got[0])
				default:
					done = sinCosUAVX2(nil, &xs[0], len(xs), op == Cos, &got[0])
				}
				if done != len(xs) {
					t.Fatalf("op %d: the kernel stopped at %d of %d (at %v)", op, done, len(xs), xs[done])
				}
				for i, x := range xs {
					v := float64(x)
					want := sinCos(v, op == Cos)
					switch op {
					case Softplus:
						want = max(v, 0) + softplusLog1p(exp64(-math.Abs(v)))
					case Erf:
						want = erf64(v)
					}
					if math.Float64bits(got[i]) != math.Float64bits(want) {
						t.Fatalf("op %d of %v (bits %#08x) = %v in float64 lanes, want %v", op, x, math.Float32bits(x), got[i], want)
					}
				}
			}
			checkPowPairLanes(t, soft)
			for _, p := range powExponents {
				pl := newPowPlan(p)
				if !pl.vec {
					continue
				}
				var xs []float32
				for _, x := range soft {
					if pl.takes(float64(x)) {
						xs = append(xs, x)
					}
				}
				xs = xs[:len(xs)&^15]
				got := make([]float64, len(xs))
				var done int
				if hasAVX512 {
					done = powUAVX512(nil, &xs[0], len(xs), pl.yi, pl.yf, pl.mode(), pl.neg, &got[0])
				} else {
					done = powUAVX2(nil, &xs[0], len(xs), pl.yi, pl.yf, pl.mode(), pl.neg, &got[0])
				}
				if done != len(xs) {
					t.Fatalf("PowScalar %v: the kernel stopped at %d of %d (at %v)", p, done, len(xs), xs[done])
				}
				for i, x := range xs {
					if want := powValue(float64(x), &pl); math.Float64bits(got[i]) != math.Float64bits(want) {
						t.Fatalf("PowScalar %v of %v (bits %#08x) = %v in float64 lanes, want %v", p, x, math.Float32bits(x), got[i], want)
					}
				}
			}
		})
	}
}

// checkPowPairLanes checks Binary Pow's float64 lanes against powValue
// with each pair's plan, on pairs of xs's values with exponents cycling
// through powExponents and halves of both signs, where the plans take them.
func checkPowPairLanes(t *testing.T, xs []float32) {
	exps := append([]float32{-7.5, -0.5, 0.5, 4.5, 1.25}, powExponents...)
	var px, py []float32
	for i, x := range xs {
		y := exps[i%len(exps)]
		if pl := newPowPlan(y); pl.vec && pl.takes(float64(x)) || y == 0 && x != 0 && !math.IsInf(float64(x), 0) {
			px, py = append(px, x), append(py, y)
		}
	}
	// Exponents of 20 bits on x near 1, where the result stays finite.
	for k := range 64 {
		px = append(px, 1+float32(k+1)*0x1p-23, 1-float32(k+1)*0x1p-24)
		py = append(py, 1<<20-1, -(1<<20 - 1))
	}
	px, py = px[:len(px)&^15], py[:len(py)&^15]
	got := make([]float64, len(px))
	done := 0
	if hasAVX512 {
		done = powBAVX512(nil, &px[0], &py[0], len(px), &got[0])
	} else {
		done = powBAVX2(nil, &px[0], &py[0], len(px), &got[0])
	}
	if done != len(px) {
		t.Fatalf("Pow: the kernel stopped at %d of %d (at %v, %v)", done, len(px), px[done], py[done])
	}
	for i, x := range px {
		pl := newPowPlan(py[i])
		want := 1.0 // y = 0, which the vector code takes with the others
		if pl.vec {
			want = powValue(float64(x), &pl)
		}
		if math.Float64bits(got[i]) != math.Float64bits(want) {
			t.Fatalf("Pow(%v, %v) = %v in float64 lanes, want %v", x, py[i], got[i], want)
		}
	}
}
