// Batch normalisation's element-wise passes: see bn_amd64.go. Each runs
// 16 lanes a step, then one masked step for a ragged end.

//go:build amd64 && !purego

#include "textflag.h"

// LOADACC512 and STOREACC512 move the AVX-512 sums' 32 float64 lanes
// between acc (AX) and Z0–Z3: Z0 and Z1 the first sum's lanes 0–7 and
// 8–15, Z2 and Z3 the second's.
#define LOADACC512 \
	VMOVUPD (AX), Z0; \
	VMOVUPD 64(AX), Z1; \
	VMOVUPD 128(AX), Z2; \
	VMOVUPD 192(AX), Z3

#define STOREACC512 \
	VMOVUPD Z0, (AX); \
	VMOVUPD Z1, 64(AX); \
	VMOVUPD Z2, 128(AX); \
	VMOVUPD Z3, 192(AX)

// LOADACC and STOREACC move the AVX2 sums' 32 float64 lanes between acc
// (AX) and Y0–Y7.
#define LOADACC \
	VMOVUPD (AX), Y0; \
	VMOVUPD 32(AX), Y1; \
	VMOVUPD 64(AX), Y2; \
	VMOVUPD 96(AX), Y3; \
	VMOVUPD 128(AX), Y4; \
	VMOVUPD 160(AX), Y5; \
	VMOVUPD 192(AX), Y6; \
	VMOVUPD 224(AX), Y7

#define STOREACC \
	VMOVUPD Y0, (AX); \
	VMOVUPD Y1, 32(AX); \
	VMOVUPD Y2, 64(AX); \
	VMOVUPD Y3, 96(AX); \
	VMOVUPD Y4, 128(AX); \
	VMOVUPD Y5, 160(AX); \
	VMOVUPD Y6, 192(AX); \
	VMOVUPD Y7, 224(AX)

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

// func bnReduceAVX512(acc *[32]float64, dz, dy, y, x *float32, rows, n, stride int, mu float64)
// bnReduceGo's sums without the lanes' final addition, on AVX-512, over
// rows rows of n floats, stride floats apart: lane l of acc (Z0/Z1 lanes
// 0–7 and 8–15 of Σ g, Z2/Z3 of Σ g·(x−mu)) adds the values i ≡ l mod 16
// of each row, in order, to what acc holds; with y not nil, dz[i] = dy[i]
// where y[i] > 0, else 0, is stored and summed, without, dy is. A row's
// ragged end adds under a mask, so lanes past it add nothing.
TEXT ·bnReduceAVX512(SB), NOSPLIT, $0-72
	MOVQ acc+0(FP), AX
	MOVQ dz+8(FP), R10
	MOVQ dy+16(FP), R11
	MOVQ y+24(FP), R12
	MOVQ x+32(FP), R13
	MOVQ rows+40(FP), R8
	MOVQ stride+56(FP), R9
	SHLQ $2, R9
	VBROADCASTSD mu+64(FP), Z15
	LOADACC512
	VPXORD Z14, Z14, Z14

row:
	TESTQ R8, R8
	JEQ lanes
	MOVQ R10, DI
	MOVQ R11, SI
	MOVQ R12, DX
	MOVQ R13, BX
	MOVQ n+48(FP), CX
	MOVL $0xffff, R14
	KMOVW R14, K1
	KMOVW R14, K3
	KMOVW R14, K4

loop:
	CMPQ CX, $16
	JLT tail
	VMOVUPS (SI), Z4
	VMOVUPS (BX), Z6
	TESTQ DX, DX
	JEQ sum
	VMOVUPS (DX), Z5
	VCMPPS $0x1e, Z14, Z5, K2
	VMOVUPS.Z Z4, K2, Z4
	VMOVUPS Z4, (DI)
	ADDQ $64, DX
	ADDQ $64, DI

sum:
	VCVTPS2PD Y4, Z7
	VEXTRACTF64X4 $1, Z4, Y8
	VCVTPS2PD Y8, Z8
	VCVTPS2PD Y6, Z9
	VEXTRACTF64X4 $1, Z6, Y10
	VCVTPS2PD Y10, Z10
	VSUBPD Z15, Z9, Z9
	VSUBPD Z15, Z10, Z10
	VMULPD Z9, Z7, Z9
	VMULPD Z10, Z8, Z10
	VADDPD Z7, Z0, K3, Z0
	VADDPD Z8, Z1, K4, Z1
	VADDPD Z9, Z2, K3, Z2
	VADDPD Z10, Z3, K4, Z3
	ADDQ $64, SI
	ADDQ $64, BX
	SUBQ $16, CX
	JMP loop

tail:
	TESTQ CX, CX
	JEQ next
	MOVL $1, R14
	SHLL CX, R14
	DECL R14
	KMOVW R14, K1
	KMOVW R14, K3
	KSHIFTRW $8, K1, K4
	VMOVUPS.Z (SI), K1, Z4
	VMOVUPS.Z (BX), K1, Z6
	MOVQ $16, CX // the step at sum leaves 0
	TESTQ DX, DX
	JEQ sum
	VMOVUPS.Z (DX), K1, Z5
	VCMPPS $0x1e, Z14, Z5, K2
	VMOVUPS.Z Z4, K2, Z4
	VMOVUPS Z4, K1, (DI)
	JMP sum

next:
	ADDQ R9, R11
	ADDQ R9, R13
	TESTQ R12, R12
	JEQ nexty
	ADDQ R9, R10
	ADDQ R9, R12
nexty:
	DECQ R8
	JMP row

lanes:
	STOREACC512
	VZEROUPPER
	RET

// RELU_MASK16 zeroes the lanes of the 16 floats of dy in Y10 and Y11
// where y (DX) is not above 0 (Y9 zero), stores them as dz (DI) and moves
// DX and DI on.
#define RELU_MASK16 \
	VMOVUPS (DX), Y12; \
	VCMPPS $0x1e, Y9, Y12, Y12; \
	VANDPS Y12, Y10, Y10; \
	VMOVUPS 32(DX), Y12; \
	VCMPPS $0x1e, Y9, Y12, Y12; \
	VANDPS Y12, Y11, Y11; \
	VMOVUPS Y10, (DI); \
	VMOVUPS Y11, 32(DI); \
	ADDQ $64, DX; \
	ADDQ $64, DI

// REDUCE_SUM16 adds the 16 floats g in Y10 and Y11 to the lanes of Σ g
// (Y0–Y3) and g·(x − mu) to those of Σ g·(x − mu) (Y4–Y7), in float64, x at
// BX and mu in Y8, and moves SI and BX on.
#define REDUCE_SUM16 \
	VCVTPS2PD X10, Y12; \
	VADDPD Y12, Y0, Y0; \
	VCVTPS2PD (BX), Y13; \
	VSUBPD Y8, Y13, Y13; \
	VMULPD Y13, Y12, Y13; \
	VADDPD Y13, Y4, Y4; \
	VEXTRACTF128 $1, Y10, X12; \
	VCVTPS2PD X12, Y12; \
	VADDPD Y12, Y1, Y1; \
	VCVTPS2PD 16(BX), Y13; \
	VSUBPD Y8, Y13, Y13; \
	VMULPD Y13, Y12, Y13; \
	VADDPD Y13, Y5, Y5; \
	VCVTPS2PD X11, Y12; \
	VADDPD Y12, Y2, Y2; \
	VCVTPS2PD 32(BX), Y13; \
	VSUBPD Y8, Y13, Y13; \
	VMULPD Y13, Y12, Y13; \
	VADDPD Y13, Y6, Y6; \
	VEXTRACTF128 $1, Y11, X12; \
	VCVTPS2PD X12, Y12; \
	VADDPD Y12, Y3, Y3; \
	VCVTPS2PD 48(BX), Y13; \
	VSUBPD Y8, Y13, Y13; \
	VMULPD Y13, Y12, Y13; \
	VADDPD Y13, Y7, Y7; \
	ADDQ $64, SI; \
	ADDQ $64, BX

// func bnReduceAVX2(acc *[32]float64, dz, dy, y, x *float32, rows, n, stride int, mu float64)
// bnReduceGo's sums without the lanes' final addition, on AVX2, over rows
// rows of n floats (a multiple of 16), stride floats apart: lane l of acc
// (Y0–Y3 for Σ g, Y4–Y7 for Σ g·(x−mu), 4 lanes each) adds the values i ≡ l
// mod 16 of each row, in order, to what acc holds; with y not nil, dz = dy
// where y > 0, else 0, is stored and summed.
TEXT ·bnReduceAVX2(SB), NOSPLIT, $0-72
	MOVQ acc+0(FP), AX
	MOVQ dz+8(FP), R10
	MOVQ dy+16(FP), R11
	MOVQ y+24(FP), R12
	MOVQ x+32(FP), R13
	MOVQ rows+40(FP), R8
	MOVQ stride+56(FP), R9
	SHLQ $2, R9
	VBROADCASTSD mu+64(FP), Y8
	VXORPS Y9, Y9, Y9
	LOADACC

row2:
	TESTQ R8, R8
	JEQ done2
	MOVQ R10, DI
	MOVQ R11, SI
	MOVQ R12, DX
	MOVQ R13, BX
	MOVQ n+48(FP), CX

loop2:
	CMPQ CX, $16
	JLT next2
	VMOVUPS (SI), Y10
	VMOVUPS 32(SI), Y11
	TESTQ DX, DX
	JEQ sum2
	RELU_MASK16

sum2:
	REDUCE_SUM16
	SUBQ $16, CX
	JMP loop2

next2:
	ADDQ R9, R11
	ADDQ R9, R13
	TESTQ R12, R12
	JEQ nexty2
	ADDQ R9, R10
	ADDQ R9, R12

nexty2:
	DECQ R8
	JMP row2

done2:
	STOREACC
	VZEROUPPER
	RET

// NORM8 leaves in Y0 (x−mu)·k + bias for the 8 floats at SI, with mu, k
// and bias broadcast in Y5, Y6 and Y7.
#define NORM8 \
	VMOVUPS (SI), Y0; \
	VSUBPS Y5, Y0, Y0; \
	VMULPS Y6, Y0, Y0; \
	VADDPS Y7, Y0, Y0

// func bnMomentsAVX512(acc *[32]float64, x *float32, rows, n, stride int, k float64)
// bnMomentsGo's sums without the lanes' final addition, on AVX-512, over
// rows rows of n floats, stride floats apart: d = x − k in float64, lane l
// of acc (Z0/Z1 for Σ d, Z2/Z3 for Σ d·d, rounded, then added) adds the
// values i ≡ l mod 16 of each row, in order, to what acc holds; a ragged
// end adds in a masked step.
TEXT ·bnMomentsAVX512(SB), NOSPLIT, $0-48
	MOVQ acc+0(FP), AX
	MOVQ x+8(FP), R13
	MOVQ rows+16(FP), R8
	MOVQ stride+32(FP), R9
	SHLQ $2, R9
	VBROADCASTSD k+40(FP), Z15
	LOADACC512

mrow:
	TESTQ R8, R8
	JEQ mlanes
	MOVQ R13, BX
	MOVQ n+24(FP), CX
	MOVL $0xffff, R14
	KMOVW R14, K3
	KMOVW R14, K4

mloop:
	CMPQ CX, $16
	JLT mtail
	VMOVUPS (BX), Z6

msum:
	VCVTPS2PD Y6, Z9
	VEXTRACTF64X4 $1, Z6, Y10
	VCVTPS2PD Y10, Z10
	VSUBPD Z15, Z9, Z9
	VSUBPD Z15, Z10, Z10
	VADDPD Z9, Z0, K3, Z0
	VADDPD Z10, Z1, K4, Z1
	VMULPD Z9, Z9, Z9
	VMULPD Z10, Z10, Z10
	VADDPD Z9, Z2, K3, Z2
	VADDPD Z10, Z3, K4, Z3
	ADDQ $64, BX
	SUBQ $16, CX
	JMP mloop

mtail:
	TESTQ CX, CX
	JEQ mnext
	MOVL $1, R14
	SHLL CX, R14
	DECL R14
	KMOVW R14, K1
	KMOVW R14, K3
	KSHIFTRW $8, K1, K4
	VMOVUPS.Z (BX), K1, Z6
	MOVQ $16, CX // the step at msum leaves 0
	JMP msum

mnext:
	ADDQ R9, R13
	DECQ R8
	JMP mrow

mlanes:
	STOREACC512
	VZEROUPPER
	RET

// func bnMomentsAVX2(acc *[32]float64, x *float32, rows, n, stride int, k float64)
// bnMomentsGo's sums without the lanes' final addition, on AVX2, over rows
// rows of n floats (a multiple of 16), stride floats apart: lane l of acc
// (Y0–Y3 for Σ d, Y4–Y7 for Σ d·d, d = x − k, 4 lanes each) adds the
// values i ≡ l mod 16 of each row, in order, to what acc holds.
TEXT ·bnMomentsAVX2(SB), NOSPLIT, $0-48
	MOVQ acc+0(FP), AX
	MOVQ x+8(FP), R13
	MOVQ rows+16(FP), R8
	MOVQ stride+32(FP), R9
	SHLQ $2, R9
	VBROADCASTSD k+40(FP), Y8
	LOADACC

mrow2:
	TESTQ R8, R8
	JEQ mdone2
	MOVQ R13, BX
	MOVQ n+24(FP), CX

mloop2:
	CMPQ CX, $16
	JLT mnext2
	VCVTPS2PD (BX), Y12
	VSUBPD Y8, Y12, Y12
	VADDPD Y12, Y0, Y0
	VMULPD Y12, Y12, Y12
	VADDPD Y12, Y4, Y4
	VCVTPS2PD 16(BX), Y13
	VSUBPD Y8, Y13, Y13
	VADDPD Y13, Y1, Y1
	VMULPD Y13, Y13, Y13
	VADDPD Y13, Y5, Y5
	VCVTPS2PD 32(BX), Y12
	VSUBPD Y8, Y12, Y12
	VADDPD Y12, Y2, Y2
	VMULPD Y12, Y12, Y12
	VADDPD Y12, Y6, Y6
	VCVTPS2PD 48(BX), Y13
	VSUBPD Y8, Y13, Y13
	VADDPD Y13, Y3, Y3
	VMULPD Y13, Y13, Y13
	VADDPD Y13, Y7, Y7
	ADDQ $64, BX
	SUBQ $16, CX
	JMP mloop2

mnext2:
	ADDQ R9, R13
	DECQ R8
	JMP mrow2

mdone2:
	STOREACC
	VZEROUPPER
	RET

// func bnNormRowsAVX2(y, x, r *float32, rows, n int, mu, k, bias *float32, relu bool)
// bnNormAVX512 (bnNormResAVX512 where r is not nil) on 8 lanes, over rows
// rows of n floats, n a positive multiple of 8, consecutive in y, x and r,
// row i with mu[i], k[i] and bias[i]; then, where relu, biasReluAVX2's
// steps with a bias of 0 on each vector before it is stored.
TEXT ·bnNormRowsAVX2(SB), NOSPLIT, $0-65
	MOVQ y+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ r+16(FP), DX
	MOVQ rows+24(FP), BX
	MOVQ n+32(FP), R12
	MOVQ mu+40(FP), R8
	MOVQ k+48(FP), R9
	MOVQ bias+56(FP), R10
	MOVBLZX relu+64(FP), R11
	VXORPS Y2, Y2, Y2

normrow:
	VBROADCASTSS (R8), Y5
	VBROADCASTSS (R9), Y6
	VBROADCASTSS (R10), Y7
	MOVQ R12, CX

normrow8:
	NORM8
	TESTQ DX, DX
	JZ    normrowrelu
	VADDPS (DX), Y0, Y0
	ADDQ   $32, DX

normrowrelu:
	TESTQ R11, R11
	JZ    normrowstore
	VADDPS    Y2, Y0, Y0
	VMAXPS    Y2, Y0, Y3
	VCMPPS    $3, Y0, Y0, Y4
	VBLENDVPS Y4, Y0, Y3, Y0

normrowstore:
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	SUBQ    $8, CX
	JNZ     normrow8
	ADDQ    $4, R8
	ADDQ    $4, R9
	ADDQ    $4, R10
	DECQ    BX
	JNZ     normrow
	VZEROUPPER
	RET

// func bnBackRowsAVX2(dx, dy, x *float32, rows, n int, k, a, c, mu *float32)
// bnBackAVX512 on 8 lanes, over rows rows of n floats, n a positive
// multiple of 8, consecutive in dx, dy and x, row i with k[i], a[i], c[i]
// and mu[i].
TEXT ·bnBackRowsAVX2(SB), NOSPLIT, $0-72
	MOVQ dx+0(FP), DI
	MOVQ dy+8(FP), SI
	MOVQ x+16(FP), DX
	MOVQ rows+24(FP), BX
	MOVQ n+32(FP), R12
	MOVQ k+40(FP), R8
	MOVQ a+48(FP), R9
	MOVQ c+56(FP), R10
	MOVQ mu+64(FP), R11

backrow:
	VBROADCASTSS (R8), Y4
	VBROADCASTSS (R9), Y5
	VBROADCASTSS (R10), Y6
	VBROADCASTSS (R11), Y7
	MOVQ R12, CX

backrow8:
	VMOVUPS (SI), Y0
	VMOVUPS (DX), Y1
	VSUBPS  Y7, Y1, Y1
	VMULPS  Y6, Y1, Y1
	VSUBPS  Y5, Y0, Y0
	VSUBPS  Y1, Y0, Y0
	VMULPS  Y4, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, DI
	SUBQ    $8, CX
	JNZ     backrow8
	ADDQ    $4, R8
	ADDQ    $4, R9
	ADDQ    $4, R10
	ADDQ    $4, R11
	DECQ    BX
	JNZ     backrow
	VZEROUPPER
	RET

// func bnReduceChansAVX2(accs *[32]float64, dz, dy, y, x *float32, chans, n int, mus *float64)
// bnReduceAVX2 over one row (n floats, a multiple of 16) of each of chans
// consecutive channels of an image, laid one after the other: channel c's
// row adds into accs[c] with mu = mus[c]. The channels' rows in memory
// order, each channel's lanes adding in bnReduceAVX2's order.
TEXT ·bnReduceChansAVX2(SB), NOSPLIT, $0-64
	MOVQ accs+0(FP), AX
	MOVQ dz+8(FP), DI
	MOVQ dy+16(FP), SI
	MOVQ y+24(FP), DX
	MOVQ x+32(FP), BX
	MOVQ chans+40(FP), R8
	MOVQ mus+56(FP), R10
	VXORPS Y9, Y9, Y9

chan2:
	TESTQ R8, R8
	JEQ cdone2
	LOADACC
	VBROADCASTSD (R10), Y8
	MOVQ n+48(FP), CX

cloop2:
	CMPQ CX, $16
	JLT cnext2
	VMOVUPS (SI), Y10
	VMOVUPS 32(SI), Y11
	TESTQ DX, DX
	JEQ csum2
	RELU_MASK16

csum2:
	REDUCE_SUM16
	SUBQ $16, CX
	JMP cloop2

cnext2:
	STOREACC
	ADDQ $256, AX
	ADDQ $8, R10
	DECQ R8
	JMP chan2

cdone2:
	VZEROUPPER
	RET
