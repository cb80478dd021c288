//go:build cgo && !nogl

package gl

import (
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

// TestWinogradSetting: WinogradEnv's values, and an error naming what was
// expected for any other.
func TestWinogradSetting(t *testing.T) {
	for _, c := range []struct {
		v        string
		software bool
		want     int
	}{
		{"", false, winogradMinMACs}, {"", true, winogradSoftwareMinMACs}, {"0", false, -1}, {"1", true, 0},
	} {
		t.Setenv(WinogradEnv, c.v)
		if got, err := winogradSetting(c.software); got != c.want || err != nil {
			t.Errorf("%s=%q on software=%v: %d, %v; want %d", WinogradEnv, c.v, c.software, got, err, c.want)
		}
	}
	t.Setenv(WinogradEnv, "on")
	if _, err := winogradSetting(false); err == nil {
		t.Errorf("%s=on: no error", WinogradEnv)
	}
}

// TestWinogradDispatches: the convolutions F(2×2, 3×3) can run take four
// dispatches each way by it (weights, input, product, output), and their
// weight gradients four (input, output gradient, product, weights) with
// 1 024 terms or more in each weight's sum; those it cannot run (a 5×5 or
// strided filter, dilation, groups, padding 3, 32 channels, fewer
// multiply-adds than the setting asks, fewer terms, transforms larger than
// a buffer) take the direct kernel's, as with the setting off.
func TestWinogradDispatches(t *testing.T) {
	d := openOrSkip(t)
	// Counts without a split product: a GPU splits the K of the weight
	// gradient's few output tiles, a pass more (TestSplitK counts those).
	d.splitTarget = 0
	defer d.Close()
	base := device.Conv2dParams{N: 1, C: 64, H: 6, W: 7, K: 64, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1, DilH: 1, DilW: 1, Groups: 1}
	macs := base.N * base.C * base.K * 9 * base.OutH() * base.OutW()
	for _, c := range []struct {
		name string
		min  int
		edit func(*device.Conv2dParams)
		wino bool
	}{
		{"deep sums", 0, func(p *device.Conv2dParams) { p.N = 25 }, true},
		{"any", 0, nil, true},
		{"enough work", macs, nil, true},
		{"too little work", macs + 1, nil, false},
		{"5x5", 0, func(p *device.Conv2dParams) { p.R, p.S = 5, 5 }, false},
		{"stride 2", 0, func(p *device.Conv2dParams) { p.StrideW = 2 }, false},
		{"dilation 2", 0, func(p *device.Conv2dParams) { p.DilH = 2 }, false},
		{"groups 2", 0, func(p *device.Conv2dParams) { p.Groups = 2 }, false},
		{"padding 3", 0, func(p *device.Conv2dParams) { p.PadH = 3 }, false},
		{"32 channels", 0, func(p *device.Conv2dParams) { p.C = 32 }, false},
		{"padding 2 by 0", 0, func(p *device.Conv2dParams) { p.PadH, p.PadW = 2, 0 }, true},
		// The transformed weights (16·64·64 values, more than the
		// transformed input's 16·64·12) would not fit a buffer: below, the
		// limit is set to one value less.
		{"too large", 0, func(p *device.Conv2dParams) { p.Groups = -1 }, false},
	} {
		p := base
		if c.edit != nil {
			c.edit(&p)
		}
		limit := d.info.Limits.MaxBufferElements
		if p.Groups == -1 {
			p.Groups = 1
			tiles := p.N * ((p.OutH() + 1) / 2) * ((p.OutW() + 1) / 2)
			d.info.Limits.MaxBufferElements = 16*max(64*tiles, 64*64) - 1
		}
		nx, nw, ny := p.N*p.C*p.H*p.W, p.K*p.C/p.Groups*p.R*p.S, p.N*p.K*p.OutH()*p.OutW()
		x, w, y := d.Alloc(device.Float32, nx), d.Alloc(device.Float32, nw), d.Alloc(device.Float32, ny)
		count := func() int64 {
			if err := d.Sync(); err != nil {
				t.Fatal(err)
			}
			return d.Stats().Dispatches
		}
		run := func(min int) [3]int64 {
			d.winogradMin = min
			var n [3]int64
			before := count()
			d.Conv2d(y, x, w, device.Epilogue{}, p)
			n[0] = count() - before
			before = count()
			d.Conv2dBackwardInput(x, y, w, device.Epilogue{}, p)
			n[1] = count() - before
			before = count()
			d.Conv2dBackwardWeight(w, nil, x, y, p)
			n[2] = count() - before
			return n
		}
		direct := run(-1)
		want := direct
		if c.wino {
			want[0], want[1] = 4, 4
			if p.N*p.OutH()*p.OutW() >= winogradWgradMinTerms {
				want[2] = 4
			}
		}
		if got := run(c.min); got != want {
			t.Errorf("%s: %v dispatches forward, backward input and weight, want %v (direct: %v)", c.name, got, want, direct)
		}
		d.info.Limits.MaxBufferElements = limit
		d.Free(x)
		d.Free(w)
		d.Free(y)
	}
}
