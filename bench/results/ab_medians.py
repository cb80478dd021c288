#!/usr/bin/env python3
"""ab_medians.py FILE: the median time (µs) of each benchmark per binary in
ab.sh's output, and the first binary's median divided by each other's
(above 1: the other is faster)."""
import collections
import re
import statistics
import sys

times = collections.defaultdict(lambda: collections.defaultdict(list))
names, bins, cur = [], [], None
for line in open(sys.argv[1]):
    m = re.match(r"== round \d+ (\S+)", line)
    if m:
        cur = m.group(1)
        if cur not in bins:
            bins.append(cur)
        continue
    m = re.match(r"(Benchmark\S+)\s+\d+\s+([\d.]+) ns/op", line)
    if m:
        if m.group(1) not in names:
            names.append(m.group(1))
        times[m.group(1)][cur].append(float(m.group(2)))
print("%-60s" % "benchmark" + "".join("%22s" % b.split("/")[-1][:20] for b in bins) + "   ratio(first/each)")
for n in names:
    meds = [statistics.median(times[n][b]) if times[n][b] else float("nan") for b in bins]
    print("%-60s" % n[:60] + "".join("%14.1f (%4d)" % (m / 1e3, len(times[n][b])) for m, b in zip(meds, bins))
          + "   " + " ".join("%.2f" % (meds[0] / m) for m in meds[1:]))
