#!/usr/bin/env python3
"""torch_unary_sum.py FILE: per op, tensorgl's BenchmarkKernel Unary time and PyTorch's fastest
(of its thread counts and ATen capabilities) in each round of an interleaved run of
torch_unary.py, and their ratio (PyTorch ÷ tensorgl; above 1: tensorgl is faster)."""
import re,sys,statistics,collections
go=collections.defaultdict(list); th=collections.defaultdict(dict)
rnd=0
for line in open(sys.argv[1]):
    m=re.match(r'== round (\d+)',line)
    if m: rnd=int(m.group(1)); continue
    m=re.match(r'BenchmarkKernel/Unary/cpu/(\w+)-1Mi-\d+\s+\d+\s+(\d+) ns/op',line)
    if m: go[m.group(1)].append(int(m.group(2))/1e6); continue
    m=re.match(r"torch (\w+) threads=\d (?:\S+ )?([\d.]+) ms",line)
    if m: th[m.group(1)].setdefault(rnd,[]).append(float(m.group(2)))
print("%-10s %-26s %-26s %s"%("op","tensorgl ms (rounds)","PyTorch best ms (rounds)","PyTorch ÷ tensorgl, median (rounds)"))
for op in go:
    t=[min(th[op][r]) for r in sorted(th[op])]
    rat=[a/b for a,b in zip(t,go[op])]
    print("%-10s %-26s %-26s %.2f (%s)"%(op,", ".join("%.3f"%x for x in go[op]),", ".join("%.3f"%x for x in t),statistics.median(rat),", ".join("%.2f"%x for x in rat)))
