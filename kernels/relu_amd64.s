// ReLU with a bias, and its derivative, as vector code: see relu_amd64.go.

//go:build amd64 && !purego

#include "textflag.h"

// func biasReluAVX512(d, s *float32, n int, b float32)
// d[i] = max(s[i]+b, 0) as Go's max: NaN stays NaN, −0 becomes +0.
TEXT ·biasReluAVX512(SB), NOSPLIT, $0-28
	MOVQ d+0(FP), DI
	MOVQ s+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS b+24(FP), Z1
	VPXORD Z2, Z2, Z2

relu512:
	CMPQ CX, $16
	JLT relu512tail
	VMOVUPS (SI), Z0
	VADDPS Z1, Z0, Z0
	VMAXPS Z2, Z0, Z3
	VCMPPS $3, Z0, Z0, K1
	VMOVAPS Z0, K1, Z3
	VMOVUPS Z3, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP relu512

relu512tail:
	TESTQ CX, CX
	JEQ relu512done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K2
	VMOVUPS.Z (SI), K2, Z0
	VADDPS Z1, Z0, Z0
	VMAXPS Z2, Z0, Z3
	VCMPPS $3, Z0, Z0, K1
	VMOVAPS Z0, K1, Z3
	VMOVUPS Z3, K2, (DI)

relu512done:
	VZEROUPPER
	RET

// func reluGradAVX512(d, x, y *float32, n int)
// d[i] = x[i] where y[i] > 0, else 0.
TEXT ·reluGradAVX512(SB), NOSPLIT, $0-32
	MOVQ d+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ n+24(FP), CX
	VPXORD Z2, Z2, Z2

grad512:
	CMPQ CX, $16
	JLT grad512tail
	VMOVUPS (DX), Z1
	VCMPPS $0x1e, Z2, Z1, K1
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP grad512

grad512tail:
	TESTQ CX, CX
	JEQ grad512done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K2
	VMOVUPS.Z (DX), K2, Z1
	VCMPPS $0x1e, Z2, Z1, K2, K1
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS Z0, K2, (DI)

grad512done:
	VZEROUPPER
	RET

// func biasReluAVX2(d, s *float32, n int, b float32)
// Whole vectors of 8 only: the caller handles the rest.
TEXT ·biasReluAVX2(SB), NOSPLIT, $0-28
	MOVQ d+0(FP), DI
	MOVQ s+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS b+24(FP), Y1
	VXORPS Y2, Y2, Y2

relu256:
	CMPQ CX, $8
	JLT relu256done
	VMOVUPS (SI), Y0
	VADDPS Y1, Y0, Y0
	VMAXPS Y2, Y0, Y3
	VCMPPS $3, Y0, Y0, Y4
	VBLENDVPS Y4, Y0, Y3, Y3
	VMOVUPS Y3, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP relu256

relu256done:
	VZEROUPPER
	RET

// func reluGradAVX2(d, x, y *float32, n int)
// Whole vectors of 8 only: the caller handles the rest.
TEXT ·reluGradAVX2(SB), NOSPLIT, $0-32
	MOVQ d+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ n+24(FP), CX
	VXORPS Y2, Y2, Y2

grad256:
	CMPQ CX, $8
	JLT grad256done
	VMOVUPS (DX), Y1
	VCMPPS $0x1e, Y2, Y1, Y3
	VANDPS (SI), Y3, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX
	JMP grad256

grad256done:
	VZEROUPPER
	RET

// func leakyAVX512(d, x, y *float32, n int, a float32)
// d[i] = x[i] where y[i] > 0, else a·x[i]: LeakyReLU (y = x) and its
// derivative from the output.
TEXT ·leakyAVX512(SB), NOSPLIT, $0-36
	MOVQ d+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS a+32(FP), Z5
	VPXORD Z2, Z2, Z2

leaky512:
	CMPQ CX, $16
	JLT leaky512tail
	VMOVUPS (SI), Z0
	VMOVUPS (DX), Z1
	VCMPPS $0x1e, Z2, Z1, K1
	VMULPS Z0, Z5, Z3
	VMOVAPS Z0, K1, Z3
	VMOVUPS Z3, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, CX
	JMP leaky512

leaky512tail:
	TESTQ CX, CX
	JEQ leaky512done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K2
	VMOVUPS.Z (SI), K2, Z0
	VMOVUPS.Z (DX), K2, Z1
	VCMPPS $0x1e, Z2, Z1, K1
	VMULPS Z0, Z5, Z3
	VMOVAPS Z0, K1, Z3
	VMOVUPS Z3, K2, (DI)

leaky512done:
	VZEROUPPER
	RET

// func leakyAVX2(d, x, y *float32, n int, a float32)
// Whole vectors of 8 only: the caller handles the rest.
TEXT ·leakyAVX2(SB), NOSPLIT, $0-36
	MOVQ d+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ n+24(FP), CX
	VBROADCASTSS a+32(FP), Y5
	VXORPS Y2, Y2, Y2

leaky256:
	CMPQ CX, $8
	JLT leaky256done
	VMOVUPS (SI), Y0
	VMOVUPS (DX), Y1
	VCMPPS $0x1e, Y2, Y1, Y4
	VMULPS Y0, Y5, Y3
	VBLENDVPS Y4, Y0, Y3, Y3
	VMOVUPS Y3, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, CX
	JMP leaky256

leaky256done:
	VZEROUPPER
	RET
