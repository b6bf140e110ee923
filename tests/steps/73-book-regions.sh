#!/usr/bin/env bash
# 73-book-regions: the regions of tools/book.lua checked both ways (a region
# the book names must exist: 70-book-filter.sh; here, a region must be named by
# the book), on a small book in a temporary folder:
#
#   - a region of lib/, chapters/, exercises/, solutions/, tests/, tools/ or
#     figures/ that no document of the book quotes fails the build, every one
#     of them listed with its file; "the book" is both editions: regions quoted
#     only in an instructor div, only in a student div, only in the instructor
#     appendix, or in a file included from an included file count; a
#     whole-file listing does not count; binary files and other folders are
#     not scanned; in a git work tree only the files git tracks are;
#   - tools/book-regions-unused.txt lets a region of chapters/ go unquoted, and
#     fails when its region is quoted, is gone, is outside chapters/, or its
#     line is not "file name".
set -u
# shellcheck source=tests/book/common.sh
. "$(dirname "$0")/../book/common.sh"

# ---------------------------------------------------------------------------
# The material: regions in C and gnuplot files, quoted from a chapter, a
# file it includes, an instructor div, a student div and the appendix.

mkdir -p lib chapters/ch solutions tools tests src gen
c_regions lib
markers '#' > tools/plot.gp <<'EOF'
@> axes
set xlabel "epoch"
@< axes
EOF
markers // > solutions/s.c <<'EOF'
@> sol
int answer(void) { return 42; }
@< sol
EOF
markers // > chapters/ch/main.c <<'EOF'
int main(void)
{
    @> in-student-div
    int a = 1;
    @< in-student-div
    @> in-sub
    int b = 2;
    @< in-sub
    @> in-instructor-div
    return a + b;
    @< in-instructor-div
}
EOF
cat > chapters/one.md <<'EOF'
# One

```{.region file="lib/a.c" name="consts"}
```

```{.region file="./lib/a.c" name="defs"}
```

```{.region file="lib/a.c" name="inside"}
```

```{.region file="lib/a.c" name="attr-inside"}
```

```{.region file="lib/a.h" name="protos"}
```

```{.region file="lib/a.h" name="one-proto"}
```

```{.region file="tools/plot.gp" name="axes"}
```

::: student
```{.region file="chapters/ch/main.c" name="in-student-div"}
```
:::

::: instructor
```{.region file="chapters/ch/main.c" name="in-instructor-div"}
```
:::

```{.include file="chapters/sub.md"}
```
EOF
cat > chapters/sub.md <<'EOF'
## Sub

```{.region file="chapters/ch/main.c" name="in-sub"}
```
EOF
# The appendix includes a generated file that is not there yet: the student
# edition never reads it, and the check skips it.
cat > appendix.md <<'EOF'
# Solutions {.appendix}

```{.region file="solutions/s.c" name="sol"}
```

```{.include file="gen/solutions.md"}
```
EOF
cat > book.md <<'EOF'
---
title: T
instructor-appendix: appendix.md
---

```{.include file="chapters/one.md"}
```
EOF

# build EDITION FORMAT: pandoc on book.md; its output (and messages) in $out,
# its status in $rc.
build() {
    out=$(pandoc --from markdown --lua-filter "$FILTER" --to "$2" --wrap=none \
          -M edition="$1" book.md 2>&1)
    rc=$?
}

# ---------------------------------------------------------------------------
# Every region quoted: both editions pass as they are

build student html5
[ $rc -eq 0 ] || bad "the student edition fails though every region is quoted (in one edition or the other): $out"
printf '## S\n\nGenerated.\n' > gen/solutions.md
build instructor html5
[ $rc -eq 0 ] || bad "the instructor edition fails though every region is quoted: $out"
rm gen/solutions.md

# must_fail WHAT NEEDLE...: the student edition must fail and name each needle.
must_fail() {
    local what=$1; shift
    build student html5
    if [ $rc -eq 0 ]; then bad "$what: pandoc exited 0"; return; fi
    local needle
    for needle in "$@"; do
        grep -qF -- "$needle" <<<"$out" || bad "$what: the message does not name '$needle': $out"
    done
}
# must_pass WHAT: the student edition must build.
must_pass() {
    build student html5
    [ $rc -eq 0 ] || bad "$1: pandoc failed: $out"
}

# Regions no document quotes, in every scanned folder and with every leader:
# all listed, each with its file.
markers // > lib/b.c <<'EOF'
@> b-one
int b1;
@< b-one
@> b-two
int b2;
@< b-two
EOF
markers '#' > tests/t.sh <<'EOF'
@> t-shell
true
@< t-shell
EOF
markers -- > tools/x.lua <<'EOF'
@> lua-part
local x = 1
@< lua-part
EOF
mkdir -p exercises figures
markers // > exercises/e.c <<'EOF'
@> stub
int e;
@< stub
EOF
markers '#' > figures/f.gp <<'EOF'
@> fig-part
plot x
@< fig-part
EOF
must_fail "regions nobody quotes" \
    'region "b-one" in lib/b.c' 'region "b-two" in lib/b.c' 'region "t-shell" in tests/t.sh' \
    'region "lua-part" in tools/x.lua' 'region "stub" in exercises/e.c' \
    'region "fig-part" in figures/f.gp' "book.md" "quoted by no document"
rm lib/b.c tests/t.sh tools/x.lua exercises/e.c figures/f.gp
must_pass "after the unquoted regions are gone"

# A region quoted only in a solutions file's whole listing is not quoted.
markers // > solutions/w.c <<'EOF'
@> whole-only
int w;
@< whole-only
EOF
printf '\n```{.region file="solutions/w.c"}\n```\n' >> appendix.md
must_fail "a region only inside a whole-file listing" 'region "whole-only" in solutions/w.c'
rm solutions/w.c
sed -i '/solutions\/w.c/,+1d' appendix.md
must_pass "after the whole-file listing is gone"

# Not scanned: a binary file, and a folder outside the list.
printf '//> in-binary\nint x;\0\n//< in-binary\n' > lib/blob.bin
markers // > src/elsewhere.c <<'EOF'
@> elsewhere
int y;
@< elsewhere
EOF
must_pass "a binary file and src/ are not scanned"
rm lib/blob.bin src/elsewhere.c

# The allow-list.
markers // > chapters/ch/later.c <<'EOF'
@> later
int z;
@< later
EOF
must_fail "an unquoted region of chapters/" 'region "later" in chapters/ch/later.c'
printf '# waiting for the rewrite\n\nchapters/ch/later.c later\n' > tools/book-regions-unused.txt
must_pass "an unquoted region of chapters/ in the allow-list"
printf 'chapters/ch/later.c later\nchapters/ch/main.c in-sub\n' > tools/book-regions-unused.txt
must_fail "an allow-listed region that the book quotes" \
    tools/book-regions-unused.txt "line 2" "chapters/ch/main.c in-sub" "quotes"
printf 'chapters/ch/later.c later\nchapters/ch/later.c gone\n' > tools/book-regions-unused.txt
must_fail "an allow-listed region that is not there" \
    tools/book-regions-unused.txt "line 2" "chapters/ch/later.c gone" "no such region"
printf 'chapters/ch/later.c later\nchapters/ch/gone.c gone\n' > tools/book-regions-unused.txt
must_fail "an allow-listed file that is not there" \
    tools/book-regions-unused.txt "chapters/ch/gone.c gone" "no such region"
markers // > lib/c.c <<'EOF'
@> c-part
int c;
@< c-part
EOF
printf 'chapters/ch/later.c later\nlib/c.c c-part\n' > tools/book-regions-unused.txt
must_fail "an allow-listed region outside chapters/" \
    tools/book-regions-unused.txt "lib/c.c c-part" "chapters/"
rm lib/c.c
printf 'chapters/ch/later.c later\nchapters/ch/later.c\n' > tools/book-regions-unused.txt
must_fail "an allow-list line that is not \"file name\"" tools/book-regions-unused.txt "line 2"
printf 'chapters/ch/later.c later\n' > tools/book-regions-unused.txt
must_pass "the allow-list put right"
rm tools/book-regions-unused.txt chapters/ch/later.c

# In a git work tree, only what git tracks.
if command -v git >/dev/null; then
    git init -q . && git add book.md chapters lib tools solutions appendix.md
    markers // > lib/new.c <<'EOF'
@> untracked
int u;
@< untracked
EOF
    must_pass "git: an untracked file is not scanned"
    git add lib/new.c
    must_fail "git: a tracked file with a region nobody quotes" 'region "untracked" in lib/new.c'
fi

if [ $fails -gt 0 ]; then
    echo "$fails check(s) of tools/book.lua's check of unquoted regions failed"
    exit 1
fi
echo "tools/book.lua: the regions nobody quotes (every folder and leader, both editions, includes, allow-list, git) checked"
