#!/bin/sh
# adapters.sh [ROUNDS]: runs the Disabled/BelowThreshold, Breadcrumb, Event
# and Log benchmarks of the four adapter packages, and their loggers' own
# costs, ROUNDS times (default 10), one round after the other, into
# bench/adapters.txt, then prints the README's table rows. Run it from the
# repository root. Rounds rather than -count: see run.sh.
set -eu
rounds=${1:-10}
: >bench/adapters.txt
i=0
while [ "$i" -lt "$rounds" ]; do
	i=$((i + 1))
	go test -run XXX -bench 'Disabled|BelowThreshold|Breadcrumb$|Breadcrumb/|Event|Log$|Log/|FrontEnd' \
		-benchmem -count 1 -benchtime 300ms ./slogsentry ./zapsentry ./logrussentry ./zerologsentry >>bench/adapters.txt
done
python3 "$(dirname "$0")/adapters_table.py" bench/adapters.txt
