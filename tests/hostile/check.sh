# check.sh: sourced by the test steps that grade hostile submissions
# (tests/steps/30-grading.sh, 31-isolation.sh, 35-instructor.sh).
#
#   hostile_assemble DIR FILE...   each tests/hostile/chN/NAME.c as a
#                                  submission DIR/chN-NAME/chN.c, and its probe
#                                  DIR/chN-NAME.probe/chN.c (hostile.h)
#   hostile_grade DIR NAME [VAR=VALUE...]   grades DIR/NAME into DIR/NAME.g/
#                                  in the background (status in NAME.status)
#   hostile_verify DIR FILE        what the grading of FILE got wrong, one
#                                  problem a line, nothing when it is right
#   leaks FILE...                  the lines of solutions/ and tests/hidden/
#                                  that the files contain
#   hidden_output TSV              the hidden tests' rows that kept output
#   own_pid_namespace "$@"         re-runs the step in a pid namespace of its
#                                  own, where it can (call it first)
#
# hostile_verify holds a grading to the file's header (hostile.h): the tests
# its probe reports "todo" are those that reach the misbehaviour; they must
# end with the status on its "expect:" line (0 points but for "pass") and a
# message matching its "says:" line, and every other test must pass.
# Expects $BUILD and bad() from the step.

# The steps that source this look for the processes a grading left behind
# (pgrep, ps) and kill them (pkill), by name and by user. On the machine at
# large, that would find and kill the processes of a grading or a `make test`
# that runs beside the step, and blame the step for them. In a pid namespace
# of its own, with its own /proc, a step sees its own processes only: every
# grading it starts and whatever a submission leaves behind (they are its
# descendants, wherever they hide), and nothing else. The namespace's first
# process is a shell that only waits for the step (and takes in the orphans);
# --kill-child ends whatever is left when it ends. Making a pid namespace
# needs root: elsewhere the step runs as it is, and says so.
own_pid_namespace() {
    local step
    step=tests/steps/$(basename "$0")  # from the workbook's top, where the step has gone
    [ "${WB_OWN_PIDS:-}" = "$step" ] && return 0
    if [ "$(id -u)" = 0 ] && unshare --pid --fork --mount-proc --kill-child true 2>/dev/null; then
        WB_OWN_PIDS=$step exec unshare --pid --fork --mount-proc --kill-child bash -c 'bash "$0" "$@"; exit $?' "$step" "$@"
    fi
    echo "note: no pid namespace of its own here (needs root): processes are looked for on the whole machine"
}

hostile_name() { local f=$1 n; n=$(basename "$(dirname "$f")"); echo "$n-$(basename "$f" .c)"; }

hostile_assemble() {
    local dir=$1 f name n; shift
    for f in "$@"; do
        name=$(hostile_name "$f") n=$(basename "$(dirname "$f")")
        mkdir -p "$dir/$name" "$dir/$name.probe"
        bash tests/hostile/assemble.sh "$f" >"$dir/$name/$n.c" &&
            bash tests/hostile/assemble.sh --probe "$f" >"$dir/$name.probe/$n.c" ||
            bad "$f: tests/hostile/assemble.sh cannot build its submission"
    done
}

# At most HOSTILE_JOBS (6) at a time.
hostile_grade() {
    local dir=$1 name=$2 n; shift 2
    n=${name%%-*}; n=${n#ch}
    while [ "$(jobs -rp | wc -l)" -ge "${HOSTILE_JOBS:-6}" ]; do wait -n; done
    (env "$@" GRADE_MAKE=0 GRADE_JOBS=1 GRADE_DIR="$dir/$name.g" bash tools/grade/grade.sh "$dir/$name" "$n" \
        >"$dir/$name.log" 2>&1 </dev/null
     echo $? >"$dir/$name.status") &
}

# "test status points" of chapter $2's rows in results file $1
hostile_rows() { awk -F'\t' -v n="$2" 'NR > 1 && $1 == n && $3 != "warnings" { print $2, $3, $4 }' "$1" 2>/dev/null; }

hostile_verify() {
    local dir=$1 f=$2 name n expect says results probe todo other problems
    name=$(hostile_name "$f") n=$(basename "$(dirname "$f")"); n=${n#ch}
    expect=$(sed -n 's|^// expect: *||p' "$f" | head -n 1)
    says=$(sed -n 's|^// says: *||p' "$f" | head -n 1)
    [ -n "$expect" ] || { echo "$f has no '// expect: STATUS' line"; return; }
    [ -n "$says" ] || { echo "$f has no '// says: WORDS' line (what the report must say, a regex)"; return; }
    results=$dir/$name.g/results.tsv
    if [ "$(cat "$dir/$name.status" 2>/dev/null)" != 0 ] || [ ! -s "$results" ]; then
        echo "$name: grade.sh exited $(cat "$dir/$name.status" 2>/dev/null) or wrote no results:"
        tail -n 20 "$dir/$name.log"
        return
    fi
    if [[ $expect =~ ^(compile|refused)$ ]]; then
        problems=$(hostile_rows "$results" "$n" | awk -v e="$expect" '$2 != e || $3 != 0 { print "  " $0 }')
        [ -n "$(hostile_rows "$results" "$n")" ] || problems="  no rows"
    else
        probe=$dir/$name.probe.g/results.tsv
        todo=$(hostile_rows "$probe" "$n" | awk '$2 == "todo" { print $1 }' | tr '\n' ' ')
        other=$(hostile_rows "$probe" "$n" | awk '$2 != "todo" && $2 != "pass" { print $1 " " $2 }')
        if [ -z "$todo" ] || [ -n "$other" ]; then
            echo "$name: its probe should make some tests todo and pass the rest, got:"
            hostile_rows "$probe" "$n" | sed 's/^/  /'
            tail -n 5 "$dir/$name.probe.log"
            return
        fi
        [ "$(hostile_rows "$results" "$n" | wc -l)" = "$(hostile_rows "$probe" "$n" | wc -l)" ] ||
            problems="  rows differ from the probe's"
        problems+=$(hostile_rows "$results" "$n" | awk -v lose=" $todo" -v expect="^($expect)\$" '
            { reached = index(lose, " " $1 " ") > 0 }
            reached && ($2 !~ expect || ($2 != "pass" && $3 != 0)) { print "  " $1 ": expected " expect ", got " $2 " " $3 }
            !reached && $2 != "pass" { print "  " $1 ": should pass (it does not reach the misbehaviour), got " $2 }')
    fi
    # Each test it cost says so in the words the file promises.
    problems+=$(awk -F'\t' -v n="$n" -v st="^($expect)\$" -v says="$says" '
        NR > 1 && $1 == n && $3 ~ st && $3 != "pass" && $6 !~ says { print "  " $2 ": " $6 "\n    (the message should match: " says ")" }' "$results")
    if [ -n "$problems" ]; then
        echo "$name (expect: $expect):"
        echo "$problems"
        sed 's/^/    /' "$dir/$name.log" | head -n 30
    fi
}

# The lines of the reference solutions and of the hidden tests (those long
# enough to be telling, and not shared with a stub, a header or a public
# test) that the given files contain.
leaks() {
    local secrets
    secrets=$(mktemp)
    cat solutions/*.c tests/hidden/*/*.c | awk 'length($0) > 40 { sub(/^[ \t]+/, ""); print }' |
        grep -vxF -f <(cat exercises/*.c chapters/*/ch*.h tests/ch*/*.c | sed 's/^[ \t]*//') | sort -u >"$secrets"
    grep -hoF -f "$secrets" "$@" 2>/dev/null | sort -u
    rm -f "$secrets"
}

hidden_output() { awk -F'\t' 'NR > 1 && $9 != "visible" && $7 != "" { print $1 " " $2 ": " $7 }' "$1"; }

# left_behind PATTERN: the processes matching PATTERN (pgrep -f) and those of
# the grading users (64100 to 64163) still there after a grading has ended.
# The zygotes die as the gradings end, but a busy machine may take its time:
# wait up to 30 s for them before naming what is left.
left_behind() {
    local left uids
    for _ in $(seq 300); do
        left=$(pgrep -af -- "$1" | grep -v pgrep)
        uids=$(ps -eo uid= | awk '$1 >= 64100 && $1 < 64164' | sort -u | tr '\n' ' ')
        [ -z "$left$uids" ] && return 0
        sleep 0.1
    done
    echo "$left${uids:+ (of users $uids)}"
}
