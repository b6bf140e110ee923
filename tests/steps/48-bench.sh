#!/usr/bin/env bash
# `make bench`'s program runs to its end on a short run (2 epochs of the fast
# path, 1 of the plain) and ends on its figures line, each figure there once
# and a number above 0: the epoch, its GFLOP/s, the peak memory, both
# estimates of how fast an epoch could be and the rates behind them, the
# epoch on one thread. Times are only checked for being there: a test
# compares no wall times (the machine may be busy), `make bench` is where
# they are read. Where PyTorch is installed, its epoch's script too.
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
for key in epoch_s gflops peak_rss_mb limit_s peak_gflops axpy_s axpy_gflops one_thread_s plain_epoch_s; do
    n=$(tr ' ' '\n' <<<"$figures" | grep -c "^$key=" || true)
    v=$(tr ' ' '\n' <<<"$figures" | sed -n "s/^$key=//p")
    if [ "$n" -ne 1 ] || ! awk -v v="$v" 'BEGIN { exit !(v ~ /^[0-9]+(\.[0-9]+)?$/ && v + 0 > 0) }'; then
        echo "FAIL: $key: expected one number above 0 in: $figures"; fail=1
    fi
done
# PyTorch's epoch (tools/pytorch-epoch.py), where Debian's PyTorch is installed
# (`make bench PYTORCH=1`; CI does not install it): one epoch, and its line for
# bench.sh.
python=${PYTHON:-/usr/bin/python3}
if [ -x "$python" ] && "$python" -c 'import torch' 2>/dev/null; then
    line=$("$python" tools/pytorch-epoch.py data/mnist 1 2>"$tmp/pytorch.log") ||
        { cat "$tmp/pytorch.log"; echo "FAIL: tools/pytorch-epoch.py failed"; exit 1; }
    grep -Eq '^pytorch: epoch_s=[0-9]+\.[0-9]+ epochs=1 version=[0-9]' <<<"$line" ||
        { echo "FAIL: tools/pytorch-epoch.py's last line: $line"; fail=1; }
    grep -Eq '^pytorch: epoch 1/1  val loss 0\.[0-9]+ ' "$tmp/pytorch.log" ||
        { echo "FAIL: PyTorch's epoch: $(cat "$tmp/pytorch.log")"; fail=1; }
    if "$python" tools/pytorch-epoch.py "$tmp" 1 >/dev/null 2>"$tmp/nodata.log"; then
        echo "FAIL: tools/pytorch-epoch.py ran on a folder without the data"; fail=1
    fi
else
    echo "PyTorch not installed: tools/pytorch-epoch.py not tried"
fi
exit $fail
