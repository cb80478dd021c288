//go:build amd64 && !purego

#include "textflag.h"

// Philox4x32-10 on 8 counters at once (AVX2): the lanes hold counters
// (lo + j, hi, 0, 0), j = 0, 1, …, the operations of Philox4x32 lane by
// lane, and the kernel stores all four output words of each lane in the
// order the draws take them (philoxCounters). keys holds the 10 round keys,
// (k0, k1) at keys[2r], keys[2r+1].

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
DATA philoxLanes<>+64(SB)/4, $16
DATA philoxLanes<>+68(SB)/4, $17
DATA philoxLanes<>+72(SB)/4, $18
DATA philoxLanes<>+76(SB)/4, $19
DATA philoxLanes<>+80(SB)/4, $20
DATA philoxLanes<>+84(SB)/4, $21
DATA philoxLanes<>+88(SB)/4, $22
DATA philoxLanes<>+92(SB)/4, $23
GLOBL philoxLanes<>(SB), RODATA|NOPTR, $96

// ROUND256 is one round on the counter words in c0..c3 with the
// multipliers in Y12 (0xD2511F53) and Y13 (0xCD9E8D57) and the round's
// keys broadcast in Y14 (k0) and Y15 (k1): (hi0, lo0) = M0·c0,
// (hi1, lo1) = M1·c2, then c = (hi1^c1^k0, lo1, hi0^c3^k1, lo0). The new
// words are left in c1, c2, c3, c0 (lo0 overwrites c0 once its products
// are taken, and so on), so the next round names the registers one place
// on and no moves are needed; t0 and t1 are scratch. VPMULUDQ multiplies the even lanes and,
// shifted down, the odd ones into 64-bit products; the high words are
// blended from both with VPBLENDD $0xAA and the low words with $0x55 (not
// VPMULLD, a slow multiply: the rounds ran 1.2× as fast without it on a
// Zen 2). AVX2 has no three-way XOR, so it takes VPXOR twice.
#define ROUND256(c0, c1, c2, c3, t0, t1) \
	VPSRLQ $32, c0, t1 \
	VPMULUDQ Y12, c0, t0 \
	VPMULUDQ Y12, t1, t1 \
	VPSLLQ $32, t1, c0 \
	VPBLENDD $0x55, t0, c0, c0 \
	VPSRLQ $32, t0, t0 \
	VPBLENDD $0xAA, t1, t0, t0 \
	VPXOR t0, c3, c3 \
	VPXOR Y15, c3, c3 \
	VPSRLQ $32, c2, t1 \
	VPMULUDQ Y13, c2, t0 \
	VPMULUDQ Y13, t1, t1 \
	VPSLLQ $32, t1, c2 \
	VPBLENDD $0x55, t0, c2, c2 \
	VPSRLQ $32, t0, t0 \
	VPBLENDD $0xAA, t1, t0, t0 \
	VPXOR t0, c1, c1 \
	VPXOR Y14, c1, c1

// KEYS256 broadcasts round keys off(BX) and off+4(BX) into Y14 and Y15.
#define KEYS256(off) \
	VPBROADCASTD off(BX), Y14 \
	VPBROADCASTD off+4(BX), Y15

// PAIRROUND256 is a round of two groups of counters, one in a..d (scratch
// Y4, Y5) and one in e..h (scratch Y10, Y11), under one broadcast of the
// keys: all sixteen registers are taken.
#define PAIRROUND256(off, a, b, c, d, e, f, g, h) \
	KEYS256(off) \
	ROUND256(a, b, c, d, Y4, Y5) \
	ROUND256(e, f, g, h, Y10, Y11)

// ROUNDS256 runs the ten rounds on one group in c0..c3 (scratch Y4, Y5);
// the output words (x0, x1, x2, x3) end in c2, c3, c0, c1 (ten rounds move
// the names two places on).
#define ROUNDS256(c0, c1, c2, c3) \
	KEYS256(0) \
	ROUND256(c0, c1, c2, c3, Y4, Y5) \
	KEYS256(8) \
	ROUND256(c1, c2, c3, c0, Y4, Y5) \
	KEYS256(16) \
	ROUND256(c2, c3, c0, c1, Y4, Y5) \
	KEYS256(24) \
	ROUND256(c3, c0, c1, c2, Y4, Y5) \
	KEYS256(32) \
	ROUND256(c0, c1, c2, c3, Y4, Y5) \
	KEYS256(40) \
	ROUND256(c1, c2, c3, c0, Y4, Y5) \
	KEYS256(48) \
	ROUND256(c2, c3, c0, c1, Y4, Y5) \
	KEYS256(56) \
	ROUND256(c3, c0, c1, c2, Y4, Y5) \
	KEYS256(64) \
	ROUND256(c0, c1, c2, c3, Y4, Y5) \
	KEYS256(72) \
	ROUND256(c1, c2, c3, c0, Y4, Y5)

// ROUND256M is ROUND256 with the round's keys k0, k1 read broadcast from
// the frame at koff(SP) and koff+32(SP) (philoxAVX2's table), leaving
// Y14 and Y15 free for a third group of counters.
#define ROUND256M(koff, c0, c1, c2, c3, t0, t1) \
	VPSRLQ $32, c0, t1 \
	VPMULUDQ Y12, c0, t0 \
	VPMULUDQ Y12, t1, t1 \
	VPSLLQ $32, t1, c0 \
	VPBLENDD $0x55, t0, c0, c0 \
	VPSRLQ $32, t0, t0 \
	VPBLENDD $0xAA, t1, t0, t0 \
	VPXOR t0, c3, c3 \
	VPXOR koff+32(SP), c3, c3 \
	VPSRLQ $32, c2, t1 \
	VPMULUDQ Y13, c2, t0 \
	VPMULUDQ Y13, t1, t1 \
	VPSLLQ $32, t1, c2 \
	VPBLENDD $0x55, t0, c2, c2 \
	VPSRLQ $32, t0, t0 \
	VPBLENDD $0xAA, t1, t0, t0 \
	VPXOR t0, c1, c1 \
	VPXOR koff(SP), c1, c1

// TRIPLEROUND256 is a round of three groups of counters (a..d, e..h,
// i..l) sharing the scratch Y4, Y5 (renaming keeps the groups apart).
#define TRIPLEROUND256(koff, a, b, c, d, e, f, g, h, i, j, k, l) \
	ROUND256M(koff, a, b, c, d, Y4, Y5) \
	ROUND256M(koff, e, f, g, h, Y4, Y5) \
	ROUND256M(koff, i, j, k, l, Y4, Y5)

// STORE4 stores the output words x0..x3 of a group's 8 counters as 32
// words at off(DI), each counter's four in turn (unpacks of pairs of
// words, then of pairs of pairs, give counters j and j+4 in the two lanes
// of a register; VPERM2I128 puts them in order). Y4 and Y5 are scratch;
// x0..x3 are left undefined.
#define STORE4(x0, x1, x2, x3, off) \
	VPUNPCKLDQ x1, x0, Y4 \
	VPUNPCKHDQ x1, x0, Y5 \
	VPUNPCKLDQ x3, x2, x0 \
	VPUNPCKHDQ x3, x2, x1 \
	VPUNPCKLQDQ x0, Y4, x2 \
	VPUNPCKHQDQ x0, Y4, x3 \
	VPUNPCKLQDQ x1, Y5, x0 \
	VPUNPCKHQDQ x1, Y5, x1 \
	VPERM2I128 $0x20, x3, x2, Y4 \
	VMOVDQU Y4, off(DI) \
	VPERM2I128 $0x20, x1, x0, Y4 \
	VMOVDQU Y4, off+32(DI) \
	VPERM2I128 $0x31, x3, x2, Y4 \
	VMOVDQU Y4, off+64(DI) \
	VPERM2I128 $0x31, x1, x0, Y4 \
	VMOVDQU Y4, off+96(DI)

// func philoxAVX2(x *uint32, groups int, keys *uint32, lo, hi uint32)
// computes 8·groups lanes and stores each counter's four words in turn at
// x (STORE4); lo + 8·groups − 1 must not wrap. Three groups go through the
// rounds together, their round keys read from a table the prologue
// broadcasts into the frame (2·10 keys × 32 bytes) so that the sixteen
// registers hold the three groups, the multipliers and two scratch
// registers (1.25× the rate of two groups where first measured, 1.05× on
// a Zen 2); then two, then an odd one alone. The next counter's low word
// waits in AX, the high word in R9, and goes into a vector by VMOVD: the
// legacy MOVL to an X register, with the upper halves of the ymm registers
// in use, made the whole kernel 4× slower on a Zen 2 (TestAsmAVXHygiene).
TEXT ·philoxAVX2(SB), $640-32
	MOVQ x+0(FP), DI
	MOVQ groups+8(FP), CX
	MOVQ keys+16(FP), BX
	MOVL $0xD2511F53, AX
	VMOVD AX, X12
	VPBROADCASTD X12, Y12
	MOVL $0xCD9E8D57, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13
	MOVL lo+24(FP), AX
	MOVL hi+28(FP), R9
	CMPQ CX, $3
	JLT philox256_pairs
	VPBROADCASTD 0(BX), Y4
	VMOVDQU Y4, 0(SP)
	VPBROADCASTD 4(BX), Y4
	VMOVDQU Y4, 32(SP)
	VPBROADCASTD 8(BX), Y4
	VMOVDQU Y4, 64(SP)
	VPBROADCASTD 12(BX), Y4
	VMOVDQU Y4, 96(SP)
	VPBROADCASTD 16(BX), Y4
	VMOVDQU Y4, 128(SP)
	VPBROADCASTD 20(BX), Y4
	VMOVDQU Y4, 160(SP)
	VPBROADCASTD 24(BX), Y4
	VMOVDQU Y4, 192(SP)
	VPBROADCASTD 28(BX), Y4
	VMOVDQU Y4, 224(SP)
	VPBROADCASTD 32(BX), Y4
	VMOVDQU Y4, 256(SP)
	VPBROADCASTD 36(BX), Y4
	VMOVDQU Y4, 288(SP)
	VPBROADCASTD 40(BX), Y4
	VMOVDQU Y4, 320(SP)
	VPBROADCASTD 44(BX), Y4
	VMOVDQU Y4, 352(SP)
	VPBROADCASTD 48(BX), Y4
	VMOVDQU Y4, 384(SP)
	VPBROADCASTD 52(BX), Y4
	VMOVDQU Y4, 416(SP)
	VPBROADCASTD 56(BX), Y4
	VMOVDQU Y4, 448(SP)
	VPBROADCASTD 60(BX), Y4
	VMOVDQU Y4, 480(SP)
	VPBROADCASTD 64(BX), Y4
	VMOVDQU Y4, 512(SP)
	VPBROADCASTD 68(BX), Y4
	VMOVDQU Y4, 544(SP)
	VPBROADCASTD 72(BX), Y4
	VMOVDQU Y4, 576(SP)
	VPBROADCASTD 76(BX), Y4
	VMOVDQU Y4, 608(SP)
philox256_triple:
	VMOVD AX, X0
	VPBROADCASTD X0, Y0
	VPADDD philoxLanes<>+32(SB), Y0, Y6
	VPADDD philoxLanes<>+64(SB), Y0, Y10
	VPADDD philoxLanes<>(SB), Y0, Y0
	VMOVD R9, X1
	VPBROADCASTD X1, Y1
	VMOVDQA Y1, Y7
	VMOVDQA Y1, Y11
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	VPXOR Y8, Y8, Y8
	VPXOR Y9, Y9, Y9
	VPXOR Y14, Y14, Y14
	VPXOR Y15, Y15, Y15
	TRIPLEROUND256(0, Y0, Y1, Y2, Y3, Y6, Y7, Y8, Y9, Y10, Y11, Y14, Y15)
	TRIPLEROUND256(64, Y1, Y2, Y3, Y0, Y7, Y8, Y9, Y6, Y11, Y14, Y15, Y10)
	TRIPLEROUND256(128, Y2, Y3, Y0, Y1, Y8, Y9, Y6, Y7, Y14, Y15, Y10, Y11)
	TRIPLEROUND256(192, Y3, Y0, Y1, Y2, Y9, Y6, Y7, Y8, Y15, Y10, Y11, Y14)
	TRIPLEROUND256(256, Y0, Y1, Y2, Y3, Y6, Y7, Y8, Y9, Y10, Y11, Y14, Y15)
	TRIPLEROUND256(320, Y1, Y2, Y3, Y0, Y7, Y8, Y9, Y6, Y11, Y14, Y15, Y10)
	TRIPLEROUND256(384, Y2, Y3, Y0, Y1, Y8, Y9, Y6, Y7, Y14, Y15, Y10, Y11)
	TRIPLEROUND256(448, Y3, Y0, Y1, Y2, Y9, Y6, Y7, Y8, Y15, Y10, Y11, Y14)
	TRIPLEROUND256(512, Y0, Y1, Y2, Y3, Y6, Y7, Y8, Y9, Y10, Y11, Y14, Y15)
	TRIPLEROUND256(576, Y1, Y2, Y3, Y0, Y7, Y8, Y9, Y6, Y11, Y14, Y15, Y10)
	STORE4(Y2, Y3, Y0, Y1, 0)
	STORE4(Y8, Y9, Y6, Y7, 128)
	STORE4(Y14, Y15, Y10, Y11, 256)
	ADDQ $384, DI
	ADDL $24, AX
	SUBQ $3, CX
	CMPQ CX, $3
	JGE philox256_triple
philox256_pairs:
	CMPQ CX, $2
	JLT philox256_one
philox256_pair:
	VMOVD AX, X0
	VPBROADCASTD X0, Y0
	VPADDD philoxLanes<>+32(SB), Y0, Y6
	VPADDD philoxLanes<>(SB), Y0, Y0
	VMOVD R9, X1
	VPBROADCASTD X1, Y1
	VMOVDQA Y1, Y7
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	VPXOR Y8, Y8, Y8
	VPXOR Y9, Y9, Y9
	PAIRROUND256(0, Y0, Y1, Y2, Y3, Y6, Y7, Y8, Y9)
	PAIRROUND256(8, Y1, Y2, Y3, Y0, Y7, Y8, Y9, Y6)
	PAIRROUND256(16, Y2, Y3, Y0, Y1, Y8, Y9, Y6, Y7)
	PAIRROUND256(24, Y3, Y0, Y1, Y2, Y9, Y6, Y7, Y8)
	PAIRROUND256(32, Y0, Y1, Y2, Y3, Y6, Y7, Y8, Y9)
	PAIRROUND256(40, Y1, Y2, Y3, Y0, Y7, Y8, Y9, Y6)
	PAIRROUND256(48, Y2, Y3, Y0, Y1, Y8, Y9, Y6, Y7)
	PAIRROUND256(56, Y3, Y0, Y1, Y2, Y9, Y6, Y7, Y8)
	PAIRROUND256(64, Y0, Y1, Y2, Y3, Y6, Y7, Y8, Y9)
	PAIRROUND256(72, Y1, Y2, Y3, Y0, Y7, Y8, Y9, Y6)
	STORE4(Y2, Y3, Y0, Y1, 0)
	STORE4(Y8, Y9, Y6, Y7, 128)
	ADDQ $256, DI
	ADDL $16, AX
	SUBQ $2, CX
	CMPQ CX, $2
	JGE philox256_pair
philox256_one:
	TESTQ CX, CX
	JZ philox256_done
	VMOVD AX, X0
	VPBROADCASTD X0, Y0
	VPADDD philoxLanes<>(SB), Y0, Y0
	VMOVD R9, X1
	VPBROADCASTD X1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	ROUNDS256(Y0, Y1, Y2, Y3)
	STORE4(Y2, Y3, Y0, Y1, 0)
philox256_done:
	VZEROUPPER
	RET

// ROUND512 is ROUND256 on 16 lanes, the multipliers in Z20 (0xD2511F53)
// and Z21 (0xCD9E8D57) and the round's keys read broadcast from off(BX):
// the high words are put back together under K1 (the odd lanes), the low
// words come from VPMULLD (on a Zen 4 1.04–1.09× the rate of ROUND256's
// shift and blend), and VPTERNLOGD's three-way XOR takes what VPXOR did
// twice. The new words are left in c1, c2, c3, c0.
#define ROUND512(off, c0, c1, c2, c3, t0, t1) \
	VPSRLQ $32, c0, t1 \
	VPMULUDQ Z20, c0, t0 \
	VPMULUDQ Z20, t1, t1 \
	VPMULLD Z20, c0, c0 \
	VPSRLQ $32, t0, t0 \
	VMOVDQA32 t1, K1, t0 \
	VPTERNLOGD.BCST $0x96, off+4(BX), t0, c3 \
	VPSRLQ $32, c2, t1 \
	VPMULUDQ Z21, c2, t0 \
	VPMULUDQ Z21, t1, t1 \
	VPMULLD Z21, c2, c2 \
	VPSRLQ $32, t0, t0 \
	VMOVDQA32 t1, K1, t0 \
	VPTERNLOGD.BCST $0x96, off(BX), t0, c1

// ROUNDS512 runs the ten rounds on one group in c0..c3 (scratch t0, t1);
// the output words (x0, x1, x2, x3) end in c2, c3, c0, c1.
#define ROUNDS512(c0, c1, c2, c3, t0, t1) \
	ROUND512(0, c0, c1, c2, c3, t0, t1) \
	ROUND512(8, c1, c2, c3, c0, t0, t1) \
	ROUND512(16, c2, c3, c0, c1, t0, t1) \
	ROUND512(24, c3, c0, c1, c2, t0, t1) \
	ROUND512(32, c0, c1, c2, c3, t0, t1) \
	ROUND512(40, c1, c2, c3, c0, t0, t1) \
	ROUND512(48, c2, c3, c0, c1, t0, t1) \
	ROUND512(56, c3, c0, c1, c2, t0, t1) \
	ROUND512(64, c0, c1, c2, c3, t0, t1) \
	ROUND512(72, c1, c2, c3, c0, t0, t1)

// QUADROUND512 is a round of four groups of counters (a..d, e..h, i..l,
// m..p), each with its own scratch, so that one group's multiplies run
// while another's wait on their inputs (a round is a chain of dependent
// steps).
#define QUADROUND512(off, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p) \
	ROUND512(off, a, b, c, d, Z4, Z5) \
	ROUND512(off, e, f, g, h, Z14, Z15) \
	ROUND512(off, i, j, k, l, Z16, Z17) \
	ROUND512(off, m, n, o, p, Z18, Z19)

DATA philoxPairLo<>+0(SB)/8, $0x0000001000000000
DATA philoxPairLo<>+8(SB)/8, $0x0000001100000001
DATA philoxPairLo<>+16(SB)/8, $0x0000001200000002
DATA philoxPairLo<>+24(SB)/8, $0x0000001300000003
DATA philoxPairLo<>+32(SB)/8, $0x0000001400000004
DATA philoxPairLo<>+40(SB)/8, $0x0000001500000005
DATA philoxPairLo<>+48(SB)/8, $0x0000001600000006
DATA philoxPairLo<>+56(SB)/8, $0x0000001700000007
GLOBL philoxPairLo<>(SB), RODATA|NOPTR, $64

DATA philoxPairHi<>+0(SB)/8, $0x0000001800000008
DATA philoxPairHi<>+8(SB)/8, $0x0000001900000009
DATA philoxPairHi<>+16(SB)/8, $0x0000001a0000000a
DATA philoxPairHi<>+24(SB)/8, $0x0000001b0000000b
DATA philoxPairHi<>+32(SB)/8, $0x0000001c0000000c
DATA philoxPairHi<>+40(SB)/8, $0x0000001d0000000d
DATA philoxPairHi<>+48(SB)/8, $0x0000001e0000000e
DATA philoxPairHi<>+56(SB)/8, $0x0000001f0000000f
GLOBL philoxPairHi<>(SB), RODATA|NOPTR, $64

DATA philoxQuadLo<>+0(SB)/8, $0x0000000100000000
DATA philoxQuadLo<>+8(SB)/8, $0x0000001100000010
DATA philoxQuadLo<>+16(SB)/8, $0x0000000300000002
DATA philoxQuadLo<>+24(SB)/8, $0x0000001300000012
DATA philoxQuadLo<>+32(SB)/8, $0x0000000500000004
DATA philoxQuadLo<>+40(SB)/8, $0x0000001500000014
DATA philoxQuadLo<>+48(SB)/8, $0x0000000700000006
DATA philoxQuadLo<>+56(SB)/8, $0x0000001700000016
GLOBL philoxQuadLo<>(SB), RODATA|NOPTR, $64

DATA philoxQuadHi<>+0(SB)/8, $0x0000000900000008
DATA philoxQuadHi<>+8(SB)/8, $0x0000001900000018
DATA philoxQuadHi<>+16(SB)/8, $0x0000000b0000000a
DATA philoxQuadHi<>+24(SB)/8, $0x0000001b0000001a
DATA philoxQuadHi<>+32(SB)/8, $0x0000000d0000000c
DATA philoxQuadHi<>+40(SB)/8, $0x0000001d0000001c
DATA philoxQuadHi<>+48(SB)/8, $0x0000000f0000000e
DATA philoxQuadHi<>+56(SB)/8, $0x0000001f0000001e
GLOBL philoxQuadHi<>(SB), RODATA|NOPTR, $64

// STORE512 stores the output words x0..x3 of a group's 16 counters as 64
// words at off(DI), each counter's four in turn: two-table permutes
// interleave the words of x0 and x1, and of x2 and x3, a counter's pair
// at a time (counters 0–7 by philoxPairLo, 8–15 by philoxPairHi), then the
// pairs of pairs (philoxQuadLo and philoxQuadHi give counters 0–3 and 4–7
// of the eight). t0..t3 are scratch; x0..x3 are left undefined.
#define STORE512(x0, x1, x2, x3, t0, t1, t2, t3, off) \
	VMOVDQU32 philoxPairLo<>(SB), t0 \
	VPERMI2D x1, x0, t0 \
	VMOVDQU32 philoxPairHi<>(SB), t1 \
	VPERMI2D x1, x0, t1 \
	VMOVDQU32 philoxPairLo<>(SB), t2 \
	VPERMI2D x3, x2, t2 \
	VMOVDQU32 philoxPairHi<>(SB), t3 \
	VPERMI2D x3, x2, t3 \
	VMOVDQU32 philoxQuadLo<>(SB), x0 \
	VPERMI2D t2, t0, x0 \
	VMOVDQU32 x0, off(DI) \
	VMOVDQU32 philoxQuadHi<>(SB), x1 \
	VPERMI2D t2, t0, x1 \
	VMOVDQU32 x1, off+64(DI) \
	VMOVDQU32 philoxQuadLo<>(SB), x2 \
	VPERMI2D t3, t1, x2 \
	VMOVDQU32 x2, off+128(DI) \
	VMOVDQU32 philoxQuadHi<>(SB), x3 \
	VPERMI2D t3, t1, x3 \
	VMOVDQU32 x3, off+192(DI)

// func philoxAVX512(x *uint32, groups int, keys *uint32, lo, hi uint32)
// is philoxAVX2 on 16·groups counters (lo + 16·groups − 1 must not wrap):
// four groups go through the rounds together, then one at a time, and each
// counter's four words are stored in turn (STORE512).
TEXT ·philoxAVX512(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), DI
	MOVQ groups+8(FP), CX
	MOVQ keys+16(FP), BX
	MOVL $0xD2511F53, AX
	VPBROADCASTD AX, Z20
	MOVL $0xCD9E8D57, AX
	VPBROADCASTD AX, Z21
	MOVL lo+24(FP), AX
	VPBROADCASTD AX, Z22
	VPADDD philoxLanes<>(SB), Z22, Z22
	MOVL hi+28(FP), AX
	VPBROADCASTD AX, Z23
	MOVL $16, AX
	VPBROADCASTD AX, Z24
	MOVW $0xAAAA, AX
	KMOVW AX, K1
	CMPQ CX, $4
	JLT philox512_one
philox512_quad:
	VMOVDQA32 Z22, Z0
	VMOVDQA32 Z23, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPADDD Z24, Z22, Z10
	VMOVDQA32 Z23, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPADDD Z24, Z10, Z6
	VMOVDQA32 Z23, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPADDD Z24, Z6, Z25
	VMOVDQA32 Z23, Z26
	VPXORD Z27, Z27, Z27
	VPXORD Z28, Z28, Z28
	QUADROUND512(0, Z0, Z1, Z2, Z3, Z10, Z11, Z12, Z13, Z6, Z7, Z8, Z9, Z25, Z26, Z27, Z28)
	QUADROUND512(8, Z1, Z2, Z3, Z0, Z11, Z12, Z13, Z10, Z7, Z8, Z9, Z6, Z26, Z27, Z28, Z25)
	QUADROUND512(16, Z2, Z3, Z0, Z1, Z12, Z13, Z10, Z11, Z8, Z9, Z6, Z7, Z27, Z28, Z25, Z26)
	QUADROUND512(24, Z3, Z0, Z1, Z2, Z13, Z10, Z11, Z12, Z9, Z6, Z7, Z8, Z28, Z25, Z26, Z27)
	QUADROUND512(32, Z0, Z1, Z2, Z3, Z10, Z11, Z12, Z13, Z6, Z7, Z8, Z9, Z25, Z26, Z27, Z28)
	QUADROUND512(40, Z1, Z2, Z3, Z0, Z11, Z12, Z13, Z10, Z7, Z8, Z9, Z6, Z26, Z27, Z28, Z25)
	QUADROUND512(48, Z2, Z3, Z0, Z1, Z12, Z13, Z10, Z11, Z8, Z9, Z6, Z7, Z27, Z28, Z25, Z26)
	QUADROUND512(56, Z3, Z0, Z1, Z2, Z13, Z10, Z11, Z12, Z9, Z6, Z7, Z8, Z28, Z25, Z26, Z27)
	QUADROUND512(64, Z0, Z1, Z2, Z3, Z10, Z11, Z12, Z13, Z6, Z7, Z8, Z9, Z25, Z26, Z27, Z28)
	QUADROUND512(72, Z1, Z2, Z3, Z0, Z11, Z12, Z13, Z10, Z7, Z8, Z9, Z6, Z26, Z27, Z28, Z25)
	STORE512(Z2, Z3, Z0, Z1, Z4, Z5, Z14, Z15, 0)
	STORE512(Z12, Z13, Z10, Z11, Z4, Z5, Z14, Z15, 256)
	STORE512(Z8, Z9, Z6, Z7, Z4, Z5, Z14, Z15, 512)
	STORE512(Z27, Z28, Z25, Z26, Z4, Z5, Z14, Z15, 768)
	VPADDD Z24, Z22, Z22
	VPADDD Z24, Z22, Z22
	VPADDD Z24, Z22, Z22
	VPADDD Z24, Z22, Z22
	ADDQ $1024, DI
	SUBQ $4, CX
	CMPQ CX, $4
	JGE philox512_quad
philox512_one:
	TESTQ CX, CX
	JZ philox512_done
	VMOVDQA32 Z22, Z0
	VMOVDQA32 Z23, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	ROUNDS512(Z0, Z1, Z2, Z3, Z4, Z5)
	STORE512(Z2, Z3, Z0, Z1, Z4, Z5, Z14, Z15, 0)
	VPADDD Z24, Z22, Z22
	ADDQ $256, DI
	DECQ CX
	JMP philox512_one
philox512_done:
	VZEROUPPER
	RET

// func randMapAVX512(out *float32, x *uint32, n int, bernoulli bool, a, s float32)
// maps the words x[j] to floats, j < n, n a multiple of 16: u = (x>>8)·2⁻²⁴
// (exact), then a + s·u, or with bernoulli s·(1 if u < a else 0): randMapGo's
// operations, lane by lane, in the same order.
TEXT ·randMapAVX512(SB), NOSPLIT, $0-36
	MOVQ out+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	MOVBLZX bernoulli+24(FP), DX
	VBROADCASTSS a+28(FP), Z28
	VBROADCASTSS s+32(FP), Z29
	MOVL $0x33800000, AX
	VPBROADCASTD AX, Z30
	MOVL $0x3f800000, AX
	VPBROADCASTD AX, Z31
	SHRQ $4, CX
	JZ randmap512_done
	TESTQ DX, DX
	JNZ randmap512_bernoulli
randmap512_uniform:
	VPSRLD $8, (SI), Z0
	VCVTDQ2PS Z0, Z0
	VMULPS Z30, Z0, Z0
	VMULPS Z29, Z0, Z0
	VADDPS Z28, Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ randmap512_uniform
	JMP randmap512_done
randmap512_bernoulli:
	VPSRLD $8, (SI), Z0
	VCVTDQ2PS Z0, Z0
	VMULPS Z30, Z0, Z0
	VCMPPS $1, Z28, Z0, K2
	VMOVAPS.Z Z31, K2, Z1
	VMULPS Z29, Z1, Z1
	VMOVUPS Z1, (DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ randmap512_bernoulli
randmap512_done:
	VZEROUPPER
	RET

// func randMapAVX2(out *float32, x *uint32, n int, bernoulli bool, a, s float32)
// is randMapAVX512 on 8 lanes, n a multiple of 8.
TEXT ·randMapAVX2(SB), NOSPLIT, $0-36
	MOVQ out+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ n+16(FP), CX
	MOVBLZX bernoulli+24(FP), DX
	VBROADCASTSS a+28(FP), Y13
	VBROADCASTSS s+32(FP), Y14
	MOVL $0x33800000, AX
	VMOVD AX, X12
	VPBROADCASTD X12, Y12
	MOVL $0x3f800000, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	SHRQ $3, CX
	JZ randmap256_done
	TESTQ DX, DX
	JNZ randmap256_bernoulli
randmap256_uniform:
	VMOVDQU (SI), Y0
	VPSRLD $8, Y0, Y0
	VCVTDQ2PS Y0, Y0
	VMULPS Y12, Y0, Y0
	VMULPS Y14, Y0, Y0
	VADDPS Y13, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ randmap256_uniform
	JMP randmap256_done
randmap256_bernoulli:
	VMOVDQU (SI), Y0
	VPSRLD $8, Y0, Y0
	VCVTDQ2PS Y0, Y0
	VMULPS Y12, Y0, Y0
	VCMPPS $1, Y13, Y0, Y1
	VANDPS Y15, Y1, Y1
	VMULPS Y14, Y1, Y1
	VMOVUPS Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ randmap256_bernoulli
randmap256_done:
	VZEROUPPER
	RET
