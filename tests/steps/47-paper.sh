#!/usr/bin/env bash
# make paper's two programs on quick runs (the first 1,000 images of each file,
# 2 epochs): every experiment and seed trained once, twins shared; results.tsv
# has the issue's columns and a row per experiment, study.tsv and own.tsv (the
# appendix's tables) a row per experiment of the study and of the workbook's
# own; a rerun reuses every run and writes the same report; --force retrains;
# a lost run is retrained alone; a chapter's runs kept with --store are
# reused; a report over a broken run fails with the file's name and keeps the
# last good report; bad options are refused. (The full runs are the book's: `make
# book`, and `make bench` times `make paper SEEDS=1`.)
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x "$BUILD/bin/paper-run" ] || { echo "no $BUILD/bin/paper-run (a student copy has no solutions)"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run() { "$BUILD/bin/paper-run" --data data/mnist --out "$tmp/out" --runs "$tmp/runs" \
          --limit 1000 --max-epochs 2 --seeds 2 "$@"; }
report() { "$BUILD/bin/paper-report" --out "$tmp/out" --runs "$tmp/runs" "$@"; }
fail=0
bad() { echo "FAIL: $*"; fail=1; }

run 2>"$tmp/log1" || { cat "$tmp/log1"; exit 1; }
report >/dev/null
experiments=$(($(wc -l <"$tmp/out/results.tsv") - 1))
runs=$(($(wc -l <"$tmp/out/runs.tsv") - 1))
[ "$runs" -eq $((experiments * 2)) ] || bad "runs.tsv has $runs rows for $experiments experiments x 2 seeds"
# Twins (the same settings under two names) train once.
distinct=$(tail -n +2 "$tmp/out/runs.tsv" | cut -f3 | sort -u | wc -l)
grep -q "$distinct to train, 0 reused" "$tmp/log1" || bad "first run: expected '$distinct to train, 0 reused' in: $(head -n 1 "$tmp/log1")"
[ "$(ls "$tmp/runs"/*.metrics.tsv | wc -l)" -eq "$distinct" ] || bad "expected $distinct metrics files in runs/"

header=$(head -n 1 "$tmp/out/results.tsv")
want=$'experiment\tstudy_accuracy\tmean_accuracy\tsd_accuracy\tseeds\tstudy_stop_epoch\tmean_stop_epoch'
[ "$header" = "$want" ] || bad "results.tsv header: $header"
awk -F'\t' 'NR > 1 && !($3 > 0 && $3 <= 100 && $5 == 2 && $7 >= 1 && $7 <= 2) { print "results.tsv row: " $0; bad = 1 }
            NR > 1 && $2 != "nan" && !($2 > 90 && $2 < 100) { print "study accuracy: " $0; bad = 1 }
            END { exit bad }' "$tmp/out/results.tsv" || fail=1
for e in plain momentum early-stop momentum-early-stop tanh sigmoid relu relu-small-rate softmax; do
    grep -q "^$e	" "$tmp/out/results.tsv" || bad "results.tsv has no row for $e"
done
# The appendix's tables: lib/experiment.h's columns, a row per experiment.
for t in study own; do
    head -n 1 "$tmp/out/$t.tsv" | grep -q $'^name\tkey\tlabel\tnote\t' || bad "$t.tsv header: $(head -n 1 "$tmp/out/$t.tsv")"
done
[ $(($(wc -l <"$tmp/out/study.tsv") + $(wc -l <"$tmp/out/own.tsv") - 2)) -eq "$experiments" ] ||
    bad "study.tsv and own.tsv: not a row for each of the $experiments experiments"
grep -q $'^momentum-early-stop\t' "$tmp/out/study.tsv" && grep -q $'^no-penalty\t' "$tmp/out/own.tsv" ||
    bad "study.tsv or own.tsv: an experiment in the wrong table"

# A rerun reuses every run and writes the same report (but for its timing).
cp "$tmp/out/results.tsv" "$tmp/results.before"
run 2>"$tmp/log2"
report >/dev/null
grep -q "0 to train, $distinct reused" "$tmp/log2" || bad "rerun: expected '0 to train, $distinct reused' in: $(head -n 1 "$tmp/log2")"
cmp -s "$tmp/results.before" "$tmp/out/results.tsv" || bad "rerun: results.tsv changed"

# A lost run is retrained alone; --force retrains all.
lost=$(ls "$tmp/runs"/*.tsv | grep -v metrics | head -n 1)
rm "$lost"
run 2>"$tmp/log3"
grep -q "1 to train, $((distinct - 1)) reused" "$tmp/log3" || bad "a lost run: $(head -n 1 "$tmp/log3")"
run --force 2>"$tmp/log4"
grep -q "$distinct to train, 0 reused (--force)" "$tmp/log4" || bad "--force: $(head -n 1 "$tmp/log4")"
cmp -s "$tmp/results.before" <(report >/dev/null; cat "$tmp/out/results.tsv") || bad "--force: other numbers than before (the runs are seeded)"

# Nothing trained twice: a chapter's runs on the fast path, kept with --store,
# are reused by paper-run with the same code id, and the report is the same.
"$BUILD/bin/ch4-solutions" --data data/mnist --out "$tmp/ch4" --limit 1000 --max-epochs 2 \
    --quiet --fast --store "$tmp/kept" --code test >"$tmp/ch4.log" 2>&1 || { cat "$tmp/ch4.log"; exit 1; }
kept=$(find "$tmp/kept" -name '*.tsv' ! -name '*.metrics.tsv' | wc -l)
[ "$kept" -ge 4 ] || bad "ch4 --store kept $kept runs"
ch4_seeds=$(find "$tmp/kept" -name '*-seed[12]-*.tsv' ! -name '*.metrics.tsv' | wc -l)
kept_run() { "$BUILD/bin/paper-run" --data data/mnist --out "$tmp/out2" --runs "$tmp/kept" \
               --limit 1000 --max-epochs 2 --seeds 2 "$@"; }
kept_run --code test 2>"$tmp/log5"
grep -q "$((distinct - ch4_seeds)) to train, $ch4_seeds reused" "$tmp/log5" ||
    bad "paper-run after ch4 --store: expected $ch4_seeds reused: $(head -n 1 "$tmp/log5")"
"$BUILD/bin/paper-report" --out "$tmp/out2" --runs "$tmp/kept" >/dev/null
cmp -s "$tmp/results.before" "$tmp/out2/results.tsv" ||
    bad "the chapter's runs, reused: other numbers than paper-run's own"
kept_run --code other 2>"$tmp/log6"
grep -q "$distinct to train, 0 reused" "$tmp/log6" || bad "another code id reused runs: $(head -n 1 "$tmp/log6")"
for args in "--store $tmp/x" "--fast --code c"; do
    # shellcheck disable=SC2086
    if "$BUILD/bin/ch4-solutions" --limit 10 $args >/dev/null 2>"$tmp/err"; then bad "ch4 $args: accepted"; continue; fi
    grep -q -- "needs --" "$tmp/err" || bad "ch4 $args: $(cat "$tmp/err")"
done

# A broken run: the report fails, names the file, keeps the last good report.
cp "$tmp/out/study.tsv" "$tmp/report.before"
victim=$(ls "$tmp/runs"/*.tsv | grep -v metrics | head -n 1)
sed -i 's/^test_acc\t.*/test_acc\tlots/' "$victim"
if report >/dev/null 2>"$tmp/err"; then bad "a broken run was reported"; fi
grep -q "$(basename "$victim"): test_acc: not a number" "$tmp/err" || bad "broken run message: $(cat "$tmp/err")"
cmp -s "$tmp/report.before" "$tmp/out/study.tsv" || bad "a failed report changed study.tsv"

# Bad options: one line naming the option, status 2.
for args in "--seeds 0" "--seeds many" "--jobs" "--frobnicate"; do
    # shellcheck disable=SC2086
    if "$BUILD/bin/paper-run" $args >/dev/null 2>"$tmp/err"; then bad "paper-run $args: accepted"; continue; fi
    opt=${args%% *}
    [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q -- "$opt" "$tmp/err" || bad "paper-run $args: $(cat "$tmp/err")"
done
[ $fail = 0 ] && echo "make paper's programs: quick runs, cache, --force, a lost run, a chapter's kept runs, a broken run, bad options"
exit $fail
