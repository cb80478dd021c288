// Column sums of Reduce: see reduce_amd64.go.

//go:build amd64 && !purego

#include "textflag.h"

// ROWMAX8 leaves in X0's low lane the largest of Y0's eight.
#define ROWMAX8 \
	VEXTRACTF128 $1, Y0, X1; \
	VMAXPS X1, X0, X0; \
	VPERMILPS $0x4E, X0, X1; \
	VMAXPS X1, X0, X0; \
	VPERMILPS $0xB1, X0, X1; \
	VMAXPS X1, X0, X0

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

// func accAddAVX2(a *float64, s *float32, n int)
// accAddAVX512 on 4 lanes, n a positive multiple of 4.
TEXT ·accAddAVX2(SB), NOSPLIT, $0-24
	MOVQ a+0(FP), DI
	MOVQ s+8(FP), SI
	MOVQ n+16(FP), CX

acc4:
	VCVTPS2PD (SI), Y0
	VADDPD    (DI), Y0, Y0
	VMOVUPD   Y0, (DI)
	ADDQ      $16, SI
	ADDQ      $32, DI
	SUBQ      $4, CX
	JNZ       acc4
	VZEROUPPER
	RET

// func rowMaxAVX512(x *float32, n int) (m float32, nan bool)
// m is the largest of x[0..n), n a positive multiple of 16, by VMAXPS (which
// drops NaNs and may pick either zero), and nan whether any x[j] is NaN.
TEXT ·rowMaxAVX512(SB), NOSPLIT, $0-21
	MOVQ    x+0(FP), SI
	MOVQ    n+8(FP), CX
	VMOVUPS (SI), Z0
	KXORW   K1, K1, K1

max16:
	VMOVUPS (SI), Z2
	VMAXPS  Z2, Z0, Z0
	VCMPPS  $3, Z2, Z2, K2 // unordered: NaN
	KORW    K2, K1, K1
	ADDQ    $64, SI
	SUBQ    $16, CX
	JNZ     max16

	VEXTRACTF64X4 $1, Z0, Y1
	VMAXPS        Y1, Y0, Y0
	ROWMAX8
	VMOVSS        X0, m+16(FP)
	KORTESTW      K1, K1
	SETNE         nan+20(FP)
	VZEROUPPER
	RET

// func rowMaxAVX2(x *float32, n int) (m float32, nan bool)
// rowMaxAVX512 on 8 lanes, n a positive multiple of 8.
TEXT ·rowMaxAVX2(SB), NOSPLIT, $0-21
	MOVQ    x+0(FP), SI
	MOVQ    n+8(FP), CX
	VMOVUPS (SI), Y0
	VXORPS  Y3, Y3, Y3

max8:
	VMOVUPS (SI), Y2
	VMAXPS  Y2, Y0, Y0
	VCMPPS  $3, Y2, Y2, Y4 // unordered: NaN
	VORPS   Y4, Y3, Y3
	ADDQ    $32, SI
	SUBQ    $8, CX
	JNZ     max8

	ROWMAX8
	VMOVSS X0, m+16(FP)
	VPTEST Y3, Y3
	SETNE  nan+20(FP)
	VZEROUPPER
	RET
