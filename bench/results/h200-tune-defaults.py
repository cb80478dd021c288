#!/usr/bin/env python3
"""Reads the H200 tuner's trials (every candidate tiling timed on each
product, TENSORGL_GL_TUNE=log lines in h200-run-2026-12-04-first/gemm-ab.txt.gz)
and prints what device/gl's hardware defaults are chosen from: MatMul's vec4
loads on 128×128 tiles against scalar ones, and 64×64 tiles against 128×128
for products of few work groups.

    python3 bench/results/h200-tune-defaults.py > bench/results/h200-tune-defaults-2026-12-04.txt
"""
import gzip, math, os, re

HERE = os.path.dirname(os.path.abspath(__file__))
LOG = os.path.join(HERE, "h200-run-2026-12-04-first", "gemm-ab.txt.gz")
T128, T128G, T64 = "128×128×8/16×16", "128×128×8/16×16+gvec4", "64×64×8/16×16"


def micros(s):
    for unit, f in (("ms", 1e3), ("µs", 1.0), ("ns", 1e-3), ("s", 1e6)):
        if s.endswith(unit):
            return float(s[: -len(unit)]) * f
    raise ValueError(s)


def trials():
    seen, rows = set(), []
    with gzip.open(LOG, "rt") as f:
        for line in f:
            m = re.match(r".*gl: tuned .*? ((matmul|conv) \[(.*?)\] ([0-9×]+)): (\S+) \((.*)\)$", line.strip())
            if not m or m.group(1) in seen:
                continue  # the first trial of a product counts; later passes reuse it
            seen.add(m.group(1))
            times = {}
            for part in m.group(6).split(", "):
                tiling, t = part.rsplit(" ", 1)
                times[tiling] = micros(t)
            b, mm, n, k = map(int, m.group(4).split("×"))
            rows.append(dict(key=m.group(1), family=m.group(2), b=b, m=mm, n=n, k=k, t=times))
    return rows


def groups(r, tile):
    return r["b"] * -(-r["m"] // tile) * -(-r["n"] // tile)


def main():
    rows = trials()
    print(f"{len(rows)} products timed under every candidate ({os.path.relpath(LOG, HERE)})")
    print("\nMatMul: vec4 loads (128×128+gvec4) against scalar (128×128), time ratio")
    ratios = []
    for r in rows:
        if T128G in r["t"]:
            q = r["t"][T128G] / r["t"][T128]
            ratios.append(q)
            print(f"  {r['key']:45s} {q:.2f}")
    faster = sum(q < 1 for q in ratios)
    print(f"  faster on {faster} of {len(ratios)}; range {min(ratios):.2f}–{max(ratios):.2f}; "
          f"geometric mean {math.exp(sum(map(math.log, ratios)) / len(ratios)):.3f}")
    print("\nMatMul of more than 16 rows: 64×64 tiles against 128×128, by the 128×128 tiles' work groups")
    print(f"  {'product':45s} {'groups':>6s} {'64/128':>7s} {'64/128+gvec4':>13s}")
    for r in sorted(rows, key=lambda r: groups(r, 128)):
        if r["family"] != "matmul" or r["m"] <= 16:
            continue
        g = groups(r, 128)
        print(f"  {r['key']:45s} {g:6d} {r['t'][T64] / r['t'][T128]:7.2f} {r['t'][T64] / r['t'][T128G]:13.2f}")
    # device/gl's rule (gemmTiles.pickFor): 64×64 tiles for MatMuls of at
    # most 64 rows or columns, or of fewer than 16 work groups of 128×128.
    small, wide = [], []
    for r in rows:
        if r["family"] != "matmul" or r["m"] <= 16:
            continue
        q = r["t"][T64] / r["t"].get(T128G, r["t"][T128])
        (small if r["m"] <= 64 or r["n"] <= 64 or groups(r, 128) < 16 else wide).append(q)
    print(f"  the rule's 64×64 MatMuls: {len(small)}, faster than 128×128+gvec4 on {sum(q < 1 for q in small)}, "
          f"ratios {min(small):.2f}–{max(small):.2f}")
    print(f"  the rule's 128×128 MatMuls: {len(wide)}, 64×64 slower on {sum(q > 1 for q in wide)}, "
          f"ratios {min(wide):.2f}–{max(wide):.2f}")
    print("\nConvolutions: 64×64 tiles against 128×128 (no vec4 loads there)")
    for r in rows:
        if r["family"] == "conv":
            print(f"  {r['key']:45s} {groups(r, 128):6d} {r['t'][T64] / r['t'][T128]:7.2f}")


if __name__ == "__main__":
    main()
