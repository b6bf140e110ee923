#!/usr/bin/env bash
# The grader holds in each of its isolations (tools/grade/isolation.sh), not
# only the one this machine picks by itself:
#  - uid: as root, with GRADE_ISOLATION=uid (what a container without user
#    namespaces gets), on a copy of the workbook, which the grading makes
#    unreadable to the user it grades as;
#  - bwrap run by an ordinary user (no root, so no user id of its own: the
#    sandbox alone keeps the grader's files and processes out of reach).
# In each: the reference gets full marks, the stubs zero, and the hostile
# submissions that act at run time (tests/hostile/ch1/: forged verdicts, the
# reference looked for in the program and on disk, the environment, results
# rewritten, a daemon, files left behind, a fork loop, hidden inputs printed,
# a sleep that would hold the grading)
# lose what they must and gain nothing; the results hold no row of theirs; no
# line of the solutions shows; no process and no file is left.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
export BUILD=${BUILD:-build}
# shellcheck source=tests/hostile/check.sh
. tests/hostile/check.sh
own_pid_namespace "$@"
[ "$(id -u)" = 0 ] || { echo "skipped: needs root (to grade as another user)"; exit 77; }
command -v setpriv >/dev/null || { echo "skipped: setpriv is not installed"; exit 77; }
tmp=$(mktemp -d /tmp/wb-isolation.XXXXXX)
trap '[ "${KEEP:-0}" = 1 ] || rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

make -s --no-print-directory GRADE_CHAPTERS=1 grade-build >"$tmp/make.log" 2>&1 ||
    { echo "FAIL: cannot build the grader"; tail -n 20 "$tmp/make.log"; exit 1; }

# A copy of what grading chapter 1 reads: its sources, headers, tests, the
# hostile files, the reference, and the built judges, subjects' objects and
# tools. A grading in uid mode changes its folder's permissions: the copy's.
copy() {
    local to=$1
    mkdir -p "$to"
    tar -C . -cf - Makefile tools lib chapters exercises solutions tests \
        "$BUILD/bin" "$BUILD/obj/tests" "$BUILD/grade-flags.txt" "$BUILD/grade-contract" | tar -C "$to" -xf -
}

runtime=(forge_verdict find_reference read_solutions environ append_results daemon tmpfiles forkloop leak_hidden
         write_before include_solutions incbin sleeps)

# check_mode WB LABEL [VAR=VALUE...]: in the copy WB, as the step's own
# user (or the one VAR=... set up), the reference, the stubs and the hostile
# files above, each held to its header.
check_mode() {
    local wb=$1 label=$2; shift 2
    local as=("$@") f name dir=$wb/h problems
    (
        cd "$wb" || exit 1
        mkdir -p "$dir/ref" "$dir/stubs"
        cp solutions/ch1.c "$dir/ref/"
        cp exercises/ch1.c "$dir/stubs/"
        files=()
        for name in "${runtime[@]}"; do files+=("tests/hostile/ch1/$name.c"); done
        HOSTILE_DEFINES="#define HOSTILE_RESULTS \"$dir/ch1-append_results.g\"" hostile_assemble "$dir" "${files[@]}"
        chmod -R a+rX "$dir"
        [ ${#as[@]} -gt 0 ] && chown "${as[0]}" "$dir"
        run() { if [ ${#as[@]} -gt 1 ]; then "${as[@]:1}" "$@"; else "$@"; fi; }
        for name in ref stubs; do
            run env GRADE_MAKE=0 GRADE_JOBS=1 GRADE_DIR="$dir/$name.g" ${GRADE_ISOLATION:+GRADE_ISOLATION=$GRADE_ISOLATION} \
                bash tools/grade/grade.sh "$dir/$name" 1 >"$dir/$name.log" 2>&1 </dev/null
        done
        export GRADE_TIMEOUT=2
        for f in "${files[@]}"; do
            name=$(hostile_name "$f")
            HOSTILE_JOBS=4 hostile_grade_as "$dir" "$name"
            grep -qE '^// expect: (compile|refused)$' "$f" || HOSTILE_JOBS=4 hostile_grade_as "$dir" "$name.probe"
        done
        wait
        awk -F'\t' 'NR > 1 && $3 != "pass"' "$dir/ref.g/results.tsv" | grep -q . || [ ! -s "$dir/ref.g/results.tsv" ] &&
            { echo "FAIL: $label: the reference does not get full marks:"; tail -n 20 "$dir/ref.log"; }
        awk -F'\t' 'NR > 1 && $3 != "todo"' "$dir/stubs.g/results.tsv" | grep -q . || [ ! -s "$dir/stubs.g/results.tsv" ] &&
            { echo "FAIL: $label: the stubs are not all todo:"; tail -n 20 "$dir/stubs.log"; }
        grep -q "Isolation: $ISOLATION_WORD" "$dir/ref.log" || echo "FAIL: $label: the report does not say 'Isolation: $ISOLATION_WORD'"
        for f in "${files[@]}"; do
            problems=$(hostile_verify "$dir" "$f")
            [ -z "$problems" ] || echo "FAIL: $label: $problems"
        done
        leaked=$(leaks "$dir"/*.log "$dir"/*.g/results.tsv)
        [ -z "$leaked" ] || echo "FAIL: $label: lines of the solutions or hidden tests in a report: $(head -n 3 <<<"$leaked")"
        for t in "$dir"/*.g/results.tsv; do
            [ -z "$(hidden_output "$t")" ] || echo "FAIL: $label: $t kept the output of hidden tests"
            awk -F'\t' 'NR > 1 && ($4 > $5 || $4 == 50)' "$t" | grep -q . && echo "FAIL: $label: $t has a row worth more than its test"
        done
    ) >"$tmp/$label.out" 2>&1
    grep -q '^FAIL' "$tmp/$label.out" && { fail=1; grep -A12 '^FAIL' "$tmp/$label.out" | head -n 60; }
    [ ! -e /tmp/results.tsv ] || { bad "$label: a submission wrote /tmp/results.tsv"; rm -f /tmp/results.tsv; }
    left=$(ls /tmp/wb-hostile-* /var/tmp/wb-hostile-* /dev/shm/wb-hostile-* 2>/dev/null)
    [ -z "$left" ] || { bad "$label: files left behind: $left"; rm -f $left; }
    left=$(left_behind '--zygote')
    [ -z "$left" ] || { bad "$label: processes left behind: $left"; pkill -9 -f -- '--zygote'; }
    echo "$label: done"
}

# hostile_grade, but as the user the mode runs as.
hostile_grade_as() {
    local d=$1 name=$2 extra=()
    [ "$name" = ch1-append_results ] && extra=("HOSTILE_RESULTS=$d/$name.g")
    while [ "$(jobs -rp | wc -l)" -ge "${HOSTILE_JOBS:-4}" ]; do wait -n; done
    (run env "${extra[@]}" GRADE_MAKE=0 GRADE_JOBS=1 GRADE_DIR="$d/$name.g" ${GRADE_ISOLATION:+GRADE_ISOLATION=$GRADE_ISOLATION} \
        bash tools/grade/grade.sh "$d/$name" 1 >"$d/$name.log" 2>&1 </dev/null
     echo $? >"$d/$name.status") &
}

# 1. uid, as root, on a copy that others could read: the grading closes it.
rm -f /tmp/wb-hostile-* /var/tmp/wb-hostile-* /dev/shm/wb-hostile-* /tmp/results.tsv
copy "$tmp/uid"
chmod 755 "$tmp" "$tmp/uid"
GRADE_ISOLATION=uid ISOLATION_WORD=uid check_mode "$tmp/uid" uid
perms=$(stat -c %a "$tmp/uid")
[[ $perms =~ 0$ ]] || bad "uid: the workbook copy is still open to other users ($perms)"
chmod 700 "$tmp"

# 2. bwrap as an ordinary user: the copy readable by all, the results theirs.
user=64099
if setpriv --reuid=$user --regid=$user --clear-groups bwrap --unshare-all --ro-bind / / true 2>/dev/null; then
    copy "$tmp/user"
    chmod 755 "$tmp"
    chmod -R a+rX "$tmp/user"
    GRADE_ISOLATION= ISOLATION_WORD=bwrap check_mode "$tmp/user" user \
        "$user:$user" setpriv --reuid=$user --regid=$user --clear-groups env HOME=/tmp TMPDIR=/tmp
    chmod 700 "$tmp"
else
    echo "user: skipped: an ordinary user cannot make user namespaces here"
fi

[ $fail = 0 ] && echo "isolation: uid as root, and bwrap as an ordinary user: the reference full, the stubs zero, ${#runtime[@]} hostile submissions as expected"
exit $fail
