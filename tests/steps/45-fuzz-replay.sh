#!/usr/bin/env bash
# 45-fuzz-replay: the fuzz harnesses of tests/fuzz/ built as plain programs
# (tests/fuzz/replay_main.c: no libFuzzer needed, clang if present else cc)
# with ASan and UBSan, run on every seed of the corpus and every regression
# input that `make fuzz` ever kept: none may crash, leak, hit undefined
# behaviour or break a promise of idx.h or config.h.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:print_stacktrace=1"
fail=0
for f in idx config; do
    if ! make -s --no-print-directory "build/fuzz-replay/replay-$f" >/dev/null; then
        echo "FAIL: cannot build build/fuzz-replay/replay-$f"; fail=1; continue
    fi
    seeds=$(find "tests/fuzz/corpus/$f" -type f ! -name '.*' | wc -l)
    [ "$seeds" -gt 0 ] || { echo "FAIL: tests/fuzz/corpus/$f holds no seed"; fail=1; }
    # One input at a time, so that a failure names its file.
    for input in "tests/fuzz/corpus/$f"/* "tests/fuzz/regressions/$f"/*; do
        [ -f "$input" ] || continue
        if ! out=$(timeout -k 5 60 "build/fuzz-replay/replay-$f" "$input" 2>&1); then
            echo "FAIL: $f harness on $input:"; echo "$out" | head -n 30; fail=1
        fi
    done
    echo "$f: $seeds seeds, $(find "tests/fuzz/regressions/$f" -type f ! -name '.*' | wc -l) regression inputs replayed"
done
exit $fail
