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

// TestConformanceSplitFused reruns the suite with a GPU's split target, so
// that most products of few output tiles split K, and the split summed in
// the product's own dispatch (see SplitFuseEnv), under the device's tiles
// and the other kind's.
func TestConformanceSplitFused(t *testing.T) {
	for _, own := range []bool{true, false} {
		d := openOrSkip(t) // the suite closes it
		if d.info.Limits.MaxStorageBlocks <= ticketBinding {
			t.Skipf("%d storage blocks: the fused split needs %d", d.info.Limits.MaxStorageBlocks, ticketBinding+1)
		}
		d.splitFused, d.splitTarget = true, hardwareSplitTarget
		if !own {
			d.tiles = softwareTiles
			if d.softDefaults {
				d.tiles = hardwareTiles
			}
		}
		t.Run(d.tiles.String(), func(t *testing.T) { devicetest.Run(t, d) })
	}
}

// TestConformanceVariants reruns the suite with the GEMM tiling the device
// did not choose (software or hardware) and a work-group-count limit of 2
// on every axis, so every kernel's grid is split into many dispatches along
// x, y and z, ScatterAdd through buckets wherever its indices allow, and
// GL 4.3's minimum of 8 storage blocks, so the optimizers bind fewer
// tensors per dispatch, and the Elman recurrences and the LSTM and GRU steps
// run the way the device did not choose (one dispatch, with the Elman
// weights in registers or memory, see ElmanRegsEnv, or one GEMM a step;
// one kernel a step or two, see RNNStepEnv), and the wide 3×3
// convolutions direct or by F(2×2, 3×3), the way the device did not choose
// (see WinogradEnv), and those of few channels as GEMMs (their input
// gradients by columns, see ConvColsEnv) where the
// device runs them direct (see ConvDirectEnv) or the other way, and the
// batch-norm backward reduction in slices where the device sums whole
// channels or the other way (see bnSlices); then with the device's tiling read as vec4 from
// double-buffered shared memory and MatMul's operands loaded as vec4, or, where the device does
// that already, with scalar tiles and loads, and no thin tiles, so products
// of few rows run on the wide tiles too, and every convolution that does
// not run by F(2×2, 3×3) as implicit GEMMs, its input gradient too; then
// with every product of the GEMM core on a direct tiling (gemmTiles.direct)
// and K split as on a GPU, and with every product direct as DirectEnv
// runs them (those split on sliced tilings) and Reads staged (ReadEnv). None
// may take any result out of its tolerance (and but for F(2×2, 3×3) and
// the input gradients by columns, none changes a bit).
// (Every tiling the tuner may choose is checked against the default in
// tune_test.go.)
func TestConformanceVariants(t *testing.T) {
	d := openOrSkip(t)
	own := d.tiles
	t.Run("other-tiles-split-grids-scatter-buckets", func(t *testing.T) {
		d.groupCap = [3]int{2, 2, 2}
		d.scatterBucketMinM, d.scatterScanMax = 0, 0
		d.info.Limits.MaxStorageBlocks = 8
		d.recurrenceFused = !d.recurrenceFused
		d.elmanRegs = !d.elmanRegs
		d.steps = rnnSteps{!d.steps.lstm, !d.steps.lstmBackward, !d.steps.gru, !d.steps.gruBackward}
		d.convDirect = !d.convDirect
		// The batch-norm backward reduction in slices of 3 values and more
		// where the device sums whole channels (llvmpipe's), else whole.
		if d.bnTarget == 0 {
			d.bnTarget, d.bnSliceMin = 1<<20, 3
		} else {
			d.bnTarget = 0
		}
		// The suite's wide 3×3 convolutions (4·10⁶ multiply-adds and more)
		// the other way: direct where the default takes them by F(2×2, 3×3)
		// (llvmpipe's), else every one that can by it.
		if d.winogradMin >= 0 && d.winogradMin <= winogradSoftwareMinMACs {
			d.winogradMin = -1
		} else {
			d.winogradMin = 0
		}
		d.tiles = softwareTiles
		if d.Info().Software {
			d.tiles = hardwareTiles
		}
		devicetest.Run(t, d)
	})
	t.Run("other-loads-wide-tiles-only", func(t *testing.T) {
		// Scalar tiles and loads where the device reads vec4 (llvmpipe),
		// else vec4 double-buffered tiles and vec4 loads; and no thin or
		// small tiles, so products of few rows or groups run on the wide
		// ones too.
		d3 := openOrSkip(t)
		d3.tiles = own
		d3.tiles.vec, d3.tiles.db, d3.tiles.gvec = false, false, false
		if !own.vec {
			d3.tiles = own.withVec()
			d3.tiles.db, d3.tiles.gvec = true, true
			if !d3.tiles.vec {
				t.Fatalf("tiles %+v: want them read as vec4", own)
			}
		}
		d3.tiles = d3.tiles.plain()
		d3.convDirect, d3.convCols = false, false
		devicetest.Run(t, d3)
	})
	t.Run("direct-gemm-split", func(t *testing.T) {
		// Every product of the GEMM core without shared memory (1×4
		// outputs an invocation, so the LSTM and GRU steps' runs of 4 fit),
		// under a GPU's split target, so that most products split K and
		// sum their slices in registers; the recurrent steps fused and the
		// convolutions of few channels as GEMMs.
		d4 := openOrSkip(t)
		d4.tiles = gemmTiles{m: 16, n: 64, k: 1, lx: 16, ly: 16, direct: true}
		d4.splitTarget = hardwareSplitTarget
		d4.steps = rnnSteps{true, true, true, true}
		d4.convDirect = false
		devicetest.Run(t, d4)
	})
	t.Run("direct-env-sliced", func(t *testing.T) {
		// Every product direct (DirectEnv) under a GPU's tiles and split
		// target: those the default splits on sliced tilings, their slices
		// spread over a group's invocations.
		d5 := openOrSkip(t)
		d5.tiles, d5.splitTarget, d5.directMax = hardwareTiles, hardwareSplitTarget, 1<<62
		d5.steps = rnnSteps{true, true, true, true}
		d5.convDirect = false
		d5.stagedRead = true // and every Read through the staging buffer (ReadEnv)
		devicetest.Run(t, d5)
	})
}
