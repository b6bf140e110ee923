# shellcheck shell=bash
# common.sh: what the book filter's steps (tests/steps/70 to 73) share, sourced
# by each: the filter, a temporary folder to work in (removed on exit), the
# failure count, and the material they all build on.
#
# Marker lines are written @> and @< in the steps and become //> (or the
# leader given) on the way out, so that no step holds a region of its own:
# the book's filter fails on a region of tests/ that the book does not quote.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FILTER="${BOOK_FILTER:-$ROOT/tools/book.lua}"
command -v pandoc >/dev/null || { echo "pandoc is not installed (make deps)"; exit 1; }
[ -f "$FILTER" ] || { echo "$FILTER is missing"; exit 1; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
markers() { sed -E "s|^( *)@([<>])|\\1$1\\2|"; }

# DIR/a.c and DIR/a.h: regions before, around and inside C functions, among
# braces in comments, strings, character constants, initializers and
# preprocessor lines, which must not count as a function's.
c_regions() {
    mkdir -p "$1"
    markers // >"$1/a.c" <<'EOF'
// a.c: braces in a comment { and a string must not count.
#include "a.h"
#define OPEN {
#define CALL(f) f(
static const char *s = "}{(x) {";
static const char c = '{';
/* a comment with int g(x) { in it,
   over two lines */
static const int TABLE[] = { 1, 2 };
@> consts
static const double EPS = 1e-2;
@< consts
@> defs
static int helper(int x) {
    return x + 1;
}
@< defs
int step_one(int *v, int n)
{
    @> inside
    for (int i = 0; i < n; i++) {
        v[i] = helper(v[i]);  // not a definition: inside a body
    }
    @< inside
    return 0;
}
__attribute__((unused)) static void quiet(void) {
    const char *t = "}";
    @> attr-inside
    (void)t;
    @< attr-inside
}
EOF
    markers // >"$1/a.h" <<'EOF'
#ifndef A_H
#define A_H
@> protos
typedef void (*Fn)(int);
int step_one(int *v, int n);
double two(void);
void three(const char *s) __attribute__((nonnull));
long four(long x);
@< protos
@> one-proto
// count: how many.
int count(const char *s);
@< one-proto
#endif
EOF
}
