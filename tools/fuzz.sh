#!/usr/bin/env bash
# fuzz.sh NAME...: runs each libFuzzer harness build/fuzz/fuzz-NAME (made by
# `make fuzz`) for FUZZ_SECONDS (default 60) on one core.
#
#   corpus       build/fuzz/corpus/NAME (what it learns; kept between runs),
#                seeded from tests/fuzz/corpus/NAME and tests/fuzz/regressions/NAME
#   crashes      libFuzzer stops at the first crash, leak, timeout (10 s) or
#                out-of-memory (2 GB) and saves the input; it is copied to
#                tests/fuzz/regressions/NAME/, where `make test` replays it
#                (tests/steps/45-fuzz-replay.sh) until the bug is fixed and
#                forever after. Fix the bug, keep the file.
#
# Exit status 0 when no harness found anything, 1 otherwise.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

# fuzz.sh --need: clang and its libFuzzer runtime, installed when missing
# (Debian: clang and libclang-rt-dev; elsewhere the line to install them).
if [ "${1-}" = --need ]; then
    links() {
        local t; t=$(mktemp -d) || return 1
        echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n; }' >"$t/f.c"
        clang -fsanitize=fuzzer,address,undefined "$t/f.c" -o "$t/f" >/dev/null 2>&1
        local rc=$?; rm -rf "$t"; return $rc
    }
    links && exit 0
    if command -v apt-get >/dev/null 2>&1; then
        sudo=(); [ "$EUID" -ne 0 ] && sudo=(sudo)
        echo "fuzz: installing clang and libclang-rt-dev (libFuzzer)" >&2
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y install --no-install-recommends \
            clang libclang-rt-dev </dev/null >/dev/null 2>&1 || {
            "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q update </dev/null >/dev/null 2>&1
            "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y install --no-install-recommends \
                clang libclang-rt-dev </dev/null >/dev/null 2>&1; }
        links && exit 0
    fi
    echo "fuzz: clang cannot link -fsanitize=fuzzer: install clang and its libFuzzer runtime" \
         "(Debian: apt-get install clang libclang-rt-dev; macOS: brew install llvm)." \
         "Without them, make test still replays every input (tests/steps/45-fuzz-replay.sh)." >&2
    exit 2
fi
seconds=${FUZZ_SECONDS:-60}
[[ $seconds =~ ^[0-9]+$ ]] || { echo "fuzz: FUZZ_SECONDS=$seconds is not a number of seconds" >&2; exit 2; }
found=0
for name in "$@"; do
    bin=build/fuzz/fuzz-$name
    [ -x "$bin" ] || { echo "fuzz: no $bin (make fuzz builds it)" >&2; exit 2; }
    corpus=build/fuzz/corpus/$name crashes=build/fuzz/crashes/$name
    mkdir -p "$corpus" "$crashes" "tests/fuzz/regressions/$name"
    rm -f "$crashes"/*
    echo "fuzz: $name for $seconds s (log: build/fuzz/$name.log)"
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$crashes/" "$corpus" "tests/fuzz/corpus/$name" \
        "tests/fuzz/regressions/$name" >"build/fuzz/$name.log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "build/fuzz/$name.log" | tail -n 1)
    echo "fuzz: $name: ${runs:-?} inputs tried, corpus of $(find "$corpus" -type f | wc -l)"
    for f in "$crashes"/*; do
        [ -e "$f" ] || continue
        cp "$f" "tests/fuzz/regressions/$name/"
        echo "fuzz: $name: FOUND $(basename "$f"): kept as tests/fuzz/regressions/$name/$(basename "$f")" >&2
        found=1
    done
    if [ $rc -ne 0 ] && [ $found = 0 ]; then
        echo "fuzz: $name stopped with status $rc and saved no input:" >&2
        tail -n 20 "build/fuzz/$name.log" >&2
        found=1
    elif [ $rc -ne 0 ]; then
        grep -m1 -E 'ERROR|SUMMARY|fuzz: ' "build/fuzz/$name.log" | sed 's/^/      /' >&2
    fi
done
[ $found = 0 ] && echo "fuzz: nothing found"
exit $found
