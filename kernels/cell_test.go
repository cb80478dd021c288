package kernels

import (
	"math/rand/v2"
	"testing"
)

// TestLSTMCellArithmetic: the cell's element-wise arithmetic this CPU runs
// gives the Go loops' bits for row lengths around the vector width, with
// specials among the values, and with dcp the same slice as dc, as
// LSTMCellBackward runs it in place.
func TestLSTMCellArithmetic(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for _, hidden := range []int{1, 7, 15, 16, 17, 33, 512} {
		vals := func(n int) []float32 { return withSpecials(rng, n, 13, 4) }
		check := func(what string, got, want []float32) {
			t.Helper()
			for j := range want {
				if !sameFloat(got[j], want[j]) {
					t.Fatalf("%s hidden=%d: [%d] = %g, Go loop %g", what, hidden, j, got[j], want[j])
				}
			}
		}
		i, f, g, cp := vals(hidden), vals(hidden), vals(hidden), vals(hidden)
		want, got := make([]float32, hidden), make([]float32, hidden)
		lstmCStateGo(want, i, f, g, cp)
		lstmCState(got, i, f, g, cp)
		check("lstmCState", got, want)

		gates, d0, dh, dc, cp2 := vals(4*hidden), vals(4*hidden), vals(hidden), vals(hidden), vals(hidden)
		for _, inPlace := range []bool{false, true} {
			dWant, dGot := append([]float32(nil), d0...), append([]float32(nil), d0...)
			dcWant, dcGot := append([]float32(nil), dc...), append([]float32(nil), dc...)
			dcpWant, dcpGot := make([]float32, hidden), make([]float32, hidden)
			if inPlace {
				dcpWant, dcpGot = dcWant, dcGot
			}
			lstmCellBackGo(dWant, gates, dh, dcWant, dcpWant, cp2, hidden, hidden)
			lstmCellBack(dGot, gates, dh, dcGot, dcpGot, cp2, hidden)
			check("lstmCellBack dgates", dGot, dWant)
			check("lstmCellBack dcPrev", dcpGot, dcpWant)
		}
	}
}

// TestGRUCellArithmetic: GRUCellBackward's arithmetic this CPU runs gives
// the Go loop's bits, with dhPrev a slice of its own and the same as dh.
func TestGRUCellArithmetic(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	for _, hidden := range []int{1, 7, 15, 16, 17, 33, 512} {
		vals := func(n int) []float32 { return withSpecials(rng, n, 13, 4) }
		gates, dh, hp := vals(4*hidden), vals(hidden), vals(hidden)
		for _, inPlace := range []bool{false, true} {
			dxW, dxG, dhhW, dhhG := vals(3*hidden), make([]float32, 3*hidden), vals(3*hidden), make([]float32, 3*hidden)
			copy(dxG, dxW)
			copy(dhhG, dhhW)
			dhW, dhG := append([]float32(nil), dh...), append([]float32(nil), dh...)
			dhpW, dhpG := make([]float32, hidden), make([]float32, hidden)
			if inPlace {
				dhpW, dhpG = dhW, dhG
			}
			gruCellBackGo(dxW, dhhW, dhpW, dhW, gates, hp, hidden, hidden)
			gruCellBack(dxG, dhhG, dhpG, dhG, gates, hp, hidden)
			for _, c := range []struct {
				what      string
				got, want []float32
			}{{"dx", dxG, dxW}, {"dhh", dhhG, dhhW}, {"dhPrev", dhpG, dhpW}} {
				for j := range c.want {
					if !sameFloat(c.got[j], c.want[j]) {
						t.Fatalf("%s hidden=%d in place %v: [%d] = %g, Go loop %g", c.what, hidden, inPlace, j, c.got[j], c.want[j])
					}
				}
			}
		}
	}
}

// TestGRUCellPasses: GRUCell's whole-row vector passes give the bits of
// the element loop they replaced, written out here, with h the same slice
// as hPrev and a slice of its own.
func TestGRUCellPasses(t *testing.T) {
	rng := rand.New(rand.NewPCG(45, 46))
	for _, hidden := range []int{1, 7, 16, 17, 130} {
		batch := 3
		vals := func(n int) []float32 { return withSpecials(rng, n, 13, 4) }
		x, hh, hp := vals(batch*3*hidden), vals(batch*3*hidden), vals(batch*hidden)
		wantG, wantH := make([]float32, batch*4*hidden), make([]float32, batch*hidden)
		for b := range batch {
			xr, hr, g := x[b*3*hidden:], hh[b*3*hidden:], wantG[b*4*hidden:]
			for j := range 2 * hidden {
				g[j] = xr[j] + hr[j]
			}
			sigmoidSpan(g[:2*hidden], g[:2*hidden])
			for j := range hidden {
				g[3*hidden+j] = hr[2*hidden+j]
				g[2*hidden+j] = xr[2*hidden+j] + g[j]*g[3*hidden+j]
			}
			tanhRef := make([]float32, hidden)
			vtanh(tanhRef, g[2*hidden:3*hidden])
			copy(g[2*hidden:], tanhRef)
			for j := range hidden {
				nv := g[2*hidden+j]
				wantH[b*hidden+j] = nv + g[hidden+j]*(hp[b*hidden+j]-nv)
			}
		}
		for _, inPlace := range []bool{false, true} {
			gates, h := make([]float32, batch*4*hidden), make([]float32, batch*hidden)
			prev := append([]float32(nil), hp...)
			if inPlace {
				h = prev
			}
			GRUCell(h, gates, x, hh, prev, batch, hidden)
			for i := range wantG {
				if !sameFloat(gates[i], wantG[i]) {
					t.Fatalf("hidden=%d in place %v: gates[%d] = %g, loop %g", hidden, inPlace, i, gates[i], wantG[i])
				}
			}
			for i := range wantH {
				if !sameFloat(h[i], wantH[i]) {
					t.Fatalf("hidden=%d in place %v: h[%d] = %g, loop %g", hidden, inPlace, i, h[i], wantH[i])
				}
			}
		}
	}
}
