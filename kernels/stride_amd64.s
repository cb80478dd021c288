//go:build amd64 && !purego

#include "textflag.h"

// Stride-2 gathers and scatter-adds of im2col and col2im: see stride_amd64.go.

// evens32 indexes the even floats of two vectors of 16 (VPERMT2PS).
DATA evens32<>+0(SB)/4, $0
DATA evens32<>+4(SB)/4, $2
DATA evens32<>+8(SB)/4, $4
DATA evens32<>+12(SB)/4, $6
DATA evens32<>+16(SB)/4, $8
DATA evens32<>+20(SB)/4, $10
DATA evens32<>+24(SB)/4, $12
DATA evens32<>+28(SB)/4, $14
DATA evens32<>+32(SB)/4, $16
DATA evens32<>+36(SB)/4, $18
DATA evens32<>+40(SB)/4, $20
DATA evens32<>+44(SB)/4, $22
DATA evens32<>+48(SB)/4, $24
DATA evens32<>+52(SB)/4, $26
DATA evens32<>+56(SB)/4, $28
DATA evens32<>+60(SB)/4, $30
GLOBL evens32<>(SB), RODATA|NOPTR, $64

// spreadLo and spreadHi put floats 0–7 and 8–15 of a vector at the even
// lanes of one, lane 0 of the second table (zero) at the odd ones.
DATA spreadLo<>+0(SB)/4, $0
DATA spreadLo<>+4(SB)/4, $16
DATA spreadLo<>+8(SB)/4, $1
DATA spreadLo<>+12(SB)/4, $16
DATA spreadLo<>+16(SB)/4, $2
DATA spreadLo<>+20(SB)/4, $16
DATA spreadLo<>+24(SB)/4, $3
DATA spreadLo<>+28(SB)/4, $16
DATA spreadLo<>+32(SB)/4, $4
DATA spreadLo<>+36(SB)/4, $16
DATA spreadLo<>+40(SB)/4, $5
DATA spreadLo<>+44(SB)/4, $16
DATA spreadLo<>+48(SB)/4, $6
DATA spreadLo<>+52(SB)/4, $16
DATA spreadLo<>+56(SB)/4, $7
DATA spreadLo<>+60(SB)/4, $16
GLOBL spreadLo<>(SB), RODATA|NOPTR, $64
DATA spreadHi<>+0(SB)/4, $8
DATA spreadHi<>+4(SB)/4, $16
DATA spreadHi<>+8(SB)/4, $9
DATA spreadHi<>+12(SB)/4, $16
DATA spreadHi<>+16(SB)/4, $10
DATA spreadHi<>+20(SB)/4, $16
DATA spreadHi<>+24(SB)/4, $11
DATA spreadHi<>+28(SB)/4, $16
DATA spreadHi<>+32(SB)/4, $12
DATA spreadHi<>+36(SB)/4, $16
DATA spreadHi<>+40(SB)/4, $13
DATA spreadHi<>+44(SB)/4, $16
DATA spreadHi<>+48(SB)/4, $14
DATA spreadHi<>+52(SB)/4, $16
DATA spreadHi<>+56(SB)/4, $15
DATA spreadHi<>+60(SB)/4, $16
GLOBL spreadHi<>(SB), RODATA|NOPTR, $64

// func gather2AVX512(dst, src *float32, n int)
// dst[i] = src[2i] for i < n, n a multiple of 16; reads src[0:2n].
TEXT ·gather2AVX512(SB), NOSPLIT, $0-24
	MOVQ    dst+0(FP), DI
	MOVQ    src+8(FP), SI
	MOVQ    n+16(FP), CX
	VMOVUPS evens32<>(SB), Z2

g512:
	VMOVUPS   (SI), Z0
	VPERMT2PS 64(SI), Z2, Z0
	VMOVUPS   Z0, (DI)
	ADDQ      $128, SI
	ADDQ      $64, DI
	SUBQ      $16, CX
	JNZ       g512
	VZEROUPPER
	RET

// func scatterAdd2AVX512(dst, src *float32, n int)
// dst[2i] += src[i] for i < n, n a multiple of 16; the odd floats of
// dst[0:2n] are stored back as they were.
TEXT ·scatterAdd2AVX512(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVL $0x5555, AX
	KMOVW AX, K1
	VPXORD Z5, Z5, Z5
	VMOVUPS spreadLo<>(SB), Z3
	VMOVUPS spreadHi<>(SB), Z4

s512:
	VMOVUPS   (SI), Z0
	VMOVAPS   Z0, Z1
	VPERMT2PS Z5, Z3, Z0 // src 0..7 at the even lanes
	VPERMT2PS Z5, Z4, Z1 // src 8..15 at the even lanes
	VMOVUPS   (DI), Z9
	VMOVUPS   64(DI), Z10
	VADDPS    Z0, Z9, K1, Z9
	VADDPS    Z1, Z10, K1, Z10
	VMOVUPS   Z9, (DI)
	VMOVUPS   Z10, 64(DI)
	ADDQ      $64, SI
	ADDQ      $128, DI
	SUBQ      $16, CX
	JNZ       s512
	VZEROUPPER
	RET

// func gather2AVX2(dst, src *float32, n int)
// dst[i] = src[2i] for i < n, n a multiple of 8; reads src[0:2n]. Per
// vector: the even floats of each 128-bit lane of two loads side by side
// (VSHUFPS), their 64-bit pairs put in order (VPERMPD).
TEXT ·gather2AVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX

g256:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y0 // s0 s2 s8 s10 | s4 s6 s12 s14
	VPERMPD $0xD8, Y0, Y0     // s0 s2 s4 s6 | s8 s10 s12 s14
	VMOVUPS Y0, (DI)
	ADDQ    $64, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JNZ     g256
	VZEROUPPER
	RET

// func scatterAdd2AVX2(dst, src *float32, n int)
// dst[2i] += src[i] for i < n, n a multiple of 8; the odd floats of
// dst[0:2n] are stored back as they were: −0 is added to them, which
// leaves every float as it was, −0 and NaNs included.
TEXT ·scatterAdd2AVX2(SB), NOSPLIT, $0-24
	MOVQ         dst+0(FP), DI
	MOVQ         src+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS negZero32<>(SB), Y5

s256:
	VMOVUPS    (SI), Y0
	VUNPCKLPS  Y5, Y0, Y1        // s0 −0 s1 −0 | s4 −0 s5 −0
	VUNPCKHPS  Y5, Y0, Y2        // s2 −0 s3 −0 | s6 −0 s7 −0
	VPERM2F128 $0x20, Y2, Y1, Y3 // s0..s3 at the even lanes
	VPERM2F128 $0x31, Y2, Y1, Y4 // s4..s7 at the even lanes
	VADDPS     (DI), Y3, Y3
	VADDPS     32(DI), Y4, Y4
	VMOVUPS    Y3, (DI)
	VMOVUPS    Y4, 32(DI)
	ADDQ       $32, SI
	ADDQ       $64, DI
	SUBQ       $8, CX
	JNZ        s256
	VZEROUPPER
	RET

DATA negZero32<>+0(SB)/4, $0x80000000
GLOBL negZero32<>(SB), RODATA|NOPTR, $4

// col2imTail masks the last lane of a vector of 8: the last block's taps
// s = 0 read the row one float ahead, and its last output has none.
DATA col2imTail<>+0(SB)/4, $0xffffffff
DATA col2imTail<>+4(SB)/4, $0xffffffff
DATA col2imTail<>+8(SB)/4, $0xffffffff
DATA col2imTail<>+12(SB)/4, $0xffffffff
DATA col2imTail<>+16(SB)/4, $0xffffffff
DATA col2imTail<>+20(SB)/4, $0xffffffff
DATA col2imTail<>+24(SB)/4, $0xffffffff
DATA col2imTail<>+28(SB)/4, $0
GLOBL col2imTail<>(SB), RODATA|NOPTR, $32

// func col2imS2RowAVX2(dst, a0, a1, a2, b0, b1, b2 *float32, n, pairs int)
//
// For each block of 8 outputs j: E = 0 + a1[j] (+ b1[j]), O = 0 + a0[j+1]
// + a2[j] (+ b0[j+1] + b2[j]), in that order, a0[j+1] and b0[j+1] masked
// off at the row's last float (an add of +0 to a sum begun at +0, which is
// never −0, leaves it as it was); dst[2j] = E, dst[2j+1] = O.
TEXT ·col2imS2RowAVX2(SB), NOSPLIT, $0-72
	MOVQ    dst+0(FP), DI
	MOVQ    a0+8(FP), R8
	MOVQ    a1+16(FP), R9
	MOVQ    a2+24(FP), R10
	MOVQ    b0+32(FP), R11
	MOVQ    b1+40(FP), R12
	MOVQ    b2+48(FP), R13
	MOVQ    n+56(FP), CX
	MOVQ    pairs+64(FP), DX
	VXORPS  Y15, Y15, Y15
	CMPQ    CX, $4
	JEQ     c2four
	VMOVDQU col2imTail<>(SB), Y14
	XORQ    AX, AX     // j·4
	SHLQ    $2, CX     // n·4
	SUBQ    $32, CX    // where the last block starts

c2block:
	CMPQ       AX, CX
	JEQ        c2last
	VADDPS     (R9)(AX*1), Y15, Y0
	VADDPS     4(R8)(AX*1), Y15, Y1
	VADDPS     (R10)(AX*1), Y1, Y1
	CMPQ       DX, $2
	JNE        c2store
	VADDPS     (R12)(AX*1), Y0, Y0
	VADDPS     4(R11)(AX*1), Y1, Y1
	VADDPS     (R13)(AX*1), Y1, Y1
	JMP        c2store

c2last:
	VMASKMOVPS 4(R8)(AX*1), Y14, Y2
	VADDPS     (R9)(AX*1), Y15, Y0
	VADDPS     Y2, Y15, Y1
	VADDPS     (R10)(AX*1), Y1, Y1
	CMPQ       DX, $2
	JNE        c2store
	VMASKMOVPS 4(R11)(AX*1), Y14, Y2
	VADDPS     (R12)(AX*1), Y0, Y0
	VADDPS     Y2, Y1, Y1
	VADDPS     (R13)(AX*1), Y1, Y1

c2store:
	VUNPCKLPS  Y1, Y0, Y2        // e0 o0 e1 o1 | e4 o4 e5 o5
	VUNPCKHPS  Y1, Y0, Y3        // e2 o2 e3 o3 | e6 o6 e7 o7
	VPERM2F128 $0x20, Y3, Y2, Y4 // e0 o0 … e3 o3
	VPERM2F128 $0x31, Y3, Y2, Y5 // e4 o4 … e7 o7
	VMOVUPS    Y4, (DI)(AX*2)
	VMOVUPS    Y5, 32(DI)(AX*2)
	CMPQ       AX, CX
	JEQ        c2done
	ADDQ       $32, AX
	JMP        c2block

c2done:
	VZEROUPPER
	RET

c2four: // n = 4: one block of 4 on the low halves, its last lane masked
	VMOVDQU    col2imTail<>+16(SB), X13
	VMASKMOVPS 4(R8), X13, X2
	VADDPS     (R9), X15, X0
	VADDPS     X2, X15, X1
	VADDPS     (R10), X1, X1
	CMPQ       DX, $2
	JNE        c2fourStore
	VMASKMOVPS 4(R11), X13, X2
	VADDPS     (R12), X0, X0
	VADDPS     X2, X1, X1
	VADDPS     (R13), X1, X1

c2fourStore:
	VUNPCKLPS X1, X0, X2 // e0 o0 e1 o1
	VUNPCKHPS X1, X0, X3 // e2 o2 e3 o3
	VMOVUPS   X2, (DI)
	VMOVUPS   X3, 16(DI)
	VZEROUPPER
	RET

// func im2colS2RowAVX2(s0, s1, s2, src *float32, n int)
//
// For each block of 8 outputs j, from src[2j:2j+16]: its even floats to
// s1[j:], its odd ones to s2[j:], and to s0[j:] the odd ones one place on,
// the block's first the last odd float of the block before (0 for the
// first block).
TEXT ·im2colS2RowAVX2(SB), NOSPLIT, $0-40
	MOVQ    s0+0(FP), R8
	MOVQ    s1+8(FP), R9
	MOVQ    s2+16(FP), R10
	MOVQ    src+24(FP), SI
	MOVQ    n+32(FP), CX
	CMPQ    CX, $4
	JEQ     i2four
	VMOVDQU im2colRot<>(SB), Y7
	VXORPS  Y6, Y6, Y6 // the block before's odd floats rotated: lane 0 its last
	XORQ    AX, AX     // j·4
	SHLQ    $2, CX

i2block:
	VMOVUPS  (SI)(AX*2), Y0
	VMOVUPS  32(SI)(AX*2), Y1
	VSHUFPS  $0x88, Y1, Y0, Y2 // x0 x2 x8 x10 | x4 x6 x12 x14
	VSHUFPS  $0xdd, Y1, Y0, Y3 // x1 x3 x9 x11 | x5 x7 x13 x15
	VPERMPD  $0xd8, Y2, Y2     // x0 x2 x4 x6 x8 x10 x12 x14
	VPERMPD  $0xd8, Y3, Y3     // x1 x3 … x15
	VMOVUPS  Y2, (R9)(AX*1)
	VMOVUPS  Y3, (R10)(AX*1)
	VPERMPS  Y3, Y7, Y4        // x15 x1 x3 … x13
	VBLENDPS $1, Y6, Y4, Y5    // lane 0 from the block before
	VMOVUPS  Y5, (R8)(AX*1)
	VMOVAPS  Y4, Y6
	ADDQ     $32, AX
	CMPQ     AX, CX
	JNE      i2block
	VZEROUPPER
	RET

i2four: // n = 4: src[0:8] in two halves
	VMOVUPS (SI), X0
	VMOVUPS 16(SI), X1
	VSHUFPS $0x88, X1, X0, X2 // x0 x2 x4 x6
	VSHUFPS $0xdd, X1, X0, X3 // x1 x3 x5 x7
	VMOVUPS X2, (R9)
	VMOVUPS X3, (R10)
	VPSLLDQ $4, X3, X4        // 0 x1 x3 x5
	VMOVUPS X4, (R8)
	VZEROUPPER
	RET

// im2colRot rotates a vector of 8 one lane up (VPERMPS): lane i takes lane
// i−1, lane 0 lane 7.
DATA im2colRot<>+0(SB)/4, $7
DATA im2colRot<>+4(SB)/4, $0
DATA im2colRot<>+8(SB)/4, $1
DATA im2colRot<>+12(SB)/4, $2
DATA im2colRot<>+16(SB)/4, $3
DATA im2colRot<>+20(SB)/4, $4
DATA im2colRot<>+24(SB)/4, $5
DATA im2colRot<>+28(SB)/4, $6
GLOBL im2colRot<>(SB), RODATA|NOPTR, $32
