#!/usr/bin/env bash
# `make bench`'s program runs to its end on a short run (2 epochs of the fast
# path, 1 of the plain) and ends on its figures line, each figure there once
# and a number above 0: the epoch, its GFLOP/s, the peak memory, both
# estimates of how fast an epoch could be and the rates behind them. Times
# are only checked for being there: a test compares no wall times (the
# machine may be busy), `make bench` is where they are read.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x "$BUILD/bin/bench" ] || { echo "no $BUILD/bin/bench (a student copy has no solutions)"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$BUILD/bin/bench" --data data/mnist --out "$tmp" --epochs 2 --plain-epochs 1 >"$tmp/out" 2>&1 ||
    { cat "$tmp/out"; echo "FAIL: bench exited with status $?"; exit 1; }
figures=$(sed -n 's/^figures: //p' "$tmp/out")
[ "$(wc -l <<<"$figures")" -eq 1 ] && [ -n "$figures" ] ||
    { cat "$tmp/out"; echo "FAIL: expected one figures line"; exit 1; }
fail=0
for key in epoch_s gflops peak_rss_mb limit_s peak_gflops axpy_s axpy_gflops plain_epoch_s; do
    n=$(tr ' ' '\n' <<<"$figures" | grep -c "^$key=" || true)
    v=$(tr ' ' '\n' <<<"$figures" | sed -n "s/^$key=//p")
    if [ "$n" -ne 1 ] || ! awk -v v="$v" 'BEGIN { exit !(v ~ /^[0-9]+(\.[0-9]+)?$/ && v + 0 > 0) }'; then
        echo "FAIL: $key: expected one number above 0 in: $figures"; fail=1
    fi
done
exit $fail
