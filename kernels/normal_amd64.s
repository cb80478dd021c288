//go:build amd64 && !purego

#include "textflag.h"

// The Normal draw and Log in float64 lanes: normalGo (normal.go) operation for
// operation, with math.Log's algorithm (its amd64 assembly) and
// math.Cos's, so every lane gets normalGo's bits (TestNormalMap). Each
// constant is stored four times (32 bytes): AVX2 reads it whole, AVX-512
// broadcasts its first copy.

DATA nrm_two_m24<>+0(SB)/8, $0x3e70000000000000
DATA nrm_two_m24<>+8(SB)/8, $0x3e70000000000000
DATA nrm_two_m24<>+16(SB)/8, $0x3e70000000000000
DATA nrm_two_m24<>+24(SB)/8, $0x3e70000000000000
GLOBL nrm_two_m24<>(SB), RODATA|NOPTR, $32
DATA nrm_one<>+0(SB)/8, $0x3ff0000000000000
DATA nrm_one<>+8(SB)/8, $0x3ff0000000000000
DATA nrm_one<>+16(SB)/8, $0x3ff0000000000000
DATA nrm_one<>+24(SB)/8, $0x3ff0000000000000
GLOBL nrm_one<>(SB), RODATA|NOPTR, $32
DATA nrm_two<>+0(SB)/8, $0x4000000000000000
DATA nrm_two<>+8(SB)/8, $0x4000000000000000
DATA nrm_two<>+16(SB)/8, $0x4000000000000000
DATA nrm_two<>+24(SB)/8, $0x4000000000000000
GLOBL nrm_two<>(SB), RODATA|NOPTR, $32
DATA nrm_half<>+0(SB)/8, $0x3fe0000000000000
DATA nrm_half<>+8(SB)/8, $0x3fe0000000000000
DATA nrm_half<>+16(SB)/8, $0x3fe0000000000000
DATA nrm_half<>+24(SB)/8, $0x3fe0000000000000
GLOBL nrm_half<>(SB), RODATA|NOPTR, $32
DATA nrm_minus2<>+0(SB)/8, $0xc000000000000000
DATA nrm_minus2<>+8(SB)/8, $0xc000000000000000
DATA nrm_minus2<>+16(SB)/8, $0xc000000000000000
DATA nrm_minus2<>+24(SB)/8, $0xc000000000000000
GLOBL nrm_minus2<>(SB), RODATA|NOPTR, $32
DATA nrm_two52<>+0(SB)/8, $0x4330000000000000
DATA nrm_two52<>+8(SB)/8, $0x4330000000000000
DATA nrm_two52<>+16(SB)/8, $0x4330000000000000
DATA nrm_two52<>+24(SB)/8, $0x4330000000000000
GLOBL nrm_two52<>(SB), RODATA|NOPTR, $32
DATA nrm_koff<>+0(SB)/8, $0x43300000000003fe
DATA nrm_koff<>+8(SB)/8, $0x43300000000003fe
DATA nrm_koff<>+16(SB)/8, $0x43300000000003fe
DATA nrm_koff<>+24(SB)/8, $0x43300000000003fe
GLOBL nrm_koff<>(SB), RODATA|NOPTR, $32
DATA nrm_mant<>+0(SB)/8, $0x000fffffffffffff
DATA nrm_mant<>+8(SB)/8, $0x000fffffffffffff
DATA nrm_mant<>+16(SB)/8, $0x000fffffffffffff
DATA nrm_mant<>+24(SB)/8, $0x000fffffffffffff
GLOBL nrm_mant<>(SB), RODATA|NOPTR, $32
DATA nrm_hsqrt2<>+0(SB)/8, $0x3fe6a09e667f3bcd
DATA nrm_hsqrt2<>+8(SB)/8, $0x3fe6a09e667f3bcd
DATA nrm_hsqrt2<>+16(SB)/8, $0x3fe6a09e667f3bcd
DATA nrm_hsqrt2<>+24(SB)/8, $0x3fe6a09e667f3bcd
GLOBL nrm_hsqrt2<>(SB), RODATA|NOPTR, $32
DATA nrm_ln2hi<>+0(SB)/8, $0x3fe62e42fee00000
DATA nrm_ln2hi<>+8(SB)/8, $0x3fe62e42fee00000
DATA nrm_ln2hi<>+16(SB)/8, $0x3fe62e42fee00000
DATA nrm_ln2hi<>+24(SB)/8, $0x3fe62e42fee00000
GLOBL nrm_ln2hi<>(SB), RODATA|NOPTR, $32
DATA nrm_ln2lo<>+0(SB)/8, $0x3dea39ef35793c76
DATA nrm_ln2lo<>+8(SB)/8, $0x3dea39ef35793c76
DATA nrm_ln2lo<>+16(SB)/8, $0x3dea39ef35793c76
DATA nrm_ln2lo<>+24(SB)/8, $0x3dea39ef35793c76
GLOBL nrm_ln2lo<>(SB), RODATA|NOPTR, $32
DATA nrm_l1<>+0(SB)/8, $0x3fe5555555555593
DATA nrm_l1<>+8(SB)/8, $0x3fe5555555555593
DATA nrm_l1<>+16(SB)/8, $0x3fe5555555555593
DATA nrm_l1<>+24(SB)/8, $0x3fe5555555555593
GLOBL nrm_l1<>(SB), RODATA|NOPTR, $32
DATA nrm_l2<>+0(SB)/8, $0x3fd999999997fa04
DATA nrm_l2<>+8(SB)/8, $0x3fd999999997fa04
DATA nrm_l2<>+16(SB)/8, $0x3fd999999997fa04
DATA nrm_l2<>+24(SB)/8, $0x3fd999999997fa04
GLOBL nrm_l2<>(SB), RODATA|NOPTR, $32
DATA nrm_l3<>+0(SB)/8, $0x3fd2492494229359
DATA nrm_l3<>+8(SB)/8, $0x3fd2492494229359
DATA nrm_l3<>+16(SB)/8, $0x3fd2492494229359
DATA nrm_l3<>+24(SB)/8, $0x3fd2492494229359
GLOBL nrm_l3<>(SB), RODATA|NOPTR, $32
DATA nrm_l4<>+0(SB)/8, $0x3fcc71c51d8e78af
DATA nrm_l4<>+8(SB)/8, $0x3fcc71c51d8e78af
DATA nrm_l4<>+16(SB)/8, $0x3fcc71c51d8e78af
DATA nrm_l4<>+24(SB)/8, $0x3fcc71c51d8e78af
GLOBL nrm_l4<>(SB), RODATA|NOPTR, $32
DATA nrm_l5<>+0(SB)/8, $0x3fc7466496cb03de
DATA nrm_l5<>+8(SB)/8, $0x3fc7466496cb03de
DATA nrm_l5<>+16(SB)/8, $0x3fc7466496cb03de
DATA nrm_l5<>+24(SB)/8, $0x3fc7466496cb03de
GLOBL nrm_l5<>(SB), RODATA|NOPTR, $32
DATA nrm_l6<>+0(SB)/8, $0x3fc39a09d078c69f
DATA nrm_l6<>+8(SB)/8, $0x3fc39a09d078c69f
DATA nrm_l6<>+16(SB)/8, $0x3fc39a09d078c69f
DATA nrm_l6<>+24(SB)/8, $0x3fc39a09d078c69f
GLOBL nrm_l6<>(SB), RODATA|NOPTR, $32
DATA nrm_l7<>+0(SB)/8, $0x3fc2f112df3e5244
DATA nrm_l7<>+8(SB)/8, $0x3fc2f112df3e5244
DATA nrm_l7<>+16(SB)/8, $0x3fc2f112df3e5244
DATA nrm_l7<>+24(SB)/8, $0x3fc2f112df3e5244
GLOBL nrm_l7<>(SB), RODATA|NOPTR, $32
DATA nrm_twopi<>+0(SB)/8, $0x401921fb54442d18
DATA nrm_twopi<>+8(SB)/8, $0x401921fb54442d18
DATA nrm_twopi<>+16(SB)/8, $0x401921fb54442d18
DATA nrm_twopi<>+24(SB)/8, $0x401921fb54442d18
GLOBL nrm_twopi<>(SB), RODATA|NOPTR, $32
DATA nrm_fouroverpi<>+0(SB)/8, $0x3ff45f306dc9c883
DATA nrm_fouroverpi<>+8(SB)/8, $0x3ff45f306dc9c883
DATA nrm_fouroverpi<>+16(SB)/8, $0x3ff45f306dc9c883
DATA nrm_fouroverpi<>+24(SB)/8, $0x3ff45f306dc9c883
GLOBL nrm_fouroverpi<>(SB), RODATA|NOPTR, $32
DATA nrm_pi4a<>+0(SB)/8, $0x3fe921fb40000000
DATA nrm_pi4a<>+8(SB)/8, $0x3fe921fb40000000
DATA nrm_pi4a<>+16(SB)/8, $0x3fe921fb40000000
DATA nrm_pi4a<>+24(SB)/8, $0x3fe921fb40000000
GLOBL nrm_pi4a<>(SB), RODATA|NOPTR, $32
DATA nrm_pi4b<>+0(SB)/8, $0x3e64442d00000000
DATA nrm_pi4b<>+8(SB)/8, $0x3e64442d00000000
DATA nrm_pi4b<>+16(SB)/8, $0x3e64442d00000000
DATA nrm_pi4b<>+24(SB)/8, $0x3e64442d00000000
GLOBL nrm_pi4b<>(SB), RODATA|NOPTR, $32
DATA nrm_pi4c<>+0(SB)/8, $0x3ce8469898cc5170
DATA nrm_pi4c<>+8(SB)/8, $0x3ce8469898cc5170
DATA nrm_pi4c<>+16(SB)/8, $0x3ce8469898cc5170
DATA nrm_pi4c<>+24(SB)/8, $0x3ce8469898cc5170
GLOBL nrm_pi4c<>(SB), RODATA|NOPTR, $32
DATA nrm_s0<>+0(SB)/8, $0x3de5d8fd1fd19ccd
DATA nrm_s0<>+8(SB)/8, $0x3de5d8fd1fd19ccd
DATA nrm_s0<>+16(SB)/8, $0x3de5d8fd1fd19ccd
DATA nrm_s0<>+24(SB)/8, $0x3de5d8fd1fd19ccd
GLOBL nrm_s0<>(SB), RODATA|NOPTR, $32
DATA nrm_s1<>+0(SB)/8, $0xbe5ae5e5a9291f5d
DATA nrm_s1<>+8(SB)/8, $0xbe5ae5e5a9291f5d
DATA nrm_s1<>+16(SB)/8, $0xbe5ae5e5a9291f5d
DATA nrm_s1<>+24(SB)/8, $0xbe5ae5e5a9291f5d
GLOBL nrm_s1<>(SB), RODATA|NOPTR, $32
DATA nrm_s2<>+0(SB)/8, $0x3ec71de3567d48a1
DATA nrm_s2<>+8(SB)/8, $0x3ec71de3567d48a1
DATA nrm_s2<>+16(SB)/8, $0x3ec71de3567d48a1
DATA nrm_s2<>+24(SB)/8, $0x3ec71de3567d48a1
GLOBL nrm_s2<>(SB), RODATA|NOPTR, $32
DATA nrm_s3<>+0(SB)/8, $0xbf2a01a019bfdf03
DATA nrm_s3<>+8(SB)/8, $0xbf2a01a019bfdf03
DATA nrm_s3<>+16(SB)/8, $0xbf2a01a019bfdf03
DATA nrm_s3<>+24(SB)/8, $0xbf2a01a019bfdf03
GLOBL nrm_s3<>(SB), RODATA|NOPTR, $32
DATA nrm_s4<>+0(SB)/8, $0x3f8111111110f7d0
DATA nrm_s4<>+8(SB)/8, $0x3f8111111110f7d0
DATA nrm_s4<>+16(SB)/8, $0x3f8111111110f7d0
DATA nrm_s4<>+24(SB)/8, $0x3f8111111110f7d0
GLOBL nrm_s4<>(SB), RODATA|NOPTR, $32
DATA nrm_s5<>+0(SB)/8, $0xbfc5555555555548
DATA nrm_s5<>+8(SB)/8, $0xbfc5555555555548
DATA nrm_s5<>+16(SB)/8, $0xbfc5555555555548
DATA nrm_s5<>+24(SB)/8, $0xbfc5555555555548
GLOBL nrm_s5<>(SB), RODATA|NOPTR, $32
DATA nrm_c0<>+0(SB)/8, $0xbda8fa49a0861a9b
DATA nrm_c0<>+8(SB)/8, $0xbda8fa49a0861a9b
DATA nrm_c0<>+16(SB)/8, $0xbda8fa49a0861a9b
DATA nrm_c0<>+24(SB)/8, $0xbda8fa49a0861a9b
GLOBL nrm_c0<>(SB), RODATA|NOPTR, $32
DATA nrm_c1<>+0(SB)/8, $0x3e21ee9d7b4e3f05
DATA nrm_c1<>+8(SB)/8, $0x3e21ee9d7b4e3f05
DATA nrm_c1<>+16(SB)/8, $0x3e21ee9d7b4e3f05
DATA nrm_c1<>+24(SB)/8, $0x3e21ee9d7b4e3f05
GLOBL nrm_c1<>(SB), RODATA|NOPTR, $32
DATA nrm_c2<>+0(SB)/8, $0xbe927e4f7eac4bc6
DATA nrm_c2<>+8(SB)/8, $0xbe927e4f7eac4bc6
DATA nrm_c2<>+16(SB)/8, $0xbe927e4f7eac4bc6
DATA nrm_c2<>+24(SB)/8, $0xbe927e4f7eac4bc6
GLOBL nrm_c2<>(SB), RODATA|NOPTR, $32
DATA nrm_c3<>+0(SB)/8, $0x3efa01a019c844f5
DATA nrm_c3<>+8(SB)/8, $0x3efa01a019c844f5
DATA nrm_c3<>+16(SB)/8, $0x3efa01a019c844f5
DATA nrm_c3<>+24(SB)/8, $0x3efa01a019c844f5
GLOBL nrm_c3<>(SB), RODATA|NOPTR, $32
DATA nrm_c4<>+0(SB)/8, $0xbf56c16c16c14f91
DATA nrm_c4<>+8(SB)/8, $0xbf56c16c16c14f91
DATA nrm_c4<>+16(SB)/8, $0xbf56c16c16c14f91
DATA nrm_c4<>+24(SB)/8, $0xbf56c16c16c14f91
GLOBL nrm_c4<>(SB), RODATA|NOPTR, $32
DATA nrm_c5<>+0(SB)/8, $0x3fa555555555554b
DATA nrm_c5<>+8(SB)/8, $0x3fa555555555554b
DATA nrm_c5<>+16(SB)/8, $0x3fa555555555554b
DATA nrm_c5<>+24(SB)/8, $0x3fa555555555554b
GLOBL nrm_c5<>(SB), RODATA|NOPTR, $32
DATA nrm_int1<>+0(SB)/8, $0x0000000000000001
DATA nrm_int1<>+8(SB)/8, $0x0000000000000001
DATA nrm_int1<>+16(SB)/8, $0x0000000000000001
DATA nrm_int1<>+24(SB)/8, $0x0000000000000001
GLOBL nrm_int1<>(SB), RODATA|NOPTR, $32
DATA nrm_int2<>+0(SB)/8, $0x0000000000000002
DATA nrm_int2<>+8(SB)/8, $0x0000000000000002
DATA nrm_int2<>+16(SB)/8, $0x0000000000000002
DATA nrm_int2<>+24(SB)/8, $0x0000000000000002
GLOBL nrm_int2<>(SB), RODATA|NOPTR, $32
DATA nrm_sign<>+0(SB)/8, $0x8000000000000000
DATA nrm_sign<>+8(SB)/8, $0x8000000000000000
DATA nrm_sign<>+16(SB)/8, $0x8000000000000000
DATA nrm_sign<>+24(SB)/8, $0x8000000000000000
GLOBL nrm_sign<>(SB), RODATA|NOPTR, $32
DATA nrm_abs<>+0(SB)/8, $0x7fffffffffffffff
DATA nrm_abs<>+8(SB)/8, $0x7fffffffffffffff
DATA nrm_abs<>+16(SB)/8, $0x7fffffffffffffff
DATA nrm_abs<>+24(SB)/8, $0x7fffffffffffffff
GLOBL nrm_abs<>(SB), RODATA|NOPTR, $32
DATA nrm_posinf<>+0(SB)/8, $0x7ff0000000000000
DATA nrm_posinf<>+8(SB)/8, $0x7ff0000000000000
DATA nrm_posinf<>+16(SB)/8, $0x7ff0000000000000
DATA nrm_posinf<>+24(SB)/8, $0x7ff0000000000000
GLOBL nrm_posinf<>(SB), RODATA|NOPTR, $32
DATA nrm_maxfin<>+0(SB)/8, $0x7fefffffffffffff
DATA nrm_maxfin<>+8(SB)/8, $0x7fefffffffffffff
DATA nrm_maxfin<>+16(SB)/8, $0x7fefffffffffffff
DATA nrm_maxfin<>+24(SB)/8, $0x7fefffffffffffff
GLOBL nrm_maxfin<>(SB), RODATA|NOPTR, $32
DATA nrm_lognan<>+0(SB)/8, $0x7ff8000000000001
DATA nrm_lognan<>+8(SB)/8, $0x7ff8000000000001
DATA nrm_lognan<>+16(SB)/8, $0x7ff8000000000001
DATA nrm_lognan<>+24(SB)/8, $0x7ff8000000000001
GLOBL nrm_lognan<>(SB), RODATA|NOPTR, $32
DATA nrm_two29<>+0(SB)/8, $0x41c0000000000000
DATA nrm_two29<>+8(SB)/8, $0x41c0000000000000
DATA nrm_two29<>+16(SB)/8, $0x41c0000000000000
DATA nrm_two29<>+24(SB)/8, $0x41c0000000000000
GLOBL nrm_two29<>(SB), RODATA|NOPTR, $32
DATA sp_max<>+0(SB)/8, $0x4086200000000000
DATA sp_max<>+8(SB)/8, $0x4086200000000000
DATA sp_max<>+16(SB)/8, $0x4086200000000000
DATA sp_max<>+24(SB)/8, $0x4086200000000000
GLOBL sp_max<>(SB), RODATA|NOPTR, $32
DATA exp_log2e<>+0(SB)/8, $0x3ff71547652b82fe
DATA exp_log2e<>+8(SB)/8, $0x3ff71547652b82fe
DATA exp_log2e<>+16(SB)/8, $0x3ff71547652b82fe
DATA exp_log2e<>+24(SB)/8, $0x3ff71547652b82fe
GLOBL exp_log2e<>(SB), RODATA|NOPTR, $32
DATA exp_ln2u<>+0(SB)/8, $0x3fe62e42fefa3000
DATA exp_ln2u<>+8(SB)/8, $0x3fe62e42fefa3000
DATA exp_ln2u<>+16(SB)/8, $0x3fe62e42fefa3000
DATA exp_ln2u<>+24(SB)/8, $0x3fe62e42fefa3000
GLOBL exp_ln2u<>(SB), RODATA|NOPTR, $32
DATA exp_ln2l<>+0(SB)/8, $0x3d53de6af278ece6
DATA exp_ln2l<>+8(SB)/8, $0x3d53de6af278ece6
DATA exp_ln2l<>+16(SB)/8, $0x3d53de6af278ece6
DATA exp_ln2l<>+24(SB)/8, $0x3d53de6af278ece6
GLOBL exp_ln2l<>(SB), RODATA|NOPTR, $32
DATA exp_sixteenth<>+0(SB)/8, $0x3fb0000000000000
DATA exp_sixteenth<>+8(SB)/8, $0x3fb0000000000000
DATA exp_sixteenth<>+16(SB)/8, $0x3fb0000000000000
DATA exp_sixteenth<>+24(SB)/8, $0x3fb0000000000000
GLOBL exp_sixteenth<>(SB), RODATA|NOPTR, $32
DATA exp_t0<>+0(SB)/8, $0x3efa01a01a01a01a
DATA exp_t0<>+8(SB)/8, $0x3efa01a01a01a01a
DATA exp_t0<>+16(SB)/8, $0x3efa01a01a01a01a
DATA exp_t0<>+24(SB)/8, $0x3efa01a01a01a01a
GLOBL exp_t0<>(SB), RODATA|NOPTR, $32
DATA exp_t1<>+0(SB)/8, $0x3f2a01a01a01a01a
DATA exp_t1<>+8(SB)/8, $0x3f2a01a01a01a01a
DATA exp_t1<>+16(SB)/8, $0x3f2a01a01a01a01a
DATA exp_t1<>+24(SB)/8, $0x3f2a01a01a01a01a
GLOBL exp_t1<>(SB), RODATA|NOPTR, $32
DATA exp_t2<>+0(SB)/8, $0x3f56c16c16c16c17
DATA exp_t2<>+8(SB)/8, $0x3f56c16c16c16c17
DATA exp_t2<>+16(SB)/8, $0x3f56c16c16c16c17
DATA exp_t2<>+24(SB)/8, $0x3f56c16c16c16c17
GLOBL exp_t2<>(SB), RODATA|NOPTR, $32
DATA exp_t3<>+0(SB)/8, $0x3f81111111111111
DATA exp_t3<>+8(SB)/8, $0x3f81111111111111
DATA exp_t3<>+16(SB)/8, $0x3f81111111111111
DATA exp_t3<>+24(SB)/8, $0x3f81111111111111
GLOBL exp_t3<>(SB), RODATA|NOPTR, $32
DATA exp_t4<>+0(SB)/8, $0x3fa5555555555555
DATA exp_t4<>+8(SB)/8, $0x3fa5555555555555
DATA exp_t4<>+16(SB)/8, $0x3fa5555555555555
DATA exp_t4<>+24(SB)/8, $0x3fa5555555555555
GLOBL exp_t4<>(SB), RODATA|NOPTR, $32
DATA exp_t5<>+0(SB)/8, $0x3fc5555555555555
DATA exp_t5<>+8(SB)/8, $0x3fc5555555555555
DATA exp_t5<>+16(SB)/8, $0x3fc5555555555555
DATA exp_t5<>+24(SB)/8, $0x3fc5555555555555
GLOBL exp_t5<>(SB), RODATA|NOPTR, $32
DATA exp_bias<>+0(SB)/8, $0x00000000000003ff
DATA exp_bias<>+8(SB)/8, $0x00000000000003ff
DATA exp_bias<>+16(SB)/8, $0x00000000000003ff
DATA exp_bias<>+24(SB)/8, $0x00000000000003ff
GLOBL exp_bias<>(SB), RODATA|NOPTR, $32
DATA lp_sqrt2m1<>+0(SB)/8, $0x3fda827999fcef32
DATA lp_sqrt2m1<>+8(SB)/8, $0x3fda827999fcef32
DATA lp_sqrt2m1<>+16(SB)/8, $0x3fda827999fcef32
DATA lp_sqrt2m1<>+24(SB)/8, $0x3fda827999fcef32
GLOBL lp_sqrt2m1<>(SB), RODATA|NOPTR, $32
DATA lp_sqrt2mant<>+0(SB)/8, $0x0006a09e667f3bcd
DATA lp_sqrt2mant<>+8(SB)/8, $0x0006a09e667f3bcd
DATA lp_sqrt2mant<>+16(SB)/8, $0x0006a09e667f3bcd
DATA lp_sqrt2mant<>+24(SB)/8, $0x0006a09e667f3bcd
GLOBL lp_sqrt2mant<>(SB), RODATA|NOPTR, $32
DATA lp_two_m29<>+0(SB)/8, $0x3e20000000000000
DATA lp_two_m29<>+8(SB)/8, $0x3e20000000000000
DATA lp_two_m29<>+16(SB)/8, $0x3e20000000000000
DATA lp_two_m29<>+24(SB)/8, $0x3e20000000000000
GLOBL lp_two_m29<>(SB), RODATA|NOPTR, $32
DATA lp_sqrt2mant_m1<>+0(SB)/8, $0x0006a09e667f3bcc
DATA lp_sqrt2mant_m1<>+8(SB)/8, $0x0006a09e667f3bcc
DATA lp_sqrt2mant_m1<>+16(SB)/8, $0x0006a09e667f3bcc
DATA lp_sqrt2mant_m1<>+24(SB)/8, $0x0006a09e667f3bcc
GLOBL lp_sqrt2mant_m1<>(SB), RODATA|NOPTR, $32
DATA erf_pp0<>+0(SB)/8, $0x3fc06eba8214db68
DATA erf_pp0<>+8(SB)/8, $0x3fc06eba8214db68
DATA erf_pp0<>+16(SB)/8, $0x3fc06eba8214db68
DATA erf_pp0<>+24(SB)/8, $0x3fc06eba8214db68
GLOBL erf_pp0<>(SB), RODATA|NOPTR, $32
DATA erf_pp1<>+0(SB)/8, $0xbfd4cd7d691cb913
DATA erf_pp1<>+8(SB)/8, $0xbfd4cd7d691cb913
DATA erf_pp1<>+16(SB)/8, $0xbfd4cd7d691cb913
DATA erf_pp1<>+24(SB)/8, $0xbfd4cd7d691cb913
GLOBL erf_pp1<>(SB), RODATA|NOPTR, $32
DATA erf_pp2<>+0(SB)/8, $0xbf9d2a51dbd7194f
DATA erf_pp2<>+8(SB)/8, $0xbf9d2a51dbd7194f
DATA erf_pp2<>+16(SB)/8, $0xbf9d2a51dbd7194f
DATA erf_pp2<>+24(SB)/8, $0xbf9d2a51dbd7194f
GLOBL erf_pp2<>(SB), RODATA|NOPTR, $32
DATA erf_pp3<>+0(SB)/8, $0xbf77a291236668e4
DATA erf_pp3<>+8(SB)/8, $0xbf77a291236668e4
DATA erf_pp3<>+16(SB)/8, $0xbf77a291236668e4
DATA erf_pp3<>+24(SB)/8, $0xbf77a291236668e4
GLOBL erf_pp3<>(SB), RODATA|NOPTR, $32
DATA erf_pp4<>+0(SB)/8, $0xbef8ead6120016ac
DATA erf_pp4<>+8(SB)/8, $0xbef8ead6120016ac
DATA erf_pp4<>+16(SB)/8, $0xbef8ead6120016ac
DATA erf_pp4<>+24(SB)/8, $0xbef8ead6120016ac
GLOBL erf_pp4<>(SB), RODATA|NOPTR, $32
DATA erf_qq1<>+0(SB)/8, $0x3fd97779cddadc09
DATA erf_qq1<>+8(SB)/8, $0x3fd97779cddadc09
DATA erf_qq1<>+16(SB)/8, $0x3fd97779cddadc09
DATA erf_qq1<>+24(SB)/8, $0x3fd97779cddadc09
GLOBL erf_qq1<>(SB), RODATA|NOPTR, $32
DATA erf_qq2<>+0(SB)/8, $0x3fb0a54c5536ceba
DATA erf_qq2<>+8(SB)/8, $0x3fb0a54c5536ceba
DATA erf_qq2<>+16(SB)/8, $0x3fb0a54c5536ceba
DATA erf_qq2<>+24(SB)/8, $0x3fb0a54c5536ceba
GLOBL erf_qq2<>(SB), RODATA|NOPTR, $32
DATA erf_qq3<>+0(SB)/8, $0x3f74d022c4d36b0f
DATA erf_qq3<>+8(SB)/8, $0x3f74d022c4d36b0f
DATA erf_qq3<>+16(SB)/8, $0x3f74d022c4d36b0f
DATA erf_qq3<>+24(SB)/8, $0x3f74d022c4d36b0f
GLOBL erf_qq3<>(SB), RODATA|NOPTR, $32
DATA erf_qq4<>+0(SB)/8, $0x3f215dc9221c1a10
DATA erf_qq4<>+8(SB)/8, $0x3f215dc9221c1a10
DATA erf_qq4<>+16(SB)/8, $0x3f215dc9221c1a10
DATA erf_qq4<>+24(SB)/8, $0x3f215dc9221c1a10
GLOBL erf_qq4<>(SB), RODATA|NOPTR, $32
DATA erf_qq5<>+0(SB)/8, $0xbed09c4342a26120
DATA erf_qq5<>+8(SB)/8, $0xbed09c4342a26120
DATA erf_qq5<>+16(SB)/8, $0xbed09c4342a26120
DATA erf_qq5<>+24(SB)/8, $0xbed09c4342a26120
GLOBL erf_qq5<>(SB), RODATA|NOPTR, $32
DATA erf_pa0<>+0(SB)/8, $0xbf6359b8bef77538
DATA erf_pa0<>+8(SB)/8, $0xbf6359b8bef77538
DATA erf_pa0<>+16(SB)/8, $0xbf6359b8bef77538
DATA erf_pa0<>+24(SB)/8, $0xbf6359b8bef77538
GLOBL erf_pa0<>(SB), RODATA|NOPTR, $32
DATA erf_pa1<>+0(SB)/8, $0x3fda8d00ad92b34d
DATA erf_pa1<>+8(SB)/8, $0x3fda8d00ad92b34d
DATA erf_pa1<>+16(SB)/8, $0x3fda8d00ad92b34d
DATA erf_pa1<>+24(SB)/8, $0x3fda8d00ad92b34d
GLOBL erf_pa1<>(SB), RODATA|NOPTR, $32
DATA erf_pa2<>+0(SB)/8, $0xbfd7d240fbb8c3f1
DATA erf_pa2<>+8(SB)/8, $0xbfd7d240fbb8c3f1
DATA erf_pa2<>+16(SB)/8, $0xbfd7d240fbb8c3f1
DATA erf_pa2<>+24(SB)/8, $0xbfd7d240fbb8c3f1
GLOBL erf_pa2<>(SB), RODATA|NOPTR, $32
DATA erf_pa3<>+0(SB)/8, $0x3fd45fca805120e4
DATA erf_pa3<>+8(SB)/8, $0x3fd45fca805120e4
DATA erf_pa3<>+16(SB)/8, $0x3fd45fca805120e4
DATA erf_pa3<>+24(SB)/8, $0x3fd45fca805120e4
GLOBL erf_pa3<>(SB), RODATA|NOPTR, $32
DATA erf_pa4<>+0(SB)/8, $0xbfbc63983d3e28ec
DATA erf_pa4<>+8(SB)/8, $0xbfbc63983d3e28ec
DATA erf_pa4<>+16(SB)/8, $0xbfbc63983d3e28ec
DATA erf_pa4<>+24(SB)/8, $0xbfbc63983d3e28ec
GLOBL erf_pa4<>(SB), RODATA|NOPTR, $32
DATA erf_pa5<>+0(SB)/8, $0x3fa22a36599795eb
DATA erf_pa5<>+8(SB)/8, $0x3fa22a36599795eb
DATA erf_pa5<>+16(SB)/8, $0x3fa22a36599795eb
DATA erf_pa5<>+24(SB)/8, $0x3fa22a36599795eb
GLOBL erf_pa5<>(SB), RODATA|NOPTR, $32
DATA erf_pa6<>+0(SB)/8, $0xbf61bf380a96073f
DATA erf_pa6<>+8(SB)/8, $0xbf61bf380a96073f
DATA erf_pa6<>+16(SB)/8, $0xbf61bf380a96073f
DATA erf_pa6<>+24(SB)/8, $0xbf61bf380a96073f
GLOBL erf_pa6<>(SB), RODATA|NOPTR, $32
DATA erf_qa1<>+0(SB)/8, $0x3fbb3e6618eee323
DATA erf_qa1<>+8(SB)/8, $0x3fbb3e6618eee323
DATA erf_qa1<>+16(SB)/8, $0x3fbb3e6618eee323
DATA erf_qa1<>+24(SB)/8, $0x3fbb3e6618eee323
GLOBL erf_qa1<>(SB), RODATA|NOPTR, $32
DATA erf_qa2<>+0(SB)/8, $0x3fe14af092eb6f33
DATA erf_qa2<>+8(SB)/8, $0x3fe14af092eb6f33
DATA erf_qa2<>+16(SB)/8, $0x3fe14af092eb6f33
DATA erf_qa2<>+24(SB)/8, $0x3fe14af092eb6f33
GLOBL erf_qa2<>(SB), RODATA|NOPTR, $32
DATA erf_qa3<>+0(SB)/8, $0x3fb2635cd99fe9a7
DATA erf_qa3<>+8(SB)/8, $0x3fb2635cd99fe9a7
DATA erf_qa3<>+16(SB)/8, $0x3fb2635cd99fe9a7
DATA erf_qa3<>+24(SB)/8, $0x3fb2635cd99fe9a7
GLOBL erf_qa3<>(SB), RODATA|NOPTR, $32
DATA erf_qa4<>+0(SB)/8, $0x3fc02660e763351f
DATA erf_qa4<>+8(SB)/8, $0x3fc02660e763351f
DATA erf_qa4<>+16(SB)/8, $0x3fc02660e763351f
DATA erf_qa4<>+24(SB)/8, $0x3fc02660e763351f
GLOBL erf_qa4<>(SB), RODATA|NOPTR, $32
DATA erf_qa5<>+0(SB)/8, $0x3f8bedc26b51dd1c
DATA erf_qa5<>+8(SB)/8, $0x3f8bedc26b51dd1c
DATA erf_qa5<>+16(SB)/8, $0x3f8bedc26b51dd1c
DATA erf_qa5<>+24(SB)/8, $0x3f8bedc26b51dd1c
GLOBL erf_qa5<>(SB), RODATA|NOPTR, $32
DATA erf_qa6<>+0(SB)/8, $0x3f888b545735151d
DATA erf_qa6<>+8(SB)/8, $0x3f888b545735151d
DATA erf_qa6<>+16(SB)/8, $0x3f888b545735151d
DATA erf_qa6<>+24(SB)/8, $0x3f888b545735151d
GLOBL erf_qa6<>(SB), RODATA|NOPTR, $32
DATA erf_ra0<>+0(SB)/8, $0xbf843412600d6435
DATA erf_ra0<>+8(SB)/8, $0xbf843412600d6435
DATA erf_ra0<>+16(SB)/8, $0xbf843412600d6435
DATA erf_ra0<>+24(SB)/8, $0xbf843412600d6435
GLOBL erf_ra0<>(SB), RODATA|NOPTR, $32
DATA erf_ra1<>+0(SB)/8, $0xbfe63416e4ba7360
DATA erf_ra1<>+8(SB)/8, $0xbfe63416e4ba7360
DATA erf_ra1<>+16(SB)/8, $0xbfe63416e4ba7360
DATA erf_ra1<>+24(SB)/8, $0xbfe63416e4ba7360
GLOBL erf_ra1<>(SB), RODATA|NOPTR, $32
DATA erf_ra2<>+0(SB)/8, $0xc0251e0441b0e726
DATA erf_ra2<>+8(SB)/8, $0xc0251e0441b0e726
DATA erf_ra2<>+16(SB)/8, $0xc0251e0441b0e726
DATA erf_ra2<>+24(SB)/8, $0xc0251e0441b0e726
GLOBL erf_ra2<>(SB), RODATA|NOPTR, $32
DATA erf_ra3<>+0(SB)/8, $0xc04f300ae4cba38d
DATA erf_ra3<>+8(SB)/8, $0xc04f300ae4cba38d
DATA erf_ra3<>+16(SB)/8, $0xc04f300ae4cba38d
DATA erf_ra3<>+24(SB)/8, $0xc04f300ae4cba38d
GLOBL erf_ra3<>(SB), RODATA|NOPTR, $32
DATA erf_ra4<>+0(SB)/8, $0xc0644cb184282266
DATA erf_ra4<>+8(SB)/8, $0xc0644cb184282266
DATA erf_ra4<>+16(SB)/8, $0xc0644cb184282266
DATA erf_ra4<>+24(SB)/8, $0xc0644cb184282266
GLOBL erf_ra4<>(SB), RODATA|NOPTR, $32
DATA erf_ra5<>+0(SB)/8, $0xc067135cebccabb2
DATA erf_ra5<>+8(SB)/8, $0xc067135cebccabb2
DATA erf_ra5<>+16(SB)/8, $0xc067135cebccabb2
DATA erf_ra5<>+24(SB)/8, $0xc067135cebccabb2
GLOBL erf_ra5<>(SB), RODATA|NOPTR, $32
DATA erf_ra6<>+0(SB)/8, $0xc054526557e4d2f2
DATA erf_ra6<>+8(SB)/8, $0xc054526557e4d2f2
DATA erf_ra6<>+16(SB)/8, $0xc054526557e4d2f2
DATA erf_ra6<>+24(SB)/8, $0xc054526557e4d2f2
GLOBL erf_ra6<>(SB), RODATA|NOPTR, $32
DATA erf_ra7<>+0(SB)/8, $0xc023a0efc69ac25c
DATA erf_ra7<>+8(SB)/8, $0xc023a0efc69ac25c
DATA erf_ra7<>+16(SB)/8, $0xc023a0efc69ac25c
DATA erf_ra7<>+24(SB)/8, $0xc023a0efc69ac25c
GLOBL erf_ra7<>(SB), RODATA|NOPTR, $32
DATA erf_sa1<>+0(SB)/8, $0x4033a6b9bd707687
DATA erf_sa1<>+8(SB)/8, $0x4033a6b9bd707687
DATA erf_sa1<>+16(SB)/8, $0x4033a6b9bd707687
DATA erf_sa1<>+24(SB)/8, $0x4033a6b9bd707687
GLOBL erf_sa1<>(SB), RODATA|NOPTR, $32
DATA erf_sa2<>+0(SB)/8, $0x4061350c526ae721
DATA erf_sa2<>+8(SB)/8, $0x4061350c526ae721
DATA erf_sa2<>+16(SB)/8, $0x4061350c526ae721
DATA erf_sa2<>+24(SB)/8, $0x4061350c526ae721
GLOBL erf_sa2<>(SB), RODATA|NOPTR, $32
DATA erf_sa3<>+0(SB)/8, $0x407b290dd58a1a71
DATA erf_sa3<>+8(SB)/8, $0x407b290dd58a1a71
DATA erf_sa3<>+16(SB)/8, $0x407b290dd58a1a71
DATA erf_sa3<>+24(SB)/8, $0x407b290dd58a1a71
GLOBL erf_sa3<>(SB), RODATA|NOPTR, $32
DATA erf_sa4<>+0(SB)/8, $0x40842b1921ec2868
DATA erf_sa4<>+8(SB)/8, $0x40842b1921ec2868
DATA erf_sa4<>+16(SB)/8, $0x40842b1921ec2868
DATA erf_sa4<>+24(SB)/8, $0x40842b1921ec2868
GLOBL erf_sa4<>(SB), RODATA|NOPTR, $32
DATA erf_sa5<>+0(SB)/8, $0x407ad02157700314
DATA erf_sa5<>+8(SB)/8, $0x407ad02157700314
DATA erf_sa5<>+16(SB)/8, $0x407ad02157700314
DATA erf_sa5<>+24(SB)/8, $0x407ad02157700314
GLOBL erf_sa5<>(SB), RODATA|NOPTR, $32
DATA erf_sa6<>+0(SB)/8, $0x405b28a3ee48ae2c
DATA erf_sa6<>+8(SB)/8, $0x405b28a3ee48ae2c
DATA erf_sa6<>+16(SB)/8, $0x405b28a3ee48ae2c
DATA erf_sa6<>+24(SB)/8, $0x405b28a3ee48ae2c
GLOBL erf_sa6<>(SB), RODATA|NOPTR, $32
DATA erf_sa7<>+0(SB)/8, $0x401a47ef8e484a93
DATA erf_sa7<>+8(SB)/8, $0x401a47ef8e484a93
DATA erf_sa7<>+16(SB)/8, $0x401a47ef8e484a93
DATA erf_sa7<>+24(SB)/8, $0x401a47ef8e484a93
GLOBL erf_sa7<>(SB), RODATA|NOPTR, $32
DATA erf_sa8<>+0(SB)/8, $0xbfaeeff2ee749a62
DATA erf_sa8<>+8(SB)/8, $0xbfaeeff2ee749a62
DATA erf_sa8<>+16(SB)/8, $0xbfaeeff2ee749a62
DATA erf_sa8<>+24(SB)/8, $0xbfaeeff2ee749a62
GLOBL erf_sa8<>(SB), RODATA|NOPTR, $32
DATA erf_rb0<>+0(SB)/8, $0xbf84341239e86f4a
DATA erf_rb0<>+8(SB)/8, $0xbf84341239e86f4a
DATA erf_rb0<>+16(SB)/8, $0xbf84341239e86f4a
DATA erf_rb0<>+24(SB)/8, $0xbf84341239e86f4a
GLOBL erf_rb0<>(SB), RODATA|NOPTR, $32
DATA erf_rb1<>+0(SB)/8, $0xbfe993ba70c285de
DATA erf_rb1<>+8(SB)/8, $0xbfe993ba70c285de
DATA erf_rb1<>+16(SB)/8, $0xbfe993ba70c285de
DATA erf_rb1<>+24(SB)/8, $0xbfe993ba70c285de
GLOBL erf_rb1<>(SB), RODATA|NOPTR, $32
DATA erf_rb2<>+0(SB)/8, $0xc031c209555f995a
DATA erf_rb2<>+8(SB)/8, $0xc031c209555f995a
DATA erf_rb2<>+16(SB)/8, $0xc031c209555f995a
DATA erf_rb2<>+24(SB)/8, $0xc031c209555f995a
GLOBL erf_rb2<>(SB), RODATA|NOPTR, $32
DATA erf_rb3<>+0(SB)/8, $0xc064145d43c5ed98
DATA erf_rb3<>+8(SB)/8, $0xc064145d43c5ed98
DATA erf_rb3<>+16(SB)/8, $0xc064145d43c5ed98
DATA erf_rb3<>+24(SB)/8, $0xc064145d43c5ed98
GLOBL erf_rb3<>(SB), RODATA|NOPTR, $32
DATA erf_rb4<>+0(SB)/8, $0xc083ec881375f228
DATA erf_rb4<>+8(SB)/8, $0xc083ec881375f228
DATA erf_rb4<>+16(SB)/8, $0xc083ec881375f228
DATA erf_rb4<>+24(SB)/8, $0xc083ec881375f228
GLOBL erf_rb4<>(SB), RODATA|NOPTR, $32
DATA erf_rb5<>+0(SB)/8, $0xc09004616a2e5992
DATA erf_rb5<>+8(SB)/8, $0xc09004616a2e5992
DATA erf_rb5<>+16(SB)/8, $0xc09004616a2e5992
DATA erf_rb5<>+24(SB)/8, $0xc09004616a2e5992
GLOBL erf_rb5<>(SB), RODATA|NOPTR, $32
DATA erf_rb6<>+0(SB)/8, $0xc07e384e9bdc383f
DATA erf_rb6<>+8(SB)/8, $0xc07e384e9bdc383f
DATA erf_rb6<>+16(SB)/8, $0xc07e384e9bdc383f
DATA erf_rb6<>+24(SB)/8, $0xc07e384e9bdc383f
GLOBL erf_rb6<>(SB), RODATA|NOPTR, $32
DATA erf_rb7<>+0(SB)/8, $0x0000000000000000
DATA erf_rb7<>+8(SB)/8, $0x0000000000000000
DATA erf_rb7<>+16(SB)/8, $0x0000000000000000
DATA erf_rb7<>+24(SB)/8, $0x0000000000000000
GLOBL erf_rb7<>(SB), RODATA|NOPTR, $32
DATA erf_sb1<>+0(SB)/8, $0x403e568b261d5190
DATA erf_sb1<>+8(SB)/8, $0x403e568b261d5190
DATA erf_sb1<>+16(SB)/8, $0x403e568b261d5190
DATA erf_sb1<>+24(SB)/8, $0x403e568b261d5190
GLOBL erf_sb1<>(SB), RODATA|NOPTR, $32
DATA erf_sb2<>+0(SB)/8, $0x40745cae221b9f0a
DATA erf_sb2<>+8(SB)/8, $0x40745cae221b9f0a
DATA erf_sb2<>+16(SB)/8, $0x40745cae221b9f0a
DATA erf_sb2<>+24(SB)/8, $0x40745cae221b9f0a
GLOBL erf_sb2<>(SB), RODATA|NOPTR, $32
DATA erf_sb3<>+0(SB)/8, $0x409802eb189d5118
DATA erf_sb3<>+8(SB)/8, $0x409802eb189d5118
DATA erf_sb3<>+16(SB)/8, $0x409802eb189d5118
DATA erf_sb3<>+24(SB)/8, $0x409802eb189d5118
GLOBL erf_sb3<>(SB), RODATA|NOPTR, $32
DATA erf_sb4<>+0(SB)/8, $0x40a8ffb7688c246a
DATA erf_sb4<>+8(SB)/8, $0x40a8ffb7688c246a
DATA erf_sb4<>+16(SB)/8, $0x40a8ffb7688c246a
DATA erf_sb4<>+24(SB)/8, $0x40a8ffb7688c246a
GLOBL erf_sb4<>(SB), RODATA|NOPTR, $32
DATA erf_sb5<>+0(SB)/8, $0x40a3f219cedf3be6
DATA erf_sb5<>+8(SB)/8, $0x40a3f219cedf3be6
DATA erf_sb5<>+16(SB)/8, $0x40a3f219cedf3be6
DATA erf_sb5<>+24(SB)/8, $0x40a3f219cedf3be6
GLOBL erf_sb5<>(SB), RODATA|NOPTR, $32
DATA erf_sb6<>+0(SB)/8, $0x407da874e79fe763
DATA erf_sb6<>+8(SB)/8, $0x407da874e79fe763
DATA erf_sb6<>+16(SB)/8, $0x407da874e79fe763
DATA erf_sb6<>+24(SB)/8, $0x407da874e79fe763
GLOBL erf_sb6<>(SB), RODATA|NOPTR, $32
DATA erf_sb7<>+0(SB)/8, $0xc03670e242712d62
DATA erf_sb7<>+8(SB)/8, $0xc03670e242712d62
DATA erf_sb7<>+16(SB)/8, $0xc03670e242712d62
DATA erf_sb7<>+24(SB)/8, $0xc03670e242712d62
GLOBL erf_sb7<>(SB), RODATA|NOPTR, $32
DATA erf_sb8<>+0(SB)/8, $0x0000000000000000
DATA erf_sb8<>+8(SB)/8, $0x0000000000000000
DATA erf_sb8<>+16(SB)/8, $0x0000000000000000
DATA erf_sb8<>+24(SB)/8, $0x0000000000000000
GLOBL erf_sb8<>(SB), RODATA|NOPTR, $32
DATA erf_erx<>+0(SB)/8, $0x3feb0ac160000000
DATA erf_erx<>+8(SB)/8, $0x3feb0ac160000000
DATA erf_erx<>+16(SB)/8, $0x3feb0ac160000000
DATA erf_erx<>+24(SB)/8, $0x3feb0ac160000000
GLOBL erf_erx<>(SB), RODATA|NOPTR, $32
DATA erf_efx<>+0(SB)/8, $0x3fc06eba8214db69
DATA erf_efx<>+8(SB)/8, $0x3fc06eba8214db69
DATA erf_efx<>+16(SB)/8, $0x3fc06eba8214db69
DATA erf_efx<>+24(SB)/8, $0x3fc06eba8214db69
GLOBL erf_efx<>(SB), RODATA|NOPTR, $32
DATA erf_tiny<>+0(SB)/8, $0x3e30000000000000
DATA erf_tiny<>+8(SB)/8, $0x3e30000000000000
DATA erf_tiny<>+16(SB)/8, $0x3e30000000000000
DATA erf_tiny<>+24(SB)/8, $0x3e30000000000000
GLOBL erf_tiny<>(SB), RODATA|NOPTR, $32
DATA erf_r1<>+0(SB)/8, $0x3feb000000000000
DATA erf_r1<>+8(SB)/8, $0x3feb000000000000
DATA erf_r1<>+16(SB)/8, $0x3feb000000000000
DATA erf_r1<>+24(SB)/8, $0x3feb000000000000
GLOBL erf_r1<>(SB), RODATA|NOPTR, $32
DATA erf_r2<>+0(SB)/8, $0x3ff4000000000000
DATA erf_r2<>+8(SB)/8, $0x3ff4000000000000
DATA erf_r2<>+16(SB)/8, $0x3ff4000000000000
DATA erf_r2<>+24(SB)/8, $0x3ff4000000000000
GLOBL erf_r2<>(SB), RODATA|NOPTR, $32
DATA erf_r34<>+0(SB)/8, $0x4006db6db6db6db7
DATA erf_r34<>+8(SB)/8, $0x4006db6db6db6db7
DATA erf_r34<>+16(SB)/8, $0x4006db6db6db6db7
DATA erf_r34<>+24(SB)/8, $0x4006db6db6db6db7
GLOBL erf_r34<>(SB), RODATA|NOPTR, $32
DATA erf_six<>+0(SB)/8, $0x4018000000000000
DATA erf_six<>+8(SB)/8, $0x4018000000000000
DATA erf_six<>+16(SB)/8, $0x4018000000000000
DATA erf_six<>+24(SB)/8, $0x4018000000000000
GLOBL erf_six<>(SB), RODATA|NOPTR, $32
DATA erf_9_16<>+0(SB)/8, $0x3fe2000000000000
DATA erf_9_16<>+8(SB)/8, $0x3fe2000000000000
DATA erf_9_16<>+16(SB)/8, $0x3fe2000000000000
DATA erf_9_16<>+24(SB)/8, $0x3fe2000000000000
GLOBL erf_9_16<>(SB), RODATA|NOPTR, $32
DATA erf_hi32<>+0(SB)/8, $0xffffffff00000000
DATA erf_hi32<>+8(SB)/8, $0xffffffff00000000
DATA erf_hi32<>+16(SB)/8, $0xffffffff00000000
DATA erf_hi32<>+24(SB)/8, $0xffffffff00000000
GLOBL erf_hi32<>(SB), RODATA|NOPTR, $32
DATA pw_nan32<>+0(SB)/4, $0x7fc00000
DATA pw_nan32<>+4(SB)/4, $0x7fc00000
DATA pw_nan32<>+8(SB)/4, $0x7fc00000
DATA pw_nan32<>+12(SB)/4, $0x7fc00000
DATA pw_nan32<>+16(SB)/4, $0x7fc00000
DATA pw_nan32<>+20(SB)/4, $0x7fc00000
DATA pw_nan32<>+24(SB)/4, $0x7fc00000
DATA pw_nan32<>+28(SB)/4, $0x7fc00000
GLOBL pw_nan32<>(SB), RODATA|NOPTR, $32
DATA pw_two20<>+0(SB)/8, $0x4130000000000000
DATA pw_two20<>+8(SB)/8, $0x4130000000000000
DATA pw_two20<>+16(SB)/8, $0x4130000000000000
DATA pw_two20<>+24(SB)/8, $0x4130000000000000
GLOBL pw_two20<>(SB), RODATA|NOPTR, $32
DATA nrm_neginf<>+0(SB)/8, $0xfff0000000000000
DATA nrm_neginf<>+8(SB)/8, $0xfff0000000000000
DATA nrm_neginf<>+16(SB)/8, $0xfff0000000000000
DATA nrm_neginf<>+24(SB)/8, $0xfff0000000000000
GLOBL nrm_neginf<>(SB), RODATA|NOPTR, $32

DATA nrm_pairperm<>+0(SB)/4, $0
DATA nrm_pairperm<>+4(SB)/4, $2
DATA nrm_pairperm<>+8(SB)/4, $4
DATA nrm_pairperm<>+12(SB)/4, $6
DATA nrm_pairperm<>+16(SB)/4, $1
DATA nrm_pairperm<>+20(SB)/4, $3
DATA nrm_pairperm<>+24(SB)/4, $5
DATA nrm_pairperm<>+28(SB)/4, $7
GLOBL nrm_pairperm<>(SB), RODATA|NOPTR, $32

// LOG512 sets Z2 to math.Log of the positive normal doubles in Z0
// (normalLog's operations; Z29 holds 1.0): x = f1·2^k, f1 doubled where it
// is at most √2/2, then the polynomial in s = f/(2+f). Z1 ends as f.
#define LOG512() \
	VPANDQ.BCST nrm_mant<>(SB), Z0, Z1 \
	VPORQ.BCST nrm_half<>(SB), Z1, Z1 \
	VPSRLQ $52, Z0, Z2 \
	VPORQ.BCST nrm_two52<>(SB), Z2, Z2 \
	VSUBPD.BCST nrm_koff<>(SB), Z2, Z2 \
	VCMPPD.BCST $2, nrm_hsqrt2<>(SB), Z1, K2 \
	VSUBPD Z29, Z2, K2, Z2 \
	VADDPD Z1, Z1, K2, Z1 \
	VSUBPD Z29, Z1, Z1 \
	VADDPD.BCST nrm_two<>(SB), Z1, Z3 \
	VDIVPD Z3, Z1, Z3 \
	VMULPD Z3, Z3, Z4 \
	VMULPD Z4, Z4, Z5 \
	VMULPD.BCST nrm_l7<>(SB), Z5, Z6 \
	VADDPD.BCST nrm_l5<>(SB), Z6, Z6 \
	VMULPD Z5, Z6, Z6 \
	VADDPD.BCST nrm_l3<>(SB), Z6, Z6 \
	VMULPD Z5, Z6, Z6 \
	VADDPD.BCST nrm_l1<>(SB), Z6, Z6 \
	VMULPD Z6, Z4, Z6 \
	VMULPD.BCST nrm_l6<>(SB), Z5, Z7 \
	VADDPD.BCST nrm_l4<>(SB), Z7, Z7 \
	VMULPD Z5, Z7, Z7 \
	VADDPD.BCST nrm_l2<>(SB), Z7, Z7 \
	VMULPD Z7, Z5, Z7 \
	VADDPD Z7, Z6, Z6 \
	VMULPD.BCST nrm_half<>(SB), Z1, Z7 \
	VMULPD Z1, Z7, Z7 \
	VADDPD Z7, Z6, Z6 \
	VMULPD Z6, Z3, Z3 \
	VMULPD.BCST nrm_ln2lo<>(SB), Z2, Z6 \
	VADDPD Z6, Z3, Z3 \
	VSUBPD Z3, Z7, Z7 \
	VSUBPD Z1, Z7, Z7 \
	VMULPD.BCST nrm_ln2hi<>(SB), Z2, Z2 \
	VSUBPD Z7, Z2, Z2

// LOG256 is LOG512 on Y0 into Y2, four lanes (Y15 holds 1.0): the compare
// against √2/2 gives a mask that, ANDed with 1.0, makes k's step and f1's
// factor.
#define LOG256() \
	VANDPD nrm_mant<>(SB), Y0, Y1 \
	VORPD nrm_half<>(SB), Y1, Y1 \
	VPSRLQ $52, Y0, Y2 \
	VPOR nrm_two52<>(SB), Y2, Y2 \
	VSUBPD nrm_koff<>(SB), Y2, Y2 \
	VCMPPD $2, nrm_hsqrt2<>(SB), Y1, Y3 \
	VANDPD Y15, Y3, Y3 \
	VSUBPD Y3, Y2, Y2 \
	VADDPD Y15, Y3, Y3 \
	VMULPD Y3, Y1, Y1 \
	VSUBPD Y15, Y1, Y1 \
	VADDPD nrm_two<>(SB), Y1, Y3 \
	VDIVPD Y3, Y1, Y3 \
	VMULPD Y3, Y3, Y4 \
	VMULPD Y4, Y4, Y5 \
	VMULPD nrm_l7<>(SB), Y5, Y6 \
	VADDPD nrm_l5<>(SB), Y6, Y6 \
	VMULPD Y5, Y6, Y6 \
	VADDPD nrm_l3<>(SB), Y6, Y6 \
	VMULPD Y5, Y6, Y6 \
	VADDPD nrm_l1<>(SB), Y6, Y6 \
	VMULPD Y6, Y4, Y6 \
	VMULPD nrm_l6<>(SB), Y5, Y7 \
	VADDPD nrm_l4<>(SB), Y7, Y7 \
	VMULPD Y5, Y7, Y7 \
	VADDPD nrm_l2<>(SB), Y7, Y7 \
	VMULPD Y7, Y5, Y7 \
	VADDPD Y7, Y6, Y6 \
	VMULPD nrm_half<>(SB), Y1, Y7 \
	VMULPD Y1, Y7, Y7 \
	VADDPD Y7, Y6, Y6 \
	VMULPD Y6, Y3, Y3 \
	VMULPD nrm_ln2lo<>(SB), Y2, Y6 \
	VADDPD Y6, Y3, Y3 \
	VSUBPD Y3, Y7, Y7 \
	VSUBPD Y1, Y7, Y7 \
	VMULPD nrm_ln2hi<>(SB), Y2, Y2 \
	VSUBPD Y7, Y2, Y2

// TRIG512 is the reduction and both polynomials of math.Sin and math.Cos
// (sinCos) for the non-negative doubles x below 2²⁹ in Z8 (Z29 holds
// 1.0): the octant j of x, odd ones moved up to the next, as an integer
// in Z10's low bits (K4 set where its bit 1 is), z = x − j·π/4 in three
// parts in Z12, zz in Z13, z + z·zz·S(zz) in Z15 and 1 − zz/2 + zz²·C(zz)
// in Z17.
#define TRIG512(x, y, jb, kodd, kbit1, z, zz, ps, sn, pc, cs, t) \
	VMULPD.BCST nrm_fouroverpi<>(SB), x, y \
	VRNDSCALEPD $3, y, y \
	VADDPD.BCST nrm_two52<>(SB), y, jb \
	VPTESTMQ.BCST nrm_int1<>(SB), jb, kodd \
	VADDPD Z29, y, kodd, y \
	VADDPD.BCST nrm_two52<>(SB), y, jb \
	VPTESTMQ.BCST nrm_int2<>(SB), jb, kbit1 \
	VMULPD.BCST nrm_pi4a<>(SB), y, z \
	VSUBPD z, x, z \
	VMULPD.BCST nrm_pi4b<>(SB), y, zz \
	VSUBPD zz, z, z \
	VMULPD.BCST nrm_pi4c<>(SB), y, zz \
	VSUBPD zz, z, z \
	VMULPD z, z, zz \
	VMULPD.BCST nrm_s0<>(SB), zz, ps \
	VADDPD.BCST nrm_s1<>(SB), ps, ps \
	VMULPD zz, ps, ps \
	VADDPD.BCST nrm_s2<>(SB), ps, ps \
	VMULPD zz, ps, ps \
	VADDPD.BCST nrm_s3<>(SB), ps, ps \
	VMULPD zz, ps, ps \
	VADDPD.BCST nrm_s4<>(SB), ps, ps \
	VMULPD zz, ps, ps \
	VADDPD.BCST nrm_s5<>(SB), ps, ps \
	VMULPD zz, z, sn \
	VMULPD ps, sn, sn \
	VADDPD sn, z, sn \
	VMULPD.BCST nrm_c0<>(SB), zz, pc \
	VADDPD.BCST nrm_c1<>(SB), pc, pc \
	VMULPD zz, pc, pc \
	VADDPD.BCST nrm_c2<>(SB), pc, pc \
	VMULPD zz, pc, pc \
	VADDPD.BCST nrm_c3<>(SB), pc, pc \
	VMULPD zz, pc, pc \
	VADDPD.BCST nrm_c4<>(SB), pc, pc \
	VMULPD zz, pc, pc \
	VADDPD.BCST nrm_c5<>(SB), pc, pc \
	VMULPD.BCST nrm_half<>(SB), zz, cs \
	VSUBPD cs, Z29, cs \
	VMULPD zz, zz, t \
	VMULPD pc, t, t \
	VADDPD t, cs, cs

// TRIG256 is TRIG512 on Y8 (Y15 holds 1.0), four lanes: j in Y12's low
// bits, all ones in Y11 where its bit 1 is set, z + z·zz·S(zz) in Y9 and
// 1 − zz/2 + zz²·C(zz) in Y10 (Y8, Y13 and Y14 scratch).
#define TRIG256() \
	VMULPD nrm_fouroverpi<>(SB), Y8, Y9 \
	VROUNDPD $3, Y9, Y9 \
	VADDPD nrm_two52<>(SB), Y9, Y10 \
	VPAND nrm_int1<>(SB), Y10, Y10 \
	VPCMPEQQ nrm_int1<>(SB), Y10, Y10 \
	VANDPD Y15, Y10, Y10 \
	VADDPD Y10, Y9, Y9 \
	VADDPD nrm_two52<>(SB), Y9, Y12 \
	VPAND nrm_int2<>(SB), Y12, Y11 \
	VPCMPEQQ nrm_int2<>(SB), Y11, Y11 \
	VMULPD nrm_pi4a<>(SB), Y9, Y10 \
	VSUBPD Y10, Y8, Y10 \
	VMULPD nrm_pi4b<>(SB), Y9, Y13 \
	VSUBPD Y13, Y10, Y10 \
	VMULPD nrm_pi4c<>(SB), Y9, Y13 \
	VSUBPD Y13, Y10, Y10 \
	VMULPD Y10, Y10, Y13 \
	VMULPD nrm_s0<>(SB), Y13, Y8 \
	VADDPD nrm_s1<>(SB), Y8, Y8 \
	VMULPD Y13, Y8, Y8 \
	VADDPD nrm_s2<>(SB), Y8, Y8 \
	VMULPD Y13, Y8, Y8 \
	VADDPD nrm_s3<>(SB), Y8, Y8 \
	VMULPD Y13, Y8, Y8 \
	VADDPD nrm_s4<>(SB), Y8, Y8 \
	VMULPD Y13, Y8, Y8 \
	VADDPD nrm_s5<>(SB), Y8, Y8 \
	VMULPD Y13, Y10, Y9 \
	VMULPD Y8, Y9, Y9 \
	VADDPD Y9, Y10, Y9 \
	VMULPD nrm_c0<>(SB), Y13, Y8 \
	VADDPD nrm_c1<>(SB), Y8, Y8 \
	VMULPD Y13, Y8, Y8 \
	VADDPD nrm_c2<>(SB), Y8, Y8 \
	VMULPD Y13, Y8, Y8 \
	VADDPD nrm_c3<>(SB), Y8, Y8 \
	VMULPD Y13, Y8, Y8 \
	VADDPD nrm_c4<>(SB), Y8, Y8 \
	VMULPD Y13, Y8, Y8 \
	VADDPD nrm_c5<>(SB), Y8, Y8 \
	VMULPD nrm_half<>(SB), Y13, Y10 \
	VSUBPD Y10, Y15, Y10 \
	VMULPD Y13, Y13, Y14 \
	VMULPD Y8, Y14, Y14 \
	VADDPD Y14, Y10, Y10

// COS512 finishes TRIG512's cosine: the sine polynomial where j's bit 1
// is set, negative where bits 1 and 2 differ, into out (sg scratch).
#define COS512(jb, kbit1, sn, cs, sg, out) \
	VPSRLQ $1, jb, sg \
	VPXORQ jb, sg, sg \
	VPSLLQ $62, sg, sg \
	VPANDQ.BCST nrm_sign<>(SB), sg, sg \
	VMOVAPD sn, kbit1, cs \
	VPXORQ sg, cs, out

// SIN512 finishes TRIG512's sine of the signed x0: the cosine polynomial
// where j's bit 1 is set, x0's sign flipped where bit 2 is.
#define SIN512(x0, jb, kbit1, sn, cs, sg, out) \
	VPSLLQ $61, jb, sg \
	VPXORQ x0, sg, sg \
	VPANDQ.BCST nrm_sign<>(SB), sg, sg \
	VMOVAPD cs, kbit1, sn \
	VPXORQ sg, sn, out

DATA nrm_pairperm16<>+0(SB)/4, $0
DATA nrm_pairperm16<>+4(SB)/4, $2
DATA nrm_pairperm16<>+8(SB)/4, $4
DATA nrm_pairperm16<>+12(SB)/4, $6
DATA nrm_pairperm16<>+16(SB)/4, $8
DATA nrm_pairperm16<>+20(SB)/4, $10
DATA nrm_pairperm16<>+24(SB)/4, $12
DATA nrm_pairperm16<>+28(SB)/4, $14
DATA nrm_pairperm16<>+32(SB)/4, $1
DATA nrm_pairperm16<>+36(SB)/4, $3
DATA nrm_pairperm16<>+40(SB)/4, $5
DATA nrm_pairperm16<>+44(SB)/4, $7
DATA nrm_pairperm16<>+48(SB)/4, $9
DATA nrm_pairperm16<>+52(SB)/4, $11
DATA nrm_pairperm16<>+56(SB)/4, $13
DATA nrm_pairperm16<>+60(SB)/4, $15
GLOBL nrm_pairperm16<>(SB), RODATA|NOPTR, $64

DATA nrm_interleave16<>+0(SB)/4, $0
DATA nrm_interleave16<>+4(SB)/4, $8
DATA nrm_interleave16<>+8(SB)/4, $1
DATA nrm_interleave16<>+12(SB)/4, $9
DATA nrm_interleave16<>+16(SB)/4, $2
DATA nrm_interleave16<>+20(SB)/4, $10
DATA nrm_interleave16<>+24(SB)/4, $3
DATA nrm_interleave16<>+28(SB)/4, $11
DATA nrm_interleave16<>+32(SB)/4, $4
DATA nrm_interleave16<>+36(SB)/4, $12
DATA nrm_interleave16<>+40(SB)/4, $5
DATA nrm_interleave16<>+44(SB)/4, $13
DATA nrm_interleave16<>+48(SB)/4, $6
DATA nrm_interleave16<>+52(SB)/4, $14
DATA nrm_interleave16<>+56(SB)/4, $7
DATA nrm_interleave16<>+60(SB)/4, $15
GLOBL nrm_interleave16<>(SB), RODATA|NOPTR, $64

// func normalPairsAVX512(out *float32, w *uint32, pairs int, a, b float32)
// is normalPairsAVX2 eight pairs at a time (pairs a multiple of 8): the
// words' x halves and y halves apart by one permute (nrm_pairperm16),
// LOG512 and TRIG512 (its cosine polynomial kept in Z19 for the sine, as
// COS512 overwrites it), and both draws back in turn by another
// (nrm_interleave16).
TEXT ·normalPairsAVX512(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DX
	MOVQ w+8(FP), SI
	MOVQ pairs+16(FP), CX
	SHRQ $3, CX
	JZ nrm512_done
	VBROADCASTSD nrm_one<>(SB), Z29
	VCVTSS2SD b+28(FP), X30, X30
	VBROADCASTSD X30, Z30
	VBROADCASTSS a+24(FP), Y31
	VMOVDQU32 nrm_pairperm16<>(SB), Z28
	VMOVDQU32 nrm_interleave16<>(SB), Z27
nrm512_loop:
	VPERMD (SI), Z28, Z0 // x0..x7 in the low half, y0..y7 in the high
	VEXTRACTI64X4 $1, Z0, Y8
	VPSRLD $8, Y0, Y0
	VCVTDQ2PD Y0, Z0
	VMULPD.BCST nrm_two_m24<>(SB), Z0, Z0
	VSUBPD Z0, Z29, Z0
	LOG512() // Z0-Z7, K2 (Z8 keeps the y words)
	VMULPD.BCST nrm_minus2<>(SB), Z2, Z2
	VSQRTPD Z2, Z2
	VMULPD Z30, Z2, Z2
	VPSRLD $8, Y8, Y8
	VCVTDQ2PD Y8, Z8
	VMULPD.BCST nrm_two_m24<>(SB), Z8, Z8
	VMULPD.BCST nrm_twopi<>(SB), Z8, Z8
	TRIG512(Z8, Z9, Z10, K3, K4, Z12, Z13, Z14, Z15, Z16, Z17, Z18)
	VMOVAPD Z17, Z19
	COS512(Z10, K4, Z15, Z17, Z11, Z4)
	SIN512(Z8, Z10, K4, Z15, Z19, Z11, Z6)
	VMULPD Z4, Z2, Z4
	VMULPD Z6, Z2, Z6
	VCVTPD2PS Z4, Y4
	VCVTPD2PS Z6, Y6
	VADDPS Y4, Y31, Y4
	VADDPS Y6, Y31, Y6
	VINSERTF64X4 $1, Y6, Z4, Z4
	VPERMPS Z4, Z27, Z4
	VMOVUPS Z4, (DX)
	ADDQ $64, SI
	ADDQ $64, DX
	DECQ CX
	JNZ nrm512_loop
nrm512_done:
	VZEROUPPER
	RET

// func normalPairsAVX2(out *float32, w *uint32, pairs int, a, b float32)
// maps pairs (a multiple of 4) pairs of words (x, y) = (w[2j], w[2j+1]) to
// the two Normal draws of each, out[2j] = a + b·r·cos θ and out[2j+1] =
// a + b·r·sin θ with r = √(−2·ln(1−u(x))) and θ = 2π·u(y) (normalPairGo),
// four pairs at a time in float64 lanes: the log and square root once for
// both draws, and TRIG256's one reduction with both polynomials.
TEXT ·normalPairsAVX2(SB), NOSPLIT, $0-32
	MOVQ out+0(FP), DX
	MOVQ w+8(FP), SI
	MOVQ pairs+16(FP), CX
	SHRQ $2, CX
	JZ nrm256_done
nrm256_loop:
	VMOVDQU nrm_pairperm<>(SB), Y7
	VMOVDQU (SI), Y0
	VPERMD Y0, Y7, Y0 // x0..x3 in the low lane, y0..y3 in the high
	VEXTRACTI128 $1, Y0, X8
	VPSRLD $8, X0, X0
	VCVTDQ2PD X0, Y0
	VMULPD nrm_two_m24<>(SB), Y0, Y0
	VMOVUPD nrm_one<>(SB), Y15
	VSUBPD Y0, Y15, Y0
	LOG256() // Y0-Y7 (X8 keeps the y words)
	VMULPD nrm_minus2<>(SB), Y2, Y2
	VSQRTPD Y2, Y2
	VCVTSS2SD b+28(FP), X14, X14
	VBROADCASTSD X14, Y14
	VMULPD Y14, Y2, Y2
	VPSRLD $8, X8, X8
	VCVTDQ2PD X8, Y8
	VMULPD nrm_two_m24<>(SB), Y8, Y8
	VMULPD nrm_twopi<>(SB), Y8, Y8
	TRIG256()
	// cos: the sine polynomial where j's bit 1 is set, negative where
	// bits 1 and 2 differ; sin: the cosine polynomial where bit 1 is set,
	// negative where bit 2 is (θ ≥ 0).
	VPSRLQ $1, Y12, Y3
	VPXOR Y12, Y3, Y3
	VPSLLQ $62, Y3, Y3
	VPAND nrm_sign<>(SB), Y3, Y3
	VBLENDVPD Y11, Y9, Y10, Y4
	VXORPD Y3, Y4, Y4
	VPSLLQ $61, Y12, Y5
	VPAND nrm_sign<>(SB), Y5, Y5
	VBLENDVPD Y11, Y10, Y9, Y6
	VXORPD Y5, Y6, Y6
	VMULPD Y4, Y2, Y4
	VMULPD Y6, Y2, Y6
	VCVTPD2PSY Y4, X4
	VCVTPD2PSY Y6, X6
	VBROADCASTSS a+24(FP), X3
	VADDPS X4, X3, X4
	VADDPS X6, X3, X6
	VUNPCKLPS X6, X4, X5
	VUNPCKHPS X6, X4, X6
	VMOVUPS X5, (DX)
	VMOVUPS X6, 16(DX)
	ADDQ $32, SI
	ADDQ $32, DX
	DECQ CX
	JNZ nrm256_loop
nrm256_done:
	VZEROUPPER
	RET

// func logUAVX512(d, s *float32, n int, a, b float32) sets d[i] to
// float32(math.Log(float64(s[i]))) for n (a multiple of 8) elements, with
// the amd64 assembly's special cases: ±0 gives −Inf, a set sign bit NaN
// (0x7FF8000000000001 before the conversion), +Inf and +NaN themselves.
TEXT ·logUAVX512(SB), NOSPLIT, $0-32
	MOVQ d+0(FP), DX
	MOVQ s+8(FP), SI
	MOVQ n+16(FP), CX
	VBROADCASTSD nrm_one<>(SB), Z29
	VBROADCASTSD nrm_lognan<>(SB), Z28
	VBROADCASTSD nrm_neginf<>(SB), Z27
	SHRQ $3, CX
	JZ log512_done
log512_loop:
	VCVTPS2PD (SI), Z0
	LOG512()
	VPCMPQ.BCST $5, nrm_posinf<>(SB), Z0, K3
	VMOVAPD Z0, K3, Z2
	VPTESTMQ.BCST nrm_sign<>(SB), Z0, K2
	VMOVAPD Z28, K2, Z2
	VPTESTNMQ.BCST nrm_abs<>(SB), Z0, K1
	VMOVAPD Z27, K1, Z2
	VCVTPD2PS Z2, Y2
	VMOVUPS Y2, (DX)
	ADDQ $32, SI
	ADDQ $32, DX
	DECQ CX
	JNZ log512_loop
log512_done:
	VZEROUPPER
	RET

// func logUAVX2(d, s *float32, n int, a, b float32) is logUAVX512 four
// elements at a time (n a multiple of 4).
TEXT ·logUAVX2(SB), NOSPLIT, $0-32
	MOVQ d+0(FP), DX
	MOVQ s+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $2, CX
	JZ log256_done
log256_loop:
	VCVTPS2PD (SI), Y0
	VMOVUPD nrm_one<>(SB), Y15
	LOG256()
	VPCMPGTQ nrm_maxfin<>(SB), Y0, Y4
	VBLENDVPD Y4, Y0, Y2, Y2
	VMOVUPD nrm_lognan<>(SB), Y5
	VBLENDVPD Y0, Y5, Y2, Y2
	VPAND nrm_abs<>(SB), Y0, Y4
	VPXOR Y5, Y5, Y5
	VPCMPEQQ Y5, Y4, Y4
	VMOVUPD nrm_neginf<>(SB), Y5
	VBLENDVPD Y4, Y5, Y2, Y2
	VCVTPD2PSY Y2, X2
	VMOVUPS X2, (DX)
	ADDQ $16, SI
	ADDQ $16, DX
	DECQ CX
	JNZ log256_loop
log256_done:
	VZEROUPPER
	RET

// func sinCosUAVX512(d, s *float32, n int, cos bool, d64 *float64) int sets d[i] to
// float32(math.Sin(float64(s[i]))), or math.Cos with cos, for n elements
// (a multiple of 16): sinCos's operations in float64 lanes, two
// independent groups of eight at a time. It stops before the first 16
// holding an argument of 2²⁹ or more in magnitude, ±Inf or NaN (math's
// Payne–Hanek reduction and special cases) and returns the elements done.
// Given d64 (not nil), it writes the float64 results there instead of d.
TEXT ·sinCosUAVX512(SB), NOSPLIT, $0-48
	MOVQ d+0(FP), DX
	MOVQ s+8(FP), SI
	MOVQ n+16(FP), CX
	MOVBLZX cos+24(FP), BX
	MOVQ d64+32(FP), DI
	VBROADCASTSD nrm_one<>(SB), Z29
	XORQ AX, AX
trig512_loop:
	CMPQ AX, CX
	JGE trig512_done
	VCVTPS2PD (SI)(AX*4), Z0
	VCVTPS2PD 32(SI)(AX*4), Z1
	VPANDQ.BCST nrm_abs<>(SB), Z0, Z8
	VPANDQ.BCST nrm_abs<>(SB), Z1, Z19
	VCMPPD.BCST $5, nrm_two29<>(SB), Z8, K1
	VCMPPD.BCST $5, nrm_two29<>(SB), Z19, K2
	KORTESTW K1, K2
	JNZ trig512_done
	TRIG512(Z8, Z9, Z10, K3, K4, Z12, Z13, Z14, Z15, Z16, Z17, Z18)
	TRIG512(Z19, Z20, Z21, K5, K6, Z22, Z23, Z24, Z25, Z26, Z27, Z28)
	TESTQ BX, BX
	JNZ trig512_cos
	SIN512(Z0, Z10, K4, Z15, Z17, Z11, Z2)
	SIN512(Z1, Z21, K6, Z25, Z27, Z30, Z3)
	JMP trig512_store
trig512_cos:
	COS512(Z10, K4, Z15, Z17, Z11, Z2)
	COS512(Z21, K6, Z25, Z27, Z30, Z3)
trig512_store:
	TESTQ DI, DI
	JNZ trig512_store64
	VCVTPD2PS Z2, Y2
	VCVTPD2PS Z3, Y3
	VMOVUPS Y2, (DX)(AX*4)
	VMOVUPS Y3, 32(DX)(AX*4)
	ADDQ $16, AX
	JMP trig512_loop
trig512_store64:
	VMOVUPD Z2, (DI)(AX*8)
	VMOVUPD Z3, 64(DI)(AX*8)
	ADDQ $16, AX
	JMP trig512_loop
trig512_done:
	MOVQ AX, ret+40(FP)
	VZEROUPPER
	RET

// func sinCosUAVX2(d, s *float32, n int, cos bool, d64 *float64) int is sinCosUAVX512
// four elements at a time (n a multiple of 4; it stops before the first
// four holding an argument it leaves to math).
TEXT ·sinCosUAVX2(SB), NOSPLIT, $0-48
	MOVQ d+0(FP), DX
	MOVQ s+8(FP), SI
	MOVQ n+16(FP), CX
	MOVBLZX cos+24(FP), BX
	MOVQ d64+32(FP), DI
	VMOVUPD nrm_one<>(SB), Y15
	XORQ AX, AX
trig256_loop:
	CMPQ AX, CX
	JGE trig256_done
	VCVTPS2PD (SI)(AX*4), Y0
	VANDPD nrm_abs<>(SB), Y0, Y8
	VCMPPD $5, nrm_two29<>(SB), Y8, Y1
	VMOVMSKPD Y1, R8
	TESTL R8, R8
	JNZ trig256_done
	TRIG256()
	TESTQ BX, BX
	JNZ trig256_cos
	VPSLLQ $61, Y12, Y3
	VXORPD Y0, Y3, Y3
	VANDPD nrm_sign<>(SB), Y3, Y3
	VBLENDVPD Y11, Y10, Y9, Y2
	VXORPD Y3, Y2, Y2
	JMP trig256_store
trig256_cos:
	VPSRLQ $1, Y12, Y3
	VPXOR Y12, Y3, Y3
	VPSLLQ $62, Y3, Y3
	VPAND nrm_sign<>(SB), Y3, Y3
	VBLENDVPD Y11, Y9, Y10, Y2
	VXORPD Y3, Y2, Y2
trig256_store:
	TESTQ DI, DI
	JNZ trig256_store64
	VCVTPD2PSY Y2, X2
	VMOVUPS X2, (DX)(AX*4)
	ADDQ $4, AX
	JMP trig256_loop
trig256_store64:
	VMOVUPD Y2, (DI)(AX*8)
	ADDQ $4, AX
	JMP trig256_loop
trig256_done:
	MOVQ AX, ret+40(FP)
	VZEROUPPER
	RET

// EXP512 sets x to exp64(x) for −708 ≤ x ≤ 0 in eight lanes (Z29 holds
// 1.0; k, its ymm half ky, and p scratch): math.Exp's amd64 assembly with
// FMA, k = round(x·log₂e), r = (x − k·ln2)/16 by two fused steps, e^r − 1
// by a fused Taylor series, squared back four times, plus 1, times 2ᵏ.
#define EXP512(x, k, ky, p) \
	VMULPD.BCST exp_log2e<>(SB), x, k \
	VRNDSCALEPD $0, k, k \
	VFNMADD231PD.BCST exp_ln2u<>(SB), k, x \
	VFNMADD231PD.BCST exp_ln2l<>(SB), k, x \
	VMULPD.BCST exp_sixteenth<>(SB), x, x \
	VBROADCASTSD exp_t0<>(SB), p \
	VFMADD213PD.BCST exp_t1<>(SB), x, p \
	VFMADD213PD.BCST exp_t2<>(SB), x, p \
	VFMADD213PD.BCST exp_t3<>(SB), x, p \
	VFMADD213PD.BCST exp_t4<>(SB), x, p \
	VFMADD213PD.BCST exp_t5<>(SB), x, p \
	VFMADD213PD.BCST nrm_half<>(SB), x, p \
	VFMADD213PD Z29, x, p \
	VMULPD p, x, x \
	VADDPD.BCST nrm_two<>(SB), x, p \
	VMULPD p, x, x \
	VADDPD.BCST nrm_two<>(SB), x, p \
	VMULPD p, x, x \
	VADDPD.BCST nrm_two<>(SB), x, p \
	VMULPD p, x, x \
	VADDPD.BCST nrm_two<>(SB), x, p \
	VFMADD213PD Z29, p, x \
	VCVTPD2DQ k, ky \
	VPMOVSXDQ ky, k \
	VPADDQ.BCST exp_bias<>(SB), k, k \
	VPSLLQ $52, k, k \
	VMULPD k, x, x

// EXP256 is EXP512 in four lanes (Y15 holds 1.0; k, its xmm half kx,
// and p scratch).
#define EXP256(x, k, kx, p) \
	VMULPD exp_log2e<>(SB), x, k \
	VROUNDPD $0, k, k \
	VFNMADD231PD exp_ln2u<>(SB), k, x \
	VFNMADD231PD exp_ln2l<>(SB), k, x \
	VMULPD exp_sixteenth<>(SB), x, x \
	VMOVUPD exp_t0<>(SB), p \
	VFMADD213PD exp_t1<>(SB), x, p \
	VFMADD213PD exp_t2<>(SB), x, p \
	VFMADD213PD exp_t3<>(SB), x, p \
	VFMADD213PD exp_t4<>(SB), x, p \
	VFMADD213PD exp_t5<>(SB), x, p \
	VFMADD213PD nrm_half<>(SB), x, p \
	VFMADD213PD Y15, x, p \
	VMULPD p, x, x \
	VADDPD nrm_two<>(SB), x, p \
	VMULPD p, x, x \
	VADDPD nrm_two<>(SB), x, p \
	VMULPD p, x, x \
	VADDPD nrm_two<>(SB), x, p \
	VMULPD p, x, x \
	VADDPD nrm_two<>(SB), x, p \
	VFMADD213PD Y15, p, x \
	VCVTPD2DQY k, kx \
	VPMOVSXDQ kx, k \
	VPADDQ exp_bias<>(SB), k, k \
	VPSLLQ $52, k, k \
	VMULPD k, x, x

// func softplusUAVX512(d, s *float32, n int, d64 *float64) int sets d[i] to
// softplusGo(s[i]) for n elements (a multiple of 8), eight at a time:
// exp64's and softplusLog1p's operations in float64 lanes, every
// branch of the logarithm computed and the lane's own chosen. It stops
// before the first eight holding an |x| above softplusMax or NaN and
// returns the elements done. Given d64 (not nil), it writes the float64
// results there instead of d.
TEXT ·softplusUAVX512(SB), NOSPLIT, $0-40
	MOVQ d+0(FP), DX
	MOVQ s+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ d64+24(FP), DI
	VBROADCASTSD nrm_one<>(SB), Z29
	VPXORQ Z30, Z30, Z30
	XORQ AX, AX
sp512_loop:
	CMPQ AX, CX
	JGE sp512_done
	VCVTPS2PD (SI)(AX*4), Z0
	VPANDQ.BCST nrm_abs<>(SB), Z0, Z1
	VCMPPD.BCST $6, sp_max<>(SB), Z1, K1
	KORTESTW K1, K1
	JNZ sp512_done
	// e^−|x|: k = round(−|x|·log₂e), r = (−|x| − k·ln2)/16, e^r − 1 by
	// Taylor, squared back four times, plus 1, times 2ᵏ.
	VPORQ.BCST nrm_sign<>(SB), Z0, Z2
	EXP512(Z2, Z3, Y3, Z4)
	// ln(1+x) of x = Z2. Where x ≥ √2−1: u = 1+x, k = 1 where u ≥ 2 (K2),
	// the correction c = (1−(u−x) or x−(u−1))/u, u's mantissa m, scaled
	// to [1, √2) or, with k one more, to [√2/2, 1) (K3), f = that − 1.
	VADDPD Z29, Z2, Z3
	VCMPPD.BCST $5, nrm_two<>(SB), Z3, K2
	VSUBPD Z2, Z3, Z4
	VSUBPD Z4, Z29, Z4
	VSUBPD Z29, Z3, Z5
	VSUBPD Z5, Z2, Z5
	VMOVAPD Z4, K2, Z5
	VDIVPD Z3, Z5, Z5
	VPANDQ.BCST nrm_mant<>(SB), Z3, Z6
	VPCMPQ.BCST $5, lp_sqrt2mant<>(SB), Z6, K3
	VPORQ.BCST nrm_one<>(SB), Z6, Z7
	VPORQ.BCST nrm_half<>(SB), Z6, K3, Z7
	VMOVAPD Z30, Z8
	VMOVAPD Z29, K2, Z8
	VADDPD Z29, Z8, K3, Z8
	VSUBPD Z29, Z7, Z7
	// Below √2−1 (K4): f = x and c = 0 (k is 0 there already: 1+x < √2).
	VCMPPD.BCST $1, lp_sqrt2m1<>(SB), Z2, K4
	VMOVAPD Z2, K4, Z7
	VMOVAPD Z30, K4, Z5
	// hfsq = ½f·f, s = f/(2+f), R(s²), t = s·(hfsq+R).
	VMULPD.BCST nrm_half<>(SB), Z7, Z9
	VMULPD Z7, Z9, Z9
	VADDPD.BCST nrm_two<>(SB), Z7, Z10
	VDIVPD Z10, Z7, Z10
	VMULPD Z10, Z10, Z11
	VMULPD.BCST nrm_l7<>(SB), Z11, Z12
	VADDPD.BCST nrm_l6<>(SB), Z12, Z12
	VMULPD Z12, Z11, Z12
	VADDPD.BCST nrm_l5<>(SB), Z12, Z12
	VMULPD Z12, Z11, Z12
	VADDPD.BCST nrm_l4<>(SB), Z12, Z12
	VMULPD Z12, Z11, Z12
	VADDPD.BCST nrm_l3<>(SB), Z12, Z12
	VMULPD Z12, Z11, Z12
	VADDPD.BCST nrm_l2<>(SB), Z12, Z12
	VMULPD Z12, Z11, Z12
	VADDPD.BCST nrm_l1<>(SB), Z12, Z12
	VMULPD Z12, Z11, Z12
	VADDPD Z12, Z9, Z12
	VMULPD Z12, Z10, Z12
	// k·ln2hi − ((hfsq − (t + (k·ln2lo + c))) − f), which with k = 0 and
	// c = 0 is 0 − ((hfsq − t) − f), math.Log1p's f − (hfsq − t) to the bit
	// (k is 0 only below √2−1: 1 + fl(√2−1) rounds to √2).
	VMULPD.BCST nrm_ln2lo<>(SB), Z8, Z14
	VADDPD Z5, Z14, Z14
	VADDPD Z14, Z12, Z14
	VSUBPD Z14, Z9, Z14
	VSUBPD Z7, Z14, Z14
	VMULPD.BCST nrm_ln2hi<>(SB), Z8, Z15
	VSUBPD Z14, Z15, Z14
	// Below 2⁻²⁹ (K6): x − x·x·½.
	VMULPD Z2, Z2, Z15
	VMULPD.BCST nrm_half<>(SB), Z15, Z15
	VSUBPD Z15, Z2, Z15
	VCMPPD.BCST $1, lp_two_m29<>(SB), Z2, K6
	VMOVAPD Z15, K6, Z14
	// max(x, 0) + ln(1 + e^−|x|).
	VMAXPD Z30, Z0, Z0
	VADDPD Z14, Z0, Z0
	TESTQ DI, DI
	JNZ sp512_store64
	VCVTPD2PS Z0, Y0
	VMOVUPS Y0, (DX)(AX*4)
	ADDQ $8, AX
	JMP sp512_loop
sp512_store64:
	VMOVUPD Z0, (DI)(AX*8)
	ADDQ $8, AX
	JMP sp512_loop
sp512_done:
	MOVQ AX, ret+32(FP)
	VZEROUPPER
	RET

// func softplusUAVX2(d, s *float32, n int, d64 *float64) int is softplusUAVX512 four
// elements at a time (n a multiple of 4), with compares and blends for
// the masks.
TEXT ·softplusUAVX2(SB), NOSPLIT, $0-40
	MOVQ d+0(FP), DX
	MOVQ s+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ d64+24(FP), DI
	VMOVUPD nrm_one<>(SB), Y15
	VXORPD Y14, Y14, Y14
	XORQ AX, AX
sp256_loop:
	CMPQ AX, CX
	JGE sp256_done
	VCVTPS2PD (SI)(AX*4), Y0
	VANDPD nrm_abs<>(SB), Y0, Y1
	VCMPPD $6, sp_max<>(SB), Y1, Y2
	VMOVMSKPD Y2, R8
	TESTL R8, R8
	JNZ sp256_done
	VORPD nrm_sign<>(SB), Y0, Y2
	EXP256(Y2, Y3, X3, Y4)
	VADDPD Y15, Y2, Y3
	VCMPPD $5, nrm_two<>(SB), Y3, Y4
	VSUBPD Y2, Y3, Y5
	VSUBPD Y5, Y15, Y5
	VSUBPD Y15, Y3, Y6
	VSUBPD Y6, Y2, Y6
	VBLENDVPD Y4, Y5, Y6, Y5
	VDIVPD Y3, Y5, Y5
	VANDPD nrm_mant<>(SB), Y3, Y6
	VPCMPGTQ lp_sqrt2mant_m1<>(SB), Y6, Y7
	VORPD nrm_one<>(SB), Y6, Y8
	VORPD nrm_half<>(SB), Y6, Y9
	VBLENDVPD Y7, Y9, Y8, Y8
	VANDPD Y15, Y4, Y4
	VANDPD Y15, Y7, Y7
	VADDPD Y7, Y4, Y4
	VSUBPD Y15, Y8, Y8
	VCMPPD $1, lp_sqrt2m1<>(SB), Y2, Y9
	VBLENDVPD Y9, Y2, Y8, Y8
	VANDNPD Y5, Y9, Y5
	VMULPD nrm_half<>(SB), Y8, Y9
	VMULPD Y8, Y9, Y9
	VADDPD nrm_two<>(SB), Y8, Y10
	VDIVPD Y10, Y8, Y10
	VMULPD Y10, Y10, Y11
	VMULPD nrm_l7<>(SB), Y11, Y12
	VADDPD nrm_l6<>(SB), Y12, Y12
	VMULPD Y12, Y11, Y12
	VADDPD nrm_l5<>(SB), Y12, Y12
	VMULPD Y12, Y11, Y12
	VADDPD nrm_l4<>(SB), Y12, Y12
	VMULPD Y12, Y11, Y12
	VADDPD nrm_l3<>(SB), Y12, Y12
	VMULPD Y12, Y11, Y12
	VADDPD nrm_l2<>(SB), Y12, Y12
	VMULPD Y12, Y11, Y12
	VADDPD nrm_l1<>(SB), Y12, Y12
	VMULPD Y12, Y11, Y12
	VADDPD Y12, Y9, Y12
	VMULPD Y12, Y10, Y12
	VMULPD nrm_ln2lo<>(SB), Y4, Y1
	VADDPD Y5, Y1, Y1
	VADDPD Y1, Y12, Y1
	VSUBPD Y1, Y9, Y1
	VSUBPD Y8, Y1, Y1
	VMULPD nrm_ln2hi<>(SB), Y4, Y3
	VSUBPD Y1, Y3, Y1
	VMULPD Y2, Y2, Y3
	VMULPD nrm_half<>(SB), Y3, Y3
	VSUBPD Y3, Y2, Y3
	VCMPPD $1, lp_two_m29<>(SB), Y2, Y6
	VBLENDVPD Y6, Y3, Y1, Y1
	VMAXPD Y14, Y0, Y0
	VADDPD Y1, Y0, Y0
	TESTQ DI, DI
	JNZ sp256_store64
	VCVTPD2PSY Y0, X0
	VMOVUPS X0, (DX)(AX*4)
	ADDQ $4, AX
	JMP sp256_loop
sp256_store64:
	VMOVUPD Y0, (DI)(AX*8)
	ADDQ $4, AX
	JMP sp256_loop
sp256_done:
	MOVQ AX, ret+32(FP)
	VZEROUPPER
	RET

// func erfUAVX512(d, s *float32, n int, d64 *float64) int sets d[i] to
// erfGo(s[i]) for n elements (a multiple of 8), eight at a time: erf64's
// operations in float64 lanes, every range computed and the lane's own
// chosen. It stops before the first eight holding a NaN and returns the
// elements done. Given d64 (not nil), it writes the float64 results
// there instead of d.
TEXT ·erfUAVX512(SB), NOSPLIT, $0-40
	MOVQ d+0(FP), DX
	MOVQ s+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ d64+24(FP), DI
	VBROADCASTSD nrm_one<>(SB), Z29
	XORQ AX, AX
erf512_loop:
	CMPQ AX, CX
	JGE erf512_done
	VCVTPS2PD (SI)(AX*4), Z0
	VCMPPD $3, Z0, Z0, K1
	KORTESTW K1, K1
	JNZ erf512_done
	VPANDQ.BCST nrm_abs<>(SB), Z0, Z1
	// Below 0.84375: a + a·P(a²)/Q(a²), a + efx·a below 2⁻²⁸.
	VMULPD Z1, Z1, Z2
	VBROADCASTSD erf_pp4<>(SB), Z3
	VMULPD Z2, Z3, Z3
	VADDPD.BCST erf_pp3<>(SB), Z3, Z3
	VMULPD Z2, Z3, Z3
	VADDPD.BCST erf_pp2<>(SB), Z3, Z3
	VMULPD Z2, Z3, Z3
	VADDPD.BCST erf_pp1<>(SB), Z3, Z3
	VMULPD Z2, Z3, Z3
	VADDPD.BCST erf_pp0<>(SB), Z3, Z3
	VBROADCASTSD erf_qq5<>(SB), Z4
	VMULPD Z2, Z4, Z4
	VADDPD.BCST erf_qq4<>(SB), Z4, Z4
	VMULPD Z2, Z4, Z4
	VADDPD.BCST erf_qq3<>(SB), Z4, Z4
	VMULPD Z2, Z4, Z4
	VADDPD.BCST erf_qq2<>(SB), Z4, Z4
	VMULPD Z2, Z4, Z4
	VADDPD.BCST erf_qq1<>(SB), Z4, Z4
	VMULPD Z2, Z4, Z4
	VADDPD Z29, Z4, Z4
	VDIVPD Z4, Z3, Z3
	VMULPD Z3, Z1, Z3
	VADDPD Z3, Z1, Z3
	VMULPD.BCST erf_efx<>(SB), Z1, Z4
	VADDPD Z4, Z1, Z4
	VCMPPD.BCST $1, erf_tiny<>(SB), Z1, K2
	VMOVAPD Z4, K2, Z3
	// Below 1.25: erx + P(a−1)/Q(a−1).
	VSUBPD Z29, Z1, Z5
	VBROADCASTSD erf_pa6<>(SB), Z6
	VMULPD Z5, Z6, Z6
	VADDPD.BCST erf_pa5<>(SB), Z6, Z6
	VMULPD Z5, Z6, Z6
	VADDPD.BCST erf_pa4<>(SB), Z6, Z6
	VMULPD Z5, Z6, Z6
	VADDPD.BCST erf_pa3<>(SB), Z6, Z6
	VMULPD Z5, Z6, Z6
	VADDPD.BCST erf_pa2<>(SB), Z6, Z6
	VMULPD Z5, Z6, Z6
	VADDPD.BCST erf_pa1<>(SB), Z6, Z6
	VMULPD Z5, Z6, Z6
	VADDPD.BCST erf_pa0<>(SB), Z6, Z6
	VBROADCASTSD erf_qa6<>(SB), Z7
	VMULPD Z5, Z7, Z7
	VADDPD.BCST erf_qa5<>(SB), Z7, Z7
	VMULPD Z5, Z7, Z7
	VADDPD.BCST erf_qa4<>(SB), Z7, Z7
	VMULPD Z5, Z7, Z7
	VADDPD.BCST erf_qa3<>(SB), Z7, Z7
	VMULPD Z5, Z7, Z7
	VADDPD.BCST erf_qa2<>(SB), Z7, Z7
	VMULPD Z5, Z7, Z7
	VADDPD.BCST erf_qa1<>(SB), Z7, Z7
	VMULPD Z5, Z7, Z7
	VADDPD Z29, Z7, Z7
	VDIVPD Z7, Z6, Z6
	VADDPD.BCST erf_erx<>(SB), Z6, Z6
	// Below 6: 1 − e^(−z²−0.5625)·e^((z−a)(z+a)+R/S)/a, R and S in s = 1/a²,
	// the second range's where a ≥ 1/0.35 (K3); z is a cut to 20 bits.
	VMULPD Z1, Z1, Z8
	VDIVPD Z8, Z29, Z8
	VCMPPD.BCST $5, erf_r34<>(SB), Z1, K3
	VBROADCASTSD erf_ra7<>(SB), Z9
	VBROADCASTSD erf_rb7<>(SB), K3, Z9
	VMULPD Z8, Z9, Z9
	VBROADCASTSD erf_ra6<>(SB), Z11
	VBROADCASTSD erf_rb6<>(SB), K3, Z11
	VADDPD Z11, Z9, Z9
	VMULPD Z8, Z9, Z9
	VBROADCASTSD erf_ra5<>(SB), Z11
	VBROADCASTSD erf_rb5<>(SB), K3, Z11
	VADDPD Z11, Z9, Z9
	VMULPD Z8, Z9, Z9
	VBROADCASTSD erf_ra4<>(SB), Z11
	VBROADCASTSD erf_rb4<>(SB), K3, Z11
	VADDPD Z11, Z9, Z9
	VMULPD Z8, Z9, Z9
	VBROADCASTSD erf_ra3<>(SB), Z11
	VBROADCASTSD erf_rb3<>(SB), K3, Z11
	VADDPD Z11, Z9, Z9
	VMULPD Z8, Z9, Z9
	VBROADCASTSD erf_ra2<>(SB), Z11
	VBROADCASTSD erf_rb2<>(SB), K3, Z11
	VADDPD Z11, Z9, Z9
	VMULPD Z8, Z9, Z9
	VBROADCASTSD erf_ra1<>(SB), Z11
	VBROADCASTSD erf_rb1<>(SB), K3, Z11
	VADDPD Z11, Z9, Z9
	VMULPD Z8, Z9, Z9
	VBROADCASTSD erf_ra0<>(SB), Z11
	VBROADCASTSD erf_rb0<>(SB), K3, Z11
	VADDPD Z11, Z9, Z9
	VBROADCASTSD erf_sa8<>(SB), Z10
	VBROADCASTSD erf_sb8<>(SB), K3, Z10
	VMULPD Z8, Z10, Z10
	VBROADCASTSD erf_sa7<>(SB), Z11
	VBROADCASTSD erf_sb7<>(SB), K3, Z11
	VADDPD Z11, Z10, Z10
	VMULPD Z8, Z10, Z10
	VBROADCASTSD erf_sa6<>(SB), Z11
	VBROADCASTSD erf_sb6<>(SB), K3, Z11
	VADDPD Z11, Z10, Z10
	VMULPD Z8, Z10, Z10
	VBROADCASTSD erf_sa5<>(SB), Z11
	VBROADCASTSD erf_sb5<>(SB), K3, Z11
	VADDPD Z11, Z10, Z10
	VMULPD Z8, Z10, Z10
	VBROADCASTSD erf_sa4<>(SB), Z11
	VBROADCASTSD erf_sb4<>(SB), K3, Z11
	VADDPD Z11, Z10, Z10
	VMULPD Z8, Z10, Z10
	VBROADCASTSD erf_sa3<>(SB), Z11
	VBROADCASTSD erf_sb3<>(SB), K3, Z11
	VADDPD Z11, Z10, Z10
	VMULPD Z8, Z10, Z10
	VBROADCASTSD erf_sa2<>(SB), Z11
	VBROADCASTSD erf_sb2<>(SB), K3, Z11
	VADDPD Z11, Z10, Z10
	VMULPD Z8, Z10, Z10
	VBROADCASTSD erf_sa1<>(SB), Z11
	VBROADCASTSD erf_sb1<>(SB), K3, Z11
	VADDPD Z11, Z10, Z10
	VMULPD Z8, Z10, Z10
	VADDPD Z29, Z10, Z10
	VDIVPD Z10, Z9, Z9
	VPANDQ.BCST erf_hi32<>(SB), Z1, Z12
	VPXORQ.BCST nrm_sign<>(SB), Z12, Z13
	VMULPD Z12, Z13, Z13
	VSUBPD.BCST erf_9_16<>(SB), Z13, Z13
	VSUBPD Z1, Z12, Z14
	VADDPD Z1, Z12, Z15
	VMULPD Z15, Z14, Z14
	VADDPD Z9, Z14, Z14
	EXP512(Z13, Z16, Y16, Z17)
	EXP512(Z14, Z18, Y18, Z19)
	VMULPD Z14, Z13, Z13
	VDIVPD Z1, Z13, Z13
	VSUBPD Z13, Z29, Z13
	// 1 from 6 on; then the lower ranges' results; then x's sign.
	VCMPPD.BCST $5, erf_six<>(SB), Z1, K4
	VMOVAPD Z29, K4, Z13
	VCMPPD.BCST $1, erf_r2<>(SB), Z1, K5
	VMOVAPD Z6, K5, Z13
	VCMPPD.BCST $1, erf_r1<>(SB), Z1, K6
	VMOVAPD Z3, K6, Z13
	VPANDQ.BCST nrm_sign<>(SB), Z0, Z14
	VPXORQ Z14, Z13, Z13
	TESTQ DI, DI
	JNZ erf512_store64
	VCVTPD2PS Z13, Y13
	VMOVUPS Y13, (DX)(AX*4)
	ADDQ $8, AX
	JMP erf512_loop
erf512_store64:
	VMOVUPD Z13, (DI)(AX*8)
	ADDQ $8, AX
	JMP erf512_loop
erf512_done:
	MOVQ AX, ret+32(FP)
	VZEROUPPER
	RET

// func erfUAVX2(d, s *float32, n int, d64 *float64) int is erfUAVX512 four
// elements at a time (n a multiple of 4; it stops before the first four
// holding a NaN), with compares and blends for the masks: the lower two
// ranges' results merged first, the last two ranges' coefficients
// blended per lane.
TEXT ·erfUAVX2(SB), NOSPLIT, $0-40
	MOVQ d+0(FP), DX
	MOVQ s+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ d64+24(FP), DI
	VMOVUPD nrm_one<>(SB), Y15
	XORQ AX, AX
erf256_loop:
	CMPQ AX, CX
	JGE erf256_done
	VCVTPS2PD (SI)(AX*4), Y0
	VCMPPD $3, Y0, Y0, Y1
	VMOVMSKPD Y1, R8
	TESTL R8, R8
	JNZ erf256_done
	VANDPD nrm_abs<>(SB), Y0, Y1
	VMULPD Y1, Y1, Y2
	VMOVUPD erf_pp4<>(SB), Y3
	VMULPD Y2, Y3, Y3
	VADDPD erf_pp3<>(SB), Y3, Y3
	VMULPD Y2, Y3, Y3
	VADDPD erf_pp2<>(SB), Y3, Y3
	VMULPD Y2, Y3, Y3
	VADDPD erf_pp1<>(SB), Y3, Y3
	VMULPD Y2, Y3, Y3
	VADDPD erf_pp0<>(SB), Y3, Y3
	VMOVUPD erf_qq5<>(SB), Y4
	VMULPD Y2, Y4, Y4
	VADDPD erf_qq4<>(SB), Y4, Y4
	VMULPD Y2, Y4, Y4
	VADDPD erf_qq3<>(SB), Y4, Y4
	VMULPD Y2, Y4, Y4
	VADDPD erf_qq2<>(SB), Y4, Y4
	VMULPD Y2, Y4, Y4
	VADDPD erf_qq1<>(SB), Y4, Y4
	VMULPD Y2, Y4, Y4
	VADDPD Y15, Y4, Y4
	VDIVPD Y4, Y3, Y3
	VMULPD Y3, Y1, Y3
	VADDPD Y3, Y1, Y3
	VMULPD erf_efx<>(SB), Y1, Y4
	VADDPD Y4, Y1, Y4
	VCMPPD $1, erf_tiny<>(SB), Y1, Y5
	VBLENDVPD Y5, Y4, Y3, Y3
	VSUBPD Y15, Y1, Y2
	VMOVUPD erf_pa6<>(SB), Y4
	VMULPD Y2, Y4, Y4
	VADDPD erf_pa5<>(SB), Y4, Y4
	VMULPD Y2, Y4, Y4
	VADDPD erf_pa4<>(SB), Y4, Y4
	VMULPD Y2, Y4, Y4
	VADDPD erf_pa3<>(SB), Y4, Y4
	VMULPD Y2, Y4, Y4
	VADDPD erf_pa2<>(SB), Y4, Y4
	VMULPD Y2, Y4, Y4
	VADDPD erf_pa1<>(SB), Y4, Y4
	VMULPD Y2, Y4, Y4
	VADDPD erf_pa0<>(SB), Y4, Y4
	VMOVUPD erf_qa6<>(SB), Y5
	VMULPD Y2, Y5, Y5
	VADDPD erf_qa5<>(SB), Y5, Y5
	VMULPD Y2, Y5, Y5
	VADDPD erf_qa4<>(SB), Y5, Y5
	VMULPD Y2, Y5, Y5
	VADDPD erf_qa3<>(SB), Y5, Y5
	VMULPD Y2, Y5, Y5
	VADDPD erf_qa2<>(SB), Y5, Y5
	VMULPD Y2, Y5, Y5
	VADDPD erf_qa1<>(SB), Y5, Y5
	VMULPD Y2, Y5, Y5
	VADDPD Y15, Y5, Y5
	VDIVPD Y5, Y4, Y4
	VADDPD erf_erx<>(SB), Y4, Y4
	VCMPPD $1, erf_r1<>(SB), Y1, Y5
	VBLENDVPD Y5, Y3, Y4, Y4
	VMULPD Y1, Y1, Y2
	VDIVPD Y2, Y15, Y2
	VCMPPD $5, erf_r34<>(SB), Y1, Y3
	VMOVUPD erf_ra7<>(SB), Y5
	VBLENDVPD Y3, erf_rb7<>(SB), Y5, Y5
	VMULPD Y2, Y5, Y5
	VMOVUPD erf_ra6<>(SB), Y6
	VBLENDVPD Y3, erf_rb6<>(SB), Y6, Y6
	VADDPD Y6, Y5, Y5
	VMULPD Y2, Y5, Y5
	VMOVUPD erf_ra5<>(SB), Y6
	VBLENDVPD Y3, erf_rb5<>(SB), Y6, Y6
	VADDPD Y6, Y5, Y5
	VMULPD Y2, Y5, Y5
	VMOVUPD erf_ra4<>(SB), Y6
	VBLENDVPD Y3, erf_rb4<>(SB), Y6, Y6
	VADDPD Y6, Y5, Y5
	VMULPD Y2, Y5, Y5
	VMOVUPD erf_ra3<>(SB), Y6
	VBLENDVPD Y3, erf_rb3<>(SB), Y6, Y6
	VADDPD Y6, Y5, Y5
	VMULPD Y2, Y5, Y5
	VMOVUPD erf_ra2<>(SB), Y6
	VBLENDVPD Y3, erf_rb2<>(SB), Y6, Y6
	VADDPD Y6, Y5, Y5
	VMULPD Y2, Y5, Y5
	VMOVUPD erf_ra1<>(SB), Y6
	VBLENDVPD Y3, erf_rb1<>(SB), Y6, Y6
	VADDPD Y6, Y5, Y5
	VMULPD Y2, Y5, Y5
	VMOVUPD erf_ra0<>(SB), Y6
	VBLENDVPD Y3, erf_rb0<>(SB), Y6, Y6
	VADDPD Y6, Y5, Y5
	VMOVUPD erf_sa8<>(SB), Y7
	VBLENDVPD Y3, erf_sb8<>(SB), Y7, Y7
	VMULPD Y2, Y7, Y7
	VMOVUPD erf_sa7<>(SB), Y6
	VBLENDVPD Y3, erf_sb7<>(SB), Y6, Y6
	VADDPD Y6, Y7, Y7
	VMULPD Y2, Y7, Y7
	VMOVUPD erf_sa6<>(SB), Y6
	VBLENDVPD Y3, erf_sb6<>(SB), Y6, Y6
	VADDPD Y6, Y7, Y7
	VMULPD Y2, Y7, Y7
	VMOVUPD erf_sa5<>(SB), Y6
	VBLENDVPD Y3, erf_sb5<>(SB), Y6, Y6
	VADDPD Y6, Y7, Y7
	VMULPD Y2, Y7, Y7
	VMOVUPD erf_sa4<>(SB), Y6
	VBLENDVPD Y3, erf_sb4<>(SB), Y6, Y6
	VADDPD Y6, Y7, Y7
	VMULPD Y2, Y7, Y7
	VMOVUPD erf_sa3<>(SB), Y6
	VBLENDVPD Y3, erf_sb3<>(SB), Y6, Y6
	VADDPD Y6, Y7, Y7
	VMULPD Y2, Y7, Y7
	VMOVUPD erf_sa2<>(SB), Y6
	VBLENDVPD Y3, erf_sb2<>(SB), Y6, Y6
	VADDPD Y6, Y7, Y7
	VMULPD Y2, Y7, Y7
	VMOVUPD erf_sa1<>(SB), Y6
	VBLENDVPD Y3, erf_sb1<>(SB), Y6, Y6
	VADDPD Y6, Y7, Y7
	VMULPD Y2, Y7, Y7
	VADDPD Y15, Y7, Y7
	VDIVPD Y7, Y5, Y5
	VANDPD erf_hi32<>(SB), Y1, Y6
	VXORPD nrm_sign<>(SB), Y6, Y7
	VMULPD Y6, Y7, Y7
	VSUBPD erf_9_16<>(SB), Y7, Y7
	VSUBPD Y1, Y6, Y3
	VADDPD Y1, Y6, Y6
	VMULPD Y6, Y3, Y3
	VADDPD Y5, Y3, Y3
	EXP256(Y7, Y2, X2, Y5)
	EXP256(Y3, Y6, X6, Y5)
	VMULPD Y3, Y7, Y7
	VDIVPD Y1, Y7, Y7
	VSUBPD Y7, Y15, Y7
	VCMPPD $5, erf_six<>(SB), Y1, Y2
	VBLENDVPD Y2, Y15, Y7, Y7
	VCMPPD $1, erf_r2<>(SB), Y1, Y2
	VBLENDVPD Y2, Y4, Y7, Y7
	VANDPD nrm_sign<>(SB), Y0, Y2
	VXORPD Y2, Y7, Y7
	TESTQ DI, DI
	JNZ erf256_store64
	VCVTPD2PSY Y7, X7
	VMOVUPS X7, (DX)(AX*4)
	ADDQ $4, AX
	JMP erf256_loop
erf256_store64:
	VMOVUPD Y7, (DI)(AX*8)
	ADDQ $4, AX
	JMP erf256_loop
erf256_done:
	MOVQ AX, ret+32(FP)
	VZEROUPPER
	RET

// func powUAVX512(d, s *float32, n int, yi uint64, yf float64, mode int, neg bool, d64 *float64) int
// sets d[i] to powValue(s[i]) for n elements (a multiple of 8; of 16 in
// mode 3), eight at a time: a = 1 (mode 0), √x (mode 1) or e^(yf·ln x)
// (mode 2, LOG512 and EXP512), times x^(2ᵏ) for each bit k of yi, inverted
// with neg; in mode 3 (x²) x·x in float32 lanes, 16 at a time. It stops
// before the first eight holding an x the plan leaves to math.Pow (0, ±Inf,
// NaN, and negative x in modes 1 and 2) and returns the elements done.
// Given d64 (not nil), it writes the float64 results there instead of d.
TEXT ·powUAVX512(SB), NOSPLIT, $0-72
	MOVQ d+0(FP), DX
	MOVQ s+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ yi+24(FP), R10
	VBROADCASTSD yf+32(FP), Z27
	MOVQ mode+40(FP), R11
	MOVBLZX neg+48(FP), R12
	MOVQ d64+56(FP), DI
	VBROADCASTSD nrm_one<>(SB), Z29
	VPXORQ Z30, Z30, Z30
	XORQ AX, AX
	// Mode 3, x², squares in float32 lanes (rounded once, as the exact
	// float64 square is; ±0 and ±Inf square to math.Pow's +0 and +Inf, and
	// a NaN gives math.Pow's NaN as float32), where no float64 results are
	// asked for. It takes every x.
	CMPQ R11, $3
	JNE pow512_general
	TESTQ DI, DI
	JZ pow512_sq
	XORQ R11, R11
pow512_general:
	// Z28 makes the argument checked: x itself where the plan takes
	// positive x only, |x| in mode 0.
	VPTERNLOGQ $0xff, Z28, Z28, Z28
	TESTQ R11, R11
	JNZ pow512_loop
	VBROADCASTSD nrm_abs<>(SB), Z28
pow512_loop:
	CMPQ AX, CX
	JGE pow512_done
	VCVTPS2PD (SI)(AX*4), Z0
	VPANDQ Z28, Z0, Z1
	VCMPPD $0x1e, Z30, Z1, K1
	VCMPPD.BCST $0x11, nrm_posinf<>(SB), Z1, K1, K1
	KMOVW K1, R8
	CMPL R8, $0xff
	JNE pow512_done
	VMOVAPD Z29, Z2
	CMPQ R11, $1
	JB pow512_bits0
	JA pow512_exp
	VSQRTPD Z0, Z2
	JMP pow512_bits0
pow512_exp:
	LOG512()
	VMULPD Z27, Z2, Z2
	EXP512(Z2, Z3, Y3, Z4)
pow512_bits0:
	VMOVAPD Z0, Z8
	MOVQ R10, R9
pow512_bits:
	TESTQ R9, R9
	JZ pow512_inv
	TESTQ $1, R9
	JZ pow512_square
	VMULPD Z8, Z2, Z2
pow512_square:
	VMULPD Z8, Z8, Z8
	SHRQ $1, R9
	JMP pow512_bits
pow512_inv:
	TESTQ R12, R12
	JZ pow512_store
	VDIVPD Z2, Z29, Z2
pow512_store:
	TESTQ DI, DI
	JNZ pow512_store64
	VCVTPD2PS Z2, Y2
	VMOVUPS Y2, (DX)(AX*4)
	ADDQ $8, AX
	JMP pow512_loop
pow512_store64:
	VMOVUPD Z2, (DI)(AX*8)
	ADDQ $8, AX
	JMP pow512_loop
pow512_sq:
	CMPQ AX, CX
	JGE pow512_done
	VMOVUPS (SI)(AX*4), Z0
	VMULPS Z0, Z0, Z1
	VCMPPS $3, Z0, Z0, K1
	VBROADCASTSS pw_nan32<>(SB), K1, Z1
	VMOVUPS Z1, (DX)(AX*4)
	ADDQ $16, AX
	JMP pow512_sq
pow512_done:
	MOVQ AX, ret+64(FP)
	VZEROUPPER
	RET

// func powUAVX2(d, s *float32, n int, yi uint64, yf float64, mode int, neg bool, d64 *float64) int
// is powUAVX512 four elements at a time (n a multiple of 4; of 8 in mode
// 3, which squares eight at a time; it stops before the first four or
// eight holding an x it leaves to math.Pow).
TEXT ·powUAVX2(SB), NOSPLIT, $0-72
	MOVQ d+0(FP), DX
	MOVQ s+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ yi+24(FP), R10
	VBROADCASTSD yf+32(FP), Y13
	MOVQ mode+40(FP), R11
	MOVBLZX neg+48(FP), R12
	MOVQ d64+56(FP), DI
	VMOVUPD nrm_one<>(SB), Y15
	VXORPD Y12, Y12, Y12
	XORQ AX, AX
	CMPQ R11, $3
	JNE pow256_general
	TESTQ DI, DI
	JZ pow256_sq
	XORQ R11, R11
pow256_general:
	VPCMPEQQ Y14, Y14, Y14
	TESTQ R11, R11
	JNZ pow256_loop
	VMOVUPD nrm_abs<>(SB), Y14
pow256_loop:
	CMPQ AX, CX
	JGE pow256_done
	VCVTPS2PD (SI)(AX*4), Y0
	VANDPD Y14, Y0, Y1
	VCMPPD $0x1e, Y12, Y1, Y2
	VCMPPD $0x11, nrm_posinf<>(SB), Y1, Y3
	VANDPD Y3, Y2, Y2
	VMOVMSKPD Y2, R8
	CMPL R8, $0xf
	JNE pow256_done
	VMOVAPD Y15, Y2
	CMPQ R11, $1
	JB pow256_bits0
	JA pow256_exp
	VSQRTPD Y0, Y2
	JMP pow256_bits0
pow256_exp:
	LOG256()
	VMULPD Y13, Y2, Y2
	EXP256(Y2, Y3, X3, Y4)
pow256_bits0:
	VMOVAPD Y0, Y8
	MOVQ R10, R9
pow256_bits:
	TESTQ R9, R9
	JZ pow256_inv
	TESTQ $1, R9
	JZ pow256_square
	VMULPD Y8, Y2, Y2
pow256_square:
	VMULPD Y8, Y8, Y8
	SHRQ $1, R9
	JMP pow256_bits
pow256_inv:
	TESTQ R12, R12
	JZ pow256_store
	VDIVPD Y2, Y15, Y2
pow256_store:
	TESTQ DI, DI
	JNZ pow256_store64
	VCVTPD2PSY Y2, X2
	VMOVUPS X2, (DX)(AX*4)
	ADDQ $4, AX
	JMP pow256_loop
pow256_store64:
	VMOVUPD Y2, (DI)(AX*8)
	ADDQ $4, AX
	JMP pow256_loop
pow256_sq:
	CMPQ AX, CX
	JGE pow256_done
	VMOVUPS (SI)(AX*4), Y0
	VMULPS Y0, Y0, Y1
	VCMPPS $3, Y0, Y0, Y2
	VBLENDVPS Y2, pw_nan32<>(SB), Y1, Y1
	VMOVUPS Y1, (DX)(AX*4)
	ADDQ $8, AX
	JMP pow256_sq
pow256_done:
	MOVQ AX, ret+64(FP)
	VZEROUPPER
	RET

// func powBAVX512(d, x, y *float32, n int, d64 *float64) int sets d[i] to
// powGo(x[i], newPowPlan(y[i])) for n elements (a multiple of 8), eight at
// a time: PowScalar's powValue with each lane's own plan (yi and yf from
// |y| as math.Pow splits it, √x where |y| = ½, e^(yf·ln x) where yf ≠ 0,
// x's squarings multiplied in by the bits of each lane's yi until every
// lane's are spent, the reciprocal where y < 0). It stops before the first
// eight holding a pair the plans leave to math.Pow (x 0, ±Inf or NaN,
// |y| ≥ 2²⁰ or NaN, x < 0 with a fraction in y) and returns the elements
// done. Given d64 (not nil), it writes the float64 results there instead
// of d.
TEXT ·powBAVX512(SB), NOSPLIT, $0-48
	MOVQ d+0(FP), DX
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), BX
	MOVQ n+24(FP), CX
	MOVQ d64+32(FP), DI
	VBROADCASTSD nrm_one<>(SB), Z29
	VPXORQ Z30, Z30, Z30
	XORQ AX, AX
powb512_loop:
	CMPQ AX, CX
	JGE powb512_done
	VCVTPS2PD (SI)(AX*4), Z0
	VCVTPS2PD (BX)(AX*4), Z22
	// yi = trunc|y|, yf = |y| − yi, one moved from yf to yi where yf > ½;
	// K5: yf ≠ 0, K6: |y| = ½.
	VPANDQ.BCST nrm_abs<>(SB), Z22, Z23
	VRNDSCALEPD $3, Z23, Z20
	VSUBPD Z20, Z23, Z21
	VCMPPD.BCST $0x1e, nrm_half<>(SB), Z21, K1
	VSUBPD Z29, Z21, K1, Z21
	VADDPD Z29, Z20, K1, Z20
	VCMPPD $4, Z30, Z21, K5
	VCMPPD.BCST $0, nrm_half<>(SB), Z23, K6
	// The plans take the pair: 0 < |x| < Inf, |y| < 2²⁰, x > 0 where yf ≠ 0.
	VPANDQ.BCST nrm_abs<>(SB), Z0, Z1
	VCMPPD $0x1e, Z30, Z1, K1
	VCMPPD.BCST $0x11, nrm_posinf<>(SB), Z1, K1, K1
	VCMPPD.BCST $0x11, pw_two20<>(SB), Z23, K1, K1
	VCMPPD $0x11, Z30, Z0, K5, K2
	KANDNW K1, K2, K1
	KMOVW K1, R8
	CMPL R8, $0xff
	JNE powb512_done
	VMOVAPD Z29, Z8
	KORTESTW K5, K5
	JZ powb512_sqrt
	LOG512()
	VMULPD Z21, Z2, Z2
	EXP512(Z2, Z3, Y3, Z4)
	VMOVAPD Z2, K5, Z8
powb512_sqrt:
	VSQRTPD Z0, K6, Z8
	VMOVAPD Z0, Z10
	// yi < 2²⁰: at most 20 bits (the count only guards the loop).
	MOVQ $21, R9
powb512_bits:
	VCMPPD $4, Z30, Z20, K1
	KORTESTW K1, K1
	JZ powb512_inv
	DECQ R9
	JZ powb512_inv
	VMULPD.BCST nrm_half<>(SB), Z20, Z11
	VRNDSCALEPD $3, Z11, Z11
	VADDPD Z11, Z11, Z12
	VCMPPD $4, Z12, Z20, K2
	VMULPD Z10, Z8, K2, Z8
	VMULPD Z10, Z10, Z10
	VMOVAPD Z11, Z20
	JMP powb512_bits
powb512_inv:
	VCMPPD $0x11, Z30, Z22, K3
	VDIVPD Z8, Z29, K3, Z8
	TESTQ DI, DI
	JNZ powb512_store64
	VCVTPD2PS Z8, Y8
	VMOVUPS Y8, (DX)(AX*4)
	ADDQ $8, AX
	JMP powb512_loop
powb512_store64:
	VMOVUPD Z8, (DI)(AX*8)
	ADDQ $8, AX
	JMP powb512_loop
powb512_done:
	MOVQ AX, ret+40(FP)
	VZEROUPPER
	RET

// func powBAVX2(d, x, y *float32, n int, d64 *float64) int is powBAVX512
// four elements at a time (n a multiple of 4; it stops before the first
// four pairs holding one it leaves to math.Pow), with compares and blends
// for the masks.
TEXT ·powBAVX2(SB), NOSPLIT, $0-48
	MOVQ d+0(FP), DX
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), BX
	MOVQ n+24(FP), CX
	MOVQ d64+32(FP), DI
	VMOVUPD nrm_one<>(SB), Y15
	VXORPD Y14, Y14, Y14
	XORQ AX, AX
powb256_loop:
	CMPQ AX, CX
	JGE powb256_done
	VCVTPS2PD (SI)(AX*4), Y0
	VCVTPS2PD (BX)(AX*4), Y13
	VANDPD nrm_abs<>(SB), Y13, Y12
	VROUNDPD $3, Y12, Y11
	VSUBPD Y11, Y12, Y10
	VCMPPD $0x1e, nrm_half<>(SB), Y10, Y9
	VANDPD Y15, Y9, Y8
	VSUBPD Y8, Y10, Y10
	VADDPD Y8, Y11, Y11
	VCMPPD $4, Y14, Y10, Y9
	VANDPD nrm_abs<>(SB), Y0, Y1
	VCMPPD $0x1e, Y14, Y1, Y2
	VCMPPD $0x11, nrm_posinf<>(SB), Y1, Y3
	VANDPD Y3, Y2, Y2
	VCMPPD $0x11, pw_two20<>(SB), Y12, Y3
	VANDPD Y3, Y2, Y2
	VCMPPD $0x11, Y14, Y0, Y3
	VANDPD Y9, Y3, Y3
	VANDNPD Y2, Y3, Y2
	VMOVMSKPD Y2, R8
	CMPL R8, $0xf
	JNE powb256_done
	VMOVAPD Y15, Y8
	VMOVMSKPD Y9, R8
	TESTL R8, R8
	JZ powb256_sqrt
	LOG256()
	VMULPD Y10, Y2, Y2
	EXP256(Y2, Y3, X3, Y4)
	VBLENDVPD Y9, Y2, Y8, Y8
powb256_sqrt:
	VCMPPD $0, nrm_half<>(SB), Y12, Y3
	VSQRTPD Y0, Y4
	VBLENDVPD Y3, Y4, Y8, Y8
	VMOVAPD Y0, Y1
	MOVQ $21, R9
powb256_bits:
	VCMPPD $4, Y14, Y11, Y2
	VMOVMSKPD Y2, R8
	TESTL R8, R8
	JZ powb256_inv
	DECQ R9
	JZ powb256_inv
	VMULPD nrm_half<>(SB), Y11, Y3
	VROUNDPD $3, Y3, Y3
	VADDPD Y3, Y3, Y4
	VCMPPD $4, Y4, Y11, Y5
	VMULPD Y1, Y8, Y6
	VBLENDVPD Y5, Y6, Y8, Y8
	VMULPD Y1, Y1, Y1
	VMOVAPD Y3, Y11
	JMP powb256_bits
powb256_inv:
	VCMPPD $0x11, Y14, Y13, Y2
	VDIVPD Y8, Y15, Y3
	VBLENDVPD Y2, Y3, Y8, Y8
	TESTQ DI, DI
	JNZ powb256_store64
	VCVTPD2PSY Y8, X8
	VMOVUPS X8, (DX)(AX*4)
	ADDQ $4, AX
	JMP powb256_loop
powb256_store64:
	VMOVUPD Y8, (DI)(AX*8)
	ADDQ $4, AX
	JMP powb256_loop
powb256_done:
	MOVQ AX, ret+40(FP)
	VZEROUPPER
	RET
