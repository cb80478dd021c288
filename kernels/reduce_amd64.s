// Column sums of Reduce: see reduce_amd64.go.

//go:build amd64 && !purego

#include "textflag.h"

// func accAddAVX512(a *float64, s *float32, n int)
// a[j] += float64(s[j]) for j < n, n > 0: 8 lanes a step, then one masked
// step for a ragged end.
TEXT ·accAddAVX512(SB), NOSPLIT, $0-24
	MOVQ a+0(FP), DI
	MOVQ s+8(FP), SI
	MOVQ n+16(FP), CX
loop:
	CMPQ CX, $8
	JLT tail
	VCVTPS2PD (SI), Z0
	VADDPD (DI), Z0, Z0
	VMOVUPD Z0, (DI)
	ADDQ $32, SI
	ADDQ $64, DI
	SUBQ $8, CX
	JMP loop
tail:
	TESTQ CX, CX
	JEQ done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z1
	VCVTPS2PD Y1, Z0
	VMOVUPD.Z (DI), K1, Z1
	VADDPD Z1, Z0, Z0
	VMOVUPD Z0, K1, (DI)
done:
	VZEROUPPER
	RET
