//go:build cgo && !nogl

package gl

import (
	"fmt"

	"github.com/tensorgl/tensorgl/device"
)

// GEMM tiling shared by MatMul and the convolutions: a 64×64 tile of C per
// work group of 16×16 invocations (4×4 outputs each), K streamed 16 at a
// time through 8 KiB of shared memory.
const (
	tileM, tileN, tileK = 64, 64, 16
	gemmLocalX          = 16
	gemmLocalY          = 16
)

func gemmDefs() []string {
	return []string{
		fmt.Sprintf("TILE_M=%d", tileM), fmt.Sprintf("TILE_N=%d", tileN), fmt.Sprintf("TILE_K=%d", tileK),
		localDef(gemmLocalX), fmt.Sprintf("LOCAL_Y=%d", gemmLocalY),
	}
}

// gemmGrid dispatches the tiled GEMM core over batch M×N products.
func (d *Device) gemmGrid(prog *program, batch, m, n, k int) {
	prog.setUint("u_M", m)
	prog.setUint("u_N", n)
	prog.setUint("u_K", k)
	prog.setUint("u_batch", batch)
	d.dispatch(prog, (n+tileN-1)/tileN, (m+tileM-1)/tileM, batch)
}

// MatMul computes C[b] = α·op(A[b])·op(B[b]) + β·C[b] for every batch.
func (d *Device) MatMul(c, a, b device.Buffer, p device.MatMulParams) {
	defs := gemmDefs()
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
		d.gemmGrid(prog, p.Batch, p.M, p.N, p.K)
	})
}
