#!/usr/bin/env bash
# 32-progress: make check's table (tools/grade/progress.awk) says whose a
# failure is, on a made-up chapter of three exercises and four tests, one of
# them of the whole network:
#   - a test that crashes or loops is held against the exercise the judge was
#     calling, which its message names, not against the exercise the test is
#     of: an endless loop in tanh_forward leaves tanh_backward, whose test
#     calls it, "waits for tanh_forward", not "wrong";
#   - a wrong answer is the test's own exercise's, and a test of several
#     exercises is held against the one that fails its own;
#   - a crash in a function that is not an exercise falls back to the test's
#     exercise; a TODO is "not started".
set -u
cd "$(dirname "$0")/../.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

T=$'\t'
printf '3\t1\tlinear_forward\n3\t2\ttanh_forward\n3\t3\ttanh_backward\n' >"$tmp/contract.tsv"
printf '%s\n' "3${T}lf${T}2${T}linear_forward: a known case" \
    "3${T}tf${T}1${T}tanh_forward: known values" \
    "3${T}tb${T}2${T}tanh_backward: against central differences of your tanh_forward" \
    "3${T}net${T}4${T}the whole network: backward against forward" >"$tmp/tests.tsv"
printf '%s\n' "3${T}tb${T}tanh_forward,tanh_backward" \
    "3${T}net${T}linear_forward,tanh_forward,tanh_backward" >"$tmp/calls.tsv"
: >"$tmp/broken.tsv"

# row TEST STATUS POINTS MAX MESSAGE: a judge's row of chapter 3
row() { printf '3\t%s\t%s\t%s\t%s\t%s\t\t\t\n' "$@"; }
loop="tanh_forward did not finish within 10 s of processor time: an infinite loop?"

# case NAME WANT: the table from $tmp/results.tsv, each exercise's state as WANT
# ("linear_forward=done tanh_forward=wrong ...")
case_() {
    local name=$1 want=$2 got
    got=$(awk -F'\t' -v OFS='\t' -f tools/grade/progress.awk "$tmp/contract.tsv" "$tmp/tests.tsv" \
        "$tmp/broken.tsv" "$tmp/calls.tsv" "$tmp/results.tsv" | awk -F'\t' '{ printf "%s%s=%s", (NR > 1 ? " " : ""), $2, $3 }')
    if [ "$got" = "$want" ]; then
        echo "ok   $name: $got"
    else
        echo "FAIL $name: want $want"
        echo "     got  $got"
        fails=$((fails + 1))
    fi
}

{ row lf pass 2 2 ""; row tf timeout 0 1 "$loop"; row tb timeout 0 2 "$loop"; row net timeout 0 4 "$loop"; } >"$tmp/results.tsv"
case_ "an endless loop in tanh_forward" \
    "linear_forward=waits for tanh_forward tanh_forward=wrong tanh_backward=waits for tanh_forward"

{ row lf pass 2 2 ""; row tf pass 1 1 ""; row tb crash 0 2 "crashed in tanh_backward: segmentation fault (SIGSEGV) at address 0x0: a NULL pointer?"
  row net crash 0 4 "crashed in tanh_backward: segmentation fault (SIGSEGV) at address 0x0: a NULL pointer?"; } >"$tmp/results.tsv"
case_ "a crash in tanh_backward" \
    "linear_forward=waits for tanh_backward tanh_forward=waits for tanh_backward tanh_backward=wrong"

{ row lf pass 2 2 ""; row tf pass 1 1 ""; row tb fail 0 2 "dx[3] is 0.25, central differences give 0.5"
  row net fail 0 4 "the gradient of W0[2] is 1, central differences give 2"; } >"$tmp/results.tsv"
case_ "a wrong tanh_backward" \
    "linear_forward=waits for tanh_backward tanh_forward=waits for tanh_backward tanh_backward=wrong"

{ row lf pass 2 2 ""; row tf pass 1 1 ""; row tb crash 0 2 "crashed in memcpy: segmentation fault (SIGSEGV)"; row net pass 4 4 ""; } >"$tmp/results.tsv"
case_ "a crash outside the exercises" \
    "linear_forward=done tanh_forward=waits for tanh_backward tanh_backward=wrong"

{ row lf pass 2 2 ""; row tf todo 0 1 "unfinished: exercise tanh_forward in exercises/ch3.c"
  row tb todo 0 2 "unfinished: exercise tanh_forward in exercises/ch3.c"; row net todo 0 4 "unfinished: exercise tanh_forward in exercises/ch3.c"; } >"$tmp/results.tsv"
case_ "tanh_forward not started" \
    "linear_forward=waits for tanh_forward tanh_forward=not started tanh_backward=waits for tanh_forward"

[ $fails -eq 0 ]
