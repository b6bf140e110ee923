#!/usr/bin/env bash
# bench.sh BENCH DATA OUT: `make bench`. Runs the bench program (tools/bench.c:
# an epoch of the study's chapter-4 network on the plain and the fast path,
# and the fast run's peak memory), then PyTorch's epoch of the same network
# when Debian's PyTorch is installed (tools/pytorch-epoch.py; `make bench
# PYTORCH=1` installs it), then times `make paper SEEDS=1` unless PAPER=0
# (FORCE=1: every run trained, none reused), and ends on one line for scripts:
#   bench: epoch_s= gflops= peak_rss_mb= limit_s= peak_gflops= axpy_s= axpy_gflops= one_thread_s=
#          pytorch_epoch_s= of_pytorch= paper_s=
# (the bench program's figures, tools/bench.c; PyTorch's epoch and the fast
# path's share of it; the paper's seconds; NA for what was not run).
set -euo pipefail
cd "$(dirname "$0")/.."
bench=$1 data=$2 out=$3
make=${MAKE:-make}
mkdir -p "$out"
"$bench" --data "$data" --out "$out" ${BENCH_ARGS:-} | tee "$out/bench.txt"
figures=$(sed -n 's/^figures: //p' "$out/bench.txt" | tail -n 1)
[ -n "$figures" ] || { echo "bench: the bench program printed no figures" >&2; exit 1; }
figures=$(sed 's/ plain_epoch_s=[^ ]*//' <<<"$figures")

# The value of KEY= on a line of KEY=VALUE words.
figure() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }

# PyTorch's epoch right after the fast path's, so that both are timed on the
# machine as it is now (its speed changes from one hour to the next).
python=${PYTHON:-/usr/bin/python3}
pytorch_s=NA of_pytorch=NA
if [ -x "$python" ] && "$python" -c 'import torch' 2>/dev/null; then
    echo "pytorch: the same epoch in PyTorch, one thread, float64 (its output in $out/pytorch.log) ..."
    line=$("$python" tools/pytorch-epoch.py "$data" 2>"$out/pytorch.log" | sed -n 's/^pytorch: //p') ||
        { cat "$out/pytorch.log" >&2; echo "bench: tools/pytorch-epoch.py failed" >&2; exit 1; }
    pytorch_s=$(figure epoch_s "$line")
    [ -n "$pytorch_s" ] || { echo "bench: tools/pytorch-epoch.py printed no epoch_s (see $out/pytorch.log)" >&2; exit 1; }
    version=$(figure version "$line")
    of_pytorch=$(awk -v a="$(figure epoch_s "$figures")" -v b="$pytorch_s" 'BEGIN { printf "%.2f", a / b }')
    echo "pytorch: ${pytorch_s} s per epoch (PyTorch $version, median of 5); the fast path takes $of_pytorch of that"
else
    echo "pytorch: not compared ($python has no torch: make bench PYTORCH=1 installs Debian's python3-torch)"
fi

paper_s=NA
if [ "${PAPER:-1}" = 0 ]; then
    echo "paper: not run (PAPER=0)"
else
    # The programs first, so that the time is the training's and the report's.
    bin=$(dirname "$bench")
    "$make" "$bin/paper-run" "$bin/paper-report" >/dev/null
    echo "paper: make paper SEEDS=1 FORCE=1 (its output in $out/paper.log) ..."
    start=$(date +%s.%N)
    if ! "$make" paper SEEDS=1 FORCE=1 >"$out/paper.log" 2>&1; then
        tail -n 20 "$out/paper.log" >&2
        echo "bench: make paper SEEDS=1 FORCE=1 failed; see $out/paper.log" >&2
        exit 1
    fi
    paper_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
    echo "paper: ${paper_s} s"
fi
echo "bench: $figures pytorch_epoch_s=$pytorch_s of_pytorch=$of_pytorch paper_s=$paper_s"
