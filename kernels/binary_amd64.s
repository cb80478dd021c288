// Element-wise Add, Sub, Mul, Div, TanhGrad and SigmoidGrad of contiguous spans, and Add then TanhGrad in one pass: see binary_amd64.go.

//go:build amd64 && !purego

#include "textflag.h"

// BINF512 defines name(d, x, y *float32, n int): d[i] = f(x[i], y[i]) for
// i < n, n > 0; four vectors a step, then one, then a masked one. F(Y, X)
// leaves f of the vectors X (of x) and Y (of y, which it may overwrite) in
// X; SETUP runs once, before the loop.
#define BINF512(name, SETUP, F) \
TEXT name(SB), NOSPLIT, $0-32 \
	MOVQ d+0(FP), DI \
	MOVQ x+8(FP), SI \
	MOVQ y+16(FP), DX \
	MOVQ n+24(FP), CX \
	SETUP \
x4: \
	CMPQ CX, $64 \
	JLT one \
	VMOVUPS (SI), Z0 \
	VMOVUPS 64(SI), Z1 \
	VMOVUPS 128(SI), Z2 \
	VMOVUPS 192(SI), Z3 \
	VMOVUPS (DX), Z4 \
	VMOVUPS 64(DX), Z5 \
	VMOVUPS 128(DX), Z6 \
	VMOVUPS 192(DX), Z7 \
	F(Z4, Z0) \
	F(Z5, Z1) \
	F(Z6, Z2) \
	F(Z7, Z3) \
	VMOVUPS Z0, (DI) \
	VMOVUPS Z1, 64(DI) \
	VMOVUPS Z2, 128(DI) \
	VMOVUPS Z3, 192(DI) \
	ADDQ $256, SI \
	ADDQ $256, DX \
	ADDQ $256, DI \
	SUBQ $64, CX \
	JMP x4 \
one: \
	CMPQ CX, $16 \
	JLT tail \
	VMOVUPS (SI), Z0 \
	VMOVUPS (DX), Z4 \
	F(Z4, Z0) \
	VMOVUPS Z0, (DI) \
	ADDQ $64, SI \
	ADDQ $64, DX \
	ADDQ $64, DI \
	SUBQ $16, CX \
	JMP one \
tail: \
	TESTQ CX, CX \
	JEQ done \
	MOVL $1, AX \
	SHLL CX, AX \
	DECL AX \
	KMOVW AX, K1 \
	VMOVUPS.Z (SI), K1, Z0 \
	VMOVUPS.Z (DX), K1, Z4 \
	F(Z4, Z0) \
	VMOVUPS Z0, K1, (DI) \
done: \
	VZEROUPPER \
	RET

// BINF256 is BINF512 for whole vectors of 8 (n a multiple of 8): the
// caller handles the rest.
#define BINF256(name, SETUP, F) \
TEXT name(SB), NOSPLIT, $0-32 \
	MOVQ d+0(FP), DI \
	MOVQ x+8(FP), SI \
	MOVQ y+16(FP), DX \
	MOVQ n+24(FP), CX \
	SETUP \
x4: \
	CMPQ CX, $32 \
	JLT one \
	VMOVUPS (SI), Y0 \
	VMOVUPS 32(SI), Y1 \
	VMOVUPS 64(SI), Y2 \
	VMOVUPS 96(SI), Y3 \
	VMOVUPS (DX), Y4 \
	VMOVUPS 32(DX), Y5 \
	VMOVUPS 64(DX), Y6 \
	VMOVUPS 96(DX), Y7 \
	F(Y4, Y0) \
	F(Y5, Y1) \
	F(Y6, Y2) \
	F(Y7, Y3) \
	VMOVUPS Y0, (DI) \
	VMOVUPS Y1, 32(DI) \
	VMOVUPS Y2, 64(DI) \
	VMOVUPS Y3, 96(DI) \
	ADDQ $128, SI \
	ADDQ $128, DX \
	ADDQ $128, DI \
	SUBQ $32, CX \
	JMP x4 \
one: \
	CMPQ CX, $8 \
	JLT done \
	VMOVUPS (SI), Y0 \
	VMOVUPS (DX), Y4 \
	F(Y4, Y0) \
	VMOVUPS Y0, (DI) \
	ADDQ $32, SI \
	ADDQ $32, DX \
	ADDQ $32, DI \
	SUBQ $8, CX \
	JMP one \
done: \
	VZEROUPPER \
	RET

// The operations: each takes x as its instructions' first source (Go
// assembly: OP y, x, d), so that x op y keeps its order, NaNs included.
#define NOSETUP
#define ADD(Y, X) VADDPS Y, X, X
#define SUB(Y, X) VSUBPS Y, X, X
#define MUL(Y, X) VMULPS Y, X, X
#define DIV(Y, X) VDIVPS Y, X, X

BINF512(·addAVX512, NOSETUP, ADD)

BINF512(·subAVX512, NOSETUP, SUB)

BINF512(·mulAVX512, NOSETUP, MUL)

BINF512(·divAVX512, NOSETUP, DIV)

BINF256(·addAVX2, NOSETUP, ADD)

BINF256(·subAVX2, NOSETUP, SUB)

BINF256(·mulAVX2, NOSETUP, MUL)

BINF256(·divAVX2, NOSETUP, DIV)

// ONES512 and ONES256 set Z31 and Y15 to 1.0 in every lane.
#define ONES512 \
	MOVL $0x3f800000, AX \
	VPBROADCASTD AX, Z31

#define ONES256 \
	MOVL $0x3f800000, AX \
	VMOVD AX, X15 \
	VPBROADCASTD X15, Y15

// TANHGRAD is x·(1 − y·y), each operation rounded as the Go loop's.
#define TANHGRAD512(Y, X) \
	VMULPS Y, Y, Y \
	VSUBPS Y, Z31, Y \
	VMULPS Y, X, X

#define TANHGRAD256(Y, X) \
	VMULPS Y, Y, Y \
	VSUBPS Y, Y15, Y \
	VMULPS Y, X, X

// SIGMOIDGRAD is (x·y)·(1 − y), likewise.
#define SIGMOIDGRAD512(Y, X) \
	VMULPS Y, X, X \
	VSUBPS Y, Z31, Y \
	VMULPS Y, X, X

#define SIGMOIDGRAD256(Y, X) \
	VMULPS Y, X, X \
	VSUBPS Y, Y15, Y \
	VMULPS Y, X, X

BINF512(·tanhGradAVX512, ONES512, TANHGRAD512)

BINF512(·sigmoidGradAVX512, ONES512, SIGMOIDGRAD512)

BINF256(·tanhGradAVX2, ONES256, TANHGRAD256)

BINF256(·sigmoidGradAVX2, ONES256, SIGMOIDGRAD256)

// func whereAVX512(d *float32, c *uint32, a, b *float32, n int, m uint32)
//
// d[i] = a[i] where c[i]'s bits under m are not all zero, else b[i], for
// i < n, n > 0: 16 values a step, then a masked step. With m = 0x7fffffff
// a float32 c tests c ≠ 0 (NaN included, −0 not), with m = ^0 an int32 c.
TEXT ·whereAVX512(SB), NOSPLIT, $0-44
	MOVQ d+0(FP), DI
	MOVQ c+8(FP), R8
	MOVQ a+16(FP), SI
	MOVQ b+24(FP), DX
	MOVQ n+32(FP), CX
	MOVL m+40(FP), AX
	VPBROADCASTD AX, Z31

where16:
	CMPQ CX, $16
	JLT wheretail
	VMOVDQU32 (R8), Z0
	VPTESTMD Z31, Z0, K1
	VMOVUPS (DX), Z1
	VMOVUPS (SI), Z2
	VBLENDMPS Z2, Z1, K1, Z1
	VMOVUPS Z1, (DI)
	ADDQ $64, R8
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP where16

wheretail:
	TESTQ CX, CX
	JEQ wheredone
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K2
	VMOVDQU32.Z (R8), K2, Z0
	VPTESTMD Z31, Z0, K1
	VMOVUPS.Z (DX), K2, Z1
	VMOVUPS.Z (SI), K2, Z2
	VBLENDMPS Z2, Z1, K1, Z1
	VMOVUPS Z1, K2, (DI)

wheredone:
	VZEROUPPER
	RET

// func whereAVX2(d *float32, c *uint32, a, b *float32, n int, m uint32)
//
// whereAVX512 for whole vectors of 8 (n a multiple of 8).
TEXT ·whereAVX2(SB), NOSPLIT, $0-44
	MOVQ d+0(FP), DI
	MOVQ c+8(FP), R8
	MOVQ a+16(FP), SI
	MOVQ b+24(FP), DX
	MOVQ n+32(FP), CX
	MOVL m+40(FP), AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	VPXOR Y14, Y14, Y14

where8:
	VPAND (R8), Y15, Y0
	VPCMPEQD Y14, Y0, Y0
	VMOVUPS (SI), Y1
	VBLENDVPS Y0, (DX), Y1, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, R8
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX
	JNZ where8
	VZEROUPPER
	RET

// func addTanhGradAVX512(d, x, r, y *float32, n int)
//
// d[i] = (x[i] + r[i])·(1 − y[i]·y[i]) for i < n, n > 0: Add, then
// TANHGRAD, each operation rounded as binarySpan's loops round them (the
// recurrences' backward epilogue in one pass). 16 values a step, then a
// masked step.
TEXT ·addTanhGradAVX512(SB), NOSPLIT, $0-40
	MOVQ d+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ r+16(FP), BX
	MOVQ y+24(FP), DX
	MOVQ n+32(FP), CX
	ONES512

atg16:
	CMPQ CX, $16
	JLT atgtail
	VMOVUPS (SI), Z0
	VADDPS (BX), Z0, Z0
	VMOVUPS (DX), Z4
	TANHGRAD512(Z4, Z0)
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, BX
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP atg16

atgtail:
	TESTQ CX, CX
	JEQ atgdone
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (BX), K1, Z1
	VADDPS Z1, Z0, Z0
	VMOVUPS.Z (DX), K1, Z4
	TANHGRAD512(Z4, Z0)
	VMOVUPS Z0, K1, (DI)

atgdone:
	VZEROUPPER
	RET

// func addTanhGradAVX2(d, x, r, y *float32, n int)
//
// addTanhGradAVX512 for whole vectors of 8 (n a multiple of 8).
TEXT ·addTanhGradAVX2(SB), NOSPLIT, $0-40
	MOVQ d+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ r+16(FP), BX
	MOVQ y+24(FP), DX
	MOVQ n+32(FP), CX
	ONES256
	SHRQ $3, CX
	JZ atg8done

atg8:
	VMOVUPS (SI), Y0
	VADDPS (BX), Y0, Y0
	VMOVUPS (DX), Y4
	TANHGRAD256(Y4, Y0)
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, BX
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ atg8

atg8done:
	VZEROUPPER
	RET
