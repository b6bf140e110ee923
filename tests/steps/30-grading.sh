#!/usr/bin/env bash
# The grader grades right and cannot be fooled:
#  - the reference solutions of every chapter get full marks;
#  - the committed stubs get zero, every test "todo" (exercises/ is never touched);
#  - each hostile submission in tests/hostile/chN/ (see tests/hostile/hostile.h;
#    tests/hostile/assemble.sh builds it from the reference and the one
#    function the file replaces) loses exactly the tests that reach its
#    misbehaviour, with the status its "expect:" line names and a message its
#    "says:" line matches, while every other test passes and tools/grade.sh
#    finishes with status 0 and leaves no process behind;
#  - the environment cannot weaken the runner: with CK_FORK=no and Check's
#    timeout variables set, a hostile test still ends the same way, in time.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
export BUILD=${BUILD:-build}
CHAPTERS=${CHAPTERS:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# Build once here, so that the gradings below can run side by side without make.
targets=("$BUILD/libworkbook.a" "$BUILD/obj/tests/graded_main.o")
chapters=()
for n in $CHAPTERS; do
    if compgen -G "tests/ch$n/*.c" >/dev/null; then
        chapters+=("$n") targets+=("$BUILD/bin/check-ch$n-solutions")
    else
        bad "chapter $n has no graded suite (tests/ch$n/*.c)"
    fi
done
make -s --no-print-directory "${targets[@]}" >/dev/null || { echo "FAIL: cannot build the grader"; exit 1; }
export GRADE_MAKE=0

# 1. The reference solutions: full marks.
for n in "${chapters[@]}"; do
    timeout 300 "$BUILD/bin/check-ch$n-solutions" --expect full --quiet >"$tmp/out" 2>&1 || {
        bad "check-ch$n-solutions does not get full marks:"
        "$BUILD/bin/check-ch$n-solutions" 2>&1 | tail -n 40
    }
done

# 2. The stubs as committed (a student's edits in exercises/ do not count): zero.
mkdir -p "$tmp/stubs/exercises"
in_git=0
git rev-parse --is-inside-work-tree >/dev/null 2>&1 && in_git=1
for n in "${chapters[@]}"; do
    if [ $in_git = 1 ] && git ls-files --error-unmatch "exercises/ch$n.c" >/dev/null 2>&1; then
        git show "HEAD:exercises/ch$n.c" >"$tmp/stubs/exercises/ch$n.c"
    else
        cp "exercises/ch$n.c" "$tmp/stubs/exercises/ch$n.c"
    fi
done
if [ ${#chapters[@]} -gt 0 ]; then
    GRADE_DIR=$tmp/g-stubs bash tools/grade.sh "$tmp/stubs" "${chapters[@]}" >"$tmp/stubs.log" 2>&1 ||
        { bad "grade.sh on the stubs exited $?"; cat "$tmp/stubs.log"; }
    for n in "${chapters[@]}"; do
        runner=$tmp/g-stubs/ch$n/check-ch$n
        if [ ! -x "$runner" ]; then
            bad "the stubs of chapter $n were not built:"; cat "$tmp/stubs.log"; continue
        fi
        "$runner" --expect zero --quiet >/dev/null 2>&1 || bad "the stubs of chapter $n score above zero"
        notodo=$(awk -F'\t' -v n="$n" 'NR > 1 && $1 == n && $3 != "todo" { print $2 " (" $3 ")" }' \
                 "$tmp/g-stubs/results.tsv")
        [ -z "$notodo" ] || bad "stubs of chapter $n: not 'todo': $notodo"
    done
fi

# 3. Hostile submissions, each graded as it is and as its probe, a few at a time.
export GRADE_TIMEOUT=2
hostile=()
for n in "${chapters[@]}"; do
    for f in tests/hostile/ch"$n"/*.c; do [ -e "$f" ] && hostile+=("$n:$f"); done
done
[ ${#hostile[@]} -gt 0 ] || bad "no hostile submissions in tests/hostile/"
grade_bg() {  # grade_bg NAME CHAPTER: grades $tmp/sub/NAME into $tmp/g/NAME, in the background
    while [ "$(jobs -rp | wc -l)" -ge 6 ]; do wait -n; done
    (GRADE_DIR=$tmp/g/$1 bash tools/grade.sh "$tmp/sub/$1" "$2" >"$tmp/g/$1.log" 2>&1
     echo $? >"$tmp/g/$1.status") &
}
mkdir -p "$tmp/g"
assembled=()
for h in "${hostile[@]}"; do
    n=${h%%:*} f=${h#*:} name=ch${h%%:*}-$(basename "${h#*:}" .c)
    mkdir -p "$tmp/sub/$name" "$tmp/sub/$name.probe"
    if ! bash tests/hostile/assemble.sh "$f" >"$tmp/sub/$name/ch$n.c" ||
        ! bash tests/hostile/assemble.sh --probe "$f" >"$tmp/sub/$name.probe/ch$n.c"; then
        bad "$f: tests/hostile/assemble.sh cannot build its submission"; continue
    fi
    assembled+=("$h")
    grade_bg "$name" "$n"
    grep -q '^// expect: compile$' "$f" || grade_bg "$name.probe" "$n"
done
wait

# Row fields of a results.tsv as "test status points" lines, for chapter $2.
rows() { awk -F'\t' -v n="$2" 'NR > 1 && $1 == n { print $2, $3, $4 }' "$1" 2>/dev/null; }

# Messages of the tests of chapter $2 whose status matches $3, as "test: message" lines.
messages() { awk -F'\t' -v n="$2" -v st="^($3)\$" 'NR > 1 && $1 == n && $3 ~ st { print $2 ": " $6 }' "$1" 2>/dev/null; }

for h in "${assembled[@]}"; do
    n=${h%%:*} f=${h#*:} name=ch${h%%:*}-$(basename "${h#*:}" .c)
    expect=$(sed -n 's|^// expect: *||p' "$f" | head -n 1)
    [ -n "$expect" ] || { bad "$f has no '// expect: STATUS' line"; continue; }
    says=$(sed -n 's|^// says: *||p' "$f" | head -n 1)
    [ -n "$says" ] || { bad "$f has no '// says: WORDS' line (what the report must say, a regex)"; continue; }
    status=$(cat "$tmp/g/$name.status" 2>/dev/null)
    results=$tmp/g/$name/results.tsv
    if [ "$status" != 0 ] || [ ! -s "$results" ]; then
        bad "$name: grade.sh exited ${status:-?} or wrote no results:"; tail -n 20 "$tmp/g/$name.log"; continue
    fi
    problems=
    if [ "$expect" = compile ]; then
        problems=$(rows "$results" "$n" | awk '$2 != "compile" || $3 != 0 { print "  " $0 }')
        [ "$(rows "$results" "$n" | wc -l)" -gt 0 ] || problems="  no rows"
    else
        probe=$tmp/g/$name.probe/results.tsv
        todo=$(rows "$probe" "$n" | awk '$2 == "todo" { print $1 }' | tr '\n' ' ')
        other=$(rows "$probe" "$n" | awk '$2 != "todo" && $2 != "pass" { print $1 " " $2 }')
        if [ -z "$todo" ] || [ -n "$other" ]; then
            bad "$name: its probe should make some tests todo and pass the rest, got:"
            rows "$probe" "$n" | sed 's/^/  /'; tail -n 5 "$tmp/g/$name.probe.log"; continue
        fi
        [ "$(rows "$results" "$n" | wc -l)" = "$(rows "$probe" "$n" | wc -l)" ] || problems="  rows differ from the probe's"
        problems+=$(rows "$results" "$n" | awk -v lose=" $todo" -v expect="^($expect)\$" '
            { reached = index(lose, " " $1 " ") > 0 }
            reached && ($2 !~ expect || $3 != 0) { print "  " $1 ": expected " expect ", got " $2 " " $3 }
            !reached && $2 != "pass" { print "  " $1 ": should pass (it does not reach the misbehaviour), got " $2 }')
    fi
    # Each test it cost says so in the words the file promises.
    problems+=$(messages "$results" "$n" "$expect" | awk -v says="$says" '
        { msg = substr($0, index($0, ": ") + 2) }
        msg !~ says { print "  " $0 "\n    (the message should match: " says ")" }')
    if [ -n "$problems" ]; then
        bad "$name (expect: $expect):"; echo "$problems"
        sed 's/^/    /' "$tmp/g/$name.log" | head -n 30
    fi

    # The same test with the environment trying to weaken the runner: no fork
    # mode, long timeouts. It must end the same way, within its 1 s.
    first=$(rows "$results" "$n" | awk '$2 != "pass" { print $1; exit }')
    runner=$tmp/g/$name/ch$n/check-ch$n
    if [ -n "$first" ] && [ -x "$runner" ]; then
        start=$(date +%s)
        (cd "$tmp/g/$name" && CK_FORK=no CK_DEFAULT_TIMEOUT=1000 CK_TIMEOUT_MULTIPLIER=1000 GRADE_TIMEOUT=1 \
            timeout 30 "$runner" --only "$first" --tsv env.tsv >env.log 2>&1)
        took=$(($(date +%s) - start))
        got=$(rows "$tmp/g/$name/env.tsv" "$n" | awk '{ print $2 }')
        if ! [[ $got =~ ^($expect)$ ]] || [ "$took" -gt 8 ]; then
            bad "$name: with CK_FORK=no and long Check timeouts, $first gave '${got:-nothing}' in ${took} s"
            head -n 20 "$tmp/g/$name/env.log"
        fi
    fi
done

# Nothing a hostile test started may outlive its grading.
left=$(pgrep -af -- "$tmp/")
if [ -n "$left" ]; then
    bad "processes left behind by the graded tests:"; echo "$left"
    while read -r pid _; do kill -9 "$pid" 2>/dev/null; done <<<"$left"
fi

[ $fail = 0 ] && echo "grading: ${#chapters[@]} chapter(s), ${#hostile[@]} hostile submissions, all as expected"
exit $fail
