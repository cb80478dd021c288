//go:build cgo && !nogl

package gl

import (
	"strings"
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

// TestBatchNormSlices: how many slices of a channel's values the batch-norm
// statistics and backward reduction take apart (bnSlices), and that the
// split takes two dispatches each (the slices, then their sums or
// statistics merged in order) where whole channels take one. The values are the conformance suite's (TestConformanceVariants
// runs it split).
func TestBatchNormSlices(t *testing.T) {
	hw := &Device{bnTarget: hardwareSplitTarget, bnSliceMin: bnSliceMin}
	for _, c := range []struct {
		n, ch, inner, want int
	}{
		{128, 64, 32 * 32, 8},  // a CIFAR ResNet-18's first stage: 512 groups
		{128, 128, 16 * 16, 4}, // its second
		{128, 256, 8 * 8, 2},   // slices of 4 096 values at least
		{128, 512, 4 * 4, 1},   // the channels fill the target
		{2, 3, 100, 1},         // too few values to split
		{64, 6, 10 * 10, 1},    // 6 400 values a channel: one slice of 4 096 at least
		{64, 6, 28 * 28, 12},   // 50 176: 12 slices
	} {
		p := device.BatchNormParams{N: c.n, C: c.ch, Inner: c.inner}
		if got := hw.bnSlices(p); got != c.want {
			t.Errorf("N %d, C %d, inner %d: %d slices, want %d", c.n, c.ch, c.inner, got, c.want)
		}
	}
	if sw := (&Device{bnSliceMin: bnSliceMin}); sw.bnSlices(device.BatchNormParams{N: 128, C: 64, Inner: 1024}) != 1 {
		t.Error("no target (llvmpipe): split")
	}

	d := openOrSkip(t)
	defer d.Close()
	p := device.BatchNormParams{N: 4, C: 3, Inner: 25, Eps: 1e-5}
	n := p.N * p.C * p.Inner
	buf := func(k int) device.Buffer { return d.Alloc(device.Float32, k) }
	dw, db, dy, x, mean, invstd := buf(p.C), buf(p.C), buf(n), buf(n), buf(p.C), buf(p.C)
	for _, b := range []device.Buffer{dy, x, mean, invstd} {
		d.Fill(b, 0, b.Len(), 1)
	}
	for _, c := range []struct {
		target, want int
	}{{0, 1}, {1 << 20, 2}} {
		d.bnTarget, d.bnSliceMin = c.target, 7
		if err := d.Sync(); err != nil {
			t.Fatal(err)
		}
		before := d.Stats().Dispatches
		d.BatchNormBackwardReduce(dw, db, dy, x, mean, invstd, nil, nil, p)
		if err := d.Sync(); err != nil {
			t.Fatal(err)
		}
		if got := d.Stats().Dispatches - before; got != int64(c.want) {
			t.Errorf("target %d: backward reduction in %d dispatches, want %d", c.target, got, c.want)
		}
		before = d.Stats().Dispatches
		d.BatchNormStats(mean, invstd, nil, nil, x, p)
		if err := d.Sync(); err != nil {
			t.Fatal(err)
		}
		if got := d.Stats().Dispatches - before; got != int64(c.want) {
			t.Errorf("target %d: statistics in %d dispatches, want %d", c.target, got, c.want)
		}
	}
}

// TestBNSplitSetting: BNSplitEnv's values, and an error naming what was
// expected for any other.
func TestBNSplitSetting(t *testing.T) {
	for _, c := range []struct {
		v        string
		software bool
		want     int
	}{{"", false, hardwareSplitTarget}, {"", true, 0}, {"1", true, hardwareSplitTarget}, {"0", false, 0}} {
		t.Setenv(BNSplitEnv, c.v)
		if got, err := bnSplitSetting(c.software); got != c.want || err != nil {
			t.Errorf("%s=%q on software=%v: %d, %v; want %d", BNSplitEnv, c.v, c.software, got, err, c.want)
		}
	}
	t.Setenv(BNSplitEnv, "yes")
	if _, err := Open(); err == nil || !strings.Contains(err.Error(), `TENSORGL_GL_BNSPLIT="yes": want 0 or 1`) {
		t.Errorf("Open with %s=yes: %v", BNSplitEnv, err)
	}
}
