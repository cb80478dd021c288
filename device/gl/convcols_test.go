//go:build cgo && !nogl

package gl

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/device/devicetest"
)

// TestConvCols: the input gradient of few channels by columns and their
// fold (ConvColsEnv) and as one implicit GEMM, each against float64 within
// the bound of a float32 sum of its terms, with a residual in the
// epilogue, on odd shapes, strides, dilations, groups, 1-sized dimensions,
// large values and a K long enough to split (on llvmpipe's split target
// and a GPU's); each path runs the kernels it should (the columns' GEMM
// and the fold, or the implicit GEMM), and the rule takes the shapes it
// should.
func TestConvCols(t *testing.T) {
	d := openOrSkip(t)
	defer d.Close()
	d.convDirect = false // LeNet's layers reach the GEMMs too
	software := d.splitTarget
	empty := device.Conv2dParams{N: 0, C: 2, H: 4, W: 4, K: 3, R: 3, S: 3, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, Groups: 1}
	if d.convColsFits(empty) {
		t.Error("no images: want no columns")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, c := range []struct {
		name  string
		p     device.Conv2dParams
		scale float64
		cols  bool
	}{
		{"lenet2", device.Conv2dParams{N: 2, C: 6, H: 14, W: 13, K: 16, R: 5, S: 5}, 1, true},
		{"lenet1-padded", device.Conv2dParams{N: 3, C: 1, H: 9, W: 11, K: 6, R: 5, S: 5, PadH: 2, PadW: 2}, 1, true},
		{"groups-dilation", device.Conv2dParams{N: 2, C: 4, H: 9, W: 7, K: 6, R: 3, S: 2, PadH: 2, PadW: 1, DilH: 2, DilW: 2, Groups: 2}, 1, true},
		{"stride 2", device.Conv2dParams{N: 2, C: 3, H: 9, W: 10, K: 8, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}, 1, true},
		{"strides 3 and 2, dilated", device.Conv2dParams{N: 1, C: 2, H: 11, W: 8, K: 5, R: 3, S: 2, StrideH: 3, StrideW: 2, PadH: 1, DilW: 2}, 1, true},
		{"1-sized", device.Conv2dParams{N: 1, C: 1, H: 1, W: 5, K: 1, R: 1, S: 3, PadW: 1}, 1, true},
		{"1x1 16 channels", device.Conv2dParams{N: 2, C: 16, H: 5, W: 6, K: 16, R: 1, S: 1}, 1, true},
		{"large values", device.Conv2dParams{N: 2, C: 5, H: 7, W: 6, K: 7, R: 3, S: 3, PadH: 1, PadW: 1}, 1e4, true},
		{"long K", device.Conv2dParams{N: 1, C: 2, H: 6, W: 5, K: 288, R: 2, S: 2}, 1, true},
		{"17 channels", device.Conv2dParams{N: 2, C: 17, H: 7, W: 7, K: 6, R: 3, S: 3, PadH: 1, PadW: 1}, 1, false},
		{"16 channels a group of 2", device.Conv2dParams{N: 1, C: 32, H: 5, W: 5, K: 4, R: 3, S: 3, Groups: 2}, 1, true},
	} {
		p := c.p
		p.StrideH, p.StrideW = max(p.StrideH, 1), max(p.StrideW, 1)
		p.DilH, p.DilW, p.Groups = max(p.DilH, 1), max(p.DilW, 1), max(p.Groups, 1)
		d.convCols = true
		if got := d.convColsFits(p); got != c.cols {
			t.Errorf("%s: by columns %v, want %v", c.name, got, c.cols)
		}
		nx, nw, ny := p.N*p.C*p.H*p.W, p.K*p.C/p.Groups*p.R*p.S, p.N*p.K*p.OutH()*p.OutW()
		upload := func(v []float32) device.Buffer {
			b := d.Alloc(device.Float32, len(v))
			d.Write(b, v)
			return b
		}
		random := func(n int, scale float64) []float32 { return normals(rng, n, scale) }
		wv, dyv, resv := random(nw, 1), random(ny, c.scale), random(nx, c.scale)
		w, dy, res := upload(wv), upload(dyv), upload(resv)
		ref, bound := refBackwardInput(wv, dyv, resv, p)
		for _, split := range []struct {
			name   string
			target int
		}{{"software split", software}, {"hardware split", hardwareSplitTarget}} {
			for _, cols := range []bool{true, false} {
				d.convCols, d.splitTarget = cols, split.target
				if c.name == "long K" && cols && split.target == hardwareSplitTarget {
					// The columns' GEMM sums Kg = 288 in slices here: the
					// split's second pass stores through BACKWARD_COLS too.
					g, m, n := p.Groups, p.C/p.Groups*p.R*p.S, p.N*p.OutH()*p.OutW()
					if s, _ := d.tiles.pickFor("conv", g, m, n).splitK(d.splitTarget, g, m, n, p.K/g); s < 2 {
						t.Errorf("%s: the columns' GEMM in %d slices, want it split", c.name, s)
					}
				}
				dxb := d.Alloc(device.Float32, nx)
				ran := kernelsRun(t, d, func() { d.Conv2dBackwardInput(dxb, dy, w, device.Epilogue{Residual: res}, p) })
				dx := make([]float32, nx)
				if err := d.Read(dxb, dx); err != nil {
					t.Fatal(err)
				}
				d.Free(dxb)
				byCols := cols && c.cols
				want := map[bool][]string{true: {"conv2d backward input cols", "conv2d backward input fold"}, false: {"conv2d backward input"}}[byCols]
				for _, k := range want {
					if ran[k] == 0 {
						t.Errorf("%s, %s, columns %v: %q did not run (%v)", c.name, split.name, cols, k, ran)
					}
				}
				if byCols && ran["conv2d backward input"] > 0 || !byCols && ran["conv2d backward input fold"] > 0 {
					t.Errorf("%s, %s, columns %v: ran %v", c.name, split.name, cols, ran)
				}
				for i := range ref {
					if e := math.Abs(float64(dx[i]) - ref[i]); e > bound[i] || math.IsNaN(float64(dx[i])) {
						t.Errorf("%s, %s, columns %v: dx[%d] = %v, float64 %v, error %.3g over %.3g", c.name, split.name, cols, i, dx[i], ref[i], e, bound[i])
						break
					}
				}
			}
		}
		for _, b := range []device.Buffer{w, dy, res} {
			d.Free(b)
		}
	}
}

// refBackwardInput returns the input gradient of p from w and dy plus res
// in float64 and, for each value, the bound of a float32 sum of its n
// terms and the residual: n·2⁻²⁴·Σ|term| plus the residual's addition,
// 2⁻²⁴·(|sum| + |res|), where n is the Kg·R·S taps that may reach it.
func refBackwardInput(w, dy, res []float32, p device.Conv2dParams) (ref, bound []float64) {
	ref, abs := make([]float64, len(res)), make([]float64, len(res))
	devicetest.ConvTaps(p, func(yi, xi, wi int) {
		term := float64(dy[yi]) * float64(w[wi])
		ref[xi] += term
		abs[xi] += math.Abs(term)
	})
	bound = make([]float64, len(ref))
	terms := float64(p.K / max(p.Groups, 1) * p.R * p.S)
	for i := range ref {
		bound[i] = terms*0x1p-24*abs[i] + 0x1p-24*(math.Abs(ref[i])+math.Abs(float64(res[i]))) + 0x1p-126
		ref[i] += float64(res[i])
	}
	return ref, bound
}
