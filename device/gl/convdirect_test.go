//go:build cgo && !nogl

package gl

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/device"
	"github.com/tensorgl/tensorgl/device/devicetest"
)

// TestConvDirectSetting: ConvDirectEnv's values (unset: direct on a
// software renderer only), and an error naming what was expected for any
// other.
func TestConvDirectSetting(t *testing.T) {
	for _, c := range []struct {
		v              string
		software, want bool
	}{{"", true, true}, {"", false, false}, {"1", false, true}, {"1", true, true}, {"0", true, false}} {
		t.Setenv(ConvDirectEnv, c.v)
		if got, err := convDirectSetting(c.software); got != c.want || err != nil {
			t.Errorf("%s=%q on software=%v: %v, %v; want %v", ConvDirectEnv, c.v, c.software, got, err, c.want)
		}
	}
	t.Setenv(ConvDirectEnv, "yes")
	if _, err := convDirectSetting(false); err == nil || !strings.Contains(err.Error(), "want 0") {
		t.Errorf("%s=yes: error %v", ConvDirectEnv, err)
	}
}

// TestConvDirect checks which convolutions run direct (few channels: at
// most 16 outputs a group, at most 4 096 weights a group, the input
// gradient with stride 1; the weight gradient with at most 16 channels
// each way and 8 taps a filter row) and that the forward pass and the input
// gradient give the implicit GEMM's bits: the same sums in the same order,
// the padding's zero terms left out, with an epilogue (bias and ReLU
// forward, a residual backward), on rows whose width is no multiple of the
// pixels an invocation computes. The weight gradient, summed in slices of
// rows, is checked against float64 within the bound of its sums, as the
// GEMM's is.
func TestConvDirect(t *testing.T) {
	d := openOrSkip(t)
	// The implicit GEMM sums whole, as the direct kernels do: a GPU splits
	// the K of few output tiles into slices (another order; TestSplitK).
	// The input gradient by columns sums in another order too (TestConvCols).
	d.splitTarget, d.convCols = 0, false
	defer d.Close()
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct {
		name                     string
		p                        device.Conv2dParams
		forward, backward, wgrad bool
	}{
		{"lenet1", device.Conv2dParams{N: 3, C: 1, H: 9, W: 11, K: 6, R: 5, S: 5, PadH: 2, PadW: 2}, true, true, true},
		{"lenet2", device.Conv2dParams{N: 2, C: 6, H: 14, W: 13, K: 16, R: 5, S: 5}, true, true, true},
		{"groups-dilation", device.Conv2dParams{N: 2, C: 4, H: 9, W: 7, K: 6, R: 3, S: 2, PadH: 2, PadW: 1, DilH: 2, DilW: 2, Groups: 2}, true, true, true},
		{"stride 2", device.Conv2dParams{N: 2, C: 3, H: 9, W: 10, K: 8, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}, true, false, true},
		{"1x1", device.Conv2dParams{N: 2, C: 16, H: 5, W: 6, K: 16, R: 1, S: 1}, true, true, true},
		{"17 filters", device.Conv2dParams{N: 2, C: 6, H: 7, W: 7, K: 17, R: 3, S: 3, PadH: 1, PadW: 1}, false, true, false},
		{"17 channels", device.Conv2dParams{N: 2, C: 17, H: 7, W: 7, K: 6, R: 3, S: 3, PadH: 1, PadW: 1}, true, false, false},
		{"9 taps a row", device.Conv2dParams{N: 2, C: 2, H: 4, W: 12, K: 3, R: 1, S: 9, PadW: 4}, true, true, false},
		{"too many weights", device.Conv2dParams{N: 1, C: 16, H: 8, W: 8, K: 16, R: 5, S: 5, PadH: 2, PadW: 2}, false, false, false},
	} {
		p := c.p
		p.StrideH, p.StrideW = max(p.StrideH, 1), max(p.StrideW, 1)
		p.DilH, p.DilW, p.Groups = max(p.DilH, 1), max(p.DilW, 1), max(p.Groups, 1)
		if got, want := [3]bool{d.convDirectFits(p, false), d.convDirectFits(p, true), d.convDirectWgradFits(p)}, [3]bool{c.forward, c.backward, c.wgrad}; got != want {
			t.Errorf("%s: direct forward, backward input, backward weight %v, want %v", c.name, got, want)
		}
		nx, nw, ny := p.N*p.C*p.H*p.W, p.K*p.C/p.Groups*p.R*p.S, p.N*p.K*p.OutH()*p.OutW()
		upload := func(n int, scale float64) device.Buffer {
			v := normals(rng, n, scale)
			b := d.Alloc(device.Float32, n)
			d.Write(b, v)
			return b
		}
		x, w, dy := upload(nx, 1), upload(nw, 1), upload(ny, 100)
		bias, res := upload(p.K, 1), upload(nx, 1)
		fwd := device.Epilogue{Bias: bias, Act: device.ActRelu}
		bwd := device.Epilogue{Residual: res}
		run := func(direct bool) (y, dx, dw, db []float32, ran map[string]int) {
			d.convDirect = direct
			yb, dxb, dwb, dbb := d.Alloc(device.Float32, ny), d.Alloc(device.Float32, nx), d.Alloc(device.Float32, nw), d.Alloc(device.Float32, p.K)
			ran = kernelsRun(t, d, func() {
				d.Conv2d(yb, x, w, fwd, p)
				d.Conv2dBackwardInput(dxb, dy, w, bwd, p)
				d.Conv2dBackwardWeight(dwb, dbb, x, dy, p)
			})
			y, dx, dw, db = make([]float32, ny), make([]float32, nx), make([]float32, nw), make([]float32, p.K)
			for _, r := range []struct {
				b   device.Buffer
				dst []float32
			}{{yb, y}, {dxb, dx}, {dwb, dw}, {dbb, db}} {
				if err := d.Read(r.b, r.dst); err != nil {
					t.Fatal(err)
				}
				d.Free(r.b)
			}
			return y, dx, dw, db, ran
		}
		gy, gdx, gdw, gdb, gran := run(false)
		y, dx, dw, db, ran := run(true)
		// The direct weight gradient sums the bias gradient in its own
		// kernels, the implicit GEMM as its row sums: no reduction follows.
		for _, r := range []map[string]int{gran, ran} {
			if r["reduce sum"] > 0 {
				t.Errorf("%s: a reduction ran (%v), want the bias gradient summed with the weight gradient", c.name, r)
			}
		}
		for _, pass := range []struct {
			name   string
			direct bool
			got    []float32
			want   []float32
		}{{"conv2d direct", c.forward, y, gy}, {"conv2d backward input direct", c.backward, dx, gdx}, {"conv2d backward weight direct", c.wgrad, dw, nil}} {
			if (ran[pass.name] > 0) != pass.direct {
				t.Errorf("%s: %q ran %v, want %v (%v)", c.name, pass.name, ran[pass.name], pass.direct, ran)
			}
			for i := range pass.want {
				if math.Float32bits(pass.got[i]) != math.Float32bits(pass.want[i]) {
					t.Errorf("%s, %s: [%d] = %v, the implicit GEMM's %v", c.name, pass.name, i, pass.got[i], pass.want[i])
					break
				}
			}
		}
		// The weight gradient sums its terms in slices of rows, another
		// order than the GEMM's: both against float64, within the bound of
		// a float32 sum of its terms, n·ε·Σ|term| (n the terms a weight).
		ref, bound := refWgrad(t, d, x, dy, p)
		bref, bbound := refBiasGrad(t, d, dy, p)
		for _, v := range []struct {
			name     string
			got, gdb []float32
		}{{"direct", dw, db}, {"implicit GEMM", gdw, gdb}} {
			for i := range ref {
				if e := math.Abs(float64(v.got[i]) - ref[i]); e > bound[i] {
					t.Errorf("%s, weight gradient %s: [%d] = %v, float64 %v, error %.3g over %.3g", c.name, v.name, i, v.got[i], ref[i], e, bound[i])
					break
				}
			}
			for k := range bref {
				if e := math.Abs(float64(v.gdb[k]) - bref[k]); e > bbound[k] {
					t.Errorf("%s, bias gradient %s: [%d] = %v, float64 %v, error %.3g over %.3g", c.name, v.name, k, v.gdb[k], bref[k], e, bbound[k])
					break
				}
			}
		}
		for _, b := range []device.Buffer{x, w, dy, bias, res} {
			d.Free(b)
		}
	}
	d.convDirect = true
}

// refBiasGrad returns the bias gradient of p from dy (each filter's sum of
// dy) in float64 and, for each, the bound n·2⁻²⁴·Σ|term| of a float32 sum
// of its n terms.
func refBiasGrad(t *testing.T, d *Device, dyb device.Buffer, p device.Conv2dParams) (ref, bound []float64) {
	plane := p.OutH() * p.OutW()
	dy := make([]float32, p.N*p.K*plane)
	if err := d.Read(dyb, dy); err != nil {
		t.Fatal(err)
	}
	ref, bound = make([]float64, p.K), make([]float64, p.K)
	for i, v := range dy {
		k := i / plane % p.K
		ref[k] += float64(v)
		bound[k] += math.Abs(float64(v))
	}
	for k := range bound {
		bound[k] *= float64(p.N*plane) * 0x1p-24
	}
	return ref, bound
}

// refWgrad returns the weight gradient of p from x and dy in float64 and,
// for each weight, the bound n·2⁻²⁴·Σ|term| of a float32 sum of its n terms.
func refWgrad(t *testing.T, d *Device, xb, dyb device.Buffer, p device.Conv2dParams) (ref, bound []float64) {
	cg := p.C / max(p.Groups, 1)
	oh, ow := p.OutH(), p.OutW()
	x, dy := make([]float32, p.N*p.C*p.H*p.W), make([]float32, p.N*p.K*oh*ow)
	if err := d.Read(xb, x); err != nil {
		t.Fatal(err)
	}
	if err := d.Read(dyb, dy); err != nil {
		t.Fatal(err)
	}
	ref, bound = make([]float64, p.K*cg*p.R*p.S), make([]float64, p.K*cg*p.R*p.S)
	devicetest.ConvTaps(p, func(yi, xi, wi int) {
		v := float64(dy[yi]) * float64(x[xi])
		ref[wi] += v
		bound[wi] += math.Abs(v)
	})
	terms := float64(p.N * oh * ow)
	for i := range bound {
		bound[i] = terms*0x1p-24*bound[i] + 1e-30
	}
	return ref, bound
}

// TestConvDirectWgradSlices: the direct weight gradient's slices of output
// rows for LeNet's layers at batch 64 and for large planes, and one slice,
// one dispatch, where the rows are few.
func TestConvDirectWgradSlices(t *testing.T) {
	for _, c := range []struct {
		p            device.Conv2dParams
		slices, rows int
	}{
		{device.Conv2dParams{N: 64, C: 1, H: 28, W: 28, K: 6, R: 5, S: 5, PadH: 2, PadW: 2, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1}, 69, 26},
		{device.Conv2dParams{N: 64, C: 6, H: 14, W: 14, K: 16, R: 5, S: 5, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1}, 5, 128},
		{device.Conv2dParams{N: 1, C: 2, H: 6, W: 6, K: 3, R: 3, S: 3, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1}, 1, 4},
		{device.Conv2dParams{N: 0, C: 2, H: 6, W: 6, K: 3, R: 3, S: 3, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1}, 1, 0},
		// Large planes: slices until an invocation sums at most 2¹⁵ terms
		// (7 168 rows × 224 × 3 = 4.8 M terms, 147 slices of 49 rows).
		{device.Conv2dParams{N: 32, C: 16, H: 224, W: 224, K: 16, R: 3, S: 3, PadH: 1, PadW: 1, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1}, 147, 49},
	} {
		if s, r := convDirectWgradSlices(c.p); s != c.slices || r != c.rows {
			t.Errorf("%+v: %d slices of %d rows, want %d of %d", c.p, s, r, c.slices, c.rows)
		}
	}
	d := openOrSkip(t)
	defer d.Close()
	p := device.Conv2dParams{N: 1, C: 2, H: 6, W: 6, K: 3, R: 3, S: 3, StrideH: 1, StrideW: 1, DilH: 1, DilW: 1, Groups: 1}
	x, dy, dw, db := d.Alloc(device.Float32, 72), d.Alloc(device.Float32, 48), d.Alloc(device.Float32, 54), d.Alloc(device.Float32, 3)
	// One slice: one dispatch, the bias gradient's too.
	for _, bias := range []device.Buffer{nil, db} {
		before := d.Stats().Dispatches
		d.Conv2dBackwardWeight(dw, bias, x, dy, p)
		if err := d.Sync(); err != nil {
			t.Fatal(err)
		}
		if n := d.Stats().Dispatches - before; n != 1 {
			t.Errorf("one slice, bias gradient %v: %d dispatches, want 1", bias != nil, n)
		}
	}
	// No images: the sums are zero.
	p.N = 0
	d.Fill(dw, 0, 54, 1)
	d.Fill(db, 0, 3, 1)
	d.Conv2dBackwardWeight(dw, db, x, dy, p)
	for _, b := range []struct {
		name string
		buf  device.Buffer
		n    int
	}{{"dw", dw, 54}, {"db", db, 3}} {
		got := make([]float32, b.n)
		if err := d.Read(b.buf, got); err != nil {
			t.Fatal(err)
		}
		for i, v := range got {
			if v != 0 {
				t.Fatalf("no images: %s[%d] = %v, want 0", b.name, i, v)
			}
		}
	}
	for _, b := range []device.Buffer{x, dy, dw, db} {
		d.Free(b)
	}
}
