//go:build cgo && !nogl

package gl

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

// TestConvDirectSetting: ConvDirectEnv's values, and an error naming what
// was expected for any other.
func TestConvDirectSetting(t *testing.T) {
	for v, want := range map[string]bool{"": true, "1": true, "0": false} {
		t.Setenv(ConvDirectEnv, v)
		if got, err := convDirectSetting(); got != want || err != nil {
			t.Errorf("%s=%q: %v, %v; want %v", ConvDirectEnv, v, got, err, want)
		}
	}
	t.Setenv(ConvDirectEnv, "yes")
	if _, err := convDirectSetting(); err == nil || !strings.Contains(err.Error(), "want 0") {
		t.Errorf("%s=yes: error %v", ConvDirectEnv, err)
	}
}

// TestConvDirect checks which convolutions run direct (few channels: at
// most 16 outputs a group, at most 4 096 weights a group, the input
// gradient with stride 1) and that they give the implicit GEMM's bits:
// the same sums in the same order, the padding's zero terms left out,
// with an epilogue (bias and ReLU forward, a residual backward), on rows
// whose width is no multiple of the pixels an invocation computes.
func TestConvDirect(t *testing.T) {
	d := openOrSkip(t)
	defer d.Close()
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct {
		name              string
		p                 device.Conv2dParams
		forward, backward bool
	}{
		{"lenet1", device.Conv2dParams{N: 3, C: 1, H: 9, W: 11, K: 6, R: 5, S: 5, PadH: 2, PadW: 2}, true, true},
		{"lenet2", device.Conv2dParams{N: 2, C: 6, H: 14, W: 13, K: 16, R: 5, S: 5}, true, true},
		{"groups-dilation", device.Conv2dParams{N: 2, C: 4, H: 9, W: 7, K: 6, R: 3, S: 2, PadH: 2, PadW: 1, DilH: 2, Groups: 2}, true, true},
		{"stride 2", device.Conv2dParams{N: 2, C: 3, H: 9, W: 10, K: 8, R: 3, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}, true, false},
		{"1x1", device.Conv2dParams{N: 2, C: 16, H: 5, W: 6, K: 16, R: 1, S: 1}, true, true},
		{"17 filters", device.Conv2dParams{N: 2, C: 6, H: 7, W: 7, K: 17, R: 3, S: 3, PadH: 1, PadW: 1}, false, true},
		{"17 channels", device.Conv2dParams{N: 2, C: 17, H: 7, W: 7, K: 6, R: 3, S: 3, PadH: 1, PadW: 1}, true, false},
		{"too many weights", device.Conv2dParams{N: 1, C: 16, H: 8, W: 8, K: 16, R: 5, S: 5, PadH: 2, PadW: 2}, false, false},
	} {
		p := c.p
		p.StrideH, p.StrideW = max(p.StrideH, 1), max(p.StrideW, 1)
		p.DilH, p.DilW, p.Groups = max(p.DilH, 1), max(p.DilW, 1), max(p.Groups, 1)
		if got := [2]bool{d.convDirectFits(p, false), d.convDirectFits(p, true)}; got != [2]bool{c.forward, c.backward} {
			t.Errorf("%s: direct forward, backward input %v, want %v", c.name, got, [2]bool{c.forward, c.backward})
		}
		nx, nw, ny := p.N*p.C*p.H*p.W, p.K*p.C/p.Groups*p.R*p.S, p.N*p.K*p.OutH()*p.OutW()
		upload := func(n int, scale float64) device.Buffer {
			v := make([]float32, n)
			for i := range v {
				v[i] = float32(rng.NormFloat64() * scale)
			}
			b := d.Alloc(device.Float32, n)
			d.Write(b, v)
			return b
		}
		x, w, dy := upload(nx, 1), upload(nw, 1), upload(ny, 100)
		bias, res := upload(p.K, 1), upload(nx, 1)
		fwd := device.Epilogue{Bias: bias, Act: device.ActRelu}
		bwd := device.Epilogue{Residual: res}
		run := func(direct bool) (y, dx []float32, names []string) {
			d.convDirect = direct
			yb, dxb := d.Alloc(device.Float32, ny), d.Alloc(device.Float32, nx)
			d.SetProfiling(true)
			d.Conv2d(yb, x, w, fwd, p)
			d.Conv2dBackwardInput(dxb, dy, w, bwd, p)
			prof, err := d.Profile()
			d.SetProfiling(false)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range prof {
				names = append(names, k.Name)
			}
			y, dx = make([]float32, ny), make([]float32, nx)
			if err := d.Read(yb, y); err != nil {
				t.Fatal(err)
			}
			if err := d.Read(dxb, dx); err != nil {
				t.Fatal(err)
			}
			d.Free(yb)
			d.Free(dxb)
			return y, dx, names
		}
		gy, gdx, _ := run(false)
		y, dx, names := run(true)
		joined := strings.Join(names, "; ")
		for _, pass := range []struct {
			name   string
			direct bool
			got    []float32
			want   []float32
		}{{"conv2d direct", c.forward, y, gy}, {"conv2d backward input direct", c.backward, dx, gdx}} {
			if strings.Contains(joined, pass.name+";") || strings.HasSuffix(joined, pass.name) {
				if !pass.direct {
					t.Errorf("%s: ran %q (%s)", c.name, pass.name, joined)
				}
			} else if pass.direct {
				t.Errorf("%s: did not run %q (%s)", c.name, pass.name, joined)
			}
			for i := range pass.want {
				if math.Float32bits(pass.got[i]) != math.Float32bits(pass.want[i]) {
					t.Errorf("%s, %s: [%d] = %v, the implicit GEMM's %v", c.name, pass.name, i, pass.got[i], pass.want[i])
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
