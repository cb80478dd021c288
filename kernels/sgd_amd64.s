// SGD updates of contiguous spans: see sgd_amd64.go.

//go:build amd64 && !purego

#include "textflag.h"

// func sgdAVX512(param, grad *float32, n int, lr float32)
// p[i] = p[i] − lr·g[i] for i < n, n > 0: a vector a step, then a masked one.
TEXT ·sgdAVX512(SB), NOSPLIT, $0-28
	MOVQ param+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS lr+24(FP), Z4
sgd512:
	CMPQ CX, $16
	JLT sgd512tail
	VMULPS (SI), Z4, Z1
	VMOVUPS (DI), Z0
	VSUBPS Z1, Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP sgd512
sgd512tail:
	TESTQ CX, CX
	JEQ sgd512done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z1
	VMOVUPS.Z (DI), K1, Z0
	VMULPS Z1, Z4, Z1
	VSUBPS Z1, Z0, Z0
	VMOVUPS Z0, K1, (DI)
sgd512done:
	VZEROUPPER
	RET

// func sgdMomentumAVX512(param, grad, buf *float32, n int, lr, mom, damp float32)
// b[i] = mom·b[i] + damp·g[i], p[i] = p[i] − lr·b[i] for i < n, n > 0.
TEXT ·sgdMomentumAVX512(SB), NOSPLIT, $0-44
	MOVQ param+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ buf+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS lr+32(FP), Z4
	VBROADCASTSS mom+36(FP), Z5
	VBROADCASTSS damp+40(FP), Z6
mom512:
	CMPQ CX, $16
	JLT mom512tail
	VMULPS (DX), Z5, Z0
	VMULPS (SI), Z6, Z1
	VADDPS Z1, Z0, Z0
	VMOVUPS Z0, (DX)
	VMULPS Z0, Z4, Z1
	VMOVUPS (DI), Z2
	VSUBPS Z1, Z2, Z2
	VMOVUPS Z2, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, DX
	SUBQ $16, CX
	JMP mom512
mom512tail:
	TESTQ CX, CX
	JEQ mom512done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VMOVUPS.Z (DX), K1, Z0
	VMOVUPS.Z (SI), K1, Z1
	VMOVUPS.Z (DI), K1, Z2
	VMULPS Z0, Z5, Z0
	VMULPS Z1, Z6, Z1
	VADDPS Z1, Z0, Z0
	VMOVUPS Z0, K1, (DX)
	VMULPS Z0, Z4, Z1
	VSUBPS Z1, Z2, Z2
	VMOVUPS Z2, K1, (DI)
mom512done:
	VZEROUPPER
	RET

// func sgdAVX2(param, grad *float32, n int, lr float32)
// Whole vectors of 8 only: the caller handles the rest.
TEXT ·sgdAVX2(SB), NOSPLIT, $0-28
	MOVQ param+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS lr+24(FP), Y4
sgd256:
	CMPQ CX, $8
	JLT sgd256done
	VMULPS (SI), Y4, Y1
	VMOVUPS (DI), Y0
	VSUBPS Y1, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP sgd256
sgd256done:
	VZEROUPPER
	RET

// func sgdMomentumAVX2(param, grad, buf *float32, n int, lr, mom, damp float32)
// Whole vectors of 8 only: the caller handles the rest.
TEXT ·sgdMomentumAVX2(SB), NOSPLIT, $0-44
	MOVQ param+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ buf+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS lr+32(FP), Y4
	VBROADCASTSS mom+36(FP), Y5
	VBROADCASTSS damp+40(FP), Y6
mom256:
	CMPQ CX, $8
	JLT mom256done
	VMULPS (DX), Y5, Y0
	VMULPS (SI), Y6, Y1
	VADDPS Y1, Y0, Y0
	VMOVUPS Y0, (DX)
	VMULPS Y0, Y4, Y1
	VMOVUPS (DI), Y2
	VSUBPS Y1, Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, DX
	SUBQ $8, CX
	JMP mom256
mom256done:
	VZEROUPPER
	RET
