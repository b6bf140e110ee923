#!/usr/bin/env bash
# 50-bad-data.sh: the chapter-1 program on broken data. Each case is a data
# directory with exactly one thing wrong; the program must refuse it with one
# line on stderr that names the offending file and the reason, and a plain
# failing exit status: no crash, no hang, no AddressSanitizer or UBSan report.
# Both the normal and the sanitizer build are run on every case.
#
# Only bash, coreutils and gzip are used to make the files (no python in CI).
set -u
export LC_ALL=C

BUILD=${BUILD:-build}
SANITIZE_BUILD=${SANITIZE_BUILD:-build/sanitize}
PROGS=("$BUILD/bin/ch1-solutions" "$SANITIZE_BUILD/bin/ch1-solutions")
for prog in "${PROGS[@]}"; do
    [ -x "$prog" ] || { echo "missing $prog: build it first (make all; make SANITIZE=1 $prog)"; exit 1; }
done
command -v gzip >/dev/null || { echo "gzip is needed to make the test files"; exit 1; }

# A sanitizer report must be told apart from the program's own "exit 1".
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}halt_on_error=1:exitcode=87"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bad-data.XXXXXX") || exit 1
trap 'chmod -R u+rwX "$TMP" 2>/dev/null; rm -rf "$TMP"' EXIT

TRAIN_IMAGES=train-images-idx3-ubyte
TRAIN_LABELS=train-labels-idx1-ubyte
TEST_IMAGES=t10k-images-idx3-ubyte
TEST_LABELS=t10k-labels-idx1-ubyte

# ---------------------------------------------------------------------------
# Writing IDX bytes

# be32, images_header COUNT ROWS COLS, labels_header COUNT
# shellcheck source=tests/idx.sh
. "$(dirname "$0")/../idx.sh"

# count 28x28 images, none blank. A 783-byte line plus yes's newline (10, a
# fine pixel value) is one 784-byte image; bash strings cannot hold a zero byte,
# so the pattern avoids it.
IMAGE_LINE=$(for ((i = 0; i < 783; i++)); do printf '\\x%02x' $(((i % 28) * (i / 28) % 250 + 1)); done)
IMAGE_LINE=$(printf '%b' "$IMAGE_LINE")
pixels() { yes "$IMAGE_LINE" | head -c $(($1 * 784)); }
# count labels cycling through 0..9.
labels() { yes 0123456789 | tr -d '\n' | head -c "$1" | tr '0123456789' '\000\001\002\003\004\005\006\007\010\011'; }

# The good set, full MNIST size (so no chapter program can stop early for too
# little data before it reaches the broken file), gzipped to stay small.
GOOD=$TMP/good
mkdir -p "$GOOD"
{ images_header 60000 28 28; pixels 60000; } | gzip -1 -n >"$GOOD/$TRAIN_IMAGES.gz"
{ labels_header 60000; labels 60000; } | gzip -1 -n >"$GOOD/$TRAIN_LABELS.gz"
{ images_header 10000 28 28; pixels 10000; } | gzip -1 -n >"$GOOD/$TEST_IMAGES.gz"
{ labels_header 10000; labels 10000; } | gzip -1 -n >"$GOOD/$TEST_LABELS.gz"

# The test is only as good as its good files: check their sizes and magics.
good_ok=1
check_good() {  # file, expected bytes, expected first four bytes in hex
    local n head
    n=$(gzip -dc "$GOOD/$1.gz" | wc -c)
    head=$(gzip -dc "$GOOD/$1.gz" | head -c 4 | od -An -tx1 | tr -d ' \n')
    if [ "$n" -ne "$2" ] || [ "$head" != "$3" ]; then
        echo "FAIL: the good $1 made here is wrong: $n bytes (want $2), magic $head (want $3)"
        good_ok=0
    fi
}
check_good "$TRAIN_IMAGES" $((16 + 60000 * 784)) 00000803
check_good "$TRAIN_LABELS" $((8 + 60000)) 00000801
check_good "$TEST_IMAGES" $((16 + 10000 * 784)) 00000803
check_good "$TEST_LABELS" $((8 + 10000)) 00000801
[ "$(gzip -dc "$GOOD/$TRAIN_LABELS.gz" | tail -c +9 | head -c 12 | od -An -tu1 | tr -s ' ')" = " 0 1 2 3 4 5 6 7 8 9 0 1" ] ||
    { echo "FAIL: the good labels do not cycle 0..9"; good_ok=0; }
[ "$good_ok" = 1 ] || exit 1

# A case: a copy of the good set in $TMP/NAME; `bad FILE` then removes FILE's
# good .gz so the broken version written next is the one read.
newcase() { CASE=$TMP/$1; mkdir -p "$CASE"; cp "$GOOD"/*.gz "$CASE"/; }
bad() { rm -f "$CASE/$1.gz"; echo "$CASE/$1"; }

# ---------------------------------------------------------------------------
# Running the program on a case

failures=0 checked=0

# expect CASE_DIR "WORDS THAT MUST APPEAR" REASON_REGEX
# Every word (fixed strings, space-separated) must be in the one stderr line,
# and the reason must match the extended regex, ignoring case.
expect() {
    local dir=$1 words=$2 reason=$3 prog status line nlines why
    local name
    name=$(basename "$dir")
    for prog in "${PROGS[@]}"; do
        checked=$((checked + 1))
        timeout -k 5 60 "$prog" --data "$dir" --out "$TMP/out/$name" --quiet >"$TMP/stdout" 2>"$TMP/stderr"
        status=$?
        why=""
        case $status in
            0) why="exit status 0: the bad data was accepted" ;;
            86) why="AddressSanitizer (or LeakSanitizer) reported an error" ;;
            87) why="UBSan reported undefined behaviour" ;;
            124) why="hung: killed after 60 s" ;;
            *) [ "$status" -ge 128 ] && why="killed by signal $((status - 128))" ;;
        esac
        nlines=$(wc -l <"$TMP/stderr")
        line=$(head -n 1 "$TMP/stderr")
        if [ -z "$why" ] && { [ "$nlines" -ne 1 ] || [ "$(wc -c <"$TMP/stderr")" -ne $((${#line} + 1)) ]; }; then
            why="stderr should be exactly one line, it has $nlines"
        fi
        if [ -z "$why" ] && [ "${line#ch1: }" = "$line" ]; then
            why="the line should start with \"ch1: \""
        fi
        if [ -z "$why" ]; then
            for w in $words; do
                [[ $line == *"$w"* ]] || { why="the line should name $w"; break; }
            done
        fi
        if [ -z "$why" ] && ! grep -qEi -- "$reason" <<<"$line"; then
            why="the line should give the reason (/$reason/)"
        fi
        if [ -n "$why" ]; then
            failures=$((failures + 1))
            echo "FAIL $name ($prog, exit $status): $why"
            sed 's/^/     stderr: /' "$TMP/stderr" | head -n 20
        else
            echo "ok   $name ($prog): $line"
        fi
    done
}

# ---------------------------------------------------------------------------
# The cases

# The data directory itself is missing.
expect "$TMP/no-such-dir" "no-such-dir" "no such|not exist|not found|missing"

newcase missing-file
rm "$CASE/$TEST_LABELS.gz"
expect "$CASE" "$TEST_LABELS" "no such|not exist|not found|missing"

newcase empty-file
: >"$(bad "$TRAIN_IMAGES")"
expect "$CASE" "$TRAIN_IMAGES" "empty"

newcase truncated-header
images_header 60000 28 28 | head -c 7 >"$(bad "$TRAIN_IMAGES")"
expect "$CASE" "$TRAIN_IMAGES" "truncated|header"

newcase truncated-pixels
{ images_header 60000 28 28; pixels 2; } | head -c $((16 + 1234)) >"$(bad "$TRAIN_IMAGES")"
expect "$CASE" "$TRAIN_IMAGES" "truncated|expected"

newcase truncated-test-pixels
{ images_header 10000 28 28; pixels 3; } >"$(bad "$TEST_IMAGES")"
expect "$CASE" "$TEST_IMAGES" "truncated|expected"

newcase trailing-bytes
{ labels_header 60000; labels 60005; } >"$(bad "$TRAIN_LABELS")"
expect "$CASE" "$TRAIN_LABELS" "after the last|trailing|extra"

newcase wrong-magic
{ be32 2052; be32 60000; be32 28; be32 28; pixels 2; } >"$(bad "$TRAIN_IMAGES")"
expect "$CASE" "$TRAIN_IMAGES" "magic"

newcase labels-as-images
cp "$GOOD/$TRAIN_LABELS.gz" "$(bad "$TRAIN_IMAGES").gz"
expect "$CASE" "$TRAIN_IMAGES" "labels file|magic"

newcase zero-rows
{ images_header 60000 0 28; pixels 1; } >"$(bad "$TRAIN_IMAGES")"
expect "$CASE" "$TRAIN_IMAGES" "rows"

newcase label-above-nine
{ labels_header 60000; labels 100; printf '\014'; labels 59899; } >"$(bad "$TRAIN_LABELS")"
expect "$CASE" "$TRAIN_LABELS" "label"

newcase count-mismatch
{ labels_header 59999; labels 59999; } | gzip -1 -n >"$(bad "$TRAIN_LABELS").gz"
expect "$CASE" "$TRAIN_IMAGES $TRAIN_LABELS" "match|same|count|differ"

newcase corrupt-gzip
{ printf '\037\213\010\000\000\000\000\000\000\003'; head -c 4000 /dev/zero | tr '\0' '\377'; } >"$(bad "$TRAIN_IMAGES").gz"
expect "$CASE" "$TRAIN_IMAGES" "gzip|corrupt|compress"

newcase gzip-cut-in-half
size=$(wc -c <"$GOOD/$TRAIN_IMAGES.gz")
head -c $((size / 2)) "$GOOD/$TRAIN_IMAGES.gz" >"$(bad "$TRAIN_IMAGES").gz"
expect "$CASE" "$TRAIN_IMAGES" "gzip|corrupt|cut|end of file"

newcase directory
mkdir "$(bad "$TRAIN_IMAGES")"
expect "$CASE" "$TRAIN_IMAGES" "directory"

if [ "$(id -u)" = 0 ]; then
    # root reads a chmod 000 file anyway, so there is nothing to test as root.
    echo "skip unreadable-file: running as root, where chmod 000 does not stop reading"
else
    newcase unreadable-file
    { images_header 60000 28 28; pixels 60000; } >"$(bad "$TRAIN_IMAGES")"
    chmod 000 "$CASE/$TRAIN_IMAGES"
    expect "$CASE" "$TRAIN_IMAGES" "permission|cannot open|denied"
fi

echo "$((checked - failures)) of $checked runs refused the bad data properly"
[ "$failures" -eq 0 ]
