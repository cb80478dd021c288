//go:build amd64 && !purego

#include "textflag.h"

// func shiftAVX2(e, x *float32, n int, a float32)
// e = x − a, 8 floats a step; n a positive multiple of 8.
TEXT ·shiftAVX2(SB), NOSPLIT, $0-28
	MOVQ         e+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSS a+24(FP), Y1

shift8:
	VMOVUPS (SI), Y0
	VSUBPS  Y1, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JNZ     shift8
	VZEROUPPER
	RET

// func scale64AVX2(d, p *float32, n int, a, s float64)
// d = float32(s·(a·p)), each product rounded to float64, 8 floats a step;
// n a positive multiple of 8.
TEXT ·scale64AVX2(SB), NOSPLIT, $0-40
	MOVQ         d+0(FP), DI
	MOVQ         p+8(FP), SI
	MOVQ         n+16(FP), CX
	VBROADCASTSD a+24(FP), Y2
	VBROADCASTSD s+32(FP), Y3

scale8:
	VCVTPS2PD  (SI), Y0
	VCVTPS2PD  16(SI), Y1
	VMULPD     Y2, Y0, Y0
	VMULPD     Y2, Y1, Y1
	VMULPD     Y3, Y0, Y0
	VMULPD     Y3, Y1, Y1
	VCVTPD2PSY Y0, X0
	VCVTPD2PSY Y1, X1
	VMOVUPS    X0, (DI)
	VMOVUPS    X1, 16(DI)
	ADDQ       $32, SI
	ADDQ       $32, DI
	SUBQ       $8, CX
	JNZ        scale8
	VZEROUPPER
	RET
