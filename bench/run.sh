#!/bin/sh
# run.sh [ROUNDS]: runs the benchmarks of slogsentry and of the root package
# ROUNDS times (default 6), one -count 1 round after the other, into
# bench/slog.txt and bench/root.txt, then prints the markdown table of
# bench/README.md. Run it from the repository root.
#
# Rounds rather than -count 6: -count runs the six samples of one benchmark
# back to back, so on a shared machine a burst of load can hit all samples
# of the floor and none of the bridge's. In rounds each pair runs seconds
# apart, and the medians of benchstat are taken over the rounds.
set -eu
rounds=${1:-6}
: >bench/slog.txt
: >bench/root.txt
i=0
while [ "$i" -lt "$rounds" ]; do
	i=$((i + 1))
	go test -run XXX -bench . -benchmem -count 1 ./slogsentry/ >>bench/slog.txt
	go test -run XXX -bench . -benchmem -count 1 . >>bench/root.txt
done
"$(dirname "$0")/table.sh" bench/slog.txt
