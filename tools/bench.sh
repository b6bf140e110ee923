#!/usr/bin/env bash
# bench.sh BENCH DATA OUT: `make bench`. Runs the bench program (tools/bench.c:
# an epoch of the study's chapter-4 network on the plain and the fast path,
# and the fast run's peak memory), then times `make paper SEEDS=1` unless
# PAPER=0 (FORCE=1: every run trained, none reused), and ends on one line for scripts:
#   bench: epoch_s= gflops= peak_rss_mb= limit_s= peak_gflops= axpy_s= axpy_gflops= paper_s=
# (the bench program's figures, tools/bench.c, and the paper's seconds;
# paper_s=NA when the paper run is skipped.)
set -euo pipefail
cd "$(dirname "$0")/.."
bench=$1 data=$2 out=$3
make=${MAKE:-make}
mkdir -p "$out"
"$bench" --data "$data" --out "$out" ${BENCH_ARGS:-} | tee "$out/bench.txt"
figures=$(sed -n 's/^figures: //p' "$out/bench.txt" | tail -n 1)
[ -n "$figures" ] || { echo "bench: the bench program printed no figures" >&2; exit 1; }
figures=$(sed 's/ plain_epoch_s=[^ ]*//' <<<"$figures")

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
echo "bench: $figures paper_s=$paper_s"
