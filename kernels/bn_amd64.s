// Batch normalisation's element-wise passes: see bn_amd64.go. Each runs
// 16 lanes a step, then one masked step for a ragged end.

//go:build amd64 && !purego

#include "textflag.h"

// func bnNormAVX512(y, x *float32, n int, mu, k, bias float32)
// y[i] = (x[i]−mu)·k + bias, each operation rounded as the Go loop's.
TEXT ·bnNormAVX512(SB), NOSPLIT, $0-36
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS mu+24(FP), Z5
	VBROADCASTSS k+28(FP), Z6
	VBROADCASTSS bias+32(FP), Z7
loop:
	CMPQ CX, $16
	JLT tail
	VMOVUPS (SI), Z0
	VSUBPS Z5, Z0, Z0
	VMULPS Z6, Z0, Z0
	VADDPS Z7, Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP loop
tail:
	TESTQ CX, CX
	JEQ done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	VSUBPS Z5, Z0, Z0
	VMULPS Z6, Z0, Z0
	VADDPS Z7, Z0, Z0
	VMOVUPS Z0, K1, (DI)
done:
	VZEROUPPER
	RET

// func bnNormResAVX512(y, x, r *float32, n int, mu, k, bias float32)
// y[i] = (x[i]−mu)·k + bias + r[i].
TEXT ·bnNormResAVX512(SB), NOSPLIT, $0-44
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ r+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS mu+32(FP), Z5
	VBROADCASTSS k+36(FP), Z6
	VBROADCASTSS bias+40(FP), Z7
loop:
	CMPQ CX, $16
	JLT tail
	VMOVUPS (SI), Z0
	VMOVUPS (DX), Z1
	VSUBPS Z5, Z0, Z0
	VMULPS Z6, Z0, Z0
	VADDPS Z7, Z0, Z0
	VADDPS Z1, Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP loop
tail:
	TESTQ CX, CX
	JEQ done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DX), K1, Z1
	VSUBPS Z5, Z0, Z0
	VMULPS Z6, Z0, Z0
	VADDPS Z7, Z0, Z0
	VADDPS Z1, Z0, Z0
	VMOVUPS Z0, K1, (DI)
done:
	VZEROUPPER
	RET

// func bnBackAVX512(dx, dy, x *float32, n int, k, a, c, mu float32)
// dx[i] = k·((dy[i] − a) − (x[i]−mu)·c).
TEXT ·bnBackAVX512(SB), NOSPLIT, $0-48
	MOVQ dx+0(FP), DI
	MOVQ dy+8(FP), SI
	MOVQ x+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS k+32(FP), Z4
	VBROADCASTSS a+36(FP), Z5
	VBROADCASTSS c+40(FP), Z6
	VBROADCASTSS mu+44(FP), Z7
loop:
	CMPQ CX, $16
	JLT tail
	VMOVUPS (SI), Z0
	VMOVUPS (DX), Z1
	VSUBPS Z7, Z1, Z1
	VMULPS Z6, Z1, Z1
	VSUBPS Z5, Z0, Z0
	VSUBPS Z1, Z0, Z0
	VMULPS Z4, Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP loop
tail:
	TESTQ CX, CX
	JEQ done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DX), K1, Z1
	VSUBPS Z7, Z1, Z1
	VMULPS Z6, Z1, Z1
	VSUBPS Z5, Z0, Z0
	VSUBPS Z1, Z0, Z0
	VMULPS Z4, Z0, Z0
	VMOVUPS Z0, K1, (DI)
done:
	VZEROUPPER
	RET
