//go:build cgo && !nogl

package gl

import (
	"testing"

	"github.com/tensorgl/tensorgl/device/devicetest"
)

// TestConformance runs the device contract's conformance suite on GL.
func TestConformance(t *testing.T) {
	devicetest.Run(t, openOrSkip(t))
}

// TestConformanceVariants reruns the suite with the GEMM tiling the device
// did not choose (software or hardware) and a work-group-count limit of 2
// on every axis, so every kernel's grid is split into many dispatches along
// x, y and z, ScatterAdd through buckets wherever its indices allow, and
// GL 4.3's minimum of 8 storage blocks, so the optimizers bind fewer
// tensors per dispatch, and the Elman recurrences run the way the device
// did not choose (one dispatch or one GEMM a step);
// then with the device's tiling read as vec4 from double-buffered shared
// memory; then with
// the device's tiling but no thin tiles, so products of few rows run on the
// wide tiles too; then with the tiling of every product chosen by timing
// (TuneEnv). None may change any result.
func TestConformanceVariants(t *testing.T) {
	d := openOrSkip(t)
	own := d.tiles
	t.Run("other-tiles-split-grids-scatter-buckets", func(t *testing.T) {
		d.groupCap = [3]int{2, 2, 2}
		d.scatterBucketMinM = 0
		d.info.Limits.MaxStorageBlocks = 8
		d.elmanFused = !d.elmanFused
		d.tiles = softwareTiles
		if d.Info().Software {
			d.tiles = hardwareTiles
		}
		devicetest.Run(t, d)
	})
	t.Run("vec4-double-buffered-tiles", func(t *testing.T) {
		d3 := openOrSkip(t)
		d3.tiles = own.withVec()
		d3.tiles.db = true
		if !d3.tiles.vec {
			t.Fatalf("tiles %+v: want them read as vec4", own)
		}
		devicetest.Run(t, d3)
	})
	t.Run("wide-tiles-only", func(t *testing.T) {
		d2 := openOrSkip(t)
		d2.tiles = own
		d2.tiles.thin = nil
		devicetest.Run(t, d2)
	})
	t.Run("tuned-tiles", func(t *testing.T) {
		d4 := openOrSkip(t)
		d4.tune = tuneOn
		devicetest.Run(t, d4)
		if len(d4.tuned) == 0 {
			t.Error("the tuner chose no tiling")
		}
	})
}
