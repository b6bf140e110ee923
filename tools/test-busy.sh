#!/usr/bin/env bash
# test-busy.sh (`make test-busy`): the tests on a busy machine. stress-ng keeps
# every core busy with other work while `make test-steps` runs, BUSY_RUNS times
# (default 2) in a row; each run must pass. No test may depend on the clock or
# the load: this is the proof, kept as a target (CI need not run it: it takes
# twice as long as `make test`, and more).
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS=${BUSY_RUNS:-2}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "test-busy: BUSY_RUNS=$RUNS: use a number of runs" >&2; exit 2; }
command -v stress-ng >/dev/null || { echo "test-busy: stress-ng is missing (make test-busy installs it)" >&2; exit 1; }
cores=$(nproc)
setsid stress-ng --cpu "$cores" --cpu-load 100 --quiet --timeout 0 >/dev/null 2>&1 &
load=$!
trap 'kill -TERM -- "-$load" 2>/dev/null; wait "$load" 2>/dev/null' EXIT
sleep 2
kill -0 "$load" 2>/dev/null || { echo "test-busy: stress-ng did not start" >&2; exit 1; }
echo "test-busy: $cores stress-ng workers keep all $cores cores busy; make test-steps, $RUNS times"
fail=0
for i in $(seq "$RUNS"); do
    start=$SECONDS
    if make --no-print-directory test-steps; then result=passed; else result=FAILED; fail=1; fi
    echo "test-busy: run $i of $RUNS $result in $((SECONDS - start)) s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
done
[ $fail = 0 ] && echo "test-busy: all $RUNS runs passed with every core busy"
exit $fail
