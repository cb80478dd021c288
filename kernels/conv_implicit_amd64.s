// The gather of implicit-GEMM convolution: see conv_implicit_amd64.go.

//go:build amd64 && !purego

#include "textflag.h"

// func gatherRowsAVX512(dst, src *float32, rows, nr int, base, sel *int32, mask *uint32, offs, starts *int32)
// For p < rows: dst[p·nr+i] = src[base[p] + offs[sel[p]·nr+i]] where bit
// i of mask[p] is set, else 0; nr is 16 or 32. Each 16 lanes h whose
// starts[2·sel[p]+h] is not noRun are one masked load from
// src[base[p] + starts[2·sel[p]+h]], the others a masked gather.
TEXT ·gatherRowsAVX512(SB), NOSPLIT, $0-72
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ rows+16(FP), CX
	MOVQ nr+24(FP), R8
	MOVQ base+32(FP), R9
	MOVQ sel+40(FP), R10
	MOVQ mask+48(FP), R11
	MOVQ offs+56(FP), R12
	MOVQ starts+64(FP), R14
	MOVQ R8, R13
	SHLQ $2, R13 // bytes per row of offs and of dst

row:
	TESTQ CX, CX
	JEQ done
	MOVLQSX (R10), AX
	LEAQ (R14)(AX*8), DX // this row's two starts
	IMULQ R13, AX
	LEAQ (R12)(AX*1), BX // this row's offsets
	KMOVW (R11), K1
	MOVL (DX), AX
	CMPL AX, $-2147483648
	JEQ gather0
	ADDL (R9), AX
	MOVLQSX AX, AX
	VMOVUPS.Z (SI)(AX*4), K1, Z0
	JMP store0

gather0:
	VPBROADCASTD (R9), Z3
	VPADDD (BX), Z3, Z4
	VPXORD Z0, Z0, Z0
	VGATHERDPS (SI)(Z4*4), K1, Z0

store0:
	VMOVUPS Z0, (DI)
	CMPQ R8, $32
	JNE next
	KMOVW 2(R11), K2
	MOVL 4(DX), AX
	CMPL AX, $-2147483648
	JEQ gather1
	ADDL (R9), AX
	MOVLQSX AX, AX
	VMOVUPS.Z (SI)(AX*4), K2, Z1
	JMP store1

gather1:
	VPBROADCASTD (R9), Z3
	VPADDD 64(BX), Z3, Z5
	VPXORD Z1, Z1, Z1
	VGATHERDPS (SI)(Z5*4), K2, Z1

store1:
	VMOVUPS Z1, 64(DI)

next:
	ADDQ R13, DI
	ADDQ $4, R9
	ADDQ $4, R10
	ADDQ $4, R11
	DECQ CX
	JMP row

done:
	VZEROUPPER
	RET
