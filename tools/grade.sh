#!/usr/bin/env bash
# grade.sh SUBMISSION [CH...]: grades a submission, chapter by chapter, and
# prints a table of tests, statuses and points with the total.
#
#   make grade SUBMISSION=dir CH="1 2"      (SUBMISSION defaults to ., CH to all)
#
# A submission is a folder holding exercises/chN.c or, failing that, chN.c at
# its top. Each chapter's file is compiled with the Makefile's own flags into a
# private folder under $GRADE_DIR (default $BUILD/grade), linked with that
# chapter's graded tests and tests/graded_main.c, and run there; the runner
# forks, limits and times each test (see tests/graded_main.c). A file that is
# missing, does not compile or does not link scores zero on that chapter and
# the other chapters are still graded. The results, one row per test, go to
# $GRADE_DIR/results.tsv, replaced whole or not at all:
#
#   chapter  test  status  points  max_points  message  output
#
# status is pass, fail, todo, crash, timeout, exit, memory, cpu, output or error
# (from the runner), or missing, compile or refused (from here). Nothing in the
# submission folder is written. The exit status is 0 whenever the grading
# itself ran, however badly the submission did; 2 when the grader could not run.
#
# Environment: BUILD (build), GRADE_DIR ($BUILD/grade), GRADE_TIMEOUT (lower the
# per-test limit of 10 s), GRADE_MAKE=0 (the build is known to be up to date:
# skip make, as tests/steps/30-grading.sh does when it grades many at once).
set -uo pipefail

die() { echo "grade: $*" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
sub_arg=${1:-.}
[ $# -gt 0 ] && shift
[ -d "$sub_arg" ] || die "no folder $sub_arg to grade"
sub=$(cd "$sub_arg" && pwd)
cd "$root" || die "cannot enter $root"

BUILD=${BUILD:-build}
OBJ=$BUILD/obj
BIN=$BUILD/bin
GRADE_DIR=${GRADE_DIR:-$BUILD/grade}

all_chapters=()
for d in chapters/[0-9][0-9]-*/; do
    n=${d#chapters/}; n=${n%%-*}; all_chapters+=("$((10#$n))")
done
chapters=("$@")
[ ${#chapters[@]} -gt 0 ] || chapters=("${all_chapters[@]}")
for n in "${chapters[@]}"; do
    [[ $n =~ ^[0-9]+$ ]] && compgen -G "chapters/$(printf %02d "$((10#$n))")-*/" >/dev/null ||
        die "no chapter $n here (the chapters are ${all_chapters[*]})"
done

# The Makefile's flags, so that a submission is compiled exactly as `make` would.
flags=$(make -s --no-print-directory BUILD="$BUILD" print-cflags) || die "make print-cflags failed"
CC=$(sed -n 's/^CC=//p' <<<"$flags")
CFLAGS=$(sed -n 's/^CFLAGS=//p' <<<"$flags")
LDFLAGS=$(sed -n 's/^LDFLAGS=//p' <<<"$flags")
LIBS=$(sed -n 's/^LIBS=//p' <<<"$flags")
[ -n "$CC" ] && [ -n "$CFLAGS" ] || die "make print-cflags printed no flags"
sanitize=0
[[ $CFLAGS == *-fsanitize=* ]] && sanitize=1
# __FILE__ then names the file as the student knows it ("exercises/ch1.c"), in
# "not finished yet" messages, rather than by the grader's absolute path.
prefix_map=()
"$CC" -fmacro-prefix-map=a=b -E -x c /dev/null >/dev/null 2>&1 && prefix_map=(-fmacro-prefix-map="$sub/=")

# The trusted objects: the library, the runner, each chapter's tests. The
# reference (solutions/, or the stubs in a student's copy) is built only to
# list a chapter's tests when the submission cannot run them, and to know
# which symbols a submission may export.
if [ "${GRADE_MAKE:-1}" != 0 ]; then
    targets=("$BUILD/libworkbook.a" "$OBJ/tests/graded_main.o")
    for n in "${chapters[@]}"; do
        for t in tests/ch"$n"/*.c; do [ -e "$t" ] && targets+=("$OBJ/${t%.c}.o"); done
    done
    make -s --no-print-directory BUILD="$BUILD" "${targets[@]}" >/dev/null || die "cannot build the grader"
    for n in "${chapters[@]}"; do
        make -s --no-print-directory BUILD="$BUILD" "$BIN/check-ch$n-solutions" >/dev/null 2>&1 ||
            make -s --no-print-directory BUILD="$BUILD" "$BIN/check-ch$n-exercises" >/dev/null 2>&1 || true
    done
fi

mkdir -p "$GRADE_DIR" || die "cannot make $GRADE_DIR"
rows=$(mktemp "$GRADE_DIR/rows.XXXXXX") || die "cannot write in $GRADE_DIR"
trap 'rm -f "$rows"' EXIT

# A TSV field: backslash, tab and newline escaped as the runner does.
escape() {
    sed -e 's/\\/\\\\/g' -e 's/\t/\\t/g' -e 's/\r/\\r/g' | awk 'BEGIN { ORS = "" } { if (NR > 1) print "\\n"; print }'
}

# The tests of chapter $1 as "name<TAB>points" lines, from the reference build.
list_tests() {
    local b
    for b in "$BIN/check-ch$1-solutions" "$BIN/check-ch$1-exercises"; do
        [ -x "$b" ] && "$b" --list 2>/dev/null | cut -f1,2 && return 0
    done
    return 1
}

# Every test of chapter $1 scores zero with status $2 and message $3.
zero_chapter() {
    local n=$1 status=$2 msg name points found=0
    msg=$(printf '%s' "$3" | escape)
    while IFS=$'\t' read -r name points; do
        printf '%s\t%s\t%s\t0\t%s\t%s\t\n' "$n" "$name" "$status" "$points" "$msg" >>"$rows"
        found=1
    done < <(list_tests "$n")
    [ $found = 1 ] || printf '%s\t(all tests)\t%s\t0\t0\t%s\t\n' "$n" "$status" "$msg" >>"$rows"
}

declare -A detail  # chapter -> the compiler's (or refusal's) first lines, for the table

for n in "${chapters[@]}"; do
    w=$GRADE_DIR/ch$n
    rm -rf "$w" && mkdir -p "$w" || die "cannot make $w"
    if ! compgen -G "tests/ch$n/*.c" >/dev/null; then
        zero_chapter "$n" error "chapter $n has no graded tests (tests/ch$n/) in this workbook"
        continue
    fi
    if [ -f "$sub/exercises/ch$n.c" ]; then src=$sub/exercises/ch$n.c
    elif [ -f "$sub/ch$n.c" ]; then src=$sub/ch$n.c
    else
        zero_chapter "$n" missing "no exercises/ch$n.c (nor ch$n.c) in the submission"
        continue
    fi
    rel=${src#"$sub"/}

    # shellcheck disable=SC2086  # the flags are words
    if ! timeout 120 "$CC" $CFLAGS "${prefix_map[@]}" -c "$src" -o "$w/submission.o" >"$w/compile.txt" 2>&1; then
        [ -s "$w/compile.txt" ] || echo "the compiler stopped without a message (over 120 s?)" >"$w/compile.txt"
        text=$(head -n 20 "$w/compile.txt")
        detail[$n]=${text//"$sub/"/}  # the student's paths, not the grader's
        first=$(grep -m1 -E 'error|fatal' <<<"${detail[$n]}" || head -n1 <<<"${detail[$n]}")
        zero_chapter "$n" compile "does not compile: $first
${detail[$n]}"
        continue
    fi

    # Calling the runner's or Check's own functions (graded_reached_end() ends
    # a test as passed) or running code before main is not an exercise answer.
    bad=$(nm -u "$w/submission.o" 2>/dev/null | awk '{ print $NF }' |
          grep -E '^(graded_|srunner_|tcase_|suite_|_ck_|ck_|_mark_point|tr_|openblas_set)' | sort -u | tr '\n' ' ')
    if [ $sanitize = 0 ] && readelf -SW "$w/submission.o" 2>/dev/null | grep -qE '\.(init_array|ctors|preinit_array)'; then
        bad+="(a constructor: code that runs before main) "
    fi
    if [ -n "$bad" ]; then
        zero_chapter "$n" refused "$rel uses what only the grader may use: ${bad% }"
        continue
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
    if ! "$CC" $LDFLAGS -o "$w/check-ch$n" "$OBJ"/tests/ch"$n"/*.o "$OBJ/tests/graded_main.o" \
        "$w/submission.o" "$BUILD/libworkbook.a" $LIBS >"$w/link.txt" 2>&1; then
        text=$(head -n 20 "$w/link.txt")
        detail[$n]=${text//"$sub/"/}
        first=$(grep -m1 -E 'undefined|multiple|error' <<<"${detail[$n]}" || head -n1 <<<"${detail[$n]}")
        zero_chapter "$n" compile "does not link: $first
${detail[$n]}"
        continue
    fi

    # The runner never hangs on its own (each test has its limit); this outer
    # limit is for the runner itself.
    ntests=$(list_tests "$n" | wc -l)
    [ "$ntests" -gt 0 ] || ntests=50
    # Run from the private folder, by its full name (so that `ps` shows whose it is).
    (cd "$w" && OPENBLAS_NUM_THREADS=1 timeout -k 5 $((ntests * 13 + 30)) "$PWD/check-ch$n" \
        --tsv results.tsv >report.txt 2>&1)
    status=$?
    if [ -s "$w/results.tsv" ]; then
        tail -n +2 "$w/results.tsv" >>"$rows"
    else
        zero_chapter "$n" error "the grader's runner stopped (status $status) before it wrote its results: $(tail -n 3 "$w/report.txt" 2>/dev/null)"
    fi
done

# The combined results, replaced in one step.
tmp=$GRADE_DIR/results.tsv.tmp.$$
{ printf 'chapter\ttest\tstatus\tpoints\tmax_points\tmessage\toutput\n'; cat "$rows"; } >"$tmp" &&
    mv -f "$tmp" "$GRADE_DIR/results.tsv" || { rm -f "$tmp"; die "cannot write $GRADE_DIR/results.tsv"; }

# The table.
echo "grading $sub, chapter${chapters[1]+s} ${chapters[*]}"
width=$(cut -f2 "$rows" | awk '{ if (length($0) > w) w = length($0) } END { print (w > 4 ? w : 4) }')
printf '%-3s %-*s  %-8s %6s  %s\n' ch "$width" test status points message
total=0 max=0 last=
while IFS=$'\t' read -r n name status points maxp msg _; do
    total=$((total + points)) max=$((max + maxp))
    case $status in pass | todo) shown=$status ;; *) shown=${status^^} ;; esac
    msg=${msg%%\\n*}
    [ "$status" = pass ] && msg=
    # a chapter that did not compile: its message once, not once per test
    if [[ $status =~ ^(compile|missing|refused|error)$ ]] && [ "$n" = "$last" ]; then msg=; fi
    [ ${#msg} -gt 100 ] && msg="${msg:0:97}..."
    printf '%-3s %-*s  %-8s %6s%s\n' "$n" "$width" "$name" "$shown" "$points/$maxp" "${msg:+  $msg}"
    if [ "$n" != "$last" ] && [ -n "${detail[$n]:-}" ]; then
        sed 's/^/      | /' <<<"${detail[$n]}"
    fi
    last=$n
done <"$rows"
echo "total: $total/$max points"
echo "results: $GRADE_DIR/results.tsv"
exit 0
