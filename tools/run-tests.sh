#!/usr/bin/env bash
# run-tests.sh: runs every step in tests/steps/ in name order, each in its own
# shell, and ends on one line "N passed, M failed". A step is a script that
# exits 0 when what it checks holds; its output is shown only when it fails
# (or always with VERBOSE=1).
set -u
cd "$(dirname "$0")/.."
export BUILD="${BUILD:-build}" CHAPTERS="${CHAPTERS:-1}"
passed=0 failed=0 failures=()
for step in tests/steps/*.sh; do
    name=$(basename "$step" .sh)
    log=$(mktemp)
    start=$SECONDS
    if bash "$step" >"$log" 2>&1; then
        passed=$((passed + 1))
        printf 'ok    %-28s %3ds\n' "$name" $((SECONDS - start))
        [ "${VERBOSE:-0}" = 1 ] && sed 's/^/      /' "$log"
    else
        failed=$((failed + 1)); failures+=("$name")
        printf 'FAIL  %-28s %3ds\n' "$name" $((SECONDS - start))
        sed 's/^/      /' "$log" | tail -n 60
    fi
    rm -f "$log"
done
[ "$failed" -gt 0 ] && echo "failed steps: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
