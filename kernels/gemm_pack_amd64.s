//go:build amd64 && !purego

#include "textflag.h"

// func packAcross8AVX2(dst, src *float32, ld, w, kc int)
//
// For p in [0, kc) and r in [0, 8): dst[p*w+r] = src[r*ld+p]. Eight steps at
// a time it loads an 8×8 block (one ymm per source row), transposes it in
// registers and stores one ymm per step; the last kc%8 steps go one float at
// a time.
TEXT ·packAcross8AVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DX
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), R8
	SHLQ $2, R8            // R8 = ld in bytes
	MOVQ w+24(FP), R9
	SHLQ $2, R9            // R9 = w in bytes
	MOVQ kc+32(FP), CX
	LEAQ (R8)(R8*2), BX    // BX = 3·ld
	LEAQ (SI)(R8*4), DI    // DI = row 4
	LEAQ (R9)(R9*2), R10   // R10 = 3·w
	MOVQ R9, R12
	SHLQ $3, R12           // R12 = 8·w: dst advance per block
	CMPQ CX, $8
	JLT  tail

block:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R8*1), Y1
	VMOVUPS (SI)(R8*2), Y2
	VMOVUPS (SI)(BX*1), Y3
	VMOVUPS (DI), Y4
	VMOVUPS (DI)(R8*1), Y5
	VMOVUPS (DI)(R8*2), Y6
	VMOVUPS (DI)(BX*1), Y7

	// Interleave pairs of rows, then pairs of pairs: each 128-bit lane of
	// Y0..Y7 then holds four values of one step.
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15
	VSHUFPS   $0x44, Y10, Y8, Y0
	VSHUFPS   $0xEE, Y10, Y8, Y1
	VSHUFPS   $0x44, Y11, Y9, Y2
	VSHUFPS   $0xEE, Y11, Y9, Y3
	VSHUFPS   $0x44, Y14, Y12, Y4
	VSHUFPS   $0xEE, Y14, Y12, Y5
	VSHUFPS   $0x44, Y15, Y13, Y6
	VSHUFPS   $0xEE, Y15, Y13, Y7

	// Join the low lanes (steps 0-3) and the high lanes (steps 4-7).
	LEAQ        (DX)(R9*4), R11
	VPERM2F128  $0x20, Y4, Y0, Y8
	VPERM2F128  $0x20, Y5, Y1, Y9
	VPERM2F128  $0x20, Y6, Y2, Y10
	VPERM2F128  $0x20, Y7, Y3, Y11
	VPERM2F128  $0x31, Y4, Y0, Y12
	VPERM2F128  $0x31, Y5, Y1, Y13
	VPERM2F128  $0x31, Y6, Y2, Y14
	VPERM2F128  $0x31, Y7, Y3, Y15
	VMOVUPS     Y8, (DX)
	VMOVUPS     Y9, (DX)(R9*1)
	VMOVUPS     Y10, (DX)(R9*2)
	VMOVUPS     Y11, (DX)(R10*1)
	VMOVUPS     Y12, (R11)
	VMOVUPS     Y13, (R11)(R9*1)
	VMOVUPS     Y14, (R11)(R9*2)
	VMOVUPS     Y15, (R11)(R10*1)

	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ R12, DX
	SUBQ $8, CX
	CMPQ CX, $8
	JGE  block

tail:
	TESTQ CX, CX
	JZ    done

step:
	MOVSS (SI), X0
	MOVSS X0, (DX)
	MOVSS (SI)(R8*1), X0
	MOVSS X0, 4(DX)
	MOVSS (SI)(R8*2), X0
	MOVSS X0, 8(DX)
	MOVSS (SI)(BX*1), X0
	MOVSS X0, 12(DX)
	MOVSS (DI), X0
	MOVSS X0, 16(DX)
	MOVSS (DI)(R8*1), X0
	MOVSS X0, 20(DX)
	MOVSS (DI)(R8*2), X0
	MOVSS X0, 24(DX)
	MOVSS (DI)(BX*1), X0
	MOVSS X0, 28(DX)
	ADDQ  $4, SI
	ADDQ  $4, DI
	ADDQ  R9, DX
	DECQ  CX
	JNZ   step

done:
	VZEROUPPER
	RET

// func packAlongAVX2(dst, src *float32, ld, w, kc int)
//
// For p in [0, kc) and i in [0, w): dst[p*w+i] = src[p*ld+i], w a multiple
// of 8, one ymm at a time.
TEXT ·packAlongAVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), R8
	SHLQ $2, R8            // R8 = ld in bytes
	MOVQ w+24(FP), R9
	SHRQ $3, R9            // R9 = vectors per step
	MOVQ kc+32(FP), CX

along:
	MOVQ R9, BX
	MOVQ SI, AX

vector:
	VMOVUPS (AX), Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, AX
	ADDQ    $32, DI
	DECQ    BX
	JNZ     vector
	ADDQ    R8, SI
	DECQ    CX
	JNZ     along

	VZEROUPPER
	RET
