//go:build amd64 && !purego

#include "textflag.h"

// Philox4x32-10 on 16 (AVX-512) or 8 (AVX2) counters at once: the lanes
// hold counters (lo + j, hi, 0, 0), j = 0, 1, …, and the kernels store
// each lane's first two output words, the operations of Philox4x32 lane
// by lane. keys holds the 10 round keys, (k0, k1) at keys[2r], keys[2r+1].

DATA philoxLanes<>+0(SB)/4, $0
DATA philoxLanes<>+4(SB)/4, $1
DATA philoxLanes<>+8(SB)/4, $2
DATA philoxLanes<>+12(SB)/4, $3
DATA philoxLanes<>+16(SB)/4, $4
DATA philoxLanes<>+20(SB)/4, $5
DATA philoxLanes<>+24(SB)/4, $6
DATA philoxLanes<>+28(SB)/4, $7
DATA philoxLanes<>+32(SB)/4, $8
DATA philoxLanes<>+36(SB)/4, $9
DATA philoxLanes<>+40(SB)/4, $10
DATA philoxLanes<>+44(SB)/4, $11
DATA philoxLanes<>+48(SB)/4, $12
DATA philoxLanes<>+52(SB)/4, $13
DATA philoxLanes<>+56(SB)/4, $14
DATA philoxLanes<>+60(SB)/4, $15
GLOBL philoxLanes<>(SB), RODATA|NOPTR, $64

// ROUND512 is one round on the counters Z0..Z3 with the multipliers in Z20
// (0xD2511F53) and Z21 (0xCD9E8D57) and the round's keys at off(BX):
// (hi0, lo0) = M0·c0, (hi1, lo1) = M1·c2, then c = (hi1^c1^k0, lo1,
// hi0^c3^k1, lo0). A 32×32 product's high half is taken from VPMULUDQ on
// the even lanes and on the odd lanes shifted down, put back together
// under K1 (the odd lanes).
#define ROUND512(off) \
	VPMULUDQ Z20, Z0, Z4 \
	VPSRLQ $32, Z0, Z5 \
	VPMULUDQ Z20, Z5, Z5 \
	VPSRLQ $32, Z4, Z4 \
	VPBLENDMD Z5, Z4, K1, Z6 \
	VPMULLD Z20, Z0, Z7 \
	VPMULUDQ Z21, Z2, Z4 \
	VPSRLQ $32, Z2, Z5 \
	VPMULUDQ Z21, Z5, Z5 \
	VPSRLQ $32, Z4, Z4 \
	VPBLENDMD Z5, Z4, K1, Z8 \
	VPMULLD Z21, Z2, Z9 \
	VPTERNLOGD.BCST $0x96, off(BX), Z1, Z8 \
	VPTERNLOGD.BCST $0x96, off+4(BX), Z3, Z6 \
	VMOVDQA32 Z8, Z0 \
	VMOVDQA32 Z9, Z1 \
	VMOVDQA32 Z6, Z2 \
	VMOVDQA32 Z7, Z3

// func philoxAVX512(x0, x1 *uint32, groups int, keys *uint32, lo, hi uint32)
// computes 16·groups lanes; lo + 16·groups − 1 must not wrap.
TEXT ·philoxAVX512(SB), NOSPLIT, $0-40
	MOVQ x0+0(FP), DI
	MOVQ x1+8(FP), SI
	MOVQ groups+16(FP), CX
	MOVQ keys+24(FP), BX
	MOVL $0xD2511F53, AX
	VPBROADCASTD AX, Z20
	MOVL $0xCD9E8D57, AX
	VPBROADCASTD AX, Z21
	MOVL lo+32(FP), AX
	VPBROADCASTD AX, Z22
	VPADDD philoxLanes<>(SB), Z22, Z22
	MOVL hi+36(FP), AX
	VPBROADCASTD AX, Z23
	MOVL $16, AX
	VPBROADCASTD AX, Z24
	MOVW $0xAAAA, AX
	KMOVW AX, K1
	TESTQ CX, CX
	JZ philox512_done
philox512_loop:
	VMOVDQA32 Z22, Z0
	VMOVDQA32 Z23, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	ROUND512(0)
	ROUND512(8)
	ROUND512(16)
	ROUND512(24)
	ROUND512(32)
	ROUND512(40)
	ROUND512(48)
	ROUND512(56)
	ROUND512(64)
	ROUND512(72)
	VMOVDQU32 Z0, (DI)
	VMOVDQU32 Z1, (SI)
	VPADDD Z24, Z22, Z22
	ADDQ $64, DI
	ADDQ $64, SI
	DECQ CX
	JNZ philox512_loop
philox512_done:
	VZEROUPPER
	RET

// ROUND256 is ROUND512 on 8 lanes in Y0..Y3, multipliers in Y12 and Y13,
// the odd lanes blended in with VPBLENDD $0xAA; AVX2 has no three-way XOR
// or low 32-bit product of its own form, so it takes VPXOR twice and
// VPMULLD.
#define ROUND256(off) \
	VPMULUDQ Y12, Y0, Y4 \
	VPSRLQ $32, Y0, Y5 \
	VPMULUDQ Y12, Y5, Y5 \
	VPSRLQ $32, Y4, Y4 \
	VPBLENDD $0xAA, Y5, Y4, Y6 \
	VPMULLD Y12, Y0, Y7 \
	VPMULUDQ Y13, Y2, Y4 \
	VPSRLQ $32, Y2, Y5 \
	VPMULUDQ Y13, Y5, Y5 \
	VPSRLQ $32, Y4, Y4 \
	VPBLENDD $0xAA, Y5, Y4, Y8 \
	VPMULLD Y13, Y2, Y9 \
	VPBROADCASTD off(BX), Y10 \
	VPBROADCASTD off+4(BX), Y11 \
	VPXOR Y1, Y8, Y8 \
	VPXOR Y10, Y8, Y0 \
	VPXOR Y3, Y6, Y6 \
	VPXOR Y11, Y6, Y2 \
	VMOVDQA Y9, Y1 \
	VMOVDQA Y7, Y3

// func philoxAVX2(x0, x1 *uint32, groups int, keys *uint32, lo, hi uint32)
// computes 8·groups lanes; lo + 8·groups − 1 must not wrap.
TEXT ·philoxAVX2(SB), NOSPLIT, $0-40
	MOVQ x0+0(FP), DI
	MOVQ x1+8(FP), SI
	MOVQ groups+16(FP), CX
	MOVQ keys+24(FP), BX
	MOVL $0xD2511F53, AX
	MOVL AX, X12
	VPBROADCASTD X12, Y12
	MOVL $0xCD9E8D57, AX
	MOVL AX, X13
	VPBROADCASTD X13, Y13
	MOVL lo+32(FP), AX
	MOVL AX, X14
	VPBROADCASTD X14, Y14
	VPADDD philoxLanes<>(SB), Y14, Y14
	MOVL hi+36(FP), AX
	MOVL AX, X15
	VPBROADCASTD X15, Y15
	TESTQ CX, CX
	JZ philox256_done
philox256_loop:
	VMOVDQA Y14, Y0
	VMOVDQA Y15, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	ROUND256(0)
	ROUND256(8)
	ROUND256(16)
	ROUND256(24)
	ROUND256(32)
	ROUND256(40)
	ROUND256(48)
	ROUND256(56)
	ROUND256(64)
	ROUND256(72)
	VMOVDQU Y0, (DI)
	VMOVDQU Y1, (SI)
	MOVL $8, AX
	MOVL AX, X4
	VPBROADCASTD X4, Y4
	VPADDD Y4, Y14, Y14
	ADDQ $32, DI
	ADDQ $32, SI
	DECQ CX
	JNZ philox256_loop
philox256_done:
	VZEROUPPER
	RET
