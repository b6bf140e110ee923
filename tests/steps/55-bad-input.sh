#!/usr/bin/env bash
# 55-bad-input: every bad config, command line and output place is refused
# with its exit status and one clear line, and a run killed outright leaves no
# final file half-written. (Bad data files are 50-bad-data.sh's.) The configs
# go through chapter 2's program (`--config FILE`), the command lines through
# chapter 1's and through make; programs run in both the normal and the
# sanitizer build, so a refusal that crashes or leaks fails here too.
# CONTRIBUTING.md has the table of every case and its message.
set -u
export LC_ALL=C
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
SANITIZE_BUILD=${SANITIZE_BUILD:-build/sanitize}
# The chapters make knows, as it finds them: the folders chapters/NN-name.
CHAPTERS=$(for d in chapters/[0-9][0-9]-*/main.c; do [ -f "$d" ] || continue; n=${d#chapters/}; echo $((10#${n%%-*})); done)
for p in ch1-solutions ch2-solutions; do
    for b in "$BUILD" "$SANITIZE_BUILD"; do
        [ -x "$b/bin/$p" ] || { echo "missing $b/bin/$p: build it first (make all; make SANITIZE=1 $b/bin/$p)"; exit 1; }
    done
done
# A sanitizer report must be told apart from the program's own statuses.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:exitcode=87"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bad-input.XXXXXX") || exit 1
trap 'chmod -R u+rwX "$TMP" 2>/dev/null; rm -rf "$TMP"' EXIT
failures=0 checked=0
fail() { failures=$((failures + 1)); echo "FAIL $*"; }

# expect NAME STATUS REGEX CMD...: CMD must exit with STATUS and write exactly
# one line on stderr, matching the extended REGEX.
expect() {
    local name=$1 want=$2 regex=$3 status line why=""
    shift 3
    checked=$((checked + 1))
    timeout -k 5 120 "$@" >"$TMP/stdout" 2>"$TMP/stderr" </dev/null
    status=$?
    line=$(head -n 1 "$TMP/stderr")
    case $status in
        86) why="AddressSanitizer (or LeakSanitizer) reported an error" ;;
        87) why="UBSan reported undefined behaviour" ;;
        124) why="hung: killed after 120 s" ;;
        "$want") ;;
        *) why="exit status $status, expected $want" ;;
    esac
    if [ -z "$why" ] && [ "$(wc -l <"$TMP/stderr")" -ne 1 ]; then
        why="stderr should be exactly one line, it has $(wc -l <"$TMP/stderr")"
    elif [ -z "$why" ] && ! grep -qE -- "$regex" <<<"$line"; then
        why="the line should match /$regex/"
    fi
    if [ -n "$why" ]; then
        fail "$name ($1): $why"
        sed 's/^/     stderr: /' "$TMP/stderr" | head -n 20
    else
        echo "ok   $name ($1): $line"
    fi
}

# ---------------------------------------------------------------------------
# Configs: chapter 2, both builds. Refused before any data is read, except the
# batch larger than the training split, which only the program can know.

cfg() { printf "$2" >"$TMP/$1.yaml"; }
cfg syntax 'learning_rate: 0.1\nbatch_size: [1\n'
cfg tab 'epochs: 10\n\tbatch_size: 3\n'
cfg unknown-key 'learning_rate: 0.1\nlearnig_rate: 0.2\n'
cfg wrong-type 'batch_size: many\n'
cfg quoted-number 'learning_rate: "0.001"\n'
cfg rate-zero 'learning_rate: 0\n'
cfg rate-negative 'learning_rate: -0.5\n'
cfg batch-zero 'batch_size: 0\n'
cfg batch-too-big 'layer_specs: [784, 10]\nbatch_size: 1000\nepochs: 1\n'
cfg epochs-zero 'epochs: 0\n'
cfg first-layer 'layer_specs: [785, 10]\n'
cfg last-layer 'layer_specs: [784, 9]\n'
cfg activation 'activation: softplus\n'
cfg activation-none 'layer_specs: [784, 128, 10]\nactivation: None\n'
cfg gamma-one 'momentum_gamma: 1\n'
cfg gamma-negative 'momentum_gamma: -0.1\n'

config_case() {  # NAME REGEX (the config is $TMP/NAME.yaml, or the path in $3)
    local b
    for b in "$BUILD" "$SANITIZE_BUILD"; do
        expect "config $1" 1 "$2" "$b/bin/ch2-solutions" --config "${3:-$TMP/$1.yaml}" \
            --data data/mnist --out "$TMP/out/$1" --limit 1000 --quiet
    done
}
Y='\.yaml'
config_case syntax "^ch2: $TMP/syntax$Y:3:1: YAML syntax error: .*line 2, column 13"
config_case tab "^ch2: $TMP/tab$Y:2:1: YAML syntax error: found a tab character"
config_case unknown-key "^ch2: $TMP/unknown-key$Y:2:1: learnig_rate: unknown key; did you mean learning_rate\?$"
config_case wrong-type "^ch2: $TMP/wrong-type$Y:1:13: batch_size: must be a whole number from 1 to 60000, got many$"
config_case quoted-number "^ch2: $TMP/quoted-number$Y:1:16: learning_rate: must be a positive number, got the quoted string \"0.001\"$"
config_case rate-zero "^ch2: $TMP/rate-zero$Y:1:16: learning_rate: must be a positive number, got 0$"
config_case rate-negative "^ch2: $TMP/rate-negative$Y:1:16: learning_rate: must be a positive number, got -0.5$"
config_case batch-zero "^ch2: $TMP/batch-zero$Y:1:13: batch_size: must be a whole number from 1 to 60000, got 0$"
config_case batch-too-big "^ch2: $TMP/batch-too-big$Y: batch_size: 1000 is more than the 800 training (images|examples)"
config_case epochs-zero "^ch2: $TMP/epochs-zero$Y:1:9: epochs: must be a whole number from 1 to 10000, got 0$"
config_case first-layer "^ch2: $TMP/first-layer$Y:1:15: layer_specs: the first layer must be 784 .*, got 785$"
config_case last-layer "^ch2: $TMP/last-layer$Y:1:20: layer_specs: the last layer must be 10 .*, got 9$"
config_case activation "^ch2: $TMP/activation$Y:1:13: activation: must be tanh, sigmoid or ReLU \(or None, for a network without hidden layers\), got softplus$"
config_case activation-none "^ch2: $TMP/activation-none$Y:2:1: activation: None stands for a network without hidden layers, but layer_specs has 1: use tanh, sigmoid or ReLU$"
config_case gamma-one "^ch2: $TMP/gamma-one$Y:1:17: momentum_gamma: must be a number from 0 up to, not including, 1, got 1$"
config_case gamma-negative "^ch2: $TMP/gamma-negative$Y:1:17: momentum_gamma: must be a number from 0 up to, not including, 1, got -0.1$"
config_case missing-config "^ch2: $TMP/no-such$Y: cannot open: No such file or directory$" "$TMP/no-such.yaml"
config_case config-is-a-directory "^ch2: $TMP: cannot read: Is a directory$" "$TMP"

# ---------------------------------------------------------------------------
# Command lines: chapter 1's program (status 2), then make.

for b in "$BUILD" "$SANITIZE_BUILD"; do
    p=$b/bin/ch1-solutions
    expect "unknown option" 2 "^ch1: unknown option '--bogus' \(ch1 --help lists the options\)$" "$p" --bogus
    expect "missing value" 2 "^ch1: --out needs a value \(ch1 --help lists the options\)$" "$p" --quiet --out
    expect "empty value" 2 "^ch1: --data needs a value" "$p" --data ""
    expect "malformed number" 2 "^ch1: --seed: expected a whole number from 0 to 18446744073709551615, got 'x'$" "$p" --seed x
    expect "negative limit" 2 "^ch1: --limit: expected a whole number from 0 to 100000000, got '-1'$" "$p" --limit -1
    expect "no seeds" 2 "^ch1: --seeds: expected a whole number from 1 to 100, got '0'$" "$p" --seeds 0
    expect "signed number" 2 "^ch1: --limit: expected a whole number from 0 to 100000000, got '\\+5'$" "$p" --limit +5
    expect "unknown --norm" 2 "^ch1: --norm: expected 'image' or 'split', got 'pixel'$" "$p" --norm pixel
    # a figure's script that fails: gnuplot's reason in one line, and no figure
    # begun (*.part) left behind
    rm -rf "$TMP/figs" "$TMP/ch1-figs" && cp -r figures "$TMP/figs" &&
        printf "w_px = 100; h_px = 100\nload figures.'/common.gp'\nprint no_such_variable\n" >"$TMP/figs/digits.gp"
    expect "a figure that fails" 1 "^ch1: $TMP/figs/digits.gp: gnuplot failed \(svg terminal\): .*line 3: undefined variable: no_such_variable$" \
        "$p" --quiet --figures "$TMP/figs" --out "$TMP/ch1-figs"
    parts=$(find "$TMP/ch1-figs" -name '*.part')
    [ -z "$parts" ] || fail "a figure that fails ($p): left $parts"
    expect "a config where none is read" 2 "^ch1: --config $TMP/no-such.yaml: chapter 1 reads no config \(the chapters that train do\)$" \
        "$p" --quiet --out "$TMP/ch1-config" --config "$TMP/no-such.yaml"
done

chapters_list=$(echo $CHAPTERS)
M=(make -s --no-print-directory)
expect "make ch9" 2 "\*\*\* ch9: no chapter 9: chapters are $chapters_list\.  Stop\.$" "${M[@]}" ch9
expect "make check-ch0" 2 "\*\*\* check-ch0: no chapter 0: chapters are $chapters_list\.  Stop\.$" "${M[@]}" check-ch0
expect "make ch1 SOLUTIONS=2" 2 "\*\*\* SOLUTIONS=2: use SOLUTIONS=1 for the reference solutions, or leave it unset\." \
    "${M[@]}" ch1 SOLUTIONS=2
expect "make ch1 DATASET=kmnist" 2 "\*\*\* DATASET=kmnist is not a data set here: use mnist or fashion\." \
    "${M[@]}" ch1 DATASET=kmnist
expect "make test-busy RUNS=1" 2 "\*\*\* RUNS=1: RUNS is not a setting \\(the runs go to build/runs\\); for make test-busy, BUSY_RUNS=n runs the tests n times\." \
    "${M[@]}" test-busy RUNS=1
# grade.sh says it, then make adds its own "Error 2" line: keep the first.
checked=$((checked + 1))
mkdir -p "$TMP/sub"
"${M[@]}" grade SUBMISSION="$TMP/sub" CH=9 >"$TMP/stdout" 2>"$TMP/stderr" </dev/null
status=$?
if [ $status -ne 2 ] || ! head -n 1 "$TMP/stderr" | grep -qE "^grade: no chapter 9 here \(the chapters are $chapters_list\)$"; then
    fail "make grade CH=9: status $status"; sed 's/^/     stderr: /' "$TMP/stderr" | head
else
    echo "ok   make grade CH=9: $(head -n 1 "$TMP/stderr")"
fi
# OUT= names a file: a folder there is refused before anything is graded,
# and nothing is written into it.
checked=$((checked + 1))
mkdir -p "$TMP/out-folder"
"${M[@]}" grade SUBMISSION="$TMP/sub" CH=1 FORMAT=tap OUT="$TMP/out-folder" >"$TMP/stdout" 2>"$TMP/stderr" </dev/null
status=$?
if [ $status -ne 2 ] || ! head -n 1 "$TMP/stderr" | grep -qxF "grade: OUT=$TMP/out-folder: is a folder; OUT names the file to write" ||
    [ -n "$(ls -A "$TMP/out-folder")" ]; then
    fail "make grade OUT=folder: status $status, in the folder: $(ls -A "$TMP/out-folder")"; sed 's/^/     stderr: /' "$TMP/stderr" | head
else
    echo "ok   make grade OUT=folder: $(head -n 1 "$TMP/stderr")"
fi
# Two files that could be chapter 1's, neither where the grader looks first:
# the chapter is refused, naming both, whichever is right.
checked=$((checked + 1))
mkdir -p "$TMP/two/a" "$TMP/two/b"
cp solutions/ch1.c "$TMP/two/a/ch1.c" 2>/dev/null || cp exercises/ch1.c "$TMP/two/a/ch1.c"
cp exercises/ch1.c "$TMP/two/b/ch1.c"
GRADE_DIR="$TMP/grade-two" bash tools/grade/grade.sh "$TMP/two" 1 >"$TMP/stdout" 2>"$TMP/stderr" </dev/null
status=$?
want="more than one ch1.c in the submission (a/ch1.c, b/ch1.c): keep one, or put it in exercises/ch1.c"
if [ $status -ne 0 ] || awk -F'\t' 'NR > 1 && ($3 != "refused" || $4 != 0)' "$TMP/grade-two/results.tsv" | grep -q . ||
    ! awk -F'\t' 'NR > 1 { print $6 }' "$TMP/grade-two/results.tsv" | grep -qxF "$want"; then
    fail "a submission with two ch1.c: status $status"; sed 's/^/     /' "$TMP/stdout" "$TMP/stderr" | head
else
    echo "ok   a submission with two ch1.c: every test refused: $want"
fi

# ---------------------------------------------------------------------------
# Outputs: where the run cannot write. Root writes through chmod 000, so the
# unwritable place is one no user can write to: a folder under a regular file
# (mkdir fails with ENOTDIR for everyone). The read-only folder is tried too
# when not root.

: >"$TMP/a-file"
for b in "$BUILD" "$SANITIZE_BUILD"; do
    expect "out under a file" 1 "^ch1: $TMP/a-file: exists and is not a directory$" \
        "$b/bin/ch1-solutions" --out "$TMP/a-file/run" --limit 1000 --quiet
done
if [ "$(id -u)" != 0 ]; then
    mkdir -p "$TMP/read-only" && chmod 555 "$TMP/read-only"
    expect "out in a read-only folder" 1 "^ch1: $TMP/read-only/run: cannot create directory: Permission denied$" \
        "$BUILD/bin/ch1-solutions" --out "$TMP/read-only/run" --limit 1000 --quiet
else
    echo "skip out in a read-only folder: running as root, where chmod does not stop writes (the file-in-the-way case covers root)"
fi
# The disk fills up while values.tsv is written (its temporary is /dev/full):
# a clear error, and neither values.tsv nor its temporary is left.
mkdir -p "$TMP/full"
ln -s /dev/full "$TMP/full/values.tsv.part"
expect "disk full" 1 "^ch1: $TMP/full/values.tsv: write failed \(disk full\?\)$" \
    "$BUILD/bin/ch1-solutions" --out "$TMP/full" --limit 1000 --quiet
[ -e "$TMP/full/values.tsv" ] || [ -L "$TMP/full/values.tsv.part" ] &&
    fail "disk full: values.tsv or its temporary was left behind"
# A folder stands where values.tsv goes: the rename fails, nothing is left.
mkdir -p "$TMP/in-the-way/values.tsv"
expect "folder in the way of values.tsv" 1 "^ch1: $TMP/in-the-way/values.tsv: cannot rename into place: Is a directory$" \
    "$BUILD/bin/ch1-solutions" --out "$TMP/in-the-way" --limit 1000 --quiet
[ -e "$TMP/in-the-way/values.tsv.part" ] && fail "folder in the way: values.tsv.part was left behind"

# ---------------------------------------------------------------------------
# Killed outright (SIGKILL, no chance to clean up) at several points of a
# chapter 2 run into a folder that holds a complete earlier run with the same
# seed: every final (non-.part) file afterwards is that earlier run's, or, for
# a figure the killed run had time to finish, a complete one; values.tsv,
# written last, is the earlier run's unless the run got to its very end (then
# the same numbers, timings aside). Killed mid-training in a new folder, no
# values.tsv and no metrics.tsv exist at all.

# bash reports each job it sees killed on stderr: not a failure, keep it quiet.
exec 3>&2 2>/dev/null
cfg long 'layer_specs: [784, 10]\nlearning_rate: 0.001\nbatch_size: 128\nepochs: 6\nearly_stop: false\n'
ch2_run() { "$BUILD/bin/ch2-solutions" --config "$TMP/long.yaml" --data data/mnist --limit 3000 --seed 3 --quiet --out "$@"; }
# The run and whatever it started (gnuplot), as Ctrl-C or a timeout would;
# then wait until none of them is left.
kill_group() {
    kill -KILL -- "-$1" 2>/dev/null
    for _ in $(seq 600); do kill -0 -- "-$1" 2>/dev/null || return 0; sleep 0.05; done
}
# values.tsv without its timings, which differ from run to run.
untimed() { tools/untimed.sh "$1"; }
start=$(date +%s%N)
if ! ch2_run "$TMP/complete" >"$TMP/log" 2>&1; then
    fail "kill: the complete chapter 2 run failed:"; cat "$TMP/log"
else
    took=$((($(date +%s%N) - start) / 1000000))
    (cd "$TMP/complete" && find . -type f ! -name '*.part' | sort) >"$TMP/complete.list"
    # Kill at 5%, 20%, ... 95% of the time a whole run took: the first while
    # it loads the data, the last while it draws or writes values.tsv.
    for pct in 5 20 35 50 65 80 95; do
        checked=$((checked + 1))
        K=$TMP/killed-$pct
        cp -a "$TMP/complete" "$K"
        setsid bash -c 'exec "$@"' - "$BUILD/bin/ch2-solutions" --config "$TMP/long.yaml" --data data/mnist \
            --limit 3000 --seed 3 --quiet --out "$K" >/dev/null 2>&1 &
        pid=$!
        sleep "$(printf '%d.%03d' $((took * pct / 100000)) $((took * pct / 100 % 1000)))"
        kill_group "$pid"
        wait "$pid" 2>/dev/null
        status=$?
        bad=""
        while read -r f; do
            [ -f "$K/$f" ] || { bad+=" $f (gone)"; continue; }
            cmp -s "$TMP/complete/$f" "$K/$f" && continue
            case $f in
                *.svg) tail -c 20 "$K/$f" | grep -q '</svg>' && continue ;;
                *.pdf) tail -c 20 "$K/$f" | grep -q '%%EOF' && continue ;;
                # Replaced by a run that got to its very end: the same numbers.
                ./values.tsv) [ "$(untimed "$TMP/complete/$f")" = "$(untimed "$K/$f")" ] && continue ;;
            esac
            bad+=" $f"
        done <"$TMP/complete.list"
        extra=$(cd "$K" && find . -type f ! -name '*.part' | sort | comm -13 "$TMP/complete.list" -)
        [ -z "$extra" ] || bad+=" new:$(echo $extra)"
        what="killed at $pct% of a run ($((took * pct / 100)) ms)"
        [ $status = 0 ] && what="not killed at $pct% of a run: it finished first;"
        if [ -n "$bad" ]; then
            fail "$what files changed or partial:$bad"
            for f in $bad; do
                [ -f "$K/$f" ] && diff "$TMP/complete/$f" "$K/$f" | head -n 6 | sed 's/^/     /'
            done
        else echo "ok   $what every final file complete and the earlier run's"; fi
    done
    # Mid-training in a new folder: killed as soon as metrics.tsv.part appears.
    checked=$((checked + 1))
    setsid bash -c 'exec "$@"' - "$BUILD/bin/ch2-solutions" --config "$TMP/long.yaml" --data data/mnist \
        --limit 3000 --seed 3 --quiet --out "$TMP/fresh" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 6000); do  # until training starts, however busy the machine
        [ -e "$TMP/fresh/metrics.tsv.part" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.01
    done
    kill_group "$pid"
    wait "$pid" 2>/dev/null
    if [ ! -e "$TMP/fresh/metrics.tsv.part" ]; then
        fail "killed mid-training: the run never got to training (no metrics.tsv.part)"
    elif [ -e "$TMP/fresh/values.tsv" ] || [ -e "$TMP/fresh/metrics.tsv" ]; then
        fail "killed mid-training: values.tsv or metrics.tsv exists under its final name"
    else
        echo "ok   killed mid-training: only metrics.tsv.part, no final metrics.tsv or values.tsv"
    fi
fi

exec 2>&3 3>&-

echo "$((checked - failures)) of $checked cases as expected"
[ "$failures" -eq 0 ]
