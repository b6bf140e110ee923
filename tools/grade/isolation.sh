# isolation.sh: sourced by tools/grade/grade.sh. Which isolation a grading
# uses, the user id it grades as, its staging folders, and the sandboxed runs
# of the compiler and the binary tools (build/bin/sandbox).
#
#   isolation_begin   chooses the isolation (GRADE_ISOLATION: auto, bwrap, uid
#                     or none); as root, takes a user id of its own for the
#                     whole grading (a lock per id, so that gradings side by
#                     side never share one); in uid mode, makes the workbook
#                     and GRADE_FORBID unreadable to that user and checks that
#                     they are; makes the staging root. Sets $isolation and
#                     $judge_isolation (the judges' options), or returns 1
#                     with $isolation_error.
#   stage N           a staging folder for chapter N (printed): src/ (the
#                     submission's file), include/ (the contract's headers),
#                     lib/ (the subject's own objects), out/ (what the compiler
#                     and linker write: the only folder the sandbox may write),
#                     bin/ (the linked subject, out of its own reach), judge/
#                     (the judges' private files)
#   sandboxed W [OPTIONS] -- CMD...   CMD in build/bin/sandbox, from W/src,
#                     with W's folders bound as /w/... (OPTIONS: its limits)
#   isolation_end     the grading's user: every process killed, every file it
#                     left in /tmp, /var/tmp and /dev/shm removed; the staging
#                     root removed (kept, and said, with GRADE_KEEP=1)
GRADE_UID_BASE=${GRADE_UID_BASE:-64100}
isolation=none judge_isolation="--isolation none" grade_uid= isolation_error= staging=

# As root: a user id no account has and no other grading holds.
take_uid() {
    local dir=/run/lock/mnist-workbook-grade n uid fd
    [ -d /run/lock ] || dir=/tmp/mnist-workbook-grade-locks
    if ! mkdir -p "$dir" 2>/dev/null || [ "$(stat -c %u "$dir")" != 0 ] || ! chmod 700 "$dir"; then
        isolation_error="cannot make the folder of locks $dir"
        return 1
    fi
    for n in $(seq 0 63); do
        uid=$((GRADE_UID_BASE + n))
        getent passwd "$uid" >/dev/null 2>&1 && continue
        getent group "$uid" >/dev/null 2>&1 && continue
        exec {fd}>"$dir/$uid.lock" || continue
        if flock -n "$fd"; then
            grade_uid=$uid
            return 0
        fi
        exec {fd}>&-
    done
    isolation_error="the 64 user ids from $GRADE_UID_BASE (GRADE_UID_BASE) are all taken"
    return 1
}

as_grade_user() { setpriv --reuid="$grade_uid" --regid="$grade_uid" --clear-groups -- "$@"; }

# Keeps the grader's files out of the grading user's reach (uid mode), and
# checks it, as that user: the workbook (solutions, hidden tests, results,
# the grader's programs), the results folder, and the other submissions.
hide_secrets() {
    local d said=
    for d in "$root" "$GRADE_DIR" "$(cd "$BUILD" && pwd -P)" ${forbid:+"$forbid"}; do
        if as_grade_user test -r "$d" -o -x "$d"; then
            chmod o-rwx "$d" || { isolation_error="cannot make $d unreadable to others"; return 1; }
            [ -n "$said" ] || echo "grade: no namespaces here: grading as user $grade_uid, with $d unreadable to other users (chmod o-rwx)" >&2
            said=1
        fi
        if as_grade_user test -r "$d" -o -x "$d"; then
            isolation_error="$d stays readable to user $grade_uid: the submission could read the solutions"
            return 1
        fi
    done
    if as_grade_user test -r "$root/solutions"; then
        isolation_error="solutions/ is readable to user $grade_uid"
        return 1
    fi
}

isolation_begin() {
    local want=${GRADE_ISOLATION:-auto} is_root=0 probe=()
    [ "$(id -u)" = 0 ] && is_root=1
    case $want in auto | bwrap | uid | none) ;; *) isolation_error="GRADE_ISOLATION=$want: use auto, bwrap, uid or none"; return 1 ;; esac
    if [ $is_root = 1 ] && [ "$want" != none ]; then take_uid || return 1; fi
    if [ "$want" = auto ] || [ "$want" = bwrap ]; then
        probe=("$BIN/sandbox" --isolation bwrap ${grade_uid:+--uid "$grade_uid"} --timeout 30 -- true)
        if command -v bwrap >/dev/null && "${probe[@]}" >/dev/null 2>&1; then
            isolation=bwrap
        elif [ "$want" = bwrap ]; then
            isolation_error="GRADE_ISOLATION=bwrap, but bwrap cannot make a sandbox here: $("${probe[@]}" 2>&1 | tail -n 1)"
            return 1
        fi
    fi
    if [ "$isolation" = none ] && [ "$want" != none ] && [ "$want" != bwrap ]; then
        if [ $is_root = 1 ]; then
            isolation=uid
            hide_secrets || return 1
        elif [ "$want" = uid ]; then
            isolation_error="GRADE_ISOLATION=uid needs root"
            return 1
        fi
    fi
    judge_isolation="--isolation $isolation${grade_uid:+ --uid $grade_uid}"
    [ "$isolation" = none ] && judge_isolation="--isolation none" &&
        echo "grade: WARNING: no sandbox here (no user namespaces for bwrap, and not root): the submission runs as $(id -un), with limits only; it is trusted" >&2
    staging=$(mktemp -d "${TMPDIR:-/tmp}/wb-grade.XXXXXX") || { isolation_error="cannot make a staging folder"; return 1; }
    chmod 711 "$staging"
}

stage() {
    local w=$staging/ch$1
    rm -rf "$w" && mkdir -p "$w"/{src/exercises,include,lib,out,bin,judge} || return 1
    chmod 711 "$w" && chmod 755 "$w"/{src,src/exercises,include,lib,bin} && chmod 700 "$w/judge" || return 1
    [ -z "$grade_uid" ] || chown "$grade_uid:$grade_uid" "$w/out" || return 1
    chmod 700 "$w/out"
    echo "$w"
}

sandboxed() {
    local w=$1; shift
    local opts=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
    shift
    "$BIN/sandbox" --isolation "$isolation" ${grade_uid:+--uid "$grade_uid" --processes 64} \
        --bind "$w/src:/w/src" --bind "$w/include:/w/include" --bind "$w/lib:/w/lib" \
        --bind-rw "$w/out:/w/out" --chdir /w/src "${opts[@]}" -- "$@"
}

isolation_end() {
    if [ -n "$grade_uid" ]; then
        as_grade_user kill -9 -1 >/dev/null 2>&1
        [ "$isolation" = uid ] && find /tmp /var/tmp /dev/shm -xdev -mindepth 1 -depth -uid "$grade_uid" -delete 2>/dev/null
    fi
    if [ "${GRADE_KEEP:-0}" = 1 ] && [ -n "$staging" ]; then
        echo "grade: kept the staging folder $staging (GRADE_KEEP=1)" >&2
    elif [ -n "$staging" ]; then
        rm -rf "$staging"
    fi
    staging=
}
