//go:build amd64 && !purego

#include "textflag.h"

// TRANSPOSE8 transposes the 8×8 block whose rows are Y0..Y7 into Y8..Y15,
// one step (column) a register: it interleaves pairs of rows, then pairs of
// pairs (each 128-bit lane then holds four values of one step), then joins
// the low lanes (steps 0-3) and the high lanes (steps 4-7). Y0..Y7 are
// left undefined.
#define TRANSPOSE8 \
	VUNPCKLPS Y1, Y0, Y8; \
	VUNPCKHPS Y1, Y0, Y9; \
	VUNPCKLPS Y3, Y2, Y10; \
	VUNPCKHPS Y3, Y2, Y11; \
	VUNPCKLPS Y5, Y4, Y12; \
	VUNPCKHPS Y5, Y4, Y13; \
	VUNPCKLPS Y7, Y6, Y14; \
	VUNPCKHPS Y7, Y6, Y15; \
	VSHUFPS $0x44, Y10, Y8, Y0; \
	VSHUFPS $0xEE, Y10, Y8, Y1; \
	VSHUFPS $0x44, Y11, Y9, Y2; \
	VSHUFPS $0xEE, Y11, Y9, Y3; \
	VSHUFPS $0x44, Y14, Y12, Y4; \
	VSHUFPS $0xEE, Y14, Y12, Y5; \
	VSHUFPS $0x44, Y15, Y13, Y6; \
	VSHUFPS $0xEE, Y15, Y13, Y7; \
	VPERM2F128 $0x20, Y4, Y0, Y8; \
	VPERM2F128 $0x20, Y5, Y1, Y9; \
	VPERM2F128 $0x20, Y6, Y2, Y10; \
	VPERM2F128 $0x20, Y7, Y3, Y11; \
	VPERM2F128 $0x31, Y4, Y0, Y12; \
	VPERM2F128 $0x31, Y5, Y1, Y13; \
	VPERM2F128 $0x31, Y6, Y2, Y14; \
	VPERM2F128 $0x31, Y7, Y3, Y15

// ACROSS_ARGS loads packAcross8AVX2's and packAcross6AVX2's arguments: DX
// dst, SI row 0, DI row 4, R8 ld and BX 3·ld in bytes, R9 w and R10 3·w in
// bytes, R12 8·w in bytes (dst's advance per block), CX kc.
#define ACROSS_ARGS \
	MOVQ dst+0(FP), DX; \
	MOVQ src+8(FP), SI; \
	MOVQ ld+16(FP), R8; \
	SHLQ $2, R8; \
	MOVQ w+24(FP), R9; \
	SHLQ $2, R9; \
	MOVQ kc+32(FP), CX; \
	LEAQ (R8)(R8*2), BX; \
	LEAQ (SI)(R8*4), DI; \
	LEAQ (R9)(R9*2), R10; \
	MOVQ R9, R12; \
	SHLQ $3, R12

// LOAD_ROWS6 loads eight steps of rows 0-5 into Y0..Y5.
#define LOAD_ROWS6 \
	VMOVUPS (SI), Y0; \
	VMOVUPS (SI)(R8*1), Y1; \
	VMOVUPS (SI)(R8*2), Y2; \
	VMOVUPS (SI)(BX*1), Y3; \
	VMOVUPS (DI), Y4; \
	VMOVUPS (DI)(R8*1), Y5

// NEXT_BLOCK moves on by eight steps and loops to block while eight remain.
#define NEXT_BLOCK \
	ADDQ $32, SI; \
	ADDQ $32, DI; \
	ADDQ R12, DX; \
	SUBQ $8, CX; \
	CMPQ CX, $8; \
	JGE block

// STEP_ROWS6 packs one step of rows 0-5.
#define STEP_ROWS6 \
	VMOVSS (SI), X0; \
	VMOVSS X0, (DX); \
	VMOVSS (SI)(R8*1), X0; \
	VMOVSS X0, 4(DX); \
	VMOVSS (SI)(R8*2), X0; \
	VMOVSS X0, 8(DX); \
	VMOVSS (SI)(BX*1), X0; \
	VMOVSS X0, 12(DX); \
	VMOVSS (DI), X0; \
	VMOVSS X0, 16(DX); \
	VMOVSS (DI)(R8*1), X0; \
	VMOVSS X0, 20(DX)

// NEXT_STEP moves on by one step and loops to step while any remain.
#define NEXT_STEP \
	ADDQ $4, SI; \
	ADDQ $4, DI; \
	ADDQ R9, DX; \
	DECQ CX; \
	JNZ step

// func packAcross8AVX2(dst, src *float32, ld, w, kc int)
//
// For p in [0, kc) and r in [0, 8): dst[p*w+r] = src[r*ld+p]. Eight steps at
// a time it loads an 8×8 block (one ymm per source row), transposes it in
// registers and stores one ymm per step; the last kc%8 steps go one float at
// a time.
TEXT ·packAcross8AVX2(SB), NOSPLIT, $0-40
	ACROSS_ARGS
	CMPQ CX, $8
	JLT  tail

block:
	LOAD_ROWS6
	VMOVUPS (DI)(R8*2), Y6
	VMOVUPS (DI)(BX*1), Y7

	TRANSPOSE8
	LEAQ (DX)(R9*4), R11
	VMOVUPS     Y8, (DX)
	VMOVUPS     Y9, (DX)(R9*1)
	VMOVUPS     Y10, (DX)(R9*2)
	VMOVUPS     Y11, (DX)(R10*1)
	VMOVUPS     Y12, (R11)
	VMOVUPS     Y13, (R11)(R9*1)
	VMOVUPS     Y14, (R11)(R9*2)
	VMOVUPS     Y15, (R11)(R10*1)

	NEXT_BLOCK

tail:
	TESTQ CX, CX
	JZ    done

step:
	STEP_ROWS6
	VMOVSS (DI)(R8*2), X0
	VMOVSS X0, 24(DX)
	VMOVSS (DI)(BX*1), X0
	VMOVSS X0, 28(DX)
	NEXT_STEP

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

// STORE6 stores the first six floats of y (its low half x, then two of
// the high half through t) at lo and hi = lo+16.
#define STORE6(y, x, t, lo, hi) \
	VMOVUPS x, lo; \
	VEXTRACTF128 $1, y, t; \
	VMOVQ t, hi

// func packAcross6AVX2(dst, src *float32, ld, w, kc int)
//
// For p in [0, kc) and r in [0, 6): dst[p*w+r] = src[r*ld+p], as
// packAcross8AVX2 with rows 6 and 7 taken from row 5 and only six values
// stored a step (four from the low lane, two from the high); for w == 6
// (the AVX2 kernel's slivers of op(A)), a block's 48 floats as six
// vectors.
TEXT ·packAcross6AVX2(SB), NOSPLIT, $0-40
	ACROSS_ARGS
	CMPQ CX, $8
	JLT  tail
	CMPQ R9, $24
	JEQ  block6

block:
	LOAD_ROWS6
	VMOVAPS Y5, Y6
	VMOVAPS Y5, Y7

	TRANSPOSE8
	LEAQ         (DX)(R9*4), R11
	STORE6(Y8, X8, X0, (DX), 16(DX))
	STORE6(Y9, X9, X1, (DX)(R9*1), 16(DX)(R9*1))
	STORE6(Y10, X10, X2, (DX)(R9*2), 16(DX)(R9*2))
	STORE6(Y11, X11, X3, (DX)(R10*1), 16(DX)(R10*1))
	STORE6(Y12, X12, X4, (R11), 16(R11))
	STORE6(Y13, X13, X5, (R11)(R9*1), 16(R11)(R9*1))
	STORE6(Y14, X14, X6, (R11)(R9*2), 16(R11)(R9*2))
	STORE6(Y15, X15, X7, (R11)(R10*1), 16(R11)(R10*1))

	NEXT_BLOCK
	JMP tail

	// w == 6: eight steps of the six rows are 48 floats in a row of dst,
	// stored as six whole vectors instead of 16 stores of four and two
	// floats. Each 128-bit lane holds four steps (the low ones steps 0-3,
	// the high ones 4-7): a 4×4 transpose of rows 0-3 (C0..C3, one step
	// each), rows 4 and 5 interleaved (X: steps 0 and 1, Y: 2 and 3), then
	// the lane's 24 floats as six runs of four (H0..H5: C0; X's and C1's
	// first pairs; C1's and X's second pairs; C2; Y's and C3's first
	// pairs; C3's and Y's second pairs), joined two by two across the
	// lanes.
block6:
	LOAD_ROWS6
	VUNPCKLPS  Y1, Y0, Y6    // r0 r1 of steps 0, 1
	VUNPCKHPS  Y1, Y0, Y7    // r0 r1 of steps 2, 3
	VUNPCKLPS  Y3, Y2, Y8    // r2 r3 of steps 0, 1
	VUNPCKHPS  Y3, Y2, Y9    // r2 r3 of steps 2, 3
	VUNPCKLPD  Y8, Y6, Y10   // C0 = H0
	VUNPCKHPD  Y8, Y6, Y11   // C1
	VUNPCKLPD  Y9, Y7, Y12   // C2 = H3
	VUNPCKHPD  Y9, Y7, Y13   // C3
	VUNPCKLPS  Y5, Y4, Y14   // X: r4 r5 of steps 0, 1
	VUNPCKHPS  Y5, Y4, Y15   // Y: r4 r5 of steps 2, 3
	VUNPCKLPD  Y11, Y14, Y0  // H1
	VUNPCKHPD  Y14, Y11, Y1  // H2
	VUNPCKLPD  Y13, Y15, Y2  // H4
	VUNPCKHPD  Y15, Y13, Y3  // H5
	VPERM2F128 $0x20, Y0, Y10, Y4
	VPERM2F128 $0x20, Y12, Y1, Y5
	VPERM2F128 $0x20, Y3, Y2, Y6
	VPERM2F128 $0x31, Y0, Y10, Y7
	VPERM2F128 $0x31, Y12, Y1, Y8
	VPERM2F128 $0x31, Y3, Y2, Y9
	VMOVUPS    Y4, (DX)
	VMOVUPS    Y5, 32(DX)
	VMOVUPS    Y6, 64(DX)
	VMOVUPS    Y7, 96(DX)
	VMOVUPS    Y8, 128(DX)
	VMOVUPS    Y9, 160(DX)

	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ R12, DX
	SUBQ $8, CX
	CMPQ CX, $8
	JGE  block6

tail:
	TESTQ CX, CX
	JZ    done

step:
	STEP_ROWS6
	NEXT_STEP

done:
	VZEROUPPER
	RET

// func packAlong6AVX2(dst, src *float32, ld, kc int)
//
// For p in [0, kc) and i in [0, 6): dst[p*6+i] = src[p*ld+i], four floats
// and two a step.
TEXT ·packAlong6AVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), R8
	SHLQ $2, R8            // R8 = ld in bytes
	MOVQ kc+24(FP), CX

along6:
	VMOVUPS (SI), X0
	VMOVQ   16(SI), X1
	VMOVUPS X0, (DI)
	VMOVQ   X1, 16(DI)
	ADDQ    R8, SI
	ADDQ    $24, DI
	DECQ    CX
	JNZ     along6
	RET

// func packAlongMaskAVX2(dst, src *float32, ld, w, kc int, mask *int32)
//
// For p in [0, kc) and i in [0, w): dst[p*w+i] = src[p*ld+i] where lane i
// of mask is set (all ones), else 0, w 6 or a multiple of 8 (mask holds
// max(w, 8) lanes): a ragged sliver, its lanes past the sliver's width
// neither read (masked loads) nor left unwritten. With w == 6, six floats
// a step, four and two as STORE6.
TEXT ·packAlongMaskAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), R8
	SHLQ $2, R8            // R8 = ld in bytes
	MOVQ w+24(FP), R9
	MOVQ kc+32(FP), CX
	MOVQ mask+40(FP), R10
	CMPQ R9, $6
	JEQ  six
	SHRQ $3, R9            // R9 = vectors per step

masked:
	MOVQ R9, BX
	MOVQ SI, AX
	MOVQ R10, DX

mvector:
	VMOVDQU    (DX), Y1
	VMASKMOVPS (AX), Y1, Y0
	VMOVUPS    Y0, (DI)
	ADDQ       $32, AX
	ADDQ       $32, DX
	ADDQ       $32, DI
	DECQ       BX
	JNZ        mvector
	ADDQ       R8, SI
	DECQ       CX
	JNZ        masked
	VZEROUPPER
	RET

six:
	VMOVDQU (R10), Y1

sixstep:
	VMASKMOVPS (SI), Y1, Y0
	STORE6(Y0, X0, X2, (DI), 16(DI))
	ADDQ       R8, SI
	ADDQ       $24, DI
	DECQ       CX
	JNZ        sixstep
	VZEROUPPER
	RET
