#!/usr/bin/env bash
# book-appendix.sh OUT BIN [N...]: the generated parts of the instructor
# edition's appendix (tools/book-instructor.md includes them), written to OUT/:
#
#   solutions.md   for every solutions/chN.c, a section that pulls in the whole
#                  file (a {.region} without a name), so a chapter added later
#                  appears without anyone editing the book
#   grading.md     for every chapter N given (the Makefile gives those with a
#                  program) that has a graded suite in tests/chN/, the table of
#                  its tests and points, from BIN/check-chN --list
#                  (the suite's own table), then its hidden tests' from
#                  BIN/hidden-chN --list when tests/hidden/chN/ has
#                  any, and the totals
#
# In numeric order; a chapter's title is the first "# " line of
# chapters/NN-*/NN-*.md (a chapter without prose yet has none).
# Fails (exit 1, one line) when a --list cannot be run: a points table the book
# invented would be worse than none.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: book-appendix.sh OUT BIN [N...]}
bin=${2:?usage: book-appendix.sh OUT BIN [N...]}
shift 2
graded=()
for n in "$@"; do compgen -G "tests/ch$n/*.c" >/dev/null && graded+=("$n"); done
mkdir -p "$out"
tmp=
trap 'rm -f ${tmp:+"$tmp" "$tmp.tables"}' EXIT

# Chapter numbers that have file $1 (a glob with N in it), sorted.
numbers() {
    local f n
    for f in $1; do
        [ -e "$f" ] || continue
        n=${f//[^0-9]/ }; n=$(awk '{ print $NF }' <<<"$n")
        echo "$((10#$n))"
    done | sort -n -u
}

# "Chapter 1: Data loading" for 1, from the chapter's prose; "Chapter 4" when
# it has none yet.
title() {
    local dir md line
    dir=$(compgen -G "chapters/$(printf %02d "$1")-*" | head -n 1 || true)
    md=$dir/$(basename "${dir:-none}").md
    line=$( { grep -m1 '^# ' "$md" 2>/dev/null || true; } | sed -e 's/^# *//' -e 's/ *{[^}]*} *$//')
    echo "Chapter $1${line:+: $(md_text <<<"$line")}"
}

# Markdown-safe text: what a test says it checks may hold [ ] * _ ^ and the like.
md_text() { sed -e 's/[][\\`*_^~<>|$@#]/\\&/g'; }

tmp=$(mktemp "$out/.solutions.XXXXXX")
{
    for n in $(numbers 'solutions/ch*.c'); do
        dir=$(compgen -G "chapters/$(printf %02d "$n")-*" | head -n 1 || true)
        echo "## $(title "$n") {#solutions-ch$n}"
        echo
        printf 'The reference implementation of the exercises of chapter %s, `solutions/ch%s.c`, whole.' "$n" "$n"
        [ -n "$dir" ] && [ -f "$dir/ch$n.h" ] && printf ' Their contracts are in `%s`.' "$dir/ch$n.h"
        printf ' `make ch%s SOLUTIONS=1` runs the chapter on it and `make check-ch%s SOLUTIONS=1` grades it (full marks).\n\n' "$n" "$n"
        printf '```{.region file="solutions/ch%s.c"}\n```\n\n' "$n"
    done
} >"$tmp"
chmod 644 "$tmp" && mv "$tmp" "$out/solutions.md"
tmp=

tmp=$(mktemp "$out/.grading.XXXXXX")
summary=()
# The tests of program $1 ("name<TAB>points<TAB>what" lines), or exit 1.
list_tests() {
    local list
    [ -x "$1" ] || { echo "book-appendix: $1 is missing (make $1)" >&2; exit 1; }
    list=$("$1" --list) || { echo "book-appendix: $1 --list failed" >&2; exit 1; }
    [ -n "$list" ] || { echo "book-appendix: $1 --list listed no tests" >&2; exit 1; }
    printf '%s\n' "$list"
}
sum_points() { awk -F'\t' '{ s += $2 } END { print s + 0 }'; }
{
    for n in $(printf '%s\n' "${graded[@]}" | sort -n -u); do
        public=$(list_tests "$bin/check-ch$n") || exit 1
        hidden=
        if compgen -G "tests/hidden/ch$n/*.c" >/dev/null; then
            hidden=$(list_tests "$bin/hidden-ch$n") || exit 1
        fi
        points=$(sum_points <<<"$public")
        hpoints=$( [ -z "$hidden" ] && echo 0 || sum_points <<<"$hidden")
        hcount=$( [ -z "$hidden" ] && echo 0 || wc -l <<<"$hidden")
        t=$(title "$n")
        summary+=("| $n | ${t#Chapter $n: } | $(wc -l <<<"$public") | $points | $hcount | $hpoints | $((points + hpoints)) |")
        echo "### $t {#grading-ch$n .unnumbered .unlisted}"
        echo
        echo "| test | points | what it checks |"
        # (the dashes set the columns' widths in LaTeX: 44%, 7%, 49%)
        echo "|:-------------------------------------------|------:|:------------------------------------------------|"
        while IFS=$'\t' read -r name pts what; do
            printf '| `%s` | %s | %s |\n' "$name" "$pts" "$(md_text <<<"$what")"
        done <<<"$public"
        if [ -n "$hidden" ]; then
            while IFS=$'\t' read -r name pts what; do
                printf '| `%s` (hidden) | %s | %s |\n' "$name" "$pts" "$(md_text <<<"$what")"
            done <<<"$hidden"
        fi
        echo "| **total** | **$((points + hpoints))** | |"
        echo
    done
} >"$tmp.tables"
{
    if [ ${#summary[@]} -eq 0 ]; then
        echo "No chapter has a graded suite yet."
    else
        echo "| chapter | title | tests | points | hidden tests | their points | total |"
        # (the dashes set the columns' widths in LaTeX, so that a long title wraps)
        echo "|---------:|:-----------------------------------|--------:|--------:|------------:|------------:|---------:|"
        printf '%s\n' "${summary[@]}"
    fi
    echo
    cat "$tmp.tables"
} >"$tmp"
rm -f "$tmp.tables"
chmod 644 "$tmp" && mv "$tmp" "$out/grading.md"
tmp=
