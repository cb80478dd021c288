// Max pooling of 2×2 windows at stride 2 with AVX-512: see pool_amd64.go.

//go:build amd64 && !purego

#include "textflag.h"

DATA c_even<>+0(SB)/4, $0
DATA c_even<>+4(SB)/4, $2
DATA c_even<>+8(SB)/4, $4
DATA c_even<>+12(SB)/4, $6
DATA c_even<>+16(SB)/4, $8
DATA c_even<>+20(SB)/4, $10
DATA c_even<>+24(SB)/4, $12
DATA c_even<>+28(SB)/4, $14
DATA c_even<>+32(SB)/4, $16
DATA c_even<>+36(SB)/4, $18
DATA c_even<>+40(SB)/4, $20
DATA c_even<>+44(SB)/4, $22
DATA c_even<>+48(SB)/4, $24
DATA c_even<>+52(SB)/4, $26
DATA c_even<>+56(SB)/4, $28
DATA c_even<>+60(SB)/4, $30
GLOBL c_even<>(SB), RODATA|NOPTR, $64

DATA c_odd<>+0(SB)/4, $1
DATA c_odd<>+4(SB)/4, $3
DATA c_odd<>+8(SB)/4, $5
DATA c_odd<>+12(SB)/4, $7
DATA c_odd<>+16(SB)/4, $9
DATA c_odd<>+20(SB)/4, $11
DATA c_odd<>+24(SB)/4, $13
DATA c_odd<>+28(SB)/4, $15
DATA c_odd<>+32(SB)/4, $17
DATA c_odd<>+36(SB)/4, $19
DATA c_odd<>+40(SB)/4, $21
DATA c_odd<>+44(SB)/4, $23
DATA c_odd<>+48(SB)/4, $25
DATA c_odd<>+52(SB)/4, $27
DATA c_odd<>+56(SB)/4, $29
DATA c_odd<>+60(SB)/4, $31
GLOBL c_odd<>(SB), RODATA|NOPTR, $64

// c_ilo and c_ihi interleave two vectors a and b (VPERMT2PS): a0, b0,
// a1, b1, … from their low and their high halves.
DATA c_ilo<>+0(SB)/4, $0
DATA c_ilo<>+4(SB)/4, $16
DATA c_ilo<>+8(SB)/4, $1
DATA c_ilo<>+12(SB)/4, $17
DATA c_ilo<>+16(SB)/4, $2
DATA c_ilo<>+20(SB)/4, $18
DATA c_ilo<>+24(SB)/4, $3
DATA c_ilo<>+28(SB)/4, $19
DATA c_ilo<>+32(SB)/4, $4
DATA c_ilo<>+36(SB)/4, $20
DATA c_ilo<>+40(SB)/4, $5
DATA c_ilo<>+44(SB)/4, $21
DATA c_ilo<>+48(SB)/4, $6
DATA c_ilo<>+52(SB)/4, $22
DATA c_ilo<>+56(SB)/4, $7
DATA c_ilo<>+60(SB)/4, $23
GLOBL c_ilo<>(SB), RODATA|NOPTR, $64

DATA c_ihi<>+0(SB)/4, $8
DATA c_ihi<>+4(SB)/4, $24
DATA c_ihi<>+8(SB)/4, $9
DATA c_ihi<>+12(SB)/4, $25
DATA c_ihi<>+16(SB)/4, $10
DATA c_ihi<>+20(SB)/4, $26
DATA c_ihi<>+24(SB)/4, $11
DATA c_ihi<>+28(SB)/4, $27
DATA c_ihi<>+32(SB)/4, $12
DATA c_ihi<>+36(SB)/4, $28
DATA c_ihi<>+40(SB)/4, $13
DATA c_ihi<>+44(SB)/4, $29
DATA c_ihi<>+48(SB)/4, $14
DATA c_ihi<>+52(SB)/4, $30
DATA c_ihi<>+56(SB)/4, $15
DATA c_ihi<>+60(SB)/4, $31
GLOBL c_ihi<>(SB), RODATA|NOPTR, $64
// PICK leaves in Zv, Zi the first of (Za, Zia) and (Zb, Zib) to win
// under kernels.pick: b wins when !(b <= a) (b larger, or a NaN b) and a
// is not a NaN.
#define PICK(Za, Zia, Zb, Zib, Zv, Zi) \
	VCMPPS $0x07, Za, Za, K1 \
	VCMPPS $0x16, Za, Zb, K1, K1 \
	VBLENDMPS Zb, Za, K1, Zv \
	VPBLENDMD Zib, Zia, K1, Zi

// WINDOWS turns rows Z0:Z1 (top) and Z2:Z3 (bottom) into the 16 window
// maxima in Z16 and their indices in Z17.
#define WINDOWS \
	VMOVAPS Z0, Z4 \
	VPERMT2PS Z1, Z20, Z4 \
	VMOVAPS Z0, Z5 \
	VPERMT2PS Z1, Z21, Z5 \
	VMOVAPS Z2, Z6 \
	VPERMT2PS Z3, Z20, Z6 \
	VMOVAPS Z2, Z7 \
	VPERMT2PS Z3, Z21, Z7 \
	VPADDD Z22, Z20, Z8 \
	VPADDD Z25, Z8, Z9 \
	VPADDD Z23, Z20, Z10 \
	VPADDD Z25, Z10, Z11 \
	PICK(Z4, Z8, Z5, Z9, Z12, Z13) \
	PICK(Z6, Z10, Z7, Z11, Z14, Z15) \
	PICK(Z12, Z13, Z14, Z15, Z16, Z17)

// POOL_ARGS loads the AVX2 kernel's arguments: DI out, R8 idx, SI r0,
// DX r1, CX n, R9 i0, R10 i1.
#define POOL_ARGS \
	MOVQ out+0(FP), DI; \
	MOVQ idx+8(FP), R8; \
	MOVQ r0+16(FP), SI; \
	MOVQ r1+24(FP), DX; \
	MOVQ n+32(FP), CX; \
	MOVL i0+40(FP), R9; \
	MOVL i1+44(FP), R10

// MASKN sets the mask K to the low CX bits (CX < 32), leaving them in AX.
#define MASKN(K) \
	MOVL $1, AX \
	SHLL CX, AX \
	DECL AX \
	KMOVW AX, K

// TAILMASKS sets the masks of a row's last t = n mod 16 windows (n in
// R12): K3 the t windows, K4 and K5 the 2t floats of each input row over
// two vectors, the low and high halves of the 32-bit mask 2^(2t) − 1. CX
// and AX are scratch.
#define TAILMASKS \
	MOVQ R12, CX \
	ANDQ $15, CX \
	MASKN(K3) \
	ADDL CX, CX \
	MASKN(K4) \
	SHRL $16, AX \
	KMOVW AX, K5

// ROW_ARGS loads the row kernels' arguments after their first three (whose
// first row the caller loads into BX): R12 n, R13 rows, R14 w, R11 step,
// R9 i0.
#define ROW_ARGS \
	MOVQ n+24(FP), R12 \
	MOVQ rows+32(FP), R13 \
	MOVQ w+40(FP), R14 \
	MOVQ step+48(FP), R11 \
	MOVQ i0+56(FP), R9

// PAIRS_ARGS loads the pairs kernels' arguments after their first three:
// R12 planes, R14 w, AX p, R15 w·4 (an input row's bytes), Z20 p.off and
// Z25 ones.
#define PAIRS_ARGS \
	MOVQ planes+24(FP), R12 \
	MOVQ w+40(FP), R14 \
	MOVQ p+48(FP), AX \
	MOVQ R14, R15 \
	SHLQ $2, R15 \
	VMOVDQU32 0(AX), Z20 \
	MOVL $1, CX \
	VPBROADCASTD CX, Z25

// ROW512 starts a row: SI its top, DX its bottom row, Z22 and Z23 their
// plane indices, CX its windows.
#define ROW512 \
	MOVQ BX, SI \
	LEAQ (BX)(R14*4), DX \
	VPBROADCASTD R9, Z22 \
	LEAQ (R9)(R14*1), R10 \
	VPBROADCASTD R10, Z23 \
	MOVQ R12, CX

// NEXTROW moves BX and R9 to the next row pair and loops to label while
// rows are left, then returns.
#define NEXTROW(label) \
	LEAQ (BX)(R11*4), BX \
	ADDQ R11, R9 \
	DECQ R13 \
	JNZ label \
	VZEROUPPER \
	RET

// func maxPool2x2AVX512(out *float32, idx *int32, r0 *float32, n, rows, w, step, i0 int)
//
// Row j of rows: the n windows of the rows at r0 + j·step (top, plane
// index i0 + j·step at its start) and w floats below it, into
// out[j·n:] and idx[j·n:]. The masks of a row's ragged end (K3: its
// windows; K4, K5: the two vectors of each input row) are the same for
// every row and set once.
TEXT ·maxPool2x2AVX512(SB), NOSPLIT, $0-64
	MOVQ out+0(FP), DI
	MOVQ idx+8(FP), R8
	MOVQ r0+16(FP), BX
	ROW_ARGS
	MOVL $32, AX
	VPBROADCASTD AX, Z24
	MOVL $1, AX
	VPBROADCASTD AX, Z25

	TAILMASKS
	VMOVDQU32 c_even<>(SB), Z20
	VMOVDQU32 c_odd<>(SB), Z21

row:
	ROW512

loop:
	CMPQ CX, $16
	JLT tail
	VMOVUPS (SI), Z0
	VMOVUPS 64(SI), Z1
	VMOVUPS (DX), Z2
	VMOVUPS 64(DX), Z3
	WINDOWS
	VMOVUPS Z16, (DI)
	VMOVDQU32 Z17, (R8)
	VPADDD Z24, Z22, Z22
	VPADDD Z24, Z23, Z23
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $64, DI
	ADDQ $64, R8
	SUBQ $16, CX
	JMP loop

tail:
	TESTQ CX, CX
	JEQ next
	VMOVUPS.Z (SI), K4, Z0
	VMOVUPS.Z 64(SI), K5, Z1
	VMOVUPS.Z (DX), K4, Z2
	VMOVUPS.Z 64(DX), K5, Z3
	WINDOWS
	VMOVUPS Z16, K3, (DI)
	VMOVDQU32 Z17, K3, (R8)
	LEAQ (DI)(CX*4), DI
	LEAQ (R8)(CX*4), R8

next:
	NEXTROW(row)

// PERMUTE leaves in Z8 and Z9 the 32 floats a0, b0, a1, b1, … of Za and Zb.
#define PERMUTE(Za, Zb) \
	VMOVAPS Za, Z8 \
	VPERMT2PS Zb, Z26, Z8 \
	VMOVAPS Za, Z9 \
	VPERMT2PS Zb, Z27, Z9

// SPREAD turns 16 gradients Z0 and their indices Z1 into the four values
// of each window, in Z4 (top row, even columns), Z5 (top, odd), Z6 and Z7
// (bottom): the gradient, plus 0 as the scalar code adds it to a cleared
// dx, where its index is that position, else 0.
#define SPREAD \
	VADDPS Z28, Z0, Z0 \
	VPADDD Z22, Z20, Z2 \
	VPCMPEQD Z1, Z2, K1 \
	VPADDD Z25, Z2, Z2 \
	VPCMPEQD Z1, Z2, K2 \
	VPADDD Z23, Z20, Z3 \
	VPCMPEQD Z1, Z3, K6 \
	VPADDD Z25, Z3, Z3 \
	VPCMPEQD Z1, Z3, K7 \
	VMOVAPS.Z Z0, K1, Z4 \
	VMOVAPS.Z Z0, K2, Z5 \
	VMOVAPS.Z Z0, K6, Z6 \
	VMOVAPS.Z Z0, K7, Z7

// func maxPool2x2BackAVX512(dx, dy *float32, idx *int32, n, rows, w, step, i0 int)
//
// The gradient of maxPool2x2AVX512 for windows that do not overlap: row j
// of rows writes every value of the n windows whose top row is at
// dx + j·step (plane index i0 + j·step at its start) and bottom row w
// floats below, dy[j·n+k] where idx[j·n+k] is that value's index, else 0.
TEXT ·maxPool2x2BackAVX512(SB), NOSPLIT, $0-64
	MOVQ dx+0(FP), BX
	MOVQ dy+8(FP), DI
	MOVQ idx+16(FP), R8
	ROW_ARGS
	TAILMASKS
	VMOVDQU32 c_even<>(SB), Z20
	VMOVDQU32 c_ilo<>(SB), Z26
	VMOVDQU32 c_ihi<>(SB), Z27
	MOVL $32, AX
	VPBROADCASTD AX, Z24
	MOVL $1, AX
	VPBROADCASTD AX, Z25
	VPXORD Z28, Z28, Z28

backrow:
	ROW512

backloop:
	CMPQ CX, $16
	JLT backtail
	VMOVUPS (DI), Z0
	VMOVDQU32 (R8), Z1
	SPREAD
	PERMUTE(Z4, Z5)
	VMOVUPS Z8, (SI)
	VMOVUPS Z9, 64(SI)
	PERMUTE(Z6, Z7)
	VMOVUPS Z8, (DX)
	VMOVUPS Z9, 64(DX)
	VPADDD Z24, Z22, Z22
	VPADDD Z24, Z23, Z23
	ADDQ $64, DI
	ADDQ $64, R8
	ADDQ $128, SI
	ADDQ $128, DX
	SUBQ $16, CX
	JMP backloop

backtail:
	TESTQ CX, CX
	JEQ backnext
	VMOVUPS.Z (DI), K3, Z0
	VMOVDQU32.Z (R8), K3, Z1
	SPREAD
	PERMUTE(Z4, Z5)
	VMOVUPS Z8, K4, (SI)
	VMOVUPS Z9, K5, 64(SI)
	PERMUTE(Z6, Z7)
	VMOVUPS Z8, K4, (DX)
	VMOVUPS Z9, K5, 64(DX)
	LEAQ (DI)(CX*4), DI
	LEAQ (R8)(CX*4), R8

backnext:
	NEXTROW(backrow)

// PICK8 leaves in Ya, Yia the winner of (Ya, Yia) and (Yb, Yib) under
// kernels.pick, as PICK on 8 lanes: b wins when !(b <= a) and a is not a
// NaN. Y8 and Y9 are scratch.
#define PICK8(Ya, Yia, Yb, Yib) \
	VCMPPS $0x07, Ya, Ya, Y8 \
	VCMPPS $0x16, Ya, Yb, Y9 \
	VANDPS Y9, Y8, Y8 \
	VBLENDVPS Y8, Yb, Ya, Ya \
	VBLENDVPS Y8, Yib, Yia, Yia

// EVENODD splits the 16 floats of Ylo:Yhi into their even-indexed ones
// (Yeven) and odd-indexed ones (Yodd), in order.
#define EVENODD(Ylo, Yhi, Yeven, Yodd) \
	VSHUFPS $0x88, Yhi, Ylo, Yeven \
	VSHUFPS $0xDD, Yhi, Ylo, Yodd \
	VPERMPD $0xD8, Yeven, Yeven \
	VPERMPD $0xD8, Yodd, Yodd

// c_lanes holds 16 all-ones lanes, then 16 zeros: the 8 lanes from
// byte 4·(16 − k) on are a mask of the first k lanes (k from −8 to 16).
DATA c_lanes<>+0(SB)/4, $0xffffffff
DATA c_lanes<>+4(SB)/4, $0xffffffff
DATA c_lanes<>+8(SB)/4, $0xffffffff
DATA c_lanes<>+12(SB)/4, $0xffffffff
DATA c_lanes<>+16(SB)/4, $0xffffffff
DATA c_lanes<>+20(SB)/4, $0xffffffff
DATA c_lanes<>+24(SB)/4, $0xffffffff
DATA c_lanes<>+28(SB)/4, $0xffffffff
DATA c_lanes<>+32(SB)/4, $0xffffffff
DATA c_lanes<>+36(SB)/4, $0xffffffff
DATA c_lanes<>+40(SB)/4, $0xffffffff
DATA c_lanes<>+44(SB)/4, $0xffffffff
DATA c_lanes<>+48(SB)/4, $0xffffffff
DATA c_lanes<>+52(SB)/4, $0xffffffff
DATA c_lanes<>+56(SB)/4, $0xffffffff
DATA c_lanes<>+60(SB)/4, $0xffffffff
GLOBL c_lanes<>(SB), RODATA|NOPTR, $128

// AVX2_ARGS loads the AVX2 kernels' arguments (ROW_ARGS) and their
// constants: Y10 0, 2, …, 14, Y13 16s, Y14 1s.
#define AVX2_ARGS \
	ROW_ARGS \
	VMOVDQU c_even<>(SB), Y10 \
	MOVL $16, AX \
	VMOVD AX, X13 \
	VPBROADCASTD X13, Y13 \
	MOVL $1, AX \
	VMOVD AX, X14 \
	VPBROADCASTD X14, Y14

// AVX2_ROW starts a row: SI its top, DX its bottom row, Y11 and Y12 their
// plane indices, CX its windows.
#define AVX2_ROW \
	MOVQ BX, SI \
	LEAQ (BX)(R14*4), DX \
	VMOVD R9, X11 \
	VPBROADCASTD X11, Y11 \
	LEAQ (R9)(R14*1), R10 \
	VMOVD R10, X12 \
	VPBROADCASTD X12, Y12 \
	MOVQ R12, CX

// AVX2_MASKS loads, for CX = t windows, the masks of their 2t floats of a
// row into Y8 (the first 8) and Y9 (the rest); AX and R10 are scratch.
#define AVX2_MASKS \
	LEAQ c_lanes<>(SB), AX \
	MOVQ CX, R10 \
	SHLQ $3, R10 \
	NEGQ R10 \
	VMOVDQU 64(AX)(R10*1), Y8 \
	VMOVDQU 96(AX)(R10*1), Y9

// STORE_LANES stores the first R10 (0 to 7) lanes of the ymm register y (x
// its low half) at dst, through AX: 4, 2 and 1 lanes as R10's bits say,
// not by a masked store (VMASKMOVPS, slow on AMD's cores). It overwrites y;
// l2, l1 and done are labels of its own.
#define STORE_LANES(y, x, dst, l2, l1, done) \
	LEAQ dst, AX \
	TESTQ $4, R10 \
	JZ l2 \
	VMOVUPS x, (AX) \
	VEXTRACTF128 $1, y, x \
	ADDQ $16, AX \
l2: \
	TESTQ $2, R10 \
	JZ l1 \
	VMOVSD x, (AX) \
	VPSRLDQ $8, x, x \
	ADDQ $8, AX \
l1: \
	TESTQ $1, R10 \
	JZ done \
	VMOVSS x, (AX) \
done:

// AVX2_WINDOWS turns rows Y0:Y1 (top) and Y2:Y3 (bottom) into the 8 window
// maxima in Y4 and their indices in Y0.
#define AVX2_WINDOWS \
	EVENODD(Y0, Y1, Y4, Y5) \
	EVENODD(Y2, Y3, Y6, Y7) \
	VPADDD  Y11, Y10, Y0 \
	VPADDD  Y14, Y0, Y1 \
	VPADDD  Y12, Y10, Y2 \
	VPADDD  Y14, Y2, Y3 \
	PICK8(Y4, Y0, Y5, Y1) \
	PICK8(Y6, Y2, Y7, Y3) \
	PICK8(Y4, Y0, Y6, Y2)

// func maxPool2x2AVX2(out *float32, idx *int32, r0 *float32, n, rows, w, step, i0 int)
//
// maxPool2x2AVX512 in AVX2 code: 8 windows a step, a step with masked
// loads and STORE_LANES for the rest.
TEXT ·maxPool2x2AVX2(SB), NOSPLIT, $0-64
	MOVQ out+0(FP), DI
	MOVQ idx+8(FP), R8
	MOVQ r0+16(FP), BX
	AVX2_ARGS

row2:
	AVX2_ROW

loop2:
	CMPQ CX, $8
	JLT tail2
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS (DX), Y2
	VMOVUPS 32(DX), Y3
	AVX2_WINDOWS
	VMOVUPS Y4, (DI)
	VMOVDQU Y0, (R8)
	VPADDD  Y13, Y11, Y11
	VPADDD  Y13, Y12, Y12
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $32, DI
	ADDQ    $32, R8
	SUBQ    $8, CX
	JMP     loop2

tail2:
	TESTQ CX, CX
	JEQ next2
	AVX2_MASKS
	VMASKMOVPS (SI), Y8, Y0
	VMASKMOVPS 32(SI), Y9, Y1
	VMASKMOVPS (DX), Y8, Y2
	VMASKMOVPS 32(DX), Y9, Y3
	AVX2_WINDOWS
	MOVQ CX, R10
	STORE_LANES(Y4, X4, (DI), fwdv2, fwdv1, fwdvdone)
	STORE_LANES(Y0, X0, (R8), fwdi2, fwdi1, fwdidone)
	LEAQ (DI)(CX*4), DI
	LEAQ (R8)(CX*4), R8

next2:
	NEXTROW(row2)

// AVX2_BACK turns 8 gradients Y0 and their indices Y1 into the values of
// their windows' top rows in Y2 (the first 8) and Y3 and bottom rows in Y4
// and Y5, as SPREAD does; Y15 holds zeros.
#define AVX2_BACK \
	VADDPS Y15, Y0, Y0 \
	VPADDD Y11, Y10, Y2 \
	VPCMPEQD Y1, Y2, Y4 \
	VANDPS Y0, Y4, Y4 \
	VPADDD Y14, Y2, Y2 \
	VPCMPEQD Y1, Y2, Y5 \
	VANDPS Y0, Y5, Y5 \
	VPADDD Y12, Y10, Y3 \
	VPCMPEQD Y1, Y3, Y6 \
	VANDPS Y0, Y6, Y6 \
	VPADDD Y14, Y3, Y3 \
	VPCMPEQD Y1, Y3, Y7 \
	VANDPS Y0, Y7, Y7 \
	VUNPCKLPS Y5, Y4, Y8 \
	VUNPCKHPS Y5, Y4, Y9 \
	VPERM2F128 $0x20, Y9, Y8, Y2 \
	VPERM2F128 $0x31, Y9, Y8, Y3 \
	VUNPCKLPS Y7, Y6, Y8 \
	VUNPCKHPS Y7, Y6, Y9 \
	VPERM2F128 $0x20, Y9, Y8, Y4 \
	VPERM2F128 $0x31, Y9, Y8, Y5

// func maxPool2x2BackAVX2(dx, dy *float32, idx *int32, n, rows, w, step, i0 int)
//
// maxPool2x2BackAVX512 in AVX2 code: 8 windows a step, a step with masked
// loads and STORE_LANES for the rest.
TEXT ·maxPool2x2BackAVX2(SB), NOSPLIT, $0-64
	MOVQ dx+0(FP), BX
	MOVQ dy+8(FP), DI
	MOVQ idx+16(FP), R8
	AVX2_ARGS
	VXORPS Y15, Y15, Y15

backrow2:
	AVX2_ROW

backloop2:
	CMPQ CX, $8
	JLT backtail2
	VMOVUPS (DI), Y0
	VMOVDQU (R8), Y1
	AVX2_BACK
	VMOVUPS Y2, (SI)
	VMOVUPS Y3, 32(SI)
	VMOVUPS Y4, (DX)
	VMOVUPS Y5, 32(DX)
	VPADDD Y13, Y11, Y11
	VPADDD Y13, Y12, Y12
	ADDQ $32, DI
	ADDQ $32, R8
	ADDQ $64, SI
	ADDQ $64, DX
	SUBQ $8, CX
	JMP backloop2

backtail2:
	TESTQ CX, CX
	JEQ backnext2
	LEAQ c_lanes<>(SB), AX
	MOVQ CX, R10
	SHLQ $2, R10
	NEGQ R10
	VMOVDQU 64(AX)(R10*1), Y8
	VMASKMOVPS (DI), Y8, Y0
	VPMASKMOVD (R8), Y8, Y1
	AVX2_BACK
	// 2·CX lanes of each row: Y2 and Y3 at (SI), Y4 and Y5 at (DX).
	LEAQ (CX)(CX*1), R10
	CMPQ R10, $8
	JLT backlow2
	VMOVUPS Y2, (SI)
	VMOVUPS Y4, (DX)
	SUBQ $8, R10
	STORE_LANES(Y3, X3, 32(SI), backt2, backt1, backtdone)
	STORE_LANES(Y5, X5, 32(DX), backb2, backb1, backbdone)
	JMP backstored2

backlow2:
	STORE_LANES(Y2, X2, (SI), backlt2, backlt1, backltdone)
	STORE_LANES(Y4, X4, (DX), backlb2, backlb1, backlbdone)

backstored2:
	LEAQ (DI)(CX*4), DI
	LEAQ (R8)(CX*4), R8

backnext2:
	NEXTROW(backrow2)

// PAIRS_MASKS sets, from the poolPairs at AX, the masks of a step of two
// output rows: K4 and K5 the floats of each input row pair read or
// written (the low and high halves of poolPairs.pairs), K3 the 2·ow
// windows. CX is scratch.
#define PAIRS_MASKS \
	MOVL 192(AX), CX \
	KMOVW CX, K4 \
	SHRL $16, CX \
	KMOVW CX, K5 \
	MOVL 196(AX), CX \
	KMOVW CX, K3

// SINGLE_MASKS sets the masks of a step of one output row (a plane's last
// of an odd count): K4 its floats of each input row, K5 none, K3 its ow
// windows.
#define SINGLE_MASKS \
	MOVL 196(AX), CX \
	KMOVW CX, K4 \
	KXORW K5, K5, K5 \
	MOVL 200(AX), CX \
	KMOVW CX, K3

// The pairs kernels hold R12 planes, R14 w, AX p, R15 w·4 (an input
// row's bytes), R13 the rows left of a plane, R9 the index of the current
// row pair's first value in its plane.

// PAIRS_ROWS starts a step at the row pair at BX: SI its top row, DX its
// bottom row, Z22 and Z23 their plane indices (R9 and R9 + w).
#define PAIRS_ROWS \
	MOVQ BX, SI \
	LEAQ (BX)(R15*1), DX \
	VPBROADCASTD R9, Z22 \
	LEAQ (R9)(R14*1), R10 \
	VPBROADCASTD R10, Z23

// PAIRS_FWD is a step of maxPool2x2PairsAVX512 (masks as PAIRS_MASKS or
// SINGLE_MASKS set them): the windows of the row pairs at BX into DI and
// R8.
#define PAIRS_FWD \
	PAIRS_ROWS \
	VMOVUPS.Z (SI), K4, Z0 \
	VMOVUPS.Z 64(SI), K5, Z1 \
	VMOVUPS.Z (DX), K4, Z2 \
	VMOVUPS.Z 64(DX), K5, Z3 \
	WINDOWS \
	VMOVUPS Z16, K3, (DI) \
	VMOVDQU32 Z17, K3, (R8)

// PAIRS_BACK is a step of maxPool2x2PairsBackAVX512: the gradients at DI
// and their indices at R8 laid out over the row pairs at BX.
#define PAIRS_BACK \
	PAIRS_ROWS \
	VMOVUPS.Z (DI), K3, Z0 \
	VMOVDQU32.Z (R8), K3, Z1 \
	SPREAD \
	PERMUTE(Z4, Z5) \
	VMOVUPS Z8, K4, (SI) \
	VMOVUPS Z9, K5, 64(SI) \
	PERMUTE(Z6, Z7) \
	VMOVUPS Z8, K4, (DX) \
	VMOVUPS Z9, K5, 64(DX)

// PAIRS_NEXT moves past a step of two output rows: BX by two row pairs,
// DI and R8 by 2·ow = w windows, R9 by 4·w, R13 by two rows.
#define PAIRS_NEXT \
	LEAQ (BX)(R15*4), BX \
	ADDQ R15, DI \
	ADDQ R15, R8 \
	LEAQ (R9)(R14*4), R9 \
	SUBQ $2, R13

// func maxPool2x2PairsAVX512(out *float32, idx *int32, x *float32, planes, oh, w int, p *poolPairs)
//
// Max pooling of planes whole planes of 2·oh rows of w = 2·ow values
// (ow ≤ 5) at x into planes·oh·ow windows at out and idx, two output rows
// a step: the 32 floats from a row pair's top row hold its top row (w),
// its bottom row and the next pair's top row, so that lane l of the step
// takes its window's values at p.off[l] of them, as maxPool2x2AVX512 takes
// 2l; and the same from the bottom row. Indices restart at each plane.
TEXT ·maxPool2x2PairsAVX512(SB), NOSPLIT, $0-56
	MOVQ out+0(FP), DI
	MOVQ idx+8(FP), R8
	MOVQ x+16(FP), BX
	PAIRS_ARGS
	VPADDD Z25, Z20, Z21

pplane:
	PAIRS_MASKS
	MOVQ oh+32(FP), R13
	XORQ R9, R9

ppair:
	CMPQ R13, $2
	JLT psingle
	PAIRS_FWD
	PAIRS_NEXT
	JMP ppair

psingle:
	TESTQ R13, R13
	JEQ pnext
	SINGLE_MASKS
	PAIRS_FWD
	LEAQ (BX)(R15*2), BX
	SHRQ $1, R15
	ADDQ R15, DI
	ADDQ R15, R8
	SHLQ $1, R15

pnext:
	DECQ R12
	JNZ pplane
	VZEROUPPER
	RET

// func maxPool2x2PairsBackAVX512(dx, dy *float32, idx *int32, planes, oh, w int, p *poolPairs)
//
// The gradient of maxPool2x2PairsAVX512: every value of the planes at
// dx, dy[k] + 0 where idx[k] is that value's index in its plane, else 0,
// two output rows a step, each pair's values laid back out at the
// positions p.ilo and p.ihi give.
TEXT ·maxPool2x2PairsBackAVX512(SB), NOSPLIT, $0-56
	MOVQ dx+0(FP), BX
	MOVQ dy+8(FP), DI
	MOVQ idx+16(FP), R8
	PAIRS_ARGS
	VMOVDQU32 64(AX), Z26
	VMOVDQU32 128(AX), Z27
	VPXORD Z28, Z28, Z28

bpplane:
	PAIRS_MASKS
	MOVQ oh+32(FP), R13
	XORQ R9, R9

bppair:
	CMPQ R13, $2
	JLT bpsingle
	PAIRS_BACK
	PAIRS_NEXT
	JMP bppair

bpsingle:
	TESTQ R13, R13
	JEQ bpnext
	SINGLE_MASKS
	PAIRS_BACK
	LEAQ (BX)(R15*2), BX
	SHRQ $1, R15
	ADDQ R15, DI
	ADDQ R15, R8
	SHLQ $1, R15

bpnext:
	DECQ R12
	JNZ bpplane
	VZEROUPPER
	RET
