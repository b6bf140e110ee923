#!/usr/bin/env bash
# grade.sh SUBMISSION [CH...]: grades a submission, chapter by chapter, and
# reports tests, statuses and points in the format a person or a course tool
# reads.
#
#   make grade SUBMISSION=dir CH="1 2" FORMAT=gradescope OUT=results.json
#
# A submission is a folder holding exercises/chN.c or chN.c, at its top or a
# few folders down (an uploaded folder, an unpacked zip). Each chapter's file
# is compiled with the Makefile's own flags into a private folder under
# $GRADE_DIR (default $BUILD/grade), linked with that chapter's graded tests
# and tests/graded_main.c, and run there; the runner forks, limits and times
# each test (see tests/graded_main.c). When the workbook has hidden tests for
# the chapter (tests/hidden/chN/, instructors only), the file is also linked
# with them and with the reference solutions renamed ref_NAME (see
# tests/hidden/hidden.h), and run the same way. A file that is missing, does
# not compile or does not link scores zero on that chapter, with the
# compiler's message, and the other chapters are still graded. Nothing in the
# submission folder is written.
#
# The result model: $GRADE_DIR/results.tsv, one row per test,
#
#   chapter  test  status  points  max_points  message  output  description  visibility
#
# status is pass, fail, todo, crash, timeout, exit, memory, cpu, output or error
# (from the runner), or missing, compile or refused (from here); visibility is
# visible, or after_due_date for hidden tests (their output is never kept: it
# could show their inputs). tools/grade-report.c writes the formats from it.
#
# Results are always written, and a good one is never lost: results.tsv and
# OUT are replaced whole, and only by a complete grading. A grading stopped
# half-way (SIGTERM, SIGINT, SIGHUP, or a grader that cannot run) writes what
# it knew to results.partial.tsv and OUT.partial instead, the chapters it did
# not reach scored zero with status error, and says so on stderr.
#
# Environment (the Makefile passes its variables of the same names):
#   FORMAT      text (default) | gradescope | junit | tap
#   OUT         write the report in FORMAT to this file (the text table still
#               goes to stdout); without OUT, FORMAT goes to stdout
#   MIN_POINTS  n | full: exit 1 unless the submission scores at least that
#   HIDDEN      0: the public tests only
#   GRADE_SEED  the seed of the randomized tests (default 1)
#   BUILD (build), GRADE_DIR ($BUILD/grade), GRADE_TIMEOUT (lower the per-test
#   limit of 10 s), GRADE_MAKE=0 (the build is known to be up to date: skip
#   make, as grade-all and the test steps do), GRADE_FORBID (a folder whose
#   files a submission may not #include: grade-all's folder of submissions)
#
# Exit status: 0 when the grading ran, however badly the submission did; 1
# when MIN_POINTS was not met; 2 when the grader could not run; 128+N when
# stopped by signal N.
set -uo pipefail

die() { echo "grade: $*" >&2; exit 2; }

caller=$PWD
root=$(cd "$(dirname "$0")/.." && pwd -P)
FORMAT=${FORMAT:-text}
OUT=${OUT:-}
MIN_POINTS=${MIN_POINTS:-}
HIDDEN=${HIDDEN:-1}
GRADE_SEED=${GRADE_SEED:-1}
case $FORMAT in text | gradescope | junit | tap) ;; *) die "FORMAT=$FORMAT: use text, gradescope, junit or tap" ;; esac
[[ -z $MIN_POINTS || $MIN_POINTS == full || $MIN_POINTS =~ ^[0-9]+$ ]] ||
    die "MIN_POINTS=$MIN_POINTS: use a number of points or 'full'"
[[ $GRADE_SEED =~ ^[0-9]+$ ]] || die "GRADE_SEED=$GRADE_SEED: use a whole number"
[ -z "$OUT" ] || [[ $OUT == /* ]] || OUT=$caller/$OUT
[ -z "$OUT" ] || [ -d "$(dirname "$OUT")" ] || die "OUT=$OUT: no folder $(dirname "$OUT")"

sub_arg=${1:-.}
[ $# -gt 0 ] && shift
[ -d "$sub_arg" ] || die "no folder $sub_arg to grade"
sub=$(cd "$sub_arg" && pwd -P)
forbid=
[ -n "${GRADE_FORBID:-}" ] && [ -d "$GRADE_FORBID" ] && forbid=$(cd "$GRADE_FORBID" && pwd -P)
cd "$root" || die "cannot enter $root"

BUILD=${BUILD:-build}
OBJ=$BUILD/obj
BIN=$BUILD/bin
GRADE_DIR=${GRADE_DIR:-$BUILD/grade}
REPORT=$BIN/grade-report

# The chapters, as the Makefile finds them: the folders with a program.
all_chapters=()
for d in chapters/[0-9][0-9]-*/main.c; do
    [ -e "$d" ] || continue
    n=${d#chapters/}; n=${n%%-*}; all_chapters+=("$((10#$n))")
done
chapters=()
for n in "$@"; do
    [[ $n =~ ^[0-9]+$ ]] && compgen -G "chapters/$(printf %02d "$((10#$n))")-*/main.c" >/dev/null ||
        die "no chapter $n here (the chapters are ${all_chapters[*]})"
    chapters+=("$((10#$n))")
done
# Without a list, the chapters that have graded tests (a chapter still being
# written has none yet); a chapter asked for by name without them scores zero.
if [ ${#chapters[@]} -eq 0 ]; then
    for n in "${all_chapters[@]}"; do compgen -G "tests/ch$n/*.c" >/dev/null && chapters+=("$n"); done
    [ ${#chapters[@]} -gt 0 ] || die "no chapter has graded tests (tests/chN/) here"
fi

mkdir -p "$GRADE_DIR" || die "cannot make $GRADE_DIR"
rows=$(mktemp "$GRADE_DIR/rows.XXXXXX") || die "cannot write in $GRADE_DIR"
start=$SECONDS
child=       # the command the grader is waiting for
current=     # the chapter being graded
declare -A graded=() hidden_ok=()

# ---------------------------------------------------------------------------
# Rows

# A TSV field: backslash, tab and newline escaped as the runner does.
escape() {
    sed -e 's/\\/\\\\/g' -e 's/\t/\\t/g' -e 's/\r/\\r/g' | awk 'BEGIN { ORS = "" } { if (NR > 1) print "\\n"; print }'
}

# The tests of chapter $1 as "name<TAB>points<TAB>what" lines: $2 = public
# (from the reference's build, or the stubs' in a student copy) or hidden.
list_tests() {
    local b bins=("$BIN/check-ch$1-solutions" "$BIN/check-ch$1-exercises")
    [ "$2" = hidden ] && bins=("$BIN/hidden-ch$1-solutions")
    for b in "${bins[@]}"; do
        [ -x "$b" ] && "$b" --list 2>/dev/null && return 0
    done
    return 1
}

# Every test of chapter $1 (the hidden ones too, when they run) scores zero,
# with status $2 and message $3, appended to file $4; $5 = "public" or
# "hidden" for those alone.
zero_chapter() {
    local n=$1 status=$2 msg name points what kind vis found
    msg=$(printf '%s' "$3" | escape)
    for kind in ${5:-public hidden}; do
        [ "$kind" = hidden ] && [ -z "${hidden_ok[$n]:-}" ] && continue
        vis=visible; [ "$kind" = hidden ] && vis=after_due_date
        found=0
        while IFS=$'\t' read -r name points what; do
            printf '%s\t%s\t%s\t0\t%s\t%s\t\t%s\t%s\n' "$n" "$name" "$status" "$points" "$msg" \
                "$(printf '%s' "$what" | escape)" "$vis" >>"$4"
            found=1
        done < <(list_tests "$n" "$kind")
        [ $found = 1 ] || printf '%s\t(all %s tests)\t%s\t0\t0\t%s\t\t\t%s\n' "$n" "$kind" "$status" "$msg" "$vis" >>"$4"
    done
}

# The runner's rows (its TSV less the header), with their visibility; a hidden
# test's output is dropped.
runner_rows() {  # runner_rows TSV visibility
    awk -F'\t' -v OFS='\t' -v vis="$2" 'NR > 1 {
        while (NF < 8) $(NF + 1) = ""
        if (vis != "visible") $7 = ""
        print $1, $2, $3, $4, $5, $6, $7, $8, vis }' "$1"
}

# ---------------------------------------------------------------------------
# Finishing: the results and the report, whole or partial

# The chapter totals of a rows file, "points max".
sum_rows() { awk -F'\t' '{ p += $4; m += $5 } END { print p + 0, m + 0 }' "$1"; }

# Writes file $2 from command $1..., through a temporary name: whole or not at all.
write_whole() {
    local target=$1; shift
    local tmp="$target.tmp.$$"
    if "$@" >"$tmp" && mv -f "$tmp" "$target"; then return 0; fi
    rm -f "$tmp"
    echo "grade: cannot write $target" >&2
    return 1
}

header() { printf 'chapter\ttest\tstatus\tpoints\tmax_points\tmessage\toutput\tdescription\tvisibility\n'; }

# finish complete | finish partial REASON: writes the results and the report, exits.
finish() {
    local how=$1 reason=${2:-} n tsv target status=0 args sorted got max want
    trap '' TERM INT HUP
    if [ "$how" = partial ]; then
        for n in "${chapters[@]}"; do
            [ -n "${graded[$n]:-}" ] && continue
            # the chapter being graded keeps its public tests' results if
            # they were in when the grading stopped
            if [ -s "$GRADE_DIR/ch$n.rows" ]; then
                cat "$GRADE_DIR/ch$n.rows" >>"$rows"
                zero_chapter "$n" error "not graded: $reason" "$rows" hidden
            else
                zero_chapter "$n" error "not graded: $reason" "$rows"
            fi
        done
    fi
    # the rows in chapter order, whatever order they were finished in
    sorted=$(mktemp "$GRADE_DIR/sorted.XXXXXX") || die "cannot write in $GRADE_DIR"
    for n in "${chapters[@]}"; do awk -F'\t' -v n="$n" '$1 == n' "$rows" >>"$sorted"; done
    tsv=$GRADE_DIR/results.tsv
    [ "$how" = partial ] && tsv=$GRADE_DIR/results.partial.tsv
    write_whole "$tsv" cat <(header) "$sorted" || status=2
    [ "$how" = complete ] && [ $status = 0 ] && rm -f "$GRADE_DIR/results.partial.tsv"
    read -r got max < <(sum_rows "$sorted")
    args=(--title "$(basename "$sub")" --seconds $((SECONDS - start)))
    [ "$how" = partial ] && args+=(--partial "$reason")
    if [ -n "$OUT" ] && [ $status = 0 ]; then
        target=$OUT
        [ "$how" = partial ] && target=$OUT.partial
        write_whole "$target" "$REPORT" --format "$FORMAT" "${args[@]}" "$tsv" || status=2
        [ "$how" = complete ] && [ $status = 0 ] && rm -f "$OUT.partial"
    fi
    if [ -z "$OUT" ] && [ "$FORMAT" != text ]; then
        "$REPORT" --format "$FORMAT" "${args[@]}" "$tsv" || status=2
    else
        echo "grading $sub, chapter${chapters[1]+s} ${chapters[*]}"
        "$REPORT" --format text "${args[@]}" "$tsv" || status=2
        echo "results: $tsv${OUT:+, and $FORMAT in ${target:-$OUT}}"
    fi
    rm -f "$rows" "$sorted" "$GRADE_DIR"/ch*.rows
    if [ "$how" = partial ]; then
        echo "grade: INCOMPLETE: $reason. What was known is in $tsv${OUT:+ and $target}${OUT:+; $OUT was left as it was}" >&2
        exit "${exit_status:-2}"
    fi
    [ $status = 0 ] || exit 2
    if [ -n "$MIN_POINTS" ]; then
        want=$MIN_POINTS; [ "$want" = full ] && want=$max
        if [ "$got" -lt "$want" ]; then
            echo "grade: below the points needed: $got/$max, at least $want needed" >&2
            exit 1
        fi
    fi
    exit 0
}

# A signal stops the grading: end what runs, keep what is known.
on_signal() {
    local sig=$1 num=$2 pid=$child
    trap '' TERM INT HUP
    # The trap may run inside a command whose output goes to a log: back to
    # the grader's own output.
    exec 1>&7 2>&8
    if [ -n "$pid" ]; then
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null
    fi
    exit_status=$((128 + num))
    finish partial "grading was stopped by SIG$sig${current:+ during chapter $current}"
}
exec 7>&1 8>&2
trap 'on_signal TERM 15' TERM
trap 'on_signal INT 2' INT
trap 'on_signal HUP 1' HUP

# The grader itself cannot go on: keep what is known, exit 2.
cannot_run() { exit_status=2; finish partial "the grader could not run: $*"; }

# Runs a command in the background and waits for it, so that a signal to the
# grader is handled at once (bash runs a trap only between commands) and the
# command is ended with it.
# (The grader's own output, fds 7 and 8, is not passed on.)
run() {
    "$@" 7>&- 8>&- &
    child=$!
    wait "$child"
    local s=$?
    child=
    return $s
}

# ---------------------------------------------------------------------------
# Building what grades

# The Makefile's flags, so that a submission is compiled exactly as `make` would.
flags=$(make -s --no-print-directory BUILD="$BUILD" print-cflags 2>&1) || cannot_run "make print-cflags failed: $flags"
CC=$(sed -n 's/^CC=//p' <<<"$flags")
CFLAGS=$(sed -n 's/^CFLAGS=//p' <<<"$flags")
LDFLAGS=$(sed -n 's/^LDFLAGS=//p' <<<"$flags")
LIBS=$(sed -n 's/^LIBS=//p' <<<"$flags")
[ -n "$CC" ] && [ -n "$CFLAGS" ] || cannot_run "make print-cflags printed no flags"
sanitize=0
[[ $CFLAGS == *-fsanitize=* ]] && sanitize=1
# __FILE__ then names the file as the student knows it ("exercises/ch1.c"), in
# "not finished yet" messages, rather than by the grader's absolute path.
prefix_map=()
"$CC" -fmacro-prefix-map=a=b -E -x c /dev/null >/dev/null 2>&1 && prefix_map=(-fmacro-prefix-map="$sub/=")

# Whether chapter $1 has hidden tests to run here (the instructor's copy).
has_hidden() {
    [ "$HIDDEN" != 0 ] && compgen -G "tests/hidden/ch$1/*.c" >/dev/null && [ -f "solutions/ch$1.c" ]
}

# The trusted objects: the library, the runner, each chapter's tests, the
# reporter, and with hidden tests the renamed reference. The reference's
# check-chN (or the stubs', in a student's copy) is built to list a chapter's
# tests when the submission cannot run them, and to know which symbols a
# submission may export.
if [ "${GRADE_MAKE:-1}" != 0 ]; then
    targets=("$BUILD/libworkbook.a" "$OBJ/tests/graded_main.o" "$REPORT")
    for n in "${chapters[@]}"; do
        for t in tests/ch"$n"/*.c; do [ -e "$t" ] && targets+=("$OBJ/${t%.c}.o"); done
    done
    log=$GRADE_DIR/make.log
    run make -s --no-print-directory BUILD="$BUILD" "${targets[@]}" >"$log" 2>&1 ||
        cannot_run "cannot build the grader: $(tail -n 5 "$log")"
    for n in "${chapters[@]}"; do
        run make -s --no-print-directory BUILD="$BUILD" "$BIN/check-ch$n-solutions" >/dev/null 2>&1 ||
            run make -s --no-print-directory BUILD="$BUILD" "$BIN/check-ch$n-exercises" >/dev/null 2>&1 || true
        if has_hidden "$n"; then
            run make -s --no-print-directory BUILD="$BUILD" "$BIN/hidden-ch$n-solutions" >/dev/null 2>&1 || true
        fi
    done
    rm -f "$log"
fi
[ -x "$REPORT" ] || { rm -f "$rows"; die "no $REPORT: run make $REPORT"; }
for n in "${chapters[@]}"; do
    has_hidden "$n" && hidden_ok[$n]=1
done

# ---------------------------------------------------------------------------
# One chapter

# The submission's file for chapter $1: exercises/chN.c or chN.c at the top,
# else the first one a few folders down (exercises/ first). Printed as
# "ok PATH", "outside PATH" (a link out of the submission) or nothing.
find_source() {
    local n=$1 f real
    f=
    for c in "$sub/exercises/ch$n.c" "$sub/ch$n.c"; do
        [ -e "$c" ] && { f=$c; break; }
    done
    [ -n "$f" ] || f=$(find "$sub" -maxdepth 4 -type f -path "*/exercises/ch$n.c" 2>/dev/null | LC_ALL=C sort | head -n 1)
    [ -n "$f" ] || f=$(find "$sub" -maxdepth 3 -type f -name "ch$n.c" -not -path '*/solutions/*' -not -path '*/tests/*' 2>/dev/null | LC_ALL=C sort | head -n 1)
    [ -n "$f" ] || return 0
    real=$(realpath -e -- "$f" 2>/dev/null) || return 0
    [ -f "$real" ] || return 0
    if [[ $real != "$sub"/* ]]; then echo "outside ${f#"$sub"/}"; else echo "ok $real"; fi
}

# The files of the workbook (or of other submissions) that the compiler read
# for this submission's file, from its dependency list, one per line: any of
# the workbook's .c files, solutions/, the hidden tests, build/ or data/. A
# submission may include the workbook's headers, nothing else of it.
forbidden_includes() {
    local deps=$1 dep real rel
    sed -e 's/\\ /\x01/g' -e 's/\\$//' "$deps" | tr -s ' \t' '\n\n' | sed -e '/:$/d' -e '/^$/d' |
    while read -r dep; do
        dep=${dep//$'\x01'/ }
        real=$(realpath -m -- "$dep")
        [[ $real == "$sub"/* ]] && continue
        if [ -n "$forbid" ] && [[ $real == "$forbid"/* ]]; then echo "${real#"$forbid"/} (another submission's)"; continue; fi
        [[ $real == "$root"/* ]] || continue
        rel=${real#"$root"/}
        case $rel in
        solutions/* | tests/hidden/* | build/* | data/*) echo "$rel" ;;
        *.h) ;;
        *) echo "$rel" ;;
        esac
    done | sort -u | tr '\n' ' '
}

grade_chapter() {
    local n=$1
    local w=$GRADE_DIR/ch$n crow=$GRADE_DIR/ch$n.rows found src rel text first bad ref ntests status
    current=$n
    rm -rf "$w" && mkdir -p "$w" || cannot_run "cannot make $w"
    w=$(cd "$w" && pwd)
    : >"$crow"
    if ! compgen -G "tests/ch$n/*.c" >/dev/null; then
        zero_chapter "$n" error "chapter $n has no graded tests (tests/ch$n/) in this workbook" "$crow"
        return
    fi
    found=$(find_source "$n")
    case $found in
    "") zero_chapter "$n" missing "no exercises/ch$n.c (nor ch$n.c) in the submission" "$crow"; return ;;
    outside*) zero_chapter "$n" refused "${found#outside } is a link to a file outside the submission" "$crow"; return ;;
    esac
    src=${found#ok }
    rel=${src#"$sub"/}

    # shellcheck disable=SC2086  # the flags are words
    if ! run timeout 120 "$CC" $CFLAGS "${prefix_map[@]}" -MD -MF "$w/deps.txt" -c "$src" -o "$w/submission.o" >"$w/compile.txt" 2>&1; then
        [ -s "$w/compile.txt" ] || echo "the compiler stopped without a message (over 120 s?)" >"$w/compile.txt"
        text=$(head -n 20 "$w/compile.txt")
        text=${text//"$sub/"/}  # the student's paths, not the grader's
        first=$(grep -m1 -E 'error|fatal' <<<"$text" || head -n1 <<<"$text")
        zero_chapter "$n" compile "does not compile: $first
$text" "$crow"
        return
    fi

    # Including the reference (or another file of the grader) is not an answer.
    bad=$(forbidden_includes "$w/deps.txt")
    if [ -n "$bad" ]; then
        zero_chapter "$n" refused "$rel includes what is not yours to include: ${bad% }" "$crow"
        return
    fi
    # Calling the runner's, Check's or the hidden reference's functions
    # (graded_reached_end() ends a test as passed; ref_zscore is the answer)
    # or running code before main is not an exercise answer.
    bad=$(nm -u "$w/submission.o" 2>/dev/null | awk '{ print $NF }' |
          grep -E '^(graded_|hidden_|ref_|srunner_|tcase_|suite_|_ck_|ck_|_mark_point|tr_|openblas_set)' | sort -u | tr '\n' ' ')
    if [ $sanitize = 0 ] && readelf -SW "$w/submission.o" 2>/dev/null | grep -qE '\.(init_array|ctors|preinit_array)'; then
        bad+="(a constructor: code that runs before main) "
    fi
    if [ -n "$bad" ]; then
        zero_chapter "$n" refused "$rel uses what only the grader may use: ${bad% }" "$crow"
        return
    fi
    # Only the chapter's own functions stay global, so that a helper a student
    # happens to call fork, exit or setrlimit cannot stand in for the C library's.
    for ref in "$OBJ/solutions/ch$n.o" "$OBJ/exercises/ch$n.o"; do
        if [ -f "$ref" ] && command -v objcopy >/dev/null; then
            nm -g --defined-only -P "$ref" | awk '{ print $1 }' >"$w/contract.txt"
            [ -s "$w/contract.txt" ] && objcopy --keep-global-symbols="$w/contract.txt" "$w/submission.o"
            break
        fi
    done

    # shellcheck disable=SC2086
    if ! run "$CC" $LDFLAGS -o "$w/check-ch$n" "$OBJ"/tests/ch"$n"/*.o "$OBJ/tests/graded_main.o" \
        "$w/submission.o" "$BUILD/libworkbook.a" $LIBS >"$w/link.txt" 2>&1; then
        text=$(head -n 20 "$w/link.txt")
        text=${text//"$sub/"/}
        first=$(grep -m1 -E 'undefined|multiple|error' <<<"$text" || head -n1 <<<"$text")
        zero_chapter "$n" compile "does not link: $first
$text" "$crow"
        return
    fi

    # The runner never hangs on its own (each test has its limit); this outer
    # limit is for the runner itself. Run from the private folder, by its full
    # name (so that `ps` shows whose it is); exec, so that a signal reaches it.
    ntests=$(list_tests "$n" public | wc -l)
    [ "$ntests" -gt 0 ] || ntests=50
    run bash -c 'cd "$1" && shift && exec "$@"' - "$w" env OPENBLAS_NUM_THREADS=1 \
        timeout -k 5 $((ntests * 13 + 30)) "$w/check-ch$n" --seed "$GRADE_SEED" \
        --tsv results.tsv >"$w/report.txt" 2>&1
    status=$?
    if [ -s "$w/results.tsv" ]; then
        runner_rows "$w/results.tsv" visible >>"$crow"
    else
        zero_chapter "$n" error "the grader's runner stopped (status $status) before it wrote its results: $(tail -n 3 "$w/report.txt" 2>/dev/null)" "$crow" public
    fi

    [ -n "${hidden_ok[$n]:-}" ] || return 0
    local hid=(tests/hidden/ch"$n"/*.c tests/hidden/*.c)
    hid=("${hid[@]/#/$OBJ/}")
    hid=("${hid[@]/%.c/.o}")
    # shellcheck disable=SC2086
    if ! run "$CC" $LDFLAGS -o "$w/hidden-ch$n" "${hid[@]}" "$OBJ/tests/graded_main.o" \
        "$w/submission.o" "$OBJ/reference/ch$n.o" "$BUILD/libworkbook.a" $LIBS >"$w/hidden-link.txt" 2>&1; then
        text=$(head -n 5 "$w/hidden-link.txt")
        zero_chapter "$n" compile "does not link with the hidden tests: ${text//"$sub/"/}" "$crow" hidden
        return
    fi
    ntests=$(list_tests "$n" hidden | wc -l)
    [ "$ntests" -gt 0 ] || ntests=50
    run bash -c 'cd "$1" && shift && exec "$@"' - "$w" env OPENBLAS_NUM_THREADS=1 \
        timeout -k 5 $((ntests * 13 + 30)) "$w/hidden-ch$n" --seed "$GRADE_SEED" \
        --tsv hidden.tsv >"$w/hidden-report.txt" 2>&1
    status=$?
    if [ -s "$w/hidden.tsv" ]; then
        runner_rows "$w/hidden.tsv" after_due_date >>"$crow"
    else
        zero_chapter "$n" error "the grader's runner stopped (status $status) in the hidden tests" "$crow" hidden
    fi
}

for n in "${chapters[@]}"; do
    grade_chapter "$n"
    cat "$GRADE_DIR/ch$n.rows" >>"$rows"
    graded[$n]=1
    current=
done
finish complete
