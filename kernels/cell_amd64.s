// The LSTM and GRU cells' element-wise arithmetic: see cell_amd64.go. The
// AVX-512 kernels run 16 lanes a step, then one masked step for a ragged
// end; the AVX2 ones 8 lanes a step over whole vectors, a ragged end left
// to the Go loops. All compute the Go loops' float32 operations in their
// order.

//go:build amd64 && !purego

#include "textflag.h"

DATA c_one32<>+0(SB)/4, $0x3f800000
GLOBL c_one32<>(SB), RODATA|NOPTR, $4

// func lstmCStateAVX512(c, i, f, gg, cp *float32, n int)
// c[j] = f[j]·cp[j] + i[j]·gg[j].
TEXT ·lstmCStateAVX512(SB), NOSPLIT, $0-48
	MOVQ c+0(FP), DI
	MOVQ i+8(FP), SI
	MOVQ f+16(FP), DX
	MOVQ gg+24(FP), R8
	MOVQ cp+32(FP), R9
	MOVQ n+40(FP), CX
	MOVL $0xffff, AX
	KMOVW AX, K1
loop:
	CMPQ CX, $16
	JGE step
	TESTQ CX, CX
	JEQ done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	MOVQ $16, CX // the last, masked step: SUBQ leaves 0
step:
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DX), K1, Z1
	VMOVUPS.Z (R8), K1, Z2
	VMOVUPS.Z (R9), K1, Z3
	VMULPS Z3, Z1, Z1 // f·cp
	VMULPS Z2, Z0, Z0 // i·g
	VADDPS Z0, Z1, Z0
	VMOVUPS Z0, K1, (DI)
	ADDQ $64, DI
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, R8
	ADDQ $64, R9
	SUBQ $16, CX
	JMP loop
done:
	VZEROUPPER
	RET

// func lstmCellBackAVX512(d, gates, dh, dc, dcp, cp *float32, hidden, n int)
// One row of LSTMCellBackward: d and gates hold the four gate blocks of
// hidden units (i, f, g, o), do tanh(c) on entry; n ≤ hidden units from
// the row's start.
TEXT ·lstmCellBackAVX512(SB), NOSPLIT, $0-64
	MOVQ d+0(FP), DI
	MOVQ gates+8(FP), SI
	MOVQ dh+16(FP), DX
	MOVQ dc+24(FP), R8
	MOVQ dcp+32(FP), R9
	MOVQ cp+40(FP), R10
	MOVQ hidden+48(FP), R11
	SHLQ $2, R11 // a gate block's bytes
	MOVQ n+56(FP), CX
	VBROADCASTSS c_one32<>(SB), Z15
	MOVL $0xffff, AX
	KMOVW AX, K1
loop:
	CMPQ CX, $16
	JGE step
	TESTQ CX, CX
	JEQ done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	MOVQ $16, CX // the last, masked step: SUBQ leaves 0
step:
	VMOVUPS.Z (SI), K1, Z0 // i
	VMOVUPS.Z (SI)(R11*1), K1, Z1 // f
	VMOVUPS.Z (SI)(R11*2), K1, Z2 // g
	LEAQ (SI)(R11*2), R12
	VMOVUPS.Z (R12)(R11*1), K1, Z3 // o
	LEAQ (DI)(R11*2), R13
	VMOVUPS.Z (R13)(R11*1), K1, Z4 // tanh(c), in do
	VMOVUPS.Z (DX), K1, Z5 // dh
	VMOVUPS.Z (R8), K1, Z6 // dc
	VMOVUPS.Z (R10), K1, Z7 // cp
	VMULPS Z4, Z4, Z8
	VSUBPS Z8, Z15, Z8 // 1 − tc²
	VMULPS Z3, Z5, Z9 // dh·o
	VMULPS Z8, Z9, Z9
	VADDPS Z9, Z6, Z6 // dct
	VMULPS Z2, Z6, Z10
	VMULPS Z0, Z10, Z10
	VSUBPS Z0, Z15, Z11
	VMULPS Z11, Z10, Z10 // di
	VMULPS Z7, Z6, Z11
	VMULPS Z1, Z11, Z11
	VSUBPS Z1, Z15, Z12
	VMULPS Z12, Z11, Z11 // df
	VMULPS Z0, Z6, Z12
	VMULPS Z2, Z2, Z13
	VSUBPS Z13, Z15, Z13
	VMULPS Z13, Z12, Z12 // dg
	VMULPS Z4, Z5, Z13
	VMULPS Z3, Z13, Z13
	VSUBPS Z3, Z15, Z14
	VMULPS Z14, Z13, Z13 // do
	VMULPS Z1, Z6, Z6 // dcp
	VMOVUPS Z10, K1, (DI)
	VMOVUPS Z11, K1, (DI)(R11*1)
	VMOVUPS Z12, K1, (DI)(R11*2)
	VMOVUPS Z13, K1, (R13)(R11*1)
	VMOVUPS Z6, K1, (R9)
	ADDQ $64, DI
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, R8
	ADDQ $64, R9
	ADDQ $64, R10
	SUBQ $16, CX
	JMP loop
done:
	VZEROUPPER
	RET

// func gruCellBackAVX512(dx, dhh, dhp, dh, gates, hp *float32, hidden, n int)
// One row of GRUCellBackward: dx and dhh hold three blocks of hidden
// units (r, z, n), gates four (r, z, n, hh_n); n ≤ hidden units from the
// row's start.
TEXT ·gruCellBackAVX512(SB), NOSPLIT, $0-64
	MOVQ dx+0(FP), DI
	MOVQ dhh+8(FP), R8
	MOVQ dhp+16(FP), R9
	MOVQ dh+24(FP), DX
	MOVQ gates+32(FP), SI
	MOVQ hp+40(FP), R10
	MOVQ hidden+48(FP), R11
	SHLQ $2, R11 // a gate block's bytes
	MOVQ n+56(FP), CX
	VBROADCASTSS c_one32<>(SB), Z15
loop:
	CMPQ CX, $16
	JLT tail
	VMOVUPS (SI), Z0 // r
	VMOVUPS (SI)(R11*1), Z1 // z
	VMOVUPS (SI)(R11*2), Z2 // n
	LEAQ (SI)(R11*2), R12
	VMOVUPS (R12)(R11*1), Z3 // hh_n
	VMOVUPS (DX), Z4 // dh
	VMOVUPS (R10), Z5 // hPrev
	VSUBPS Z1, Z15, Z6 // 1 − z
	VMULPS Z6, Z4, Z7
	VMULPS Z2, Z2, Z8
	VSUBPS Z8, Z15, Z8
	VMULPS Z8, Z7, Z7 // an
	VMULPS Z3, Z7, Z8
	VMULPS Z0, Z8, Z8
	VSUBPS Z0, Z15, Z9
	VMULPS Z9, Z8, Z8 // ar
	VSUBPS Z2, Z5, Z9
	VMULPS Z9, Z4, Z9
	VMULPS Z1, Z9, Z9
	VMULPS Z6, Z9, Z9 // az
	VMULPS Z0, Z7, Z10 // an·r
	VMULPS Z1, Z4, Z11 // dh·z
	LEAQ (DI)(R11*2), R13
	LEAQ (R8)(R11*2), R14
	VMOVUPS Z8, (DI)
	VMOVUPS Z9, (DI)(R11*1)
	VMOVUPS Z7, (R13)
	VMOVUPS Z8, (R8)
	VMOVUPS Z9, (R8)(R11*1)
	VMOVUPS Z10, (R14)
	VMOVUPS Z11, (R9)
	ADDQ $64, DI
	ADDQ $64, R8
	ADDQ $64, R9
	ADDQ $64, DX
	ADDQ $64, SI
	ADDQ $64, R10
	SUBQ $16, CX
	JMP loop
tail:
	TESTQ CX, CX
	JEQ done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0 // r
	VMOVUPS.Z (SI)(R11*1), K1, Z1 // z
	VMOVUPS.Z (SI)(R11*2), K1, Z2 // n
	LEAQ (SI)(R11*2), R12
	VMOVUPS.Z (R12)(R11*1), K1, Z3 // hh_n
	VMOVUPS.Z (DX), K1, Z4 // dh
	VMOVUPS.Z (R10), K1, Z5 // hPrev
	VSUBPS Z1, Z15, Z6 // 1 − z
	VMULPS Z6, Z4, Z7
	VMULPS Z2, Z2, Z8
	VSUBPS Z8, Z15, Z8
	VMULPS Z8, Z7, Z7 // an
	VMULPS Z3, Z7, Z8
	VMULPS Z0, Z8, Z8
	VSUBPS Z0, Z15, Z9
	VMULPS Z9, Z8, Z8 // ar
	VSUBPS Z2, Z5, Z9
	VMULPS Z9, Z4, Z9
	VMULPS Z1, Z9, Z9
	VMULPS Z6, Z9, Z9 // az
	VMULPS Z0, Z7, Z10 // an·r
	VMULPS Z1, Z4, Z11 // dh·z
	LEAQ (DI)(R11*2), R13
	LEAQ (R8)(R11*2), R14
	VMOVUPS Z8, K1, (DI)
	VMOVUPS Z9, K1, (DI)(R11*1)
	VMOVUPS Z7, K1, (R13)
	VMOVUPS Z8, K1, (R8)
	VMOVUPS Z9, K1, (R8)(R11*1)
	VMOVUPS Z10, K1, (R14)
	VMOVUPS Z11, K1, (R9)
done:
	VZEROUPPER
	RET

// func lstmCStateAVX2(c, i, f, gg, cp *float32, n int)
// lstmCStateAVX512 on 8 lanes, n a positive multiple of 8 (the Go loop
// takes a ragged end).
TEXT ·lstmCStateAVX2(SB), NOSPLIT, $0-48
	MOVQ c+0(FP), DI
	MOVQ i+8(FP), SI
	MOVQ f+16(FP), DX
	MOVQ gg+24(FP), R8
	MOVQ cp+32(FP), R9
	MOVQ n+40(FP), CX
loop:
	VMOVUPS (SI), Y0
	VMOVUPS (DX), Y1
	VMOVUPS (R8), Y2
	VMOVUPS (R9), Y3
	VMULPS Y3, Y1, Y1 // f·cp
	VMULPS Y2, Y0, Y0 // i·g
	VADDPS Y0, Y1, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, R8
	ADDQ $32, R9
	SUBQ $8, CX
	JNZ loop
	VZEROUPPER
	RET

// func lstmCellBackAVX2(d, gates, dh, dc, dcp, cp *float32, hidden, n int)
// lstmCellBackAVX512 on 8 lanes, n a positive multiple of 8 (the Go loop
// takes a ragged end).
TEXT ·lstmCellBackAVX2(SB), NOSPLIT, $0-64
	MOVQ d+0(FP), DI
	MOVQ gates+8(FP), SI
	MOVQ dh+16(FP), DX
	MOVQ dc+24(FP), R8
	MOVQ dcp+32(FP), R9
	MOVQ cp+40(FP), R10
	MOVQ hidden+48(FP), R11
	SHLQ $2, R11 // a gate block's bytes
	MOVQ n+56(FP), CX
	VBROADCASTSS c_one32<>(SB), Y15
loop:
	VMOVUPS (SI), Y0 // i
	VMOVUPS (SI)(R11*1), Y1 // f
	VMOVUPS (SI)(R11*2), Y2 // g
	LEAQ (SI)(R11*2), R12
	VMOVUPS (R12)(R11*1), Y3 // o
	LEAQ (DI)(R11*2), R13
	VMOVUPS (R13)(R11*1), Y4 // tanh(c), in do
	VMOVUPS (DX), Y5 // dh
	VMOVUPS (R8), Y6 // dc
	VMOVUPS (R10), Y7 // cp
	VMULPS Y4, Y4, Y8
	VSUBPS Y8, Y15, Y8 // 1 − tc²
	VMULPS Y3, Y5, Y9 // dh·o
	VMULPS Y8, Y9, Y9
	VADDPS Y9, Y6, Y6 // dct
	VMULPS Y2, Y6, Y10
	VMULPS Y0, Y10, Y10
	VSUBPS Y0, Y15, Y11
	VMULPS Y11, Y10, Y10 // di
	VMULPS Y7, Y6, Y11
	VMULPS Y1, Y11, Y11
	VSUBPS Y1, Y15, Y12
	VMULPS Y12, Y11, Y11 // df
	VMULPS Y0, Y6, Y12
	VMULPS Y2, Y2, Y13
	VSUBPS Y13, Y15, Y13
	VMULPS Y13, Y12, Y12 // dg
	VMULPS Y4, Y5, Y13
	VMULPS Y3, Y13, Y13
	VSUBPS Y3, Y15, Y14
	VMULPS Y14, Y13, Y13 // do
	VMULPS Y1, Y6, Y6 // dcp
	VMOVUPS Y10, (DI)
	VMOVUPS Y11, (DI)(R11*1)
	VMOVUPS Y12, (DI)(R11*2)
	VMOVUPS Y13, (R13)(R11*1)
	VMOVUPS Y6, (R9)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, R10
	SUBQ $8, CX
	JNZ loop
	VZEROUPPER
	RET

// func gruCellBackAVX2(dx, dhh, dhp, dh, gates, hp *float32, hidden, n int)
// gruCellBackAVX512 on 8 lanes, n a positive multiple of 8 (the Go loop
// takes a ragged end).
TEXT ·gruCellBackAVX2(SB), NOSPLIT, $0-64
	MOVQ dx+0(FP), DI
	MOVQ dhh+8(FP), R8
	MOVQ dhp+16(FP), R9
	MOVQ dh+24(FP), DX
	MOVQ gates+32(FP), SI
	MOVQ hp+40(FP), R10
	MOVQ hidden+48(FP), R11
	SHLQ $2, R11 // a gate block's bytes
	MOVQ n+56(FP), CX
	VBROADCASTSS c_one32<>(SB), Y15
loop:
	VMOVUPS (SI), Y0 // r
	VMOVUPS (SI)(R11*1), Y1 // z
	VMOVUPS (SI)(R11*2), Y2 // n
	LEAQ (SI)(R11*2), R12
	VMOVUPS (R12)(R11*1), Y3 // hh_n
	VMOVUPS (DX), Y4 // dh
	VMOVUPS (R10), Y5 // hPrev
	VSUBPS Y1, Y15, Y6 // 1 − z
	VMULPS Y6, Y4, Y7
	VMULPS Y2, Y2, Y8
	VSUBPS Y8, Y15, Y8
	VMULPS Y8, Y7, Y7 // an
	VMULPS Y3, Y7, Y8
	VMULPS Y0, Y8, Y8
	VSUBPS Y0, Y15, Y9
	VMULPS Y9, Y8, Y8 // ar
	VSUBPS Y2, Y5, Y9
	VMULPS Y9, Y4, Y9
	VMULPS Y1, Y9, Y9
	VMULPS Y6, Y9, Y9 // az
	VMULPS Y0, Y7, Y10 // an·r
	VMULPS Y1, Y4, Y11 // dh·z
	LEAQ (DI)(R11*2), R13
	LEAQ (R8)(R11*2), R14
	VMOVUPS Y8, (DI)
	VMOVUPS Y9, (DI)(R11*1)
	VMOVUPS Y7, (R13)
	VMOVUPS Y8, (R8)
	VMOVUPS Y9, (R8)(R11*1)
	VMOVUPS Y10, (R14)
	VMOVUPS Y11, (R9)
	ADDQ $32, DI
	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, DX
	ADDQ $32, SI
	ADDQ $32, R10
	SUBQ $8, CX
	JNZ loop
	VZEROUPPER
	RET
