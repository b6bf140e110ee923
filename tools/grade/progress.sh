#!/usr/bin/env bash
# progress.sh [CHAPTER...]: where a student stands, in one table (`make check`).
#
# Grades exercises/chN.c of every chapter that has graded tests (or of the
# chapters named) with the chapter's public tests, as `make check-chN` does,
# and prints one row per exercise, the functions of each chapter's contract
# in its header's order:
#
#   chapter  exercise  state  points  first failing test and its message
#
# then the total and the next thing to do. Exit 0 whatever the exercises'
# state (this is a report); 2 when the grader itself could not run (its
# judges do not build, or a judge could not run its tests).
#
# An exercise's tests are those that call it: whose `functions` column (the
# judge's --tsv) names it, in this run or in the reference's (CALLS, a table
# "chapter test functions" made from the reference solutions: built in the
# full workbook, shipped in a student copy as tests/calls.tsv; without it, this
# run's alone). Its points are theirs: a test that calls two exercises counts
# for both, and the total counts it once. Its state:
#
#   done              every test that calls it passes
#   wrong             a test of it fails (crashes, loops...): the first one's message is shown
#   not started       a test stopped at its TODO
#   waits for X       its tests pass or stopped at X: X's TODO, a test X shares with it that X
#                     fails, or a crash or endless loop inside X
#   does not compile  exercises/chN.c does not compile or link: the compiler's first error
#   grader error      the grader could not run one of its tests (not the student's doing)
#   not graded        the grader could not run the chapter's tests at all
#
# A test is "of" the exercise its description begins with ("zscore: ..."); a
# test of several (the whole network) is held against those of them that
# fail or lack tests of their own, or against all when none does. A crash or
# an endless loop is held against the exercise the judge was calling when it
# happened, which its message names. The table itself is tools/grade/progress.awk.
#
# Writes $BUILD/check/: chN.tsv (the judge's rows), progress.tsv (the table:
# chapter exercise state points max_points message test) and the logs.
# Environment: BUILD (build), MAKE (make), CALLS (the reference's calls).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
CALLS=${CALLS:-}
out=$BUILD/check
say() { echo "check: $*" >&2; }

graded=()
for d in chapters/[0-9][0-9]-*/main.c; do
    [ -e "$d" ] || continue
    n=${d#chapters/}; n=$((10#${n%%-*}))
    compgen -G "tests/ch$n/*.c" >/dev/null && graded+=("$n")
done
[ ${#graded[@]} -gt 0 ] || { say "no chapter has graded tests (tests/chN/)"; exit 2; }
chapters=("$@")
[ $# -gt 0 ] || chapters=("${graded[@]}")
for n in "${chapters[@]}"; do
    [[ " ${graded[*]} " == *" $n "* ]] || { say "no graded chapter $n: the chapters with tests are ${graded[*]}"; exit 2; }
done
mkdir -p "$out" || { say "cannot make $out"; exit 2; }

# The grader's side: the judges, the contracts, the subjects' objects. If
# these do not build, nothing can be graded.
$MAKE -q --no-print-directory check-build CHECK_CHAPTERS="${chapters[*]}" 2>/dev/null ||
    say "building the tests first (a minute or two the first time)"
if ! $MAKE -s --no-print-directory check-build CHECK_CHAPTERS="${chapters[*]}" >"$out/build.log" 2>&1; then
    say "the grader does not build (make check-build), so nothing was graded:"
    grep -v -E '^  [A-Z]+ +' "$out/build.log" | head -n 15 >&2
    exit 2
fi
[ -z "$CALLS" ] || [ -r "$CALLS" ] || { say "CALLS=$CALLS: no such file"; exit 2; }

# The contract of each chapter, in its header's order: chapter, rank, name.
# The names are the judge's (what its proxies define) that chapters/NN-name/chN.h
# declares (a judge may define helpers of its own), in the header's order.
: >"$out/contract.tsv" && : >"$out/tests.tsv" && : >"$out/results.tsv" && : >"$out/broken.tsv"
for n in "${chapters[@]}"; do
    header=$(compgen -G "chapters/[0-9][0-9]-*/ch$n.h" | head -n 1)
    [ -n "$header" ] || { say "chapter $n has no header chapters/NN-name/ch$n.h"; exit 2; }
    awk -v ch="$n" -v OFS='\t' '
        FNR == NR { want[$1] = 1; next }
        /^[A-Za-z]/ { for (f in want) if (!(f in at) && match($0, "(^|[^A-Za-z0-9_])" f "[ \t]*\\(")) at[f] = FNR }
        END { for (f in want) if (f in at) print ch, at[f], f }' \
        "$BUILD/grade-contract/ch$n.txt" "$header" | sort -t $'\t' -k2,2n -k3,3 >"$out/contract.ch$n"
    [ -s "$out/contract.ch$n" ] || { say "chapter $n: $header declares none of the functions its judge calls"; exit 2; }
    cat "$out/contract.ch$n" >>"$out/contract.tsv" && rm -f "$out/contract.ch$n"
    "$BUILD/bin/check-ch$n" --list >"$out/ch$n.list" 2>"$out/ch$n.log" ||
        { say "chapter $n: build/bin/check-ch$n --list failed: $(tail -n 1 "$out/ch$n.log")"; exit 2; }
    awk -v ch="$n" -v OFS='\t' '{ print ch, $0 }' "$out/ch$n.list" >>"$out/tests.tsv"
done

# Each chapter: the student's file built into its subject, then graded.
grader_failed=0
for n in "${chapters[@]}"; do
    rm -f "$out/ch$n.tsv"
    if ! $MAKE -s --no-print-directory "$BUILD/bin/subject-ch$n-exercises" >"$out/ch$n.build.log" 2>&1; then
        # The grader's side built above: this is the student's file.
        first=$(grep -m1 -E '(^|: )(fatal )?error:|undefined reference' "$out/ch$n.build.log" ||
                grep -m1 -v -E '^  [A-Z]+ +|^make' "$out/ch$n.build.log")
        printf '%s\tcompile\t%s\n' "$n" "$(tr '\t' ' ' <<<"${first:-exercises/ch$n.c does not build}" | sed 's/^ *//')" >>"$out/broken.tsv"
        continue
    fi
    "$BUILD/bin/check-ch$n" --subject "$BUILD/bin/subject-ch$n-exercises" --tsv "$out/ch$n.tsv" --quiet \
        >"$out/ch$n.log" 2>&1
    rc=$?
    if [ $rc -gt 1 ] || [ ! -s "$out/ch$n.tsv" ]; then
        grader_failed=1
        printf '%s\tgrader\tthe grader could not run (exit %s): %s\n' "$n" "$rc" \
            "$(tail -n 1 "$out/ch$n.log" | tr '\t' ' ')" >>"$out/broken.tsv"
        continue
    fi
    tail -n +2 "$out/ch$n.tsv" >>"$out/results.tsv"
done

# The table, as TSV: chapter exercise state points max_points message test.
awk -F'\t' -v OFS='\t' -f tools/grade/progress.awk \
    "$out/contract.tsv" "$out/tests.tsv" "$out/broken.tsv" "${CALLS:-/dev/null}" "$out/results.tsv" \
    >"$out/progress.tsv.tmp" && mv -f "$out/progress.tsv.tmp" "$out/progress.tsv" ||
    { say "could not make the table ($out/progress.tsv)"; exit 2; }

# The total: each test once.
read -r got max < <(awk -F'\t' -v OFS=' ' '
    FILENAME == ARGV[1] { max += $3; next }
    $3 == "pass" { got += $4 }
    END { print got + 0, max + 0 }' "$out/tests.tsv" "$out/results.tsv")

# The table on the screen; messages cut to the terminal's width.
width=0
if [ -t 1 ]; then width=$(tput cols 2>/dev/null || echo 0); fi
awk -F'\t' -v width="$width" -v got="$got" -v max="$max" '
    { n++; for (i = 1; i <= 7; i++) f[n, i] = $i
      if (length($2) > w2) w2 = length($2); if (length($3) > w3) w3 = length($3)
      p = $4 "/" $5; if (length(p) > w4) w4 = length(p) }
    END {
        if (w2 < 8) w2 = 8; if (w3 < 5) w3 = 5; if (w4 < 6) w4 = 6
        fmt = "%-7s  %-" w2 "s  %-" w3 "s  %" w4 "s  %s\n"
        printf fmt, "chapter", "exercise", "state", "points", "first failing test"
        room = width > 0 ? width - (7 + w2 + w3 + w4 + 8) : 0
        if (room < 30) room = 0  # too narrow to cut usefully: let the terminal wrap
        done = 0; next_ = ""
        for (r = 1; r <= n; r++) {
            m = f[r, 6]
            if (room > 0 && length(m) > room) m = substr(m, 1, room - 3) "..."
            printf fmt, f[r, 1], f[r, 2], f[r, 3], f[r, 4] "/" f[r, 5], m
            row[f[r, 1], f[r, 2]] = r
            if (f[r, 3] == "done") done++
            else if (next_ == "") next_ = r
        }
        printf "total: %d of %d exercises done, %d/%d points\n", done, n, got, max
        if (next_ == "") { print "next: nothing left: every exercise passes its tests"; exit }
        r = next_; ch = f[r, 1]; e = f[r, 2]; st = f[r, 3]
        if (st ~ /^waits for /) {
            x = substr(st, 11)
            if ((ch, x) in row && f[row[ch, x], 3] != "done") { e2 = e; e = x; r = row[ch, x]; st = f[r, 3] }
        }
        file = "exercises/ch" ch ".c"
        why = e2 != "" ? " (" e2 " waits for it)" : ""
        if (st == "does not compile")
            printf "next: make %s compile (make check-ch%s shows the compiler'"'"'s messages)\n", file, ch
        else if (st == "wrong")
            printf "next: fix exercise %s in %s%s (make check-ch%s ONLY=%s says what is wrong)\n", e, file, why, ch, f[r, 7]
        else if (st == "grader error" || st == "not graded")
            printf "next: the grader could not run chapter %s'"'"'s tests; tell your instructor (%s)\n", ch, f[r, 6]
        else
            printf "next: exercise %s in %s%s\n", e, file, why
    }' "$out/progress.tsv"

if [ $grader_failed = 1 ] || grep -q $'\tgrader error\t' "$out/progress.tsv"; then
    say "the grader could not run some tests (see above; logs in $out/)"
    exit 2
fi
exit 0
