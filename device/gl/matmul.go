//go:build cgo && !nogl

package gl

import (
	"fmt"

	"github.com/tensorgl/tensorgl/device"
)

// gemmTiles is the tiling of the GEMM core shared by MatMul and the
// convolutions: an m×n tile of C per work group of lx×ly invocations, each
// holding (m/ly)×(n/lx) outputs in registers, with K streamed k at a time
// through shared memory.
type gemmTiles struct{ m, n, k, lx, ly int }

var (
	// softwareTiles suit llvmpipe, which runs a work group's invocations as
	// coroutines on one core: few invocations doing 8×8 outputs each were the
	// fastest of the shapes measured (64×64×16 with 8×8 or 16×16 threads,
	// 32×32 with 8×8, 64×64×32 with 16×16).
	softwareTiles = gemmTiles{m: 64, n: 64, k: 16, lx: 8, ly: 8}
	// hardwareTiles are the classic 2-D register-blocked SGEMM shape
	// (128×128×8 tile, 256 invocations, 8×8 outputs each, 8 KiB of shared
	// memory), untuned on any GPU so far.
	hardwareTiles = gemmTiles{m: 128, n: 128, k: 8, lx: 16, ly: 16}
)

func (t gemmTiles) defs() []string {
	return []string{
		fmt.Sprintf("TILE_M=%d", t.m), fmt.Sprintf("TILE_N=%d", t.n), fmt.Sprintf("TILE_K=%d", t.k),
		localDef(t.lx), fmt.Sprintf("LOCAL_Y=%d", t.ly),
	}
}

// gemmGrid dispatches the tiled GEMM core over batch M×N products.
func (d *Device) gemmGrid(prog *program, t gemmTiles, batch, m, n, k int) {
	prog.setUint("u_M", m)
	prog.setUint("u_N", n)
	prog.setUint("u_K", k)
	prog.setUint("u_batch", batch)
	d.dispatch(prog, (n+t.n-1)/t.n, (m+t.m-1)/t.m, batch)
}

// MatMul computes C[b] = α·op(A[b])·op(B[b]) + β·C[b] for every batch.
func (d *Device) MatMul(c, a, b device.Buffer, p device.MatMulParams) {
	t := d.tiles
	defs := t.defs()
	if p.TransA {
		defs = append(defs, "A_M_FAST")
	}
	if p.TransB {
		defs = append(defs, "B_K_FAST")
	}
	gc, ga, gb := d.buf(c), d.buf(a), d.buf(b)
	d.enqueue("matmul", func() {
		prog := d.program(variant{family: "matmul", defs: defs})
		if prog == nil {
			return
		}
		bind(gc, ga, gb)
		prog.setInt("u_offA", p.OffA)
		prog.setInt("u_offB", p.OffB)
		prog.setInt("u_offC", p.OffC)
		prog.setInt("u_strideA", p.StrideA)
		prog.setInt("u_strideB", p.StrideB)
		prog.setInt("u_strideC", p.StrideC)
		prog.setFloat("u_alpha", p.Alpha)
		prog.setFloat("u_beta", p.Beta)
		d.gemmGrid(prog, t, p.Batch, p.M, p.N, p.K)
	})
}
