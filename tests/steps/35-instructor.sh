#!/usr/bin/env bash
# The instructor's grading, end to end (tools/grade.sh, tools/grade-report.c,
# tools/grade-all.sh, the hidden tests):
#  - hidden tests: every graded chapter with a reference solution has them
#    (tests/hidden/chN/), and each gives the reference full marks on three
#    seeds and the committed stubs zero, every hidden test "todo";
#  - formats: one submission whose chapter 1 crashes in some tests, whose
#    next chapter does not compile (with quotes, markup, control bytes and
#    broken UTF-8 in the compiler's message), the next the reference, any
#    further one missing, written as Gradescope JSON
#    (parsed by node, its fields and types checked against Gradescope's
#    schema, hidden tests after_due_date), JUnit XML (xmllint), TAP and text,
#    all with the same points;
#  - a grading stopped half-way keeps the earlier good results and writes
#    what it knew to OUT.partial and results.partial.tsv;
#  - cheats are refused: including the reference, a link to it, calling the
#    renamed reference that hidden tests link with;
#  - MIN_POINTS sets the exit status;
#  - grade-all grades a folder (the reference, the stubs, a hostile one, an
#    empty one, one nested a folder down, one with a comma and a quote in its
#    name, one that #includes another's file) into one gradebook row each.
# exercises/ is never touched: submissions are copies in a temporary folder.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
export BUILD=${BUILD:-build}
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
targets=("$BUILD/libworkbook.a" "$BUILD/obj/tests/graded_main.o" "$BUILD/bin/grade-report")
hidden=()
for n in "${graded[@]}"; do
    targets+=("$BUILD/bin/check-ch$n-solutions")
    for t in tests/ch"$n"/*.c; do targets+=("$BUILD/obj/${t%.c}.o"); done
    if compgen -G "tests/hidden/ch$n/*.c" >/dev/null; then
        hidden+=("$n") targets+=("$BUILD/bin/hidden-ch$n-solutions")
    fi
done
make -s --no-print-directory "${targets[@]}" >/dev/null || { echo "FAIL: cannot build the grader"; exit 1; }
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

# rows TSV: "chapter test status points visibility" lines
rows() { awk -F'\t' 'NR > 1 { print $1, $2, $3, $4, $9 }' "$1"; }

# 1. Hidden tests: the reference full (seed 1 graded, two more run directly),
# the stubs zero.
GRADE_DIR=$tmp/g-ref bash tools/grade.sh "$tmp/reference" "${hidden[@]}" >"$tmp/ref.log" 2>&1 ||
    bad "grading the reference exited $?"
for n in "${hidden[@]}"; do
    got=$(rows "$tmp/g-ref/results.tsv" | awk -v n="$n" '$1 == n && $5 == "after_due_date"')
    [ -n "$got" ] || bad "chapter $n: no hidden rows in the reference's grading"
    notpass=$(awk '$3 != "pass"' <<<"$got")
    [ -z "$notpass" ] || { bad "chapter $n: the reference does not pass its hidden tests:"; echo "$notpass"; grep -i hidden "$tmp/ref.log" | head; }
    # other seeds, other cases: the reference linked with itself, directly
    for seed in 7 4242; do
        "$BUILD/bin/hidden-ch$n-solutions" --seed $seed --expect full --quiet >"$tmp/seed.log" 2>&1 ||
            { bad "chapter $n: the reference fails its hidden tests with seed $seed:"; "$BUILD/bin/hidden-ch$n-solutions" --seed $seed | tail -n 8; }
    done
done
GRADE_DIR=$tmp/g-stubs bash tools/grade.sh "$tmp/stubs" "${hidden[@]}" >"$tmp/stubs.log" 2>&1 || bad "grading the stubs exited $?"
for n in "${hidden[@]}"; do
    got=$(rows "$tmp/g-stubs/results.tsv" | awk -v n="$n" '$1 == n && $5 == "after_due_date"')
    [ -n "$got" ] || bad "chapter $n: no hidden rows in the stubs' grading"
    nottodo=$(awk '$3 != "todo" || $4 != 0' <<<"$got")
    [ -z "$nottodo" ] || { bad "chapter $n: the stubs should be todo with 0 points on every hidden test:"; echo "$nottodo"; }
done

# 2. The formats, from one submission of every kind of chapter: chapter 1
# crashes in some tests (tests/hostile/ch1/abort.c), the next does not compile
# (the compiler repeats its line with quotes, markup, a control byte and bytes
# that are not UTF-8), the next is the reference, any further one is missing.
mixed=$tmp/mixed
mkdir -p "$mixed/exercises"
bash tests/hostile/assemble.sh tests/hostile/ch1/abort.c >"$mixed/exercises/ch1.c" || bad "cannot assemble tests/hostile/ch1/abort.c"
second=${graded[1]:-} third=${graded[2]:-}
[ -n "$second" ] &&
    printf '#error "<b>&amp;</b> \x27q\x27 \"dq\" ]]> \x01\x1b[31m \xff\xfe \xc3\xa9t\xc3\xa9 \\"\n' >"$mixed/exercises/ch$second.c"
[ -n "$third" ] && cp "solutions/ch$third.c" "$mixed/exercises/"

# One grading writes Gradescope's JSON; the other formats come from the same
# results by the same reporter, as grade.sh would write them.
GRADE_DIR=$tmp/g-mixed FORMAT=gradescope OUT=$tmp/out.gradescope bash tools/grade.sh "$mixed" "${graded[@]}" >"$tmp/mixed.log" 2>&1 ||
    bad "FORMAT=gradescope: grade.sh exited $?"
[ -s "$tmp/out.gradescope" ] || bad "FORMAT=gradescope: no $tmp/out.gradescope"
for format in text junit tap; do
    "$BUILD/bin/grade-report" --format $format "$tmp/g-mixed/results.tsv" >"$tmp/out.$format" || bad "grade-report --format $format failed"
done
tsv=$tmp/g-mixed/results.tsv
total=$(awk -F'\t' 'NR > 1 { p += $4 } END { print p + 0 }' "$tsv")
max=$(awk -F'\t' 'NR > 1 { p += $5 } END { print p + 0 }' "$tsv")
nrows=$(($(wc -l <"$tsv") - 1))
npass=$(awk -F'\t' 'NR > 1 && $3 == "pass"' "$tsv" | wc -l)
echo "the mixed submission: $total/$max points, statuses: $(awk -F'\t' 'NR > 1 { print $3 }' "$tsv" | sort | uniq -c | tr -s " \n" " ")"
awk -F'\t' 'NR > 1 && $1 == 1 && $3 == "crash"' "$tsv" | grep -q . || bad "chapter 1: no test crashed on abort()"
awk -F'\t' 'NR > 1 && $1 == 1 && $3 == "pass"' "$tsv" | grep -q . || bad "chapter 1: no test passed beside the crash"
if [ -n "$second" ]; then
    awk -F'\t' -v n="$second" 'NR > 1 && $1 == n && ($3 != "compile" || $4 != 0)' "$tsv" | grep -q . &&
        bad "chapter $second: every test should be 'compile' with 0 points"
    grep -q 'does not compile' "$tmp/out.text" || bad "the text report does not say chapter $second does not compile"
fi
if [ -n "$third" ]; then
    awk -F'\t' -v n="$third" 'NR > 1 && $1 == n && $3 != "pass"' "$tsv" | grep -q . &&
        bad "chapter $third (the reference) was not graded in full beside the others"
fi

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
GRADE_DIR=$tmp/g-mixed FORMAT=gradescope OUT=$tmp/good.json bash tools/grade.sh "$loop" 1 >"$tmp/stop.log" 2>&1 &
pid=$!
for _ in $(seq 40); do
    [ -e "$tmp/g-mixed/ch1/check-ch1" ] && break
    sleep 0.1
done
sleep 1
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
left=$(pgrep -af -- "$tmp/g-mixed/")
[ -z "$left" ] || { bad "processes left behind by the stopped grading:"; echo "$left"; }

# 4. Cheats, each refused with zero points: including the reference through
# the include path, a link to the reference, calling the renamed reference
# the hidden tests link with.
cheat() {  # cheat NAME: grades $tmp/cheat/NAME (its chapter 1), expects 'refused'
    GRADE_DIR=$tmp/g-cheat bash tools/grade.sh "$tmp/cheat/$1" 1 >"$tmp/cheat-$1.log" 2>&1 || bad "cheat $1: grade.sh exited $?"
    awk -F'\t' 'NR > 1 && ($3 != "refused" || $4 != 0)' "$tmp/g-cheat/results.tsv" | grep -q . &&
        { bad "cheat $1: not refused with 0 points:"; grep -m3 -E 'ch  |^1 ' "$tmp/cheat-$1.log"; }
}
mkdir -p "$tmp/cheat/include" "$tmp/cheat/link/exercises" "$tmp/cheat/call"
printf '#include "../solutions/ch1.c"\n' >"$tmp/cheat/include/ch1.c"
cheat include
ln -s "$PWD/solutions/ch1.c" "$tmp/cheat/link/exercises/ch1.c"
cheat link
sed 's/^void zscore(double \*z, const double \*x, int n) {$/void ref_zscore(double *z, const double *x, int n);\nvoid zscore(double *z, const double *x, int n) {\n    ref_zscore(z, x, n);\n    return;/' \
    "$tmp/reference/ch1.c" >"$tmp/cheat/call/ch1.c"
grep -q 'ref_zscore(z, x, n)' "$tmp/cheat/call/ch1.c" || bad "cheat call: could not make it"
cheat call

# 5. MIN_POINTS: the exit status.
GRADE_DIR=$tmp/g-min MIN_POINTS=full bash tools/grade.sh "$tmp/reference" 1 >/dev/null 2>&1 ||
    bad "the reference with MIN_POINTS=full exited $?"
GRADE_DIR=$tmp/g-min MIN_POINTS=1 bash tools/grade.sh "$tmp/stubs" 1 >/dev/null 2>&1
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
GRADE_ALL_DIR=$tmp/all GRADEBOOK=$tmp/gradebook.csv bash tools/grade-all.sh "$subs" "${graded[@]:0:2}" >"$tmp/all.log" 2>&1 ||
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
grep -q 'refused' "$tmp/all/copycat/results.tsv" || bad "copycat: including another submission's file should be refused"
[ "$(grep -c ',ok$' "$book")" = 7 ] || bad "every grading should be complete (status ok)"

[ $fail = 0 ] && echo "instructor grading: hidden tests of chapters ${hidden[*]}, 4 formats, a stopped grading, MIN_POINTS, grade-all of 7: all as expected"
exit $fail
