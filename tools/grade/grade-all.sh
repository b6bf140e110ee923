#!/usr/bin/env bash
# grade-all.sh FOLDER [CH...]: grades every submission in FOLDER (each of its
# subfolders whose name does not start with a dot) in parallel, and writes a
# gradebook: one CSV row per submission, a column per chapter, the total.
#
#   make grade-all SUBMISSIONS=dir [CH="1 2"] [FORMAT=gradescope] [GRADEBOOK=file]
#
# The grader is built once, then tools/grade/grade.sh grades JOBS submissions at a
# time (default: one per core, `nproc`), each into its own folder
# $GRADE_ALL_DIR/NAME/ (default build/grade-all/): results.tsv, the report in
# FORMAT (results.txt, .json, .xml or .tap) and report.txt, what grade.sh
# printed. Each grading has a time limit of its own (GRADE_ALL_TIMEOUT, 900 s),
# after which it is stopped and keeps what it knew; whatever one submission
# does, the others are graded as they would be alone: each grading has its
# own sandbox (and, as root, a user id of its own), and none sees the folder
# of submissions (GRADE_FORBID).
#
# The gradebook, replaced whole or not at all:
#
#   submission,ch1,ch2,...,total,max,status
#
# status is "ok", "incomplete: ..." (its grading was stopped: the points are
# what was known) or "not graded: ..." (no points at all: see its report.txt).
# When grade-all itself is stopped, the gradebook of what was done goes to
# GRADEBOOK.partial and the last complete gradebook stays.
#
# Exit status: 0 when every submission was graded completely, 1 when some
# were not, 2 when nothing could be graded.
set -uo pipefail

die() { echo "grade-all: $*" >&2; exit 2; }

caller=$PWD
root=$(cd "$(dirname "$0")/../.." && pwd -P)
[ $# -ge 1 ] && [ -n "$1" ] || die "say which folder: make grade-all SUBMISSIONS=dir"
[ -d "$1" ] || die "no folder $1"
subs=$(cd "$1" && pwd -P)
shift
FORMAT=${FORMAT:-text}
export BUILD=${BUILD:-build}
GRADE_ALL_DIR=${GRADE_ALL_DIR:-$BUILD/grade-all}
GRADEBOOK=${GRADEBOOK:-$GRADE_ALL_DIR/gradebook.csv}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
TIME_LIMIT=${GRADE_ALL_TIMEOUT:-900}
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "JOBS=$JOBS: use a number of jobs"
[[ $TIME_LIMIT =~ ^[1-9][0-9]*$ ]] || die "GRADE_ALL_TIMEOUT=$TIME_LIMIT: use a number of seconds"
case $FORMAT in text) ext=txt ;; gradescope) ext=json ;; junit) ext=xml ;; tap) ext=tap ;;
*) die "FORMAT=$FORMAT: use text, gradescope, junit or tap" ;; esac
[[ $GRADEBOOK == /* ]] || GRADEBOOK=$caller/$GRADEBOOK
cd "$root" || die "cannot enter $root"
[[ $GRADE_ALL_DIR == /* ]] || GRADE_ALL_DIR=$root/$GRADE_ALL_DIR
mkdir -p "$GRADE_ALL_DIR" "$(dirname "$GRADEBOOK")" || die "cannot make $GRADE_ALL_DIR"

# The chapters: those asked for, else all.
chapters=()
for d in chapters/[0-9][0-9]-*/main.c; do [ -e "$d" ] || continue; n=${d#chapters/}; n=${n%%-*}; n=$((10#$n)); compgen -G "tests/ch$n/*.c" >/dev/null && chapters+=("$n"); done
if [ $# -gt 0 ]; then
    for n in "$@"; do [[ $n =~ ^[0-9]+$ ]] || die "CH: $n is not a chapter number"; done
    chapters=("$@")
fi

# Build once, so that the gradings can run side by side without make.
make -s --no-print-directory BUILD="$BUILD" HIDDEN="${HIDDEN:-1}" GRADE_CHAPTERS="${chapters[*]}" \
    grade-build >"$GRADE_ALL_DIR/make.log" 2>&1 || { tail -n 5 "$GRADE_ALL_DIR/make.log" >&2; die "cannot build the grader"; }
rm -f "$GRADE_ALL_DIR/make.log"

# The submissions, and a folder for each: its own name when that is a plain
# one, else a plain form of it with a number.
names=() dirs=()
while IFS= read -r -d '' s; do
    name=${s##*/}
    safe=$(printf '%s' "$name" | LC_ALL=C tr -c 'A-Za-z0-9._@+-' '_')
    [ "$safe" = "$name" ] || safe="$safe-${#names[@]}"
    names+=("$name") dirs+=("$GRADE_ALL_DIR/$safe")
done < <(find "$subs" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -print0 | LC_ALL=C sort -z)
[ ${#names[@]} -gt 0 ] || die "no submissions (subfolders) in $subs"

# One grading; always exits 0, so that xargs goes on whatever happens. An
# earlier complete results.tsv stays until this grading replaces it; an
# earlier partial one goes.
grade_one() {
    local sub=$1 dir=$2 status
    mkdir -p "$dir" || return 0
    rm -f "$dir/status" "$dir/results.partial.tsv" "$dir/results.$ext.partial"
    # shellcheck disable=SC2086  # the chapters are words
    GRADE_MAKE=0 GRADE_JOBS=1 GRADE_DIR=$dir OUT=$dir/results.$ext GRADE_FORBID=$subs MIN_POINTS='' \
        timeout -k 30 "$TIME_LIMIT" bash "$root/tools/grade/grade.sh" "$sub" $GRADE_CHAPTERS \
        >"$dir/report.txt" 2>&1 </dev/null
    status=$?
    echo "$status" >"$dir/status"
    return 0
}
export -f grade_one
export root subs ext TIME_LIMIT FORMAT
export GRADE_CHAPTERS="${chapters[*]}"

# The gradebook from what the folders hold; $1: the file to write.
csv_field() {
    local s=$1
    # a name a spreadsheet would run as a formula is kept as text
    [[ $s == [=+@-]* ]] && s="'$s"
    if [[ $s == *[,\"$'\n\r']* ]] || [[ $s == " "* ]] || [[ $s == *" " ]]; then
        s=${s//\"/\"\"}
        s="\"$s\""
    fi
    printf '%s' "$s"
}
gradebook() {
    local i n dir status tsv note row graded=0 complete=0
    {
        printf 'submission'
        for n in "${chapters[@]}"; do printf ',ch%s' "$n"; done
        printf ',total,max,status\n'
        for i in "${!names[@]}"; do
            dir=${dirs[$i]}
            status=$(cat "$dir/status" 2>/dev/null)
            tsv=
            if [ "$status" = 0 ] && [ -s "$dir/results.tsv" ]; then
                tsv=$dir/results.tsv note=ok
            elif [ -s "$dir/results.partial.tsv" ]; then
                tsv=$dir/results.partial.tsv
                note="incomplete: $(grep -m1 -o 'INCOMPLETE: .*' "$dir/report.txt" 2>/dev/null | cut -c13- | cut -d. -f1)"
                [ "$note" = "incomplete: " ] && note="incomplete: its grading was stopped (status ${status:-none})"
            else
                note="not graded: the grader stopped with status ${status:-none}; see ${dir#"$root"/}/report.txt"
            fi
            csv_field "${names[$i]}"
            if [ -n "$tsv" ]; then
                row=$(awk -F'\t' -v list="${chapters[*]}" 'NR > 1 { p[$1] += $4; t += $4; m += $5 }
                    END { k = split(list, ch, " "); for (i = 1; i <= k; i++) printf ",%d", p[ch[i]] + 0
                          printf ",%d,%d", t, m }' "$tsv")
                printf '%s,' "$row"
                graded=$((graded + 1))
                [ "$note" = ok ] && complete=$((complete + 1))
            else
                for n in "${chapters[@]}"; do printf ','; done
                printf ',,'
            fi
            csv_field "$note"
            printf '\n'
        done
    } >"$1.tmp.$$" && mv -f "$1.tmp.$$" "$1" || { rm -f "$1.tmp.$$"; echo "grade-all: cannot write $1" >&2; }
    summary="${#names[@]} submissions: $complete graded completely, $((graded - complete)) incomplete, $((${#names[@]} - graded)) not graded"
}

xargs_pid=
on_signal() {
    trap '' TERM INT HUP
    # grade.sh stops each grading and keeps what it knew; then the gradebook.
    # xargs runs one shell per grading, which runs timeout, which passes the
    # signal on to grade.sh.
    local shell
    if [ -n "$xargs_pid" ]; then
        for shell in $(pgrep -P "$xargs_pid"); do pkill -TERM -P "$shell" 2>/dev/null; done
        wait "$xargs_pid" 2>/dev/null
    fi
    gradebook "$GRADEBOOK.partial"
    echo "grade-all: stopped by SIG$1; $summary; what was done: $GRADEBOOK.partial ($GRADEBOOK was left as it was)" >&2
    exit "$2"
}
trap 'on_signal TERM 143' TERM
trap 'on_signal INT 130' INT
trap 'on_signal HUP 129' HUP

start=$SECONDS
echo "grade-all: ${#names[@]} submissions in $subs, $JOBS at a time"
for i in "${!names[@]}"; do printf '%s\0%s\0' "$subs/${names[$i]}" "${dirs[$i]}"; done |
    xargs -0 -n 2 -P "$JOBS" bash -c 'grade_one "$1" "$2"' _ &
xargs_pid=$!
wait "$xargs_pid"
xargs_pid=
gradebook "$GRADEBOOK"
echo "grade-all: $summary, in $((SECONDS - start)) s"
echo "gradebook: $GRADEBOOK"
case $summary in *" 0 incomplete, 0 not graded") exit 0 ;; *) exit 1 ;; esac
