// Multiplication of a vector by a scalar: see scale_amd64.go.

//go:build amd64 && !purego

#include "textflag.h"

// func scaleAVX512(d, s *float32, n int, a float32)
// d[i] = s[i]*a for i < n, n > 0; four vectors a step, then one, then a
// masked one.
TEXT ·scaleAVX512(SB), NOSPLIT, $0-28
	MOVQ d+0(FP), DI
	MOVQ s+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS a+24(FP), Z4

scale512x4:
	CMPQ CX, $64
	JLT scale512
	VMULPS (SI), Z4, Z0
	VMULPS 64(SI), Z4, Z1
	VMULPS 128(SI), Z4, Z2
	VMULPS 192(SI), Z4, Z3
	VMOVUPS Z0, (DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	ADDQ $256, SI
	ADDQ $256, DI
	SUBQ $64, CX
	JMP scale512x4

scale512:
	CMPQ CX, $16
	JLT scale512tail
	VMULPS (SI), Z4, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP scale512

scale512tail:
	TESTQ CX, CX
	JEQ scale512done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	VMULPS Z0, Z4, Z0
	VMOVUPS Z0, K1, (DI)

scale512done:
	VZEROUPPER
	RET

// func scaleAVX2(d, s *float32, n int, a float32)
// Whole vectors of 8 only: the caller handles the rest.
TEXT ·scaleAVX2(SB), NOSPLIT, $0-28
	MOVQ d+0(FP), DI
	MOVQ s+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSS a+24(FP), Y4

scale256x4:
	CMPQ CX, $32
	JLT scale256
	VMULPS (SI), Y4, Y0
	VMULPS 32(SI), Y4, Y1
	VMULPS 64(SI), Y4, Y2
	VMULPS 96(SI), Y4, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP scale256x4

scale256:
	CMPQ CX, $8
	JLT scale256done
	VMULPS (SI), Y4, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP scale256

scale256done:
	VZEROUPPER
	RET
