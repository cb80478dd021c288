# Float32 simulation of Winograd F(2x2,3x3) and F(4x4,3x3) forward passes against a float64 direct
# convolution, inputs drawn as the conformance suite draws them (uniform in [-1, 1], one in 8 normal
# times 10^-3..10^3), weights uniform in [-1, 1]; prints per channel count and algorithm the worst
# |error| / bound (bound = (9C+1)·2^-24·Σ|term|, the suite's accumulate tolerance) and the RMS error.
# Run: /usr/bin/python3 bench/results/winograd-f43-error-2026-12-03.py (numpy).
import numpy as np
rng=np.random.default_rng(1)
def draw(n, wide):
    v=rng.uniform(-1,1,n)
    if wide:
        m=rng.integers(0,8,n)==0
        v[m]=rng.standard_normal(m.sum())*10.0**rng.integers(-3,4,m.sum())
    return v.astype(np.float32)
F23=dict(BT=np.array([[1,0,-1,0],[0,1,1,0],[0,-1,1,0],[0,1,0,-1]],float),
 G=np.array([[1,0,0],[.5,.5,.5],[.5,-.5,.5],[0,0,1]]),
 AT=np.array([[1,1,1,0],[0,1,-1,-1]],float), m=2)
F43=dict(BT=np.array([[4,0,-5,0,1,0],[0,-4,-4,1,1,0],[0,4,-4,-1,1,0],[0,-2,-1,2,1,0],[0,2,-1,-2,1,0],[0,4,0,-5,0,1]],float),
 G=np.array([[1/4,0,0],[-1/6,-1/6,-1/6],[-1/6,1/6,-1/6],[1/24,1/12,1/6],[1/24,-1/12,1/6],[0,0,1]]),
 AT=np.array([[1,1,1,1,1,0],[0,1,-1,2,-2,0],[0,1,1,4,4,0],[0,1,-1,8,-8,1]],float), m=4)
def f32mm(A,B):  # matrix product rounding each op in float32 (sequential sums)
    A=A.astype(np.float32); B=B.astype(np.float32)
    out=np.zeros((A.shape[0],)+B.shape[1:],np.float32)
    for k in range(A.shape[1]):
        out=(out+A[:,k].reshape((-1,)+(1,)*(B.ndim-1))*B[k]).astype(np.float32)
    return out
def run(F,C,K,H,trials=1):
    m=F['m']; a=m+2
    worst=0; rms=[]
    for t in range(trials):
        x=draw(C*H*H,True).reshape(C,H,H); w=draw(K*C*9,False).reshape(K,C,3,3)
        xp=np.zeros((C,H+2,H+2),np.float32); xp[:,1:-1,1:-1]=x
        # reference
        ref=np.zeros((K,H,H)); sab=np.zeros((K,H,H))
        xd=xp.astype(np.float64); wd=w.astype(np.float64)
        for r in range(3):
            for s in range(3):
                patch=xd[:,r:r+H,s:s+H]
                ref+=np.einsum('kc,chw->khw',wd[:,:,r,s],patch)
                sab+=np.einsum('kc,chw->khw',np.abs(wd[:,:,r,s]),np.abs(patch))
        bound=(9*C+1)*2**-24*sab
        # U = G w G^T in float64 rounded once (as the asm)
        U=np.einsum('ir,kcrs,js->ijkc',F['G'],wd,F['G']).astype(np.float32)
        T=H//m
        y=np.zeros((K,H,H),np.float32)
        for ty in range(T):
            for tx in range(T):
                d=xp[:,ty*m:ty*m+a,tx*m:tx*m+a]  # C,a,a
                # V = BT d B  (float32 op by op)
                t1=f32mm(F['BT'],d.transpose(1,0,2))   # a,C,a  (rows)
                V=f32mm(F['BT'],t1.transpose(2,1,0))    # a(j),C,a(i) -> V[j? ]
                V=V.transpose(2,0,1) # i,j,C
                M=np.einsum('ijc,ijkc->ijk',V,U).astype(np.float32)  # float32 gemm (numpy accumulates float32)
                t2=f32mm(F['AT'],M)          # m,a,K
                Y=f32mm(F['AT'],t2.transpose(1,0,2))  # m(j),m(i),K
                y[:,ty*m:ty*m+m,tx*m:tx*m+m]=Y.transpose(2,1,0)
        err=np.abs(y-ref)
        worst=max(worst,(err/bound).max()); rms.append(np.sqrt((err**2).mean()))
    return worst,np.mean(rms)
for C in (64,128,256):
    for name,F in (('F23',F23),('F43',F43)):
        print(C,name,run(F,C,C,8,2))
