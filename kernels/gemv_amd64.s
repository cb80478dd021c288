// Matrix-vector products for one-row GEMMs: see gemv.go and gemv_amd64.go.

//go:build amd64 && !purego

#include "textflag.h"

// LANESUM leaves in the low float of x (the low half of y) the sum of y's
// eight lanes: lanes l and l+4 added, then l and l+2, then 0 and 1; t is
// scratch.
#define LANESUM(y, x, t) \
	VEXTRACTF128 $1, y, t \
	VADDPS t, x, x \
	VMOVHLPS x, x, t \
	VADDPS t, x, x \
	VMOVSHDUP x, t \
	VADDSS t, x, x

// ZERO8 clears Y0 to Y7.
#define ZERO8 \
	VXORPS Y0, Y0, Y0 \
	VXORPS Y1, Y1, Y1 \
	VXORPS Y2, Y2, Y2 \
	VXORPS Y3, Y3, Y3 \
	VXORPS Y4, Y4, Y4 \
	VXORPS Y5, Y5, Y5 \
	VXORPS Y6, Y6, Y6 \
	VXORPS Y7, Y7, Y7

// func gemvDot4AVX2(a, b *float32, ldb, k int, out *float32)
// out[r] = Σ_p a[p]·b[r·ldb + p] for the rows r < 4 (ldb in bytes, 0 for
// four times one row) over k > 0 values, k a multiple of 8. Each row sums
// in two 8-lane accumulators by FMA, values 16i+l into the first and
// 16i+8+l into the second (a last 8 into the first); then the two added,
// lanes l and l+4, then l and l+2, then 0 and 1.
TEXT ·gemvDot4AVX2(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ ldb+16(FP), R8
	MOVQ k+24(FP), CX
	MOVQ out+32(FP), DX
	LEAQ (DI)(R8*1), R9
	LEAQ (DI)(R8*2), R10
	LEAQ (R9)(R8*2), R11
	ZERO8
	XORQ AX, AX // byte offset into a and the rows

dot16:
	CMPQ CX, $16
	JLT dot8
	VMOVUPS (SI)(AX*1), Y8
	VMOVUPS 32(SI)(AX*1), Y9
	VFMADD231PS (DI)(AX*1), Y8, Y0
	VFMADD231PS 32(DI)(AX*1), Y9, Y1
	VFMADD231PS (R9)(AX*1), Y8, Y2
	VFMADD231PS 32(R9)(AX*1), Y9, Y3
	VFMADD231PS (R10)(AX*1), Y8, Y4
	VFMADD231PS 32(R10)(AX*1), Y9, Y5
	VFMADD231PS (R11)(AX*1), Y8, Y6
	VFMADD231PS 32(R11)(AX*1), Y9, Y7
	ADDQ $64, AX
	SUBQ $16, CX
	JMP dot16

dot8:
	TESTQ CX, CX
	JEQ dotsum
	VMOVUPS (SI)(AX*1), Y8
	VFMADD231PS (DI)(AX*1), Y8, Y0
	VFMADD231PS (R9)(AX*1), Y8, Y2
	VFMADD231PS (R10)(AX*1), Y8, Y4
	VFMADD231PS (R11)(AX*1), Y8, Y6

dotsum:
	VADDPS Y1, Y0, Y0
	VADDPS Y3, Y2, Y2
	VADDPS Y5, Y4, Y4
	VADDPS Y7, Y6, Y6
	LANESUM(Y0, X0, X1)
	LANESUM(Y2, X2, X3)
	LANESUM(Y4, X4, X5)
	LANESUM(Y6, X6, X7)
	VMOVSS X0, (DX)
	VMOVSS X2, 4(DX)
	VMOVSS X4, 8(DX)
	VMOVSS X6, 12(DX)
	VZEROUPPER
	RET

// func gemvAxpy64AVX2(a, b *float32, ldb, k int, out *float32)
// out[j] = Σ_p a[p]·b[p·ldb + j] for the columns j < 64 (ldb in bytes)
// over k > 0 rows, each column one chain of FMAs in p order from 0.
TEXT ·gemvAxpy64AVX2(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ ldb+16(FP), R8
	MOVQ k+24(FP), CX
	MOVQ out+32(FP), DX
	ZERO8

axpy64:
	VBROADCASTSS (SI), Y8
	VFMADD231PS (DI), Y8, Y0
	VFMADD231PS 32(DI), Y8, Y1
	VFMADD231PS 64(DI), Y8, Y2
	VFMADD231PS 96(DI), Y8, Y3
	VFMADD231PS 128(DI), Y8, Y4
	VFMADD231PS 160(DI), Y8, Y5
	VFMADD231PS 192(DI), Y8, Y6
	VFMADD231PS 224(DI), Y8, Y7
	ADDQ $4, SI
	ADDQ R8, DI
	DECQ CX
	JNZ axpy64
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	VMOVUPS Y2, 64(DX)
	VMOVUPS Y3, 96(DX)
	VMOVUPS Y4, 128(DX)
	VMOVUPS Y5, 160(DX)
	VMOVUPS Y6, 192(DX)
	VMOVUPS Y7, 224(DX)
	VZEROUPPER
	RET

// func gemvAxpy8AVX2(a, b *float32, ldb, k int, out *float32)
// gemvAxpy64AVX2 for the columns j < 8.
TEXT ·gemvAxpy8AVX2(SB), NOSPLIT, $0-40
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ ldb+16(FP), R8
	MOVQ k+24(FP), CX
	MOVQ out+32(FP), DX
	VXORPS Y0, Y0, Y0

axpy8:
	VBROADCASTSS (SI), Y8
	VFMADD231PS (DI), Y8, Y0
	ADDQ $4, SI
	ADDQ R8, DI
	DECQ CX
	JNZ axpy8
	VMOVUPS Y0, (DX)
	VZEROUPPER
	RET

// func gemvRows4x2AVX2(a *float32, lda int, b *float32, ldb, k int, out *float32)
// out[2i+r] = Σ_p a[i·lda + p]·b[r·ldb + p] for the rows i < 4 of A and
// r < 2 of B (lda and ldb in bytes; 0 repeats a row), over k > 0 values,
// k a multiple of 8: each of the eight sums in one 8-lane accumulator by
// FMA, then lanes l and l+4, l and l+2, 0 and 1 added, as gemvDot4AVX2.
TEXT ·gemvRows4x2AVX2(SB), NOSPLIT, $0-48
	MOVQ a+0(FP), SI
	MOVQ lda+8(FP), R8
	MOVQ b+16(FP), DI
	MOVQ ldb+24(FP), R9
	MOVQ k+32(FP), CX
	MOVQ out+40(FP), DX
	LEAQ (SI)(R8*1), R10
	LEAQ (SI)(R8*2), R11
	LEAQ (R10)(R8*2), R12
	LEAQ (DI)(R9*1), R13
	ZERO8
	XORQ AX, AX

rows8:
	VMOVUPS (DI)(AX*1), Y8
	VMOVUPS (R13)(AX*1), Y9
	VMOVUPS (SI)(AX*1), Y10
	VMOVUPS (R10)(AX*1), Y11
	VMOVUPS (R11)(AX*1), Y12
	VMOVUPS (R12)(AX*1), Y13
	VFMADD231PS Y8, Y10, Y0
	VFMADD231PS Y9, Y10, Y1
	VFMADD231PS Y8, Y11, Y2
	VFMADD231PS Y9, Y11, Y3
	VFMADD231PS Y8, Y12, Y4
	VFMADD231PS Y9, Y12, Y5
	VFMADD231PS Y8, Y13, Y6
	VFMADD231PS Y9, Y13, Y7
	ADDQ $32, AX
	SUBQ $8, CX
	JNZ rows8

	// Each accumulator's lanes summed into its low float.
	LANESUM(Y0, X0, X8)
	LANESUM(Y1, X1, X8)
	LANESUM(Y2, X2, X8)
	LANESUM(Y3, X3, X8)
	LANESUM(Y4, X4, X8)
	LANESUM(Y5, X5, X8)
	LANESUM(Y6, X6, X8)
	LANESUM(Y7, X7, X8)
	VMOVSS X0, (DX)
	VMOVSS X1, 4(DX)
	VMOVSS X2, 8(DX)
	VMOVSS X3, 12(DX)
	VMOVSS X4, 16(DX)
	VMOVSS X5, 20(DX)
	VMOVSS X6, 24(DX)
	VMOVSS X7, 28(DX)
	VZEROUPPER
	RET
