// Column sums of Reduce: see reduce_amd64.go.

//go:build amd64 && !purego

#include "textflag.h"

// RUNS8_ARGS loads sumRuns8's arguments: the 8 runs' addresses into BX, DX,
// SI, DI, R8, R9, R10 and R13, n in bytes into CX, out into R12, and a zero
// byte index into R11.
#define RUNS8_ARGS \
	MOVQ src+0(FP), AX; \
	MOVQ offs+8(FP), R11; \
	MOVQ n+16(FP), CX; \
	MOVQ out+24(FP), R12; \
	MOVQ 0(R11), BX; \
	LEAQ (AX)(BX*4), BX; \
	MOVQ 8(R11), DX; \
	LEAQ (AX)(DX*4), DX; \
	MOVQ 16(R11), SI; \
	LEAQ (AX)(SI*4), SI; \
	MOVQ 24(R11), DI; \
	LEAQ (AX)(DI*4), DI; \
	MOVQ 32(R11), R8; \
	LEAQ (AX)(R8*4), R8; \
	MOVQ 40(R11), R9; \
	LEAQ (AX)(R9*4), R9; \
	MOVQ 48(R11), R10; \
	LEAQ (AX)(R10*4), R10; \
	MOVQ 56(R11), R13; \
	LEAQ (AX)(R13*4), R13; \
	SHLQ $2, CX; \
	XORQ R11, R11

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

// SUMPAIR adds the next 4 values of the runs at ra and rb (byte index R11)
// to the float64 lanes 0–3 and 4–7 of acc, through the xt/yt/zt register.
#define SUMPAIR(ra, rb, xt, yt, zt, acc) \
	VMOVUPS     (ra)(R11*1), xt; \
	VINSERTF128 $1, (rb)(R11*1), yt, yt; \
	VCVTPS2PD   yt, zt; \
	VADDPD      zt, acc, acc

// func sumRuns8AVX512(src *float32, offs *[8]int, n int, out *[32]float64)
// out[4r+j] = Σ_i float64(src[offs[r]+4i+j]) for the runs r < 8 and lanes
// j < 4, added in order of i (sum64's four partial sums, 8 runs at once);
// n is a positive multiple of 4.
TEXT ·sumRuns8AVX512(SB), NOSPLIT, $0-32
	RUNS8_ARGS
	VXORPD Z0, Z0, Z0
	VXORPD Z1, Z1, Z1
	VXORPD Z2, Z2, Z2
	VXORPD Z3, Z3, Z3

runs8:
	SUMPAIR(BX, DX, X4, Y4, Z4, Z0)
	SUMPAIR(SI, DI, X5, Y5, Z5, Z1)
	SUMPAIR(R8, R9, X6, Y6, Z6, Z2)
	SUMPAIR(R10, R13, X7, Y7, Z7, Z3)
	ADDQ $16, R11
	CMPQ R11, CX
	JLT  runs8

	VMOVUPD Z0, 0(R12)
	VMOVUPD Z1, 64(R12)
	VMOVUPD Z2, 128(R12)
	VMOVUPD Z3, 192(R12)
	VZEROUPPER
	RET

// SUMRUN adds the next 4 values of the run at ra to the float64 lanes of
// acc, through tmp.
#define SUMRUN(ra, tmp, acc) \
	VCVTPS2PD (ra)(R11*1), tmp; \
	VADDPD    tmp, acc, acc

// func sumRuns8AVX2(src *float32, offs *[8]int, n int, out *[32]float64)
// sumRuns8AVX512 on 4 lanes a register.
TEXT ·sumRuns8AVX2(SB), NOSPLIT, $0-32
	RUNS8_ARGS
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7

runs8avx2:
	SUMRUN(BX, Y8, Y0)
	SUMRUN(DX, Y9, Y1)
	SUMRUN(SI, Y10, Y2)
	SUMRUN(DI, Y11, Y3)
	SUMRUN(R8, Y12, Y4)
	SUMRUN(R9, Y13, Y5)
	SUMRUN(R10, Y14, Y6)
	SUMRUN(R13, Y15, Y7)
	ADDQ $16, R11
	CMPQ R11, CX
	JLT  runs8avx2

	VMOVUPD Y0, 0(R12)
	VMOVUPD Y1, 32(R12)
	VMOVUPD Y2, 64(R12)
	VMOVUPD Y3, 96(R12)
	VMOVUPD Y4, 128(R12)
	VMOVUPD Y5, 160(R12)
	VMOVUPD Y6, 192(R12)
	VMOVUPD Y7, 224(R12)
	VZEROUPPER
	RET
