#!/usr/bin/env bash
# The instructor's grading, end to end (tools/grade/: grade.sh, report.c,
# grade-all.sh, gradescope/run_autograder; the hidden tests):
#  - hidden tests: every graded chapter with a reference solution has them
#    (tests/hidden/chN/), and each gives the reference full marks on three
#    seeds and the committed stubs zero, every hidden test "todo";
#  - formats: one submission whose chapter 1 crashes in some tests, whose
#    next chapter does not compile (with quotes, markup, control bytes and
#    broken UTF-8 in the compiler's message), the next the reference with a
#    compiler warning (shown, not costing a point), any further one missing,
#    written as Gradescope JSON (parsed by node, its fields and types checked
#    against Gradescope's schema, hidden tests after_due_date), JUnit XML
#    (xmllint), TAP and text, all with the same points, each saying which
#    isolation was used;
#  - a grading stopped half-way keeps the earlier good results and writes
#    what it knew to OUT.partial and results.partial.tsv, and ends its own
#    chapters' jobs only (not a stranger given the pid of one that ended);
#    a second grading into its folder meanwhile is refused, and a folder
#    whose lock cannot be opened is one error naming it;
#  - cheats get nothing: including the reference, a link to it, calling the
#    renamed reference that hidden tests link with; and WERROR=1 makes a
#    warning fatal, as an instructor may choose;
#  - MIN_POINTS sets the exit status;
#  - grade-all grades a folder (the reference, the stubs, a hostile one, an
#    empty one, one nested a folder down, one with a comma and a quote in its
#    name, one that #includes another's file) into one gradebook row each,
#    and is fair: an honest submission graded beside hostile ones (a daemon
#    that kills what it can, a fork loop, a memory hog, a forged verdict)
#    scores exactly what it scores alone;
#  - Gradescope's run_autograder writes a valid results.json for the
#    reference (full marks) and for a hostile submission (what it earned,
#    nothing more), saying which isolation was used.
# exercises/ is never touched: submissions are copies in a temporary folder.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
export BUILD=${BUILD:-build}
# shellcheck source=tests/hostile/check.sh
. tests/hostile/check.sh
own_pid_namespace "$@"
CHAPTERS=${CHAPTERS:-1}
# the chapters that have graded tests (one being written may have none yet)
graded=()
for n in $CHAPTERS; do compgen -G "tests/ch$n/*.c" >/dev/null && graded+=("$n"); done
for tool in node xmllint; do
    command -v $tool >/dev/null || { echo "skipped: $tool is not installed (make deps)"; exit 77; }
done
tmp=$(mktemp -d)
trap '[ "${KEEP:-0}" = 1 ] || rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# Build once; the gradings below skip make.
hidden=() targets=()
for n in "${graded[@]}"; do
    targets+=("$BUILD/bin/subject-ch$n-solutions")
    compgen -G "tests/hidden/ch$n/*.c" >/dev/null && hidden+=("$n")
done
make -s --no-print-directory GRADE_CHAPTERS="${graded[*]}" grade-build "${targets[@]}" >"$tmp/make.log" 2>&1 ||
    { echo "FAIL: cannot build the grader"; tail -n 20 "$tmp/make.log"; exit 1; }
export GRADE_MAKE=0 GRADE_TIMEOUT=2
[ ${#hidden[@]} -gt 0 ] || bad "no chapter has hidden tests (tests/hidden/chN/)"
for n in "${graded[@]}"; do
    [ -f "solutions/ch$n.c" ] && ! compgen -G "tests/hidden/ch$n/*.c" >/dev/null &&
        bad "chapter $n has graded tests and a reference solution but no hidden tests (tests/hidden/ch$n/)"
done

# The stubs as committed (a student's edits do not count).
stubs=$tmp/stubs/exercises
mkdir -p "$stubs"
for n in "${graded[@]}"; do
    if git ls-files --error-unmatch "exercises/ch$n.c" >/dev/null 2>&1; then
        git show "HEAD:exercises/ch$n.c" >"$stubs/ch$n.c"
    else
        cp "exercises/ch$n.c" "$stubs/ch$n.c"
    fi
done
mkdir -p "$tmp/reference"
cp solutions/ch*.c "$tmp/reference/"

# rows TSV: "chapter test status points visibility" lines (tests only)
rows() { awk -F'\t' 'NR > 1 && $3 != "warnings" { print $1, $2, $3, $4, $9 }' "$1"; }

# 1. Hidden tests: the reference full (seed 1 graded, two more run directly),
# the stubs zero.
GRADE_DIR=$tmp/g-ref bash tools/grade/grade.sh "$tmp/reference" "${hidden[@]}" >"$tmp/ref.log" 2>&1 ||
    bad "grading the reference exited $?"
for n in "${hidden[@]}"; do
    got=$(rows "$tmp/g-ref/results.tsv" | awk -v n="$n" '$1 == n && $5 == "after_due_date"')
    [ -n "$got" ] || bad "chapter $n: no hidden rows in the reference's grading"
    notpass=$(awk '$3 != "pass"' <<<"$got")
    [ -z "$notpass" ] || { bad "chapter $n: the reference does not pass its hidden tests:"; echo "$notpass"; grep -i hidden "$tmp/ref.log" | head; }
    # other seeds, other cases: the reference's subject, directly
    for seed in 7 4242; do
        "$BUILD/bin/hidden-ch$n" --subject "$BUILD/bin/subject-ch$n-solutions" --seed $seed --expect full --quiet >"$tmp/seed.log" 2>&1 ||
            { bad "chapter $n: the reference fails its hidden tests with seed $seed:"; "$BUILD/bin/hidden-ch$n" --subject "$BUILD/bin/subject-ch$n-solutions" --seed $seed | tail -n 8; }
    done
done
GRADE_DIR=$tmp/g-stubs bash tools/grade/grade.sh "$tmp/stubs" "${hidden[@]}" >"$tmp/stubs.log" 2>&1 || bad "grading the stubs exited $?"
for n in "${hidden[@]}"; do
    got=$(rows "$tmp/g-stubs/results.tsv" | awk -v n="$n" '$1 == n && $5 == "after_due_date"')
    [ -n "$got" ] || bad "chapter $n: no hidden rows in the stubs' grading"
    nottodo=$(awk '$3 != "todo" || $4 != 0' <<<"$got")
    [ -z "$nottodo" ] || { bad "chapter $n: the stubs should be todo with 0 points on every hidden test:"; echo "$nottodo"; }
done

# 2. The formats, from one submission of every kind of chapter: chapter 1
# crashes in some tests (tests/hostile/ch1/abort.c), the next does not compile
# (the compiler repeats its line with quotes, markup, a control byte and bytes
# that are not UTF-8), the next is the reference with an unused variable (a
# warning), any further one is missing.
mixed=$tmp/mixed
mkdir -p "$mixed/exercises"
bash tests/hostile/assemble.sh tests/hostile/ch1/abort.c >"$mixed/exercises/ch1.c" || bad "cannot assemble tests/hostile/ch1/abort.c"
second=${graded[1]:-} third=${graded[2]:-}
[ -n "$second" ] &&
    printf '#error "<b>&amp;</b> \x27q\x27 \"dq\" ]]> \x01\x1b[31m \xff\xfe \xc3\xa9t\xc3\xa9 \\"\n' >"$mixed/exercises/ch$second.c"
if [ -n "$third" ]; then
    cp "solutions/ch$third.c" "$mixed/exercises/"
    printf 'static int unused_helper(void) { int never_used; return 0; }\n' >>"$mixed/exercises/ch$third.c"
fi

# One grading writes Gradescope's JSON; the other formats come from the same
# results by the same reporter, as grade.sh would write them.
GRADE_DIR=$tmp/g-mixed FORMAT=gradescope OUT=$tmp/out.gradescope bash tools/grade/grade.sh "$mixed" "${graded[@]}" >"$tmp/mixed.log" 2>&1 ||
    bad "FORMAT=gradescope: grade.sh exited $?"
[ -s "$tmp/out.gradescope" ] || bad "FORMAT=gradescope: no $tmp/out.gradescope"
for format in text junit tap; do
    "$BUILD/bin/grade-report" --format $format "$tmp/g-mixed/results.tsv" >"$tmp/out.$format" || bad "grade-report --format $format failed"
done
tsv=$tmp/g-mixed/results.tsv
total=$(awk -F'\t' 'NR > 1 { p += $4 } END { print p + 0 }' "$tsv")
max=$(awk -F'\t' 'NR > 1 { p += $5 } END { print p + 0 }' "$tsv")
nrows=$(rows "$tsv" | wc -l)
npass=$(rows "$tsv" | awk '$3 == "pass"' | wc -l)
isolation=$(awk -F'\t' 'NR == 2 { print $10 }' "$tsv")
echo "the mixed submission: $total/$max points, statuses: $(rows "$tsv" | awk '{ print $3 }' | sort | uniq -c | tr -s " \n" " "), isolation $isolation"
[[ $isolation =~ ^(bwrap|uid|none)$ ]] || bad "results.tsv does not say which isolation was used: '$isolation'"
rows "$tsv" | awk '$1 == 1 && $3 == "crash"' | grep -q . || bad "chapter 1: no test crashed on abort()"
rows "$tsv" | awk '$1 == 1 && $3 == "pass"' | grep -q . || bad "chapter 1: no test passed beside the crash"
if [ -n "$second" ]; then
    rows "$tsv" | awk -v n="$second" '$1 == n && ($3 != "compile" || $4 != 0)' | grep -q . &&
        bad "chapter $second: every test should be 'compile' with 0 points"
    grep -q 'does not compile' "$tmp/out.text" || bad "the text report does not say chapter $second does not compile"
fi
if [ -n "$third" ]; then
    rows "$tsv" | awk -v n="$third" '$1 == n && $3 != "pass"' | grep -q . &&
        bad "chapter $third (the reference, with a warning) was not graded in full beside the others"
    awk -F'\t' -v n="$third" '$1 == n && $3 == "warnings" && $7 ~ /never_used/' "$tsv" | grep -q . ||
        bad "chapter $third: the compiler's warning is not in the results"
    for format in text gradescope junit tap; do
        grep -q 'never_used' "$tmp/out.$format" || bad "the $format report does not show chapter $third's warning"
    done
fi
for format in text gradescope junit tap; do
    grep -q "Isolation: $isolation\|\"isolation\" value=\"$isolation\"" "$tmp/out.$format" ||
        bad "the $format report does not say the isolation ($isolation)"
done

# Gradescope: valid JSON, Gradescope's fields with their types, the same points.
node - "$tmp/out.gradescope" "$total" "$nrows" <<'JS' || bad "results.json does not match Gradescope's schema"
const [file, total, nrows] = process.argv.slice(2);
const r = JSON.parse(require("fs").readFileSync(file, "utf8"));
const problems = [];
const need = (ok, what) => { if (!ok) problems.push(what); };
const num = (x) => typeof x === "number" && isFinite(x);
const vis = ["hidden", "after_due_date", "after_published", "visible"];
need(num(r.score), "score is a number");
need(num(r.execution_time), "execution_time is a number");
need(typeof r.output === "string" && r.output.length > 0, "output is a string");
need(/Isolation: (bwrap|uid|none)/.test(r.output), "output says which isolation was used");
need(Array.isArray(r.tests), "tests is an array");
const tests = r.tests || [];
need(tests.length === +nrows, `one test per row (${tests.length} vs ${nrows})`);
let sum = 0, hidden = 0;
tests.forEach((t, i) => {
  const at = `tests[${i}]`;
  need(typeof t.name === "string" && t.name.length > 0, `${at}.name is a string`);
  need(num(t.score) && num(t.max_score) && t.score >= 0 && t.score <= t.max_score, `${at} score <= max_score`);
  need(["passed", "failed"].includes(t.status), `${at}.status is passed or failed`);
  need(typeof t.output === "string", `${at}.output is a string`);
  need(vis.includes(t.visibility), `${at}.visibility is one of Gradescope's`);
  need(t.number === undefined || typeof t.number === "string", `${at}.number is a string`);
  need((t.status === "passed") === (t.score === t.max_score && t.extra_data.status === "pass"), `${at} status agrees with its score`);
  sum += t.score; hidden += t.visibility === "after_due_date";
});
need(sum === r.score && r.score === +total, `score ${r.score} = sum of tests ${sum} = ${total}`);
need(hidden > 0, "some tests are hidden until after the due date");
need(tests.some(t => /crashed/.test(t.output)), "a crash is explained in a test's output");
if (problems.length) { console.log(problems.join("\n")); process.exit(1); }
JS
[ -z "$second" ] || grep -q '<b>&amp;</b>' "$tmp/out.gradescope" || bad "the compiler's message is not in results.json as it was written"

# JUnit: well-formed, a testcase per row, a failure or error per row that did not pass.
xmllint --noout "$tmp/out.junit" || bad "the JUnit XML is not well-formed"
[ "$(grep -c '<testcase ' "$tmp/out.junit")" = "$nrows" ] || bad "JUnit: not one testcase per row"
[ "$(grep -cE '<(failure|error) ' "$tmp/out.junit")" = $((nrows - npass)) ] || bad "JUnit: not one failure per test that did not pass"

# TAP: the plan, one line per test, the total.
grep -qx "1..$nrows" "$tmp/out.tap" || bad "TAP: no plan 1..$nrows"
[ "$(grep -cE '^ok [0-9]+ ' "$tmp/out.tap")" = "$npass" ] || bad "TAP: not one 'ok' per test that passed"
[ "$(grep -cE '^not ok [0-9]+ ' "$tmp/out.tap")" = $((nrows - npass)) ] || bad "TAP: not one 'not ok' per test that did not pass"
grep -qx "# total: $total/$max points" "$tmp/out.tap" || bad "TAP: no total $total/$max"
grep -q "^total: $total/$max points" "$tmp/out.text" || bad "text: no total $total/$max"

# 3. Stopped half-way: the earlier results stay, what was known goes to .partial.
loop=$tmp/loop
mkdir -p "$loop"
bash tests/hostile/assemble.sh tests/hostile/ch1/infinite_loop.c >"$loop/ch1.c" || bad "cannot assemble tests/hostile/ch1/infinite_loop.c"
cp "$tmp/out.gradescope" "$tmp/good.json"
cp "$tsv" "$tmp/good.tsv"
GRADE_DIR=$tmp/g-mixed FORMAT=gradescope OUT=$tmp/good.json bash tools/grade/grade.sh "$loop" 1 >"$tmp/stop.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
    pgrep -f -- "check-ch1 --subject" >/dev/null && break
    sleep 0.1
done
sleep 0.5
# A second grading into the folder of one that runs is refused, and
# changes nothing there.
GRADE_DIR=$tmp/g-mixed bash tools/grade/grade.sh "$tmp/reference" 1 >"$tmp/second.log" 2>&1
status=$?
[ $status = 2 ] && grep -q "g-mixed: another grading is writing there" "$tmp/second.log" ||
    { bad "a second grading into a folder in use exited $status, not 2 saying so:"; cat "$tmp/second.log"; }
# A folder whose lock cannot be opened (a folder in its place: root writes
# anywhere else) is one error that names the lock.
mkdir -p "$tmp/g-nolock/.lock"
GRADE_DIR=$tmp/g-nolock bash tools/grade/grade.sh "$tmp/reference" 1 >"$tmp/nolock.log" 2>&1
status=$?
[ $status = 2 ] && [ "$(wc -l <"$tmp/nolock.log")" = 1 ] && grep -q "g-nolock/.lock: cannot open it for writing" "$tmp/nolock.log" ||
    { bad "a GRADE_DIR whose lock cannot be opened: exit $status, not 2 with one line naming it:"; cat "$tmp/nolock.log"; }
kill -TERM "$pid"
wait "$pid"
status=$?
[ $status = 143 ] || bad "a grading stopped by SIGTERM exited $status, not 143"
cmp -s "$tmp/good.json" "$tmp/out.gradescope" || bad "the earlier results.json was overwritten by a stopped grading"
cmp -s "$tmp/good.tsv" "$tsv" || bad "the earlier results.tsv was overwritten by a stopped grading"
node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1])); if (!/STOPPED/.test(r.output) || !r.tests.length) process.exit(1)' "$tmp/good.json.partial" ||
    bad "no valid results.json.partial saying the grading was stopped"
[ -s "$tmp/g-mixed/results.partial.tsv" ] || bad "no results.partial.tsv"
grep -q 'INCOMPLETE' "$tmp/stop.log" || bad "a stopped grading does not say so"
left=$(left_behind '--zygote|check-ch1 --subject|wb-grade\.')
[ -z "$left" ] || { bad "processes left behind by the stopped grading:"; echo "$left"; }

# A stopped grading ends its own chapters' jobs and nothing else: not the
# process group of a stranger that took the number of a chapter's job that
# had ended. In a pid namespace of its own (no other process there takes
# pids, and root may choose the next one: ns_last_pid), chapter 2 (the stub)
# is graded first and ends; a stranger is given its job's number; then
# chapter 1 loops and the grading is stopped. The stranger must live.
reuse=$tmp/reuse
mkdir -p "$reuse"
cp "$loop/ch1.c" "$reuse/ch1.c"
git show HEAD:exercises/ch2.c >"$reuse/ch2.c" 2>/dev/null || cp exercises/ch2.c "$reuse/ch2.c"
pid_reuse=$(cat <<'SCRIPT'
tmp=$1 reuse=$2
fail() { echo "FAIL: $*"; }
GRADE_JOBS=1 GRADE_DIR=$tmp/g-reuse bash tools/grade/grade.sh "$reuse" 2 1 >"$tmp/reuse.log" 2>&1 &
pid=$!
# the grader's children that lead a process group, as they come: each
# chapter's job for seconds, a command substitution for an instant
for _ in $(seq 2400); do
    ps -o pid=,pgid= --ppid "$pid" | awk '$1 == $2 { print $1 }' >>"$tmp/leaders"
    pgrep -f -- "check-ch[1] --subject" >/dev/null && break  # [1]: not this script's own text
    sleep 0.05
done
sleep 0.5
running=$(ps -o pid=,pgid= --ppid "$pid" | awk '$1 == $2 { print $1; exit }')
# chapter 2's job: the leader seen most often, but for chapter 1's
ended=$(grep -vx "${running:-none}" "$tmp/leaders" | sort | uniq -c | sort -rn | awk 'NR == 1 && $1 > 1 { print $2 }')
stranger=
if [ -z "$ended" ] || [ "$ended" = "$running" ]; then
    fail "pid reuse: did not see chapter 2's job end before chapter 1's ran (saw '$ended', then '$running')"
else
    # until the last process of its group has gone; each miss lives on to the
    # namespace's end (killed at once, before its exec, it would still be a
    # copy of this shell)
    for _ in $(seq 100); do
        echo $((ended - 1)) >/proc/sys/kernel/ns_last_pid || break
        setsid sleep 300 </dev/null >/dev/null 2>&1 &
        [ "$!" = "$ended" ] && { stranger=$!; break; }
        sleep 0.1
    done
    [ -n "$stranger" ] || fail "pid reuse: could not start a process as pid $ended"
    # until it leads its own process group (setsid), as the grader's job did
    for _ in $(seq 600); do
        [ -z "$stranger" ] || [ "$(ps -o pgid= -p "$stranger" | tr -d ' ')" = "$stranger" ] && break
        sleep 0.05
    done
fi
kill -TERM "$pid"
wait "$pid"
status=$?
[ $status = 143 ] || { fail "pid reuse: the stopped grading exited $status, not 143:"; tail -n 5 "$tmp/reuse.log"; }
[ -z "$stranger" ] || ps -o stat= -p "$stranger" | grep -qv '^Z' ||  # alive, not a zombie
    fail "a stopped grading signalled a process group not its own (pid $stranger, once its chapter 2 job's)"
SCRIPT
)
if [ "$(id -u)" = 0 ] && unshare --pid --fork --mount-proc true 2>/dev/null; then
    out=$(unshare --pid --fork --mount-proc bash -c "$pid_reuse" - "$tmp" "$reuse" 2>&1)
    if grep -q 'FAIL' <<<"$out"; then echo "$out"; fail=1; fi
else
    echo "note: the pid-reuse check needs root and a pid namespace (unshare --pid); not run"
fi

# 4. Cheats get nothing: including the reference through a relative path
# (the compiler's sandbox has no workbook), a link to it (refused: it leads
# out of the submission), calling the renamed reference the hidden tests link
# with (refused: not a call an exercise may make).
cheat() {  # cheat NAME: grades $tmp/cheat/NAME (its chapter 1): every test 0 points, as STATUS
    GRADE_DIR=$tmp/g-cheat bash tools/grade/grade.sh "$tmp/cheat/$1" 1 >"$tmp/cheat-$1.log" 2>&1 || bad "cheat $1: grade.sh exited $?"
    rows "$tmp/g-cheat/results.tsv" | awk -v st="$2" '$3 != st || $4 != 0' | grep -q . &&
        { bad "cheat $1: not $2 with 0 points:"; grep -m3 -E 'ch  |^1 ' "$tmp/cheat-$1.log"; }
    [ -z "$(leaks "$tmp/cheat-$1.log" "$tmp/g-cheat/results.tsv")" ] || bad "cheat $1: its report shows lines of the reference"
}
mkdir -p "$tmp/cheat/include" "$tmp/cheat/link/exercises" "$tmp/cheat/call" "$tmp/cheat/werror"
printf '#include "../solutions/ch1.c"\n#include "../../../solutions/ch1.c"\n' >"$tmp/cheat/include/ch1.c"
cheat include compile
ln -s "$PWD/solutions/ch1.c" "$tmp/cheat/link/exercises/ch1.c"
cheat link refused
sed 's/^void zscore(double \*z, const double \*x, int n) {$/void ref_zscore(double *z, const double *x, int n);\nvoid zscore(double *z, const double *x, int n) {\n    ref_zscore(z, x, n);\n    return;/' \
    "$tmp/reference/ch1.c" >"$tmp/cheat/call/ch1.c"
grep -q 'ref_zscore(z, x, n)' "$tmp/cheat/call/ch1.c" || bad "cheat call: could not make it"
cheat call refused
# WERROR=1: the instructor's choice to make a warning fatal.
{ cat "$tmp/reference/ch1.c"; printf 'static int unused_helper(void) { int never_used; return 0; }\n'; } >"$tmp/cheat/werror/ch1.c"
WERROR=1 cheat werror compile

# 5. MIN_POINTS: the exit status.
GRADE_DIR=$tmp/g-min MIN_POINTS=full bash tools/grade/grade.sh "$tmp/reference" 1 >/dev/null 2>&1 ||
    bad "the reference with MIN_POINTS=full exited $?"
GRADE_DIR=$tmp/g-min MIN_POINTS=1 bash tools/grade/grade.sh "$tmp/stubs" 1 >/dev/null 2>&1
[ $? = 1 ] || bad "the stubs with MIN_POINTS=1 should exit 1"

# 6. grade-all: one row each, whatever the submission (on the first two chapters: enough).
subs=$tmp/subs
mkdir -p "$subs"/{ref,stubs,hostile,empty,nested/upload/exercises,'odd, "name"',copycat}
cp "$tmp/reference"/*.c "$subs/ref/"
cp "$tmp/stubs"/exercises/*.c "$subs/stubs/"
bash tests/hostile/assemble.sh tests/hostile/ch1/segfault.c >"$subs/hostile/ch1.c" || bad "cannot assemble tests/hostile/ch1/segfault.c"
cp "$tmp/reference"/*.c "$subs/nested/upload/exercises/"
cp "$tmp/reference"/*.c "$subs/odd, \"name\"/"
printf '#include "../ref/ch1.c"\n' >"$subs/copycat/ch1.c"
GRADE_ALL_DIR=$tmp/all GRADEBOOK=$tmp/gradebook.csv bash tools/grade/grade-all.sh "$subs" "${graded[@]:0:2}" >"$tmp/all.log" 2>&1 ||
    { bad "grade-all exited $?"; cat "$tmp/all.log"; }
book=$tmp/gradebook.csv
cat "$book"
[ "$(wc -l <"$book")" = 8 ] || bad "the gradebook should have a header and 7 rows"
row() { grep -m1 "^$1," "$book"; }
full=$(row ref | awk -F, '{ print $(NF - 2) "/" $(NF - 1) }')
[[ $full =~ ^([0-9]+)/([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] || bad "ref: not full marks ($full)"
[ "$(row nested | cut -d, -f2-)" = "$(row ref | cut -d, -f2-)" ] || bad "a submission one folder down is not graded like the same files at the top"
grep -q '^"odd, ""name""",' "$book" || bad "a name with a comma and quotes is not quoted in the CSV"
for s in stubs empty copycat; do
    [ "$(row $s | awk -F, '{ print $(NF - 2) }')" = 0 ] || bad "$s: should score 0"
done
h=$(row hostile | awk -F, '{ print $2 }')
[ -n "$h" ] && [ "$h" -gt 0 ] || bad "hostile: its chapter 1 should be graded, not zero ($h)"
[ "$(grep -c ',ok$' "$book")" = 7 ] || bad "every grading should be complete (status ok)"

# grade-all is fair: an honest submission beside the worst of tests/hostile/
# scores what it scores alone, test for test.
fair=$tmp/fair
mkdir -p "$fair/honest"
cp "$tmp/reference/ch1.c" "$fair/honest/"
for h in daemon forkloop bigalloc forge_verdict append_results; do
    mkdir -p "$fair/$h"
    HOSTILE_DEFINES="#define HOSTILE_RESULTS \"$tmp/fair-side/$h\"" \
        bash tests/hostile/assemble.sh "tests/hostile/ch1/$h.c" >"$fair/$h/ch1.c" || bad "cannot assemble $h"
done
GRADE_ALL_DIR=$tmp/fair-side GRADEBOOK=$tmp/fair-side.csv bash tools/grade/grade-all.sh "$fair" 1 >"$tmp/fair-side.log" 2>&1 || true
rm -rf "$fair"/{daemon,forkloop,bigalloc,forge_verdict,append_results}
GRADE_ALL_DIR=$tmp/fair-alone GRADEBOOK=$tmp/fair-alone.csv bash tools/grade/grade-all.sh "$fair" 1 >"$tmp/fair-alone.log" 2>&1 ||
    { bad "grade-all of the honest submission alone exited $?"; cat "$tmp/fair-alone.log"; }
side=$(rows "$tmp/fair-side/honest/results.tsv" | awk '{ print $2, $3, $4 }')
alone=$(rows "$tmp/fair-alone/honest/results.tsv" | awk '{ print $2, $3, $4 }')
[ -n "$alone" ] && [ "$side" = "$alone" ] || { bad "the honest submission scored differently beside hostile ones:"; diff <(echo "$alone") <(echo "$side") | head; }
awk -F, 'NR > 1 && $NF != "ok"' "$tmp/fair-side.csv" | grep -q . && { bad "a grading beside hostile ones did not complete:"; cat "$tmp/fair-side.csv"; }

# 7. Gradescope: run_autograder in a folder laid out as Gradescope's, on the
# reference and on a hostile submission.
for who in reference hostile; do
    ag=$tmp/autograder-$who
    mkdir -p "$ag/submission" "$ag/results"
    ln -s "$PWD" "$ag/source"
    if [ $who = reference ]; then cp "$tmp/reference"/*.c "$ag/submission/"
    else bash tests/hostile/assemble.sh tests/hostile/ch1/forge_verdict.c >"$ag/submission/ch1.c"; fi
    AUTOGRADER_ROOT=$ag GRADE_DIR=$tmp/g-autograder-$who GRADE_MAKE=1 \
        bash tools/grade/gradescope/run_autograder >"$tmp/autograder-$who.log" 2>&1 || bad "run_autograder ($who) exited $?"
    node - "$ag/results/results.json" "$who" <<'JS' || { bad "run_autograder ($who): results.json is not right"; tail -n 20 "$tmp/autograder-$who.log"; }
const [file, who] = process.argv.slice(2);
const r = JSON.parse(require("fs").readFileSync(file, "utf8"));
const max = r.tests.reduce((s, t) => s + t.max_score, 0);
const bad = [];
if (!/Isolation: (bwrap|uid|none)/.test(r.output)) bad.push("no isolation in output");
if (who === "reference" && r.score !== max) bad.push(`reference: ${r.score}/${max}`);
if (who === "hostile") {
  const lost = r.tests.filter(t => /zscore/.test(t.name) && t.score > 0);
  if (lost.length) bad.push("the forged verdict earned points: " + lost.map(t => t.name).join(", "));
  if (r.score >= max || r.score <= 0) bad.push(`hostile: ${r.score}/${max}`);
}
if (bad.length) { console.log(bad.join("\n")); process.exit(1); }
JS
done
left=$(left_behind '--zygote|wb-grade\.')
[ -z "$left" ] || { bad "processes left behind:"; echo "$left"; }

[ $fail = 0 ] && echo "instructor grading: hidden tests of chapters ${hidden[*]}, 4 formats, a stopped grading, cheats, MIN_POINTS, grade-all of 7 and its fairness, run_autograder: all as expected"
exit $fail
