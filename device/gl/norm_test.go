//go:build cgo && !nogl

package gl

import (
	"math"
	"testing"

	"github.com/tensorgl/tensorgl/device"
)

// TestSumSquaresSplitFree: SumSquares gives the same bits whether one
// dispatch binds every tensor or GL 4.3's minimum of storage blocks splits
// them over several.
func TestSumSquaresSplitFree(t *testing.T) {
	d := openOrSkip(t)
	defer d.Close()
	var spans []device.Span
	for i, n := range []int{1, 4097, 3, 70000, 64, 65, 1, 9000, 5, 6, 7, 8191, 2} {
		b := d.Alloc(device.Float32, n)
		d.Random(b, device.RandomParams{Dist: device.Normal, A: 0, B: 1, Seed: uint64(i)})
		spans = append(spans, device.Span{Buf: b, N: n})
	}
	sum := func(blocks int) float32 {
		d.info.Limits.MaxStorageBlocks = blocks
		dst := d.Alloc(device.Float32, 1)
		d.SumSquares(dst, nil, spans)
		v := make([]float32, 1)
		if err := d.Read(dst, v); err != nil {
			t.Fatal(err)
		}
		return v[0]
	}
	limit := d.info.Limits.MaxStorageBlocks
	defer func() { d.info.Limits.MaxStorageBlocks = limit }()
	want := sum(limit)
	for _, blocks := range []int{8, 3, 2} {
		if got := sum(blocks); math.Float32bits(got) != math.Float32bits(want) {
			t.Errorf("%d storage blocks: Σx² = %v, with %d: %v", blocks, got, limit, want)
		}
	}
}
