#!/usr/bin/env bash
# grade.sh SUBMISSION [CH...]: grades a submission, chapter by chapter, and
# reports tests, statuses and points in the format a person or a course tool
# reads.
#
#   make grade SUBMISSION=dir CH="1 2" FORMAT=gradescope OUT=results.json
#
# A submission is a folder holding exercises/chN.c or chN.c, at its top or a
# few folders down (an uploaded folder, an unpacked zip). It is untrusted
# code, and some submissions will attack the grader, so (tests/judge/call.h):
#
#  1. Its file is copied into a staging folder of its own, beside the
#     contract's headers, and compiled there in a sandbox that sees nothing
#     else (build/bin/sandbox: tests/judge/sandbox.h), with limits on memory,
#     time and file size. Warnings are shown in the report, never fatal
#     (WERROR=1 makes them so).
#  2. The object is checked before anything runs (tools/grade/check-object.sh:
#     allow-lists of sections and of the functions it may call), its globals
#     beyond the contract made local, and it is linked, in the sandbox, with
#     the subject's server (tests/subject/): the subject. Nothing of the
#     grader's tests, and never the reference, is linked with it.
#  3. The judges, the chapter's graded suite (build/bin/check-chN) and, for an
#     instructor, its hidden tests (build/bin/hidden-chN, with the reference
#     solutions), run here; each test sends its calls to a fresh process of
#     the subject in a sandbox, and decides. Only the judges write results.
#  4. The rows are checked against the suites' own lists of tests (names and
#     points): a row of a test that does not exist, or worth more than its
#     test, is refused, and a test without a row scores zero as an error.
#
# The isolation (GRADE_ISOLATION, default auto: the first that works):
#   bwrap  Debian's bubblewrap: the sandbox has its own user, processes,
#          network and file system view; run by root, it is also a user id of
#          its own (GRADE_UID_BASE and up, one per grading at a time)
#   uid    no namespaces here (some containers forbid them), but root: a user
#          id of its own per grading, the workbook and the other submissions
#          made unreadable to it (chmod o-rwx), and every process and file of
#          that user removed afterwards
#   none   neither: the submission runs as whoever runs the grader, with
#          limits only, and the report says it was trusted
# The report says which was used, in every format.
#
# The result model: $GRADE_DIR/results.tsv, one row per test,
#
#   chapter test status points max_points message output description visibility isolation
#
# status is pass, fail, todo, crash, timeout, exit, memory, output or error
# (from the judges), missing, compile or refused (from here), or warnings (the
# compiler's warnings, a row of 0 points of its own); visibility is visible,
# or after_due_date for hidden tests (their output is never kept: it could
# show their inputs). tools/grade/report.c writes the formats from it.
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
#   WERROR      1: a warning fails the compile, as an error would
#   GRADE_ISOLATION   auto (default) | bwrap | uid | none
#   GRADE_JOBS  chapters graded at a time (default: one per processor)
#   BUILD (build), GRADE_DIR ($BUILD/grade; one grading at a time in it),
#   GRADE_TIMEOUT (lower the per-test limit of 10 s), GRADE_MAKE=0 (the
#   build is known to be up to date: skip make, as grade-all and the test
#   steps do), GRADE_FORBID (a folder the submission must not read:
#   grade-all's folder of submissions),
#   GRADE_UID_BASE (64100: the first of the user ids it grades as, as root)
#
# Exit status: 0 when the grading ran, however badly the submission did; 1
# when MIN_POINTS was not met; 2 when the grader could not run; 128+N when
# stopped by signal N.
set -uo pipefail

die() { echo "grade: $*" >&2; exit 2; }

caller=$PWD
root=$(cd "$(dirname "$0")/../.." && pwd -P)
here=$root/tools/grade
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
[ -z "$OUT" ] || [ ! -d "$OUT" ] || die "OUT=$OUT: is a folder; OUT names the file to write"
JOBS=${GRADE_JOBS:-$(nproc 2>/dev/null || echo 2)}
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "GRADE_JOBS=$JOBS: use a number of chapters at a time"

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
GRADE_DIR=$(cd "$GRADE_DIR" && pwd -P)
# One grading at a time in a folder: two would mix their chapters' rows. The
# lock goes with this process (fd 9, closed for the chapters' jobs).
{ exec 9>>"$GRADE_DIR/.lock"; } 2>/dev/null ||
    die "$GRADE_DIR/.lock: cannot open it for writing (the lock that keeps one grading at a time in $GRADE_DIR)"
flock -n 9 || die "$GRADE_DIR: another grading is writing there now (give this one a folder of its own: GRADE_DIR=...)"
rows=$(mktemp "$GRADE_DIR/rows.XXXXXX") || die "cannot write in $GRADE_DIR"
start=$SECONDS
declare -A graded=() hidden_ok=()
staging=  # this grading's folder for the submission's files (see stage)

# shellcheck source=tools/grade/isolation.sh
. "$here/isolation.sh"

# ---------------------------------------------------------------------------
# Rows

# A TSV field: backslash, tab and newline escaped as the judges do.
escape() {
    sed -e 's/\\/\\\\/g' -e 's/\t/\\t/g' -e 's/\r/\\r/g' | awk 'BEGIN { ORS = "" } { if (NR > 1) print "\\n"; print }'
}

# The tests of chapter $1 as "name<TAB>points<TAB>what" lines, from the
# judge's own list: $2 = public or hidden.
list_tests() {
    local b=$BIN/check-ch$1
    [ "$2" = hidden ] && b=$BIN/hidden-ch$1
    [ -x "$b" ] && "$b" --list 2>/dev/null
}

# A row of chapter $1 for test $2: status $3, points $4 of $5, message $6,
# output $7, description $8, visibility $9.
row() {
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$(printf '%s' "$2" | escape)" "$3" "$4" "$5" \
        "$(printf '%s' "$6" | escape)" "$(printf '%s' "$7" | escape)" "$(printf '%s' "$8" | escape)" "$9" "$isolation"
}

# Every test of chapter $1 (the hidden ones too, when they run) scores zero,
# with status $2 and message $3, appended to file $4; $5 = "public" or
# "hidden" for those alone.
zero_chapter() {
    local n=$1 status=$2 msg=$3 name points what kind vis found
    for kind in ${5:-public hidden}; do
        [ "$kind" = hidden ] && [ -z "${hidden_ok[$n]:-}" ] && continue
        vis=visible; [ "$kind" = hidden ] && vis=after_due_date
        found=0
        while IFS=$'\t' read -r name points what; do
            row "$n" "$name" "$status" 0 "$points" "$msg" "" "$what" "$vis" >>"$4"
            found=1
        done < <(list_tests "$n" "$kind")
        [ $found = 1 ] || row "$n" "(all $kind tests)" "$status" 0 0 "$msg" "" "" "$vis" >>"$4"
    done
}

# A judge's rows (its TSV less the header), checked against its own list of
# tests: each listed test has exactly one row, with at most its points; a
# row of a test it does not list is dropped, and said. A hidden test's output
# is dropped. judge_rows TSV LIST visibility
judge_rows() {
    awk -F'\t' -v OFS='\t' -v list="$2" -v vis="$3" -v chapter="$4" -v iso="$isolation" '
        BEGIN {
            while ((getline l < list) > 0) {
                split(l, f, "\t")
                max[f[1]] = f[2]; what[f[1]] = f[3]; order[++n] = f[1]
            }
        }
        FNR == 1 { next }
        {
            while (NF < 8) $(NF + 1) = ""
            if (!($2 in max) || ($2 in seen)) { print "grade: dropped a row of no test (or a second one): " $2 > "/dev/stderr"; next }
            if ($4 !~ /^[0-9]+$/ || $4 + 0 > max[$2] + 0 || $5 != max[$2]) $3 = "error"
            if ($3 == "error" && $4 + 0 > max[$2] + 0) $6 = "the judge gave more points than the test has: a bug in the grader"
            if ($3 != "pass") $4 = 0
            if (vis != "visible") $7 = ""
            seen[$2] = 1
            line[$2] = $1 OFS $2 OFS $3 OFS $4 OFS max[$2] OFS $6 OFS $7 OFS what[$2] OFS vis OFS iso
        }
        END {
            for (i = 1; i <= n; i++) {
                t = order[i]
                if (t in line) print line[t]
                else print chapter, t, "error", 0, max[t], "no result: the judge did not report this test", "", what[t], vis, iso
            }
        }' "$1"
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

header() { printf 'chapter\ttest\tstatus\tpoints\tmax_points\tmessage\toutput\tdescription\tvisibility\tisolation\n'; }

# finish complete | finish partial REASON: writes the results and the report, exits.
finish() {
    local how=$1 reason=${2:-} n tsv target status=0 args sorted got max want
    trap '' TERM INT HUP
    if [ "$how" = partial ]; then
        for n in "${chapters[@]}"; do
            [ -n "${graded[$n]:-}" ] && continue
            # a chapter being graded keeps its public tests' results if they were in
            if [ -s "$GRADE_DIR/ch$n.public" ]; then
                cat "$GRADE_DIR/ch$n.public" >>"$rows"
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
    rm -f "$rows" "$sorted" "$GRADE_DIR"/ch*.rows "$GRADE_DIR"/ch*.public "$GRADE_DIR"/ch*.done
    isolation_end
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

# A signal stops the grading: end what runs (each chapter's job is a process
# group of its own), keep what is known. Only the jobs still running: the
# number of one that has ended may already lead a stranger's process group.
on_signal() {
    local sig=$1 num=$2 pid running
    # A chapter's job that the signal reaches before its `trap -` still has
    # this trap: there it only ends, and the grading's own process writes.
    [ "$BASHPID" = "$$" ] || exit $((128 + num))
    trap '' TERM INT HUP
    exec 1>&7 2>&8
    running=$(jobs -rp)
    for pid in $running; do kill -TERM -- "-$pid" 2>/dev/null; done
    for pid in $running; do wait "$pid" 2>/dev/null; done
    exit_status=$((128 + num))
    collect_done
    finish partial "grading was stopped by SIG$sig"
}
exec 7>&1 8>&2
trap 'on_signal TERM 15' TERM
trap 'on_signal INT 2' INT
trap 'on_signal HUP 1' HUP

# The grader itself cannot go on: keep what is known, exit 2.
cannot_run() { exit_status=2; finish partial "the grader could not run: $*"; }

# ---------------------------------------------------------------------------
# Building what grades

flags=$BUILD/grade-flags.txt
if [ "${GRADE_MAKE:-1}" != 0 ]; then
    log=$GRADE_DIR/make.log
    make -s --no-print-directory BUILD="$BUILD" HIDDEN="$HIDDEN" GRADE_CHAPTERS="${chapters[*]}" grade-build \
        >"$log" 2>&1 </dev/null || cannot_run "cannot build the grader: $(tail -n 5 "$log")"
    rm -f "$log"
fi
[ -s "$flags" ] || cannot_run "no $flags: run make grade-build"
CC= STUDENT_CFLAGS= SUBJECT_LDFLAGS= SUBJECT_OBJ= SANITIZE=
while IFS='=' read -r key value; do
    case $key in CC | STUDENT_CFLAGS | SUBJECT_LDFLAGS | SUBJECT_OBJ | SANITIZE) printf -v "$key" '%s' "$value" ;; esac
done <"$flags"
read -ra SUBJECT_OBJ <<<"$SUBJECT_OBJ"
sanitize=$SANITIZE
[ -n "$CC" ] && [ -n "$STUDENT_CFLAGS" ] || cannot_run "$flags holds no compiler flags"
[ "${WERROR:-0}" = 1 ] && STUDENT_CFLAGS+=" -Werror"
[ -x "$REPORT" ] || cannot_run "no $REPORT: run make grade-build"
[ -x "$BIN/sandbox" ] || cannot_run "no $BIN/sandbox: run make grade-build"

for n in "${chapters[@]}"; do
    [ "$HIDDEN" != 0 ] && compgen -G "tests/hidden/ch$n/*.c" >/dev/null && [ -f "solutions/ch$n.c" ] &&
        [ -x "$BIN/hidden-ch$n" ] && hidden_ok[$n]=1
done

isolation_begin || cannot_run "$isolation_error"

# ---------------------------------------------------------------------------
# One chapter

# The submission's file for chapter $1: exercises/chN.c or chN.c at the top,
# else the one a few folders down (exercises/ first). Printed as "ok PATH",
# "outside PATH" (a link out of the submission), "ambiguous PATH, PATH..."
# (more than one down there: which one was meant is not for the grader to
# guess) or nothing.
find_source() {
    local n=$1 f real found
    f=
    for c in "$sub/exercises/ch$n.c" "$sub/ch$n.c"; do
        [ -e "$c" ] && { f=$c; break; }
    done
    [ -n "$f" ] || found=$(find "$sub" -maxdepth 4 -type f -path "*/exercises/ch$n.c" 2>/dev/null | LC_ALL=C sort)
    [ -n "$f" ] || [ -n "$found" ] ||
        found=$(find "$sub" -maxdepth 3 -type f -name "ch$n.c" -not -path '*/solutions/*' -not -path '*/tests/*' 2>/dev/null | LC_ALL=C sort)
    if [ -z "$f" ] && [ "$(printf '%s' "$found" | grep -c .)" -gt 1 ]; then
        local names=() line
        while IFS= read -r line; do names+=("${line#"$sub"/}"); done <<<"$found"
        printf 'ambiguous %s' "${names[0]}"
        printf ', %s' "${names[@]:1}"
        echo
        return 0
    fi
    [ -n "$f" ] || f=$found
    [ -n "$f" ] || return 0
    real=$(realpath -e -- "$f" 2>/dev/null) || return 0
    [ -f "$real" ] || return 0
    if [[ $real != "$sub"/* ]]; then echo "outside ${f#"$sub"/}"; else echo "ok $real"; fi
}

# The contract's headers: what a submission may include of the workbook.
contract_headers() { ls chapters/[0-9][0-9]-*/ch[0-9]*.h lib/exercise.h lib/linalg.h lib/net.h lib/error.h 2>/dev/null; }

# The first lines of a compiler's message, as the student should read them.
compiler_text() { head -n "${2:-20}" "$1" | sed -e 's|^\.\./out/||' -e 's|\.\./include/||g'; }

# grade_chapter N: its rows into $GRADE_DIR/chN.rows (the public ones also in
# chN.public as soon as they are in, for a grading stopped half-way).
grade_chapter() {
    local n=$1
    local crow=$GRADE_DIR/ch$n.rows w found src rel text first bad status kind judge tsv
    : >"$crow"
    if ! compgen -G "tests/ch$n/*.c" >/dev/null; then
        zero_chapter "$n" error "chapter $n has no graded tests (tests/ch$n/) in this workbook" "$crow"
        return
    fi
    found=$(find_source "$n")
    case $found in
    "") zero_chapter "$n" missing "no exercises/ch$n.c (nor ch$n.c) in the submission" "$crow"; return ;;
    outside*) zero_chapter "$n" refused "${found#outside } is a link to a file outside the submission" "$crow"; return ;;
    ambiguous*) zero_chapter "$n" refused "more than one ch$n.c in the submission (${found#ambiguous }): keep one, or put it in exercises/ch$n.c" "$crow"; return ;;
    esac
    src=${found#ok }
    rel=exercises/ch$n.c
    if [ "$(stat -c %s "$src")" -gt $((1 << 20)) ]; then
        zero_chapter "$n" refused "${src#"$sub"/} is larger than 1 MiB: not an exercise file" "$crow"
        return
    fi

    # 1. The staging folder: the file, the headers, the subject's own objects.
    w=$(stage "$n") || { zero_chapter "$n" error "the grader could not prepare a folder to compile in" "$crow"; return; }
    cp "$src" "$w/src/$rel" && cp $(contract_headers) "$w/include/" &&
        cp "${SUBJECT_OBJ[@]}" "$OBJ/tests/subject/ch$n.o" "$w/lib/" ||
        { zero_chapter "$n" error "the grader could not copy what it compiles" "$crow"; return; }
    cp "$BUILD/grade-contract/ch$n.txt" "$w/lib/contract.txt" ||
        { zero_chapter "$n" error "the grader has no contract for chapter $n: run make grade-build" "$crow"; return; }

    # 2. Compile, in the sandbox; the warnings are shown, not fatal. The same
    # sandbox lists the object's sections and symbols for the checks below.
    # shellcheck disable=SC2016,SC2086  # $1.. are the sandboxed shell's; the flags are words
    if ! sandboxed "$w" --memory 1024 --cpu 60 --file-size 64 --timeout 120 -- /bin/sh -c \
        '"$@" -c "$0" -o ../out/submission.o && readelf -W -S -s ../out/submission.o >../out/readelf.txt' \
        "$rel" "$CC" $STUDENT_CFLAGS -I../include >"$w/compile.txt" 2>&1; then
        [ -s "$w/compile.txt" ] || echo "the compiler stopped without a message" >"$w/compile.txt"
        text=$(compiler_text "$w/compile.txt")
        first=$(grep -m1 -E 'error|fatal|out of time|memory' <<<"$text" || head -n1 <<<"$text")
        zero_chapter "$n" compile "does not compile: $first
$text" "$crow"
        return
    fi
    if grep -q 'warning:' "$w/compile.txt"; then
        row "$n" "compiler_warnings" warnings 0 0 "$(grep -c 'warning:' "$w/compile.txt") warning(s): fix them, they often point at a bug" \
            "$(compiler_text "$w/compile.txt" 30)" "what the compiler warned about" visible >>"$crow"
    fi

    # 3. The object: nothing but the contract's kind of code (allow-lists).
    [ -s "$w/out/readelf.txt" ] || { zero_chapter "$n" refused "$rel: the grader cannot read its compiled object" "$crow"; return; }
    bad=$(bash "$here/check-object.sh" "$w/out/readelf.txt" "$w/lib/contract.txt" "$rel" ${sanitize:+sanitize})
    if [ -n "$bad" ]; then
        zero_chapter "$n" refused "refused before it ran: $bad" "$crow"
        return
    fi
    # Only the chapter's own functions stay global, so that a helper a student
    # happens to call exit or malloc cannot stand in for the C library's.
    local objects=() o
    for o in "${SUBJECT_OBJ[@]}" "$OBJ/tests/subject/ch$n.o"; do objects+=("../lib/${o##*/}"); done
    # shellcheck disable=SC2016,SC2086
    if ! sandboxed "$w" --memory 1024 --cpu 60 --timeout 120 -- /bin/sh -c \
        'objcopy --keep-global-symbols=../lib/contract.txt ../out/submission.o ../out/local.o && "$@"' \
        - "$CC" $SUBJECT_LDFLAGS -o ../out/subject ../out/local.o "${objects[@]}" -lm \
        >"$w/link.txt" 2>&1; then
        text=$(compiler_text "$w/link.txt")
        first=$(grep -m1 -E 'undefined|multiple|error' <<<"$text" || head -n1 <<<"$text")
        zero_chapter "$n" compile "does not link: $first
$text" "$crow"
        return
    fi
    # The subject runs from a copy no run of it can replace.
    install -m 755 "$w/out/subject" "$w/bin/subject" || { zero_chapter "$n" error "the grader could not place the subject" "$crow"; return; }

    # 4. The judges: the public tests, then the hidden ones.
    for kind in public hidden; do
        judge=$BIN/check-ch$n tsv=$w/judge/public.tsv
        [ $kind = hidden ] && { [ -n "${hidden_ok[$n]:-}" ] || continue; judge=$BIN/hidden-ch$n tsv=$w/judge/hidden.tsv; }
        # shellcheck disable=SC2086
        OPENBLAS_NUM_THREADS=1 TMPDIR=$w/judge "$judge" --subject "$w/bin/subject" $judge_isolation \
            --seed "$GRADE_SEED" --tsv "$tsv" --quiet >"$w/judge/$kind.txt" 2>&1 </dev/null
        status=$?
        vis=visible; [ $kind = hidden ] && vis=after_due_date
        if [ -s "$tsv" ]; then
            judge_rows "$tsv" <(list_tests "$n" $kind) $vis "$n" >>"$crow"
        else
            zero_chapter "$n" error "the judge stopped (status $status) before it wrote its results: $(tail -n 3 "$w/judge/$kind.txt")" "$crow" $kind
        fi
        [ $kind = public ] && cp "$crow" "$GRADE_DIR/ch$n.public"
    done
}

# The chapters that have finished, into the rows (in any order: finish sorts).
collect_done() {
    local n
    for n in "${chapters[@]}"; do
        [ -z "${graded[$n]:-}" ] && [ -e "$GRADE_DIR/ch$n.done" ] || continue
        cat "$GRADE_DIR/ch$n.rows" >>"$rows"
        graded[$n]=1
    done
}

# The chapters, JOBS at a time, each in a process group of its own (set -m),
# so that a signal ends all of one chapter's work at once.
set -m
for n in "${chapters[@]}"; do
    rm -f "$GRADE_DIR/ch$n.done" "$GRADE_DIR/ch$n.public"
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
    (trap - TERM INT HUP; grade_chapter "$n"; : >"$GRADE_DIR/ch$n.done") </dev/null 7>&- 8>&- 9>&- &
done
wait
set +m
collect_done
for n in "${chapters[@]}"; do
    [ -n "${graded[$n]:-}" ] || cannot_run "chapter $n: its grading ended without its results"
done
finish complete
