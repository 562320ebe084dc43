"""Prints the README's table of all four adapters from a benchmark run.

Usage: python3 bench/adapters_table.py bench/adapters.txt

Medians per sub-benchmark (as benchstat takes them) of ns/op and
allocs/op; "logger alone" is SlogFrontEnd, zap's and logrus's impl=zap /
impl=logrus and ZerologFrontEnd (see bench/README.md).
"""
import sys, re, statistics as st
from collections import defaultdict
ns=defaultdict(list); al=defaultdict(list)
pkg=None
for line in open(sys.argv[1]):
    m=re.match(r'pkg: github.com/logsentry/logsentry/(\w+)',line)
    if m: pkg=m.group(1); continue
    m=re.match(r'(Benchmark\S+?)-2\s+\d+\s+([\d.]+) ns/op.*?(\d+) allocs/op',line)
    if m:
        k=(pkg,m.group(1)[9:]); ns[k].append(float(m.group(2))); al[k].append(int(m.group(3)))
def med(k): return st.median(ns[k])
def a(k): return int(st.median(al[k]))
def fmt(v):
    if v>=1000: return f"{v/1000:.2f} µs" if v<10000 else f"{v/1000:.1f} µs"
    return f"{v:.0f} ns" if v>=100 else f"{v:.1f} ns"
ad={'slogsentry':('slog','Disabled','SlogFrontEnd',None),'zapsentry':('zap','BelowThreshold','Breadcrumb/impl=zap',None),
    'logrussentry':('logrus','BelowThreshold','Breadcrumb/impl=logrus','Log/impl=logrus'),'zerologsentry':('zerolog','Disabled','ZerologFrontEnd',None)}
for p in ['slogsentry','zapsentry','logrussentry','zerologsentry']:
    name,below,alone,alonelog=ad[p]
    A=med((p,alone)); AL=med((p,alonelog)) if alonelog else A
    f=(p,below+'/impl=floor'); o=(p,below+'/impl='+p)
    print(f"| {name} | below threshold | {fmt(med(f))} | — | {fmt(med(o))} | {med(o)/med(f):.2f}x | — | {a(f)} → {a(o)} |")
    f=(p,'Breadcrumb/impl=floor'); o=(p,'Breadcrumb/impl='+p)
    print(f"| {name} | breadcrumb | {fmt(med(f))} | {fmt(A)} | {fmt(med(o))} | {med(o)/med(f):.2f}x | {med(o)/(med(f)+A):.2f}x | {a(f)} → {a(o)} |")
    f=(p,'Event/impl=floor'); o=(p,'Event/impl='+p)
    print(f"| {name} | event | {fmt(med(f))} | — | {fmt(med(o))} | {med(o)/med(f):.2f}x | — | {a(f)} → {a(o)} |")
    o=(p,'Log/impl='+p)
    for lab,fl in [('5 attributes','Log/impl=floor'),('the same 8 attributes','Log/impl=floor-same-attrs')]:
        f=(p,fl)
        print(f"| {name} | Sentry log (floor: {lab}) | {fmt(med(f))} | {fmt(AL)} | {fmt(med(o))} | {med(o)/med(f):.2f}x | {med(o)/(med(f)+AL):.2f}x | {a(f)} → {a(o)} |")
