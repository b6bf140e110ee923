#!/usr/bin/env bash
# The grader grades right and cannot be fooled (tools/grade/grade.sh, the
# judges and subjects of tests/judge/ and tests/subject/):
#  - the reference solutions of every chapter get full marks, through the
#    judge and a subject, as `make check-chN SOLUTIONS=1` runs them;
#  - the committed stubs get zero, every test "todo" (exercises/ is never
#    touched);
#  - each hostile submission in tests/hostile/chN/ (see tests/hostile/hostile.h
#    and check.sh) loses exactly the tests that reach its misbehaviour, with
#    the status its "expect:" line names and a message its "says:" line
#    matches, while every other test passes, in the isolation the grader
#    picks here (bubblewrap, on a machine with user namespaces);
#  - and, across all of them: no line of the solutions or the hidden tests in
#    anything a student sees; no output kept from a hidden test; no row of a
#    submission's making in the results; the grader's programs unchanged; no
#    process and no file left behind;
#  - the environment cannot weaken the judge: with CK_FORK=no and Check's
#    timeout variables set, a loop still times out.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
export BUILD=${BUILD:-build}
# shellcheck source=tests/hostile/check.sh
. tests/hostile/check.sh
own_pid_namespace "$@"
CHAPTERS=${CHAPTERS:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

chapters=()
for n in $CHAPTERS; do
    if compgen -G "tests/ch$n/*.c" >/dev/null; then chapters+=("$n"); else bad "chapter $n has no graded suite (tests/ch$n/*.c)"; fi
done
targets=()
for n in "${chapters[@]}"; do targets+=("$BUILD/bin/check-ch$n" "$BUILD/bin/subject-ch$n-solutions"); done
make -s --no-print-directory GRADE_CHAPTERS="${chapters[*]}" grade-build "${targets[@]}" >"$tmp/make.log" 2>&1 ||
    { echo "FAIL: cannot build the grader"; tail -n 20 "$tmp/make.log"; exit 1; }

# 1. The reference solutions: full marks.
for n in "${chapters[@]}"; do
    "$BUILD/bin/check-ch$n" --subject "$BUILD/bin/subject-ch$n-solutions" --expect full --quiet >"$tmp/out" 2>&1 || {
        bad "the reference of chapter $n does not get full marks:"
        "$BUILD/bin/check-ch$n" --subject "$BUILD/bin/subject-ch$n-solutions" 2>&1 | tail -n 40
    }
done

# 2. The stubs as committed (a student's edits in exercises/ do not count): zero.
mkdir -p "$tmp/stubs/exercises"
for n in "${chapters[@]}"; do
    if git ls-files --error-unmatch "exercises/ch$n.c" >/dev/null 2>&1; then
        git show "HEAD:exercises/ch$n.c" >"$tmp/stubs/exercises/ch$n.c"
    else
        cp "exercises/ch$n.c" "$tmp/stubs/exercises/ch$n.c"
    fi
done
GRADE_MAKE=0 GRADE_DIR=$tmp/g-stubs bash tools/grade/grade.sh "$tmp/stubs" "${chapters[@]}" >"$tmp/stubs.log" 2>&1 ||
    { bad "grade.sh on the stubs exited $?"; cat "$tmp/stubs.log"; }
notodo=$(awk -F'\t' 'NR > 1 && $3 != "warnings" && ($3 != "todo" || $4 != 0) { print "ch" $1 " " $2 " (" $3 ")" }' "$tmp/g-stubs/results.tsv")
[ -z "$notodo" ] || bad "stubs: not 'todo' with 0 points: $notodo"
[ "$(awk -F'\t' 'NR > 1' "$tmp/g-stubs/results.tsv" | wc -l)" -gt 0 ] || bad "the stubs' grading has no rows"

# 3. Hostile submissions, each graded as it is and as its probe, six at a time.
export GRADE_TIMEOUT=2
hostile=()
for n in "${chapters[@]}"; do
    for f in tests/hostile/ch"$n"/*.c; do [ -e "$f" ] && hostile+=("$f"); done
done
[ ${#hostile[@]} -gt 0 ] || bad "no hostile submissions in tests/hostile/"
report_sum=$(sha256sum "$BUILD/bin/grade-report")
rm -f /tmp/results.tsv /tmp/wb-hostile-* /var/tmp/wb-hostile-* /dev/shm/wb-hostile-*
dir=$tmp/h
mkdir -p "$dir"
hostile_assemble "$dir" "${hostile[@]}"
for f in "${hostile[@]}"; do
    name=$(hostile_name "$f")
    extra=()
    [ "$name" = ch1-append_results ] && extra=("HOSTILE_RESULTS=$dir/$name.g")
    hostile_grade "$dir" "$name" "${extra[@]}"
    grep -qE '^// expect: (compile|refused)$' "$f" || hostile_grade "$dir" "$name.probe"
done
# The environment cannot weaken the judge: a loop under CK_FORK=no and long
# Check timeouts still ends as a timeout, in time. It is graded as a copy of
# its own (ch1-env), since the grading of ch1-infinite_loop may still run.
cp -a "$dir/ch1-infinite_loop" "$dir/ch1-env"
hostile_grade "$dir" ch1-env CK_FORK=no CK_DEFAULT_TIMEOUT=1000 CK_TIMEOUT_MULTIPLIER=1000
wait
for f in "${hostile[@]}"; do
    problems=$(hostile_verify "$dir" "$f")
    [ -z "$problems" ] || bad "$problems"
done

# 4. What no grading may leave or let through.
rows=$(awk -F'\t' 'FNR > 1' "$dir"/*.g/results.tsv)
[ -n "$rows" ] || bad "the hostile gradings wrote no rows"
leaked=$(leaks "$dir"/*.log "$dir"/*.g/results.tsv)
[ -z "$leaked" ] && [ -n "$(leaks solutions/ch1.c)" ] || bad "lines of the solutions or hidden tests in a report: $(head -n 3 <<<"$leaked")"
for t in "$dir"/*.g/results.tsv; do
    kept=$(hidden_output "$t")
    [ -z "$kept" ] || bad "$t: output kept from hidden tests: $(head -n 2 <<<"$kept")"
done
grep -l 'LEAK' "$dir"/*.g/results.tsv | while read -r t; do
    awk -F'\t' '$9 != "visible" && /LEAK/' "$t" | grep -q . && bad "$t: a hidden test's input in the results"
done
over=$(awk -F'\t' '$4 > $5 || $4 == 50' <<<"$rows")
[ -z "$over" ] || bad "rows worth more than their tests: $over"
[ ! -e /tmp/results.tsv ] || bad "a submission wrote /tmp/results.tsv"
[ "$(sha256sum "$BUILD/bin/grade-report")" = "$report_sum" ] || bad "a submission changed $BUILD/bin/grade-report"
left=$(ls /tmp/wb-hostile-* /var/tmp/wb-hostile-* /dev/shm/wb-hostile-* 2>/dev/null)
[ -z "$left" ] || bad "files left behind by the graded submissions: $left"
env_status=$(awk -F'\t' '$2 == "one_hot_rows" { print $3 }' "$dir/ch1-env.g/results.tsv" 2>/dev/null)
[ "$env_status" = timeout ] || {
    bad "with CK_FORK=no and long Check timeouts, a loop gave '${env_status:-nothing}', not timeout"
    tail -n 10 "$dir/ch1-env.log"
}
left=$(left_behind '--zygote|wb-grade\.')
if [ -n "$left" ]; then
    bad "processes left behind by the gradings: $left"
    pkill -9 -f -- '--zygote' 2>/dev/null
fi

[ $fail = 0 ] && echo "grading: ${#chapters[@]} chapter(s), ${#hostile[@]} hostile submissions, all as expected"
exit $fail
