#!/bin/sh
# table.sh FILE: the markdown table of bench/README.md from a benchmark
# output FILE whose sub-benchmarks are named impl=floor and
# impl=slogsentry: medians (benchstat) of wall time, process CPU time,
# bytes and allocations per operation, and the ratios slogsentry / floor of
# the median times.
set -eu
benchstat=${BENCHSTAT:-$(go env GOPATH)/bin/benchstat}
"$benchstat" -format csv -col /impl -filter '/impl:(floor OR slogsentry)' "$1" 2>/dev/null |
awk -F, '
function ns(v) { return v * 1e9 }
function num(v) { return v + 0 }
function fmt(v) {
	if (v >= 100) return sprintf("%.0f", v)
	if (v >= 10) return sprintf("%.1f", v)
	return sprintf("%.2f", v)
}
function ratio(a, b) { return b == 0 ? (a == 0 ? "1" : "-") : sprintf("%.2fx", a / b) }
$2 == "sec/op" || $2 == "cpu-sec/op" || $2 == "B/op" || $2 == "allocs/op" { unit = $2; next }
unit != "" && $1 != "" && $1 != "geomean" && NF >= 4 {
	name = $1; sub(/-[0-9]+$/, "", name)
	if (!(name in seen)) { seen[name] = 1; order[++n] = name }
	if (unit == "sec/op") { tf[name] = ns($2); to[name] = ns($4) }
	if (unit == "cpu-sec/op") { cf[name] = ns($2); co[name] = ns($4) }
	if (unit == "B/op") { bf[name] = num($2); bo[name] = num($4) }
	if (unit == "allocs/op") { af[name] = num($2); ao[name] = num($4) }
}
END {
	print "| Benchmark | floor ns/op | slogsentry ns/op | ratio | floor cpu-ns/op | slogsentry cpu-ns/op | CPU ratio | floor B/op | slogsentry B/op | floor allocs/op | slogsentry allocs/op |"
	print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for (i = 1; i <= n; i++) {
		k = order[i]
		printf "| %s | %s | %s | %s | %s | %s | %s | %d | %d | %d | %d |\n", k, fmt(tf[k]), fmt(to[k]), ratio(to[k], tf[k]), fmt(cf[k]), fmt(co[k]), ratio(co[k], cf[k]), bf[k], bo[k], af[k], ao[k]
	}
}'
