import re, sys
# Usage: python3 bench/results/table.py bench/results/kernels-cpu.txt bench/results/kernels-gl-llvmpipe.txt
# prints the BenchmarkKernel results of go test -bench output as a markdown table:
# per device the median time over the -count runs, the rate at that median, and
# the spread (slowest run ÷ fastest); the last column is the ratio of the medians.
rows, order = {}, []
for f in sys.argv[1:]:
    for line in open(f):
        m = re.match(r'BenchmarkKernel/(\w+)/([\w-]+)/(\S+)-\d+\s+(\d+)\s+([\d.]+) ns/op(.*)', line)
        if not m: continue
        meth, dev, case, n, ns, rest = m.groups()
        metrics = dict((u, float(v)) for v, u in re.findall(r'([\d.e+-]+) (\S+)', rest))
        key = (meth, case)
        if key not in rows: order.append(key); rows[key] = {}
        rows[key].setdefault(dev, []).append((float(ns), metrics))
def fmt_t(ns):
    if ns >= 1e9: return f"{ns/1e9:.2f} s"
    if ns >= 1e6: return f"{ns/1e6:.2f} ms"
    if ns >= 1e3: return f"{ns/1e3:.1f} µs"
    return f"{ns:.0f} ns"
def fmt_r(x):
    if x >= 100: return f"{x:.0f}"
    if x >= 10: return f"{x:.1f}"
    if x >= 0.1: return f"{x:.2f}"
    return f"{x:.2g}"
devs = sorted({d for r in rows.values() for d in r}, key=lambda d: (d != 'cpu', d))
hdr = "| method | case | unit | " + " | ".join(f"{d} time | {d} rate | {d} spread" for d in devs)
if len(devs) == 2: hdr += f" | time {devs[1]} ÷ {devs[0]}"
print(hdr + " |")
print("|---|---|---|" + "---:|---:|---:|" * len(devs) + ("---:|" if len(devs) == 2 else ""))
for key in order:
    r = rows[key]
    any_m = next(iter(r.values()))[0][1]
    unit = 'GFLOP/s' if 'GFLOP/s' in any_m else 'GB/s'
    cells, med = [], {}
    for d in devs:
        if d in r:
            s = sorted(r[d], key=lambda x: x[0])
            ns, mt = s[(len(s)-1)//2]  # the median run (lower median for an even count)
            med[d] = ns
            cells += [fmt_t(ns), fmt_r(mt[unit]), f"{s[-1][0]/s[0][0]:.2g}" if len(s) > 1 else "—"]
        else:
            cells += ["—", "—", "—"]
    line = f"| {key[0]} | {key[1]} | {unit} | " + " | ".join(cells)
    if len(devs) == 2:
        line += " | " + (f"{med[devs[1]]/med[devs[0]]:.3g}×" if len(med) == 2 else "—")
    print(line + " |")
