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

// func maxPool2x2AVX512(out *float32, idx *int32, r0, r1 *float32, n int, i0, i1 int32)
TEXT ·maxPool2x2AVX512(SB), NOSPLIT, $0-48
	MOVQ out+0(FP), DI
	MOVQ idx+8(FP), R8
	MOVQ r0+16(FP), SI
	MOVQ r1+24(FP), DX
	MOVQ n+32(FP), CX
	MOVL i0+40(FP), R9
	MOVL i1+44(FP), R10
	VMOVDQU32 c_even<>(SB), Z20
	VMOVDQU32 c_odd<>(SB), Z21
	VPBROADCASTD R9, Z22
	VPBROADCASTD R10, Z23
	MOVL $32, R11
	VPBROADCASTD R11, Z24
	MOVL $1, R11
	VPBROADCASTD R11, Z25

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
	JEQ done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K3
	LEAQ (CX)(CX*1), BX
	CMPQ BX, $16
	JGE full
	MOVQ BX, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K4
	KXORW K5, K5, K5
	JMP load

full:
	KXNORW K4, K4, K4
	SUBQ $16, BX
	MOVQ BX, CX
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K5

load:
	VMOVUPS.Z (SI), K4, Z0
	VMOVUPS.Z 64(SI), K5, Z1
	VMOVUPS.Z (DX), K4, Z2
	VMOVUPS.Z 64(DX), K5, Z3
	WINDOWS
	VMOVUPS Z16, K3, (DI)
	VMOVDQU32 Z17, K3, (R8)

done:
	VZEROUPPER
	RET
