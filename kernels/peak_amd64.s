// The fused multiply-add ceiling the micro-kernels are measured against:
// see peak_amd64.go.

//go:build amd64 && !purego

#include "textflag.h"

// func fmaPeakAVX512(n int)
// n iterations of 12 independent 16-lane FMAs (Z0–Z11 += Z20·Z21): enough
// chains to cover the FMA latency on two pipes, no loads.
TEXT ·fmaPeakAVX512(SB), NOSPLIT, $0-8
	MOVQ n+0(FP), CX
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	VPXORD Z8, Z8, Z8
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	TESTQ CX, CX
	JEQ done

loop:
	VFMADD231PS Z20, Z21, Z0
	VFMADD231PS Z20, Z21, Z1
	VFMADD231PS Z20, Z21, Z2
	VFMADD231PS Z20, Z21, Z3
	VFMADD231PS Z20, Z21, Z4
	VFMADD231PS Z20, Z21, Z5
	VFMADD231PS Z20, Z21, Z6
	VFMADD231PS Z20, Z21, Z7
	VFMADD231PS Z20, Z21, Z8
	VFMADD231PS Z20, Z21, Z9
	VFMADD231PS Z20, Z21, Z10
	VFMADD231PS Z20, Z21, Z11
	DECQ CX
	JNZ loop

done:
	VZEROUPPER
	RET
