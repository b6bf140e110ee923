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
# tools/pytorch-epoch.py refuses bad arguments and data with one line that
# names what is wrong, and a status of 1, before it needs NumPy or PyTorch:
# these run everywhere.
python=${PYTHON:-/usr/bin/python3}
# shellcheck source=tests/idx.sh
. tests/idx.sh
refused() {  # refused PATTERN ARG...: one line matching PATTERN, status 1
    local status=0
    "$python" tools/pytorch-epoch.py "${@:2}" >/dev/null 2>"$tmp/refused.log" || status=$?
    [ "$status" = 1 ] && [ "$(wc -l <"$tmp/refused.log")" = 1 ] && grep -q -- "$1" "$tmp/refused.log" ||
        { echo "FAIL: pytorch-epoch.py ${*:2}: status $status, not 1 with one line matching '$1': $(cat "$tmp/refused.log")"; fail=1; }
}
if [ -x "$python" ]; then
    mkdir -p "$tmp/d"
    refused '^usage: pytorch-epoch.py DATA'
    refused "EPOCHS: expected a whole number from 1 to 1000, got '0'" data/mnist 0
    refused "EPOCHS: expected a whole number from 1 to 1000, got '1x'" data/mnist 1x
    refused "$tmp/d/train-images-idx3-ubyte: cannot read: No such file" "$tmp/d" 1
    { labels_header 6; head -c $((6 * 784)) /dev/zero; } >"$tmp/d/train-images-idx3-ubyte"
    refused "$tmp/d/train-images-idx3-ubyte: not an IDX file of the kind expected" "$tmp/d" 1
    { images_header 6 28 28; head -c $((6 * 784 - 1)) /dev/zero; } >"$tmp/d/train-images-idx3-ubyte"
    refused "$tmp/d/train-images-idx3-ubyte: not whole images of 28 x 28" "$tmp/d" 1
    { images_header 6 28 28; head -c $((6 * 784)) /dev/zero; } >"$tmp/d/train-images-idx3-ubyte"
    { labels_header 5; head -c 5 /dev/zero; } >"$tmp/d/train-labels-idx1-ubyte"
    refused "$tmp/d: 6 training images and 5 labels" "$tmp/d" 1
fi

# PyTorch's epoch, where Debian's PyTorch is installed (`make bench
# PYTORCH=1`; CI does not install it): one epoch, and its line for bench.sh.
# Where it is not, the script says so in one line.
if [ -x "$python" ] && "$python" -c 'import numpy, torch' 2>/dev/null; then
    line=$("$python" tools/pytorch-epoch.py data/mnist 1 2>"$tmp/pytorch.log") ||
        { cat "$tmp/pytorch.log"; echo "FAIL: tools/pytorch-epoch.py failed"; exit 1; }
    grep -Eq '^pytorch: epoch_s=[0-9]+\.[0-9]+ epochs=1 version=[0-9]' <<<"$line" ||
        { echo "FAIL: tools/pytorch-epoch.py's last line: $line"; fail=1; }
    grep -Eq '^pytorch: epoch 1/1  val loss 0\.[0-9]+ ' "$tmp/pytorch.log" ||
        { echo "FAIL: PyTorch's epoch: $(cat "$tmp/pytorch.log")"; fail=1; }
elif [ -x "$python" ]; then
    refused '^pytorch-epoch: [a-z]* is not installed (Debian: apt-get install python3-torch)$' data/mnist 1
    echo "PyTorch not installed: its epoch not timed, only its refusals tried"
fi
exit $fail
