#!/usr/bin/env bash
# run-tests.sh: runs every step in tests/steps/ in name order, each in its own
# shell, and ends on one line "N passed, M failed". A step is a script that
# exits 0 when what it checks holds; its output is shown only when it fails
# (or always with VERBOSE=1). A step that exits 77 cannot run here (a tool
# it needs is missing): it is counted as skipped, with its last line.
set -u
cd "$(dirname "$0")/.."
export BUILD="${BUILD:-build}" CHAPTERS="${CHAPTERS:-1}"
passed=0 failed=0 skipped= failures=()
# No step may change a byte of a student's work (tests/steps/80-nothing-lost.sh
# checks the make targets): exercises/ is compared before and after them all.
exercises_sum() { find exercises -type f -exec sha256sum {} + 2>/dev/null | sort; }
exercises_before=$(exercises_sum)
for step in tests/steps/*.sh; do
    name=$(basename "$step" .sh)
    log=$(mktemp)
    start=$SECONDS
    bash "$step" >"$log" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1))
        printf 'ok    %-28s %3ds\n' "$name" $((SECONDS - start))
        [ "${VERBOSE:-0}" = 1 ] && sed 's/^/      /' "$log"
    elif [ $rc -eq 77 ]; then  # the step cannot run here, and its last line says why
        skipped=$((skipped + 1))
        printf 'skip  %-28s %3ds  %s\n' "$name" $((SECONDS - start)) "$(tail -n 1 "$log")"
    else
        failed=$((failed + 1)); failures+=("$name")
        printf 'FAIL  %-28s %3ds\n' "$name" $((SECONDS - start))
        sed 's/^/      /' "$log" | tail -n 60
    fi
    rm -f "$log"
done
if [ "$(exercises_sum)" != "$exercises_before" ]; then
    failed=$((failed + 1)); failures+=("exercises-changed")
    echo "FAIL  a step changed exercises/:"
    diff <(echo "$exercises_before") <(exercises_sum) | sed 's/^/      /' | head -n 20
fi
[ "$failed" -gt 0 ] && echo "failed steps: ${failures[*]}"
echo "$passed passed, $failed failed${skipped:+, $skipped skipped}"
[ "$failed" -eq 0 ]
