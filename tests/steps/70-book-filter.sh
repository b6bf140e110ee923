#!/usr/bin/env bash
# 70-book-filter: tools/book.lua, the filter that builds the book from the real
# sources and runs, on small markdown files in a temporary folder: a region comes
# out exactly (markers gone, indentation shared by its lines gone), with its
# file and C function under it ("lib/train.c, in train_step()"), values,
# includes and program output go in, an .svg figure becomes its .pdf for LaTeX,
# and everything missing (file, region, end of region, values file, key,
# included file, figure) stops pandoc with a non-zero status and a message that
# names the markdown file and the thing that is missing.
set -u
# shellcheck source=tests/book/common.sh
. "$(dirname "$0")/../book/common.sh"

# ---------------------------------------------------------------------------
# The material

mkdir -p src chapters build/runs/ch1-solutions build/runs/ch2-solutions
markers // > src/demo.c <<'EOF'
// demo.c: a file with regions
#include <stdio.h>

int before;
    @> outer
    int a;

        @> inner
        int b;   // kept, with its comment
        @< inner
    int c;
    @< outer
@> other
int d;
@< other
@> open-only
int e;
EOF
markers '#' > src/plot.gp <<'EOF'
@> axes
set xlabel "epoch"
@< axes
plot x
EOF
printf 'mean\t0.1307\nphrase\tfour words in it\nholds\tyes\nfalse\tno\nmaybe\tperhaps\n' > build/runs/ch1-solutions/values.tsv
printf '| a | b |\n|---|---|\n| 1 | 2 |\n' > build/runs/ch1-solutions/stats.md
printf 'epoch  loss\n1      0.5   *not emphasis*\n' > build/runs/ch1-solutions/out.txt
printf '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>\n' > build/runs/ch1-solutions/fig.svg
cp build/runs/ch1-solutions/fig.svg build/runs/ch1-solutions/only.svg
printf '%%PDF-1.4\n' > build/runs/ch1-solutions/fig.pdf
cat > chapters/one.md <<'EOF'
# One

```{.region file="src/demo.c" name="inner"}
```
EOF

# A second filter, run after book.lua, that writes each code block's class and
# text to stdout, so the tests see exactly what book.lua put there.
cat > dump.lua <<'EOF'
function CodeBlock(cb)
  io.write("<<" .. table.concat(cb.classes, " ") .. "\n" .. cb.text .. "\n>>\n")
end
EOF

# run FORMAT FILE.md: pandoc with book.lua and dump.lua; stdout+stderr in $out,
# status in $rc.
run() {
    out=$(pandoc --from markdown --lua-filter "$FILTER" --lua-filter dump.lua \
          --to "$1" -o /dev/null "$2" 2>&1)
    rc=$?
}
plain() {
    out=$(pandoc --from markdown --lua-filter "$FILTER" --to plain "$1" 2>&1)
    rc=$?
}

# ---------------------------------------------------------------------------
# What must work

cat > ok.md <<'EOF'
Before.

```{.region file="src/demo.c" name="outer"}
```

```{.region file="src/plot.gp" name="axes"}
```

```{.output file="build/runs/ch1-solutions/out.txt"}
```
EOF
run html ok.md
expected='<<c
int a;

    int b;   // kept, with its comment
int c;
>>
<<gnuplot
set xlabel "epoch"
>>
<<output
epoch  loss
1      0.5   *not emphasis*
>>'
if [ $rc -ne 0 ]; then bad "regions: pandoc failed: $out"
elif [ "$out" != "$expected" ]; then
    bad "regions and output: expected"; echo "$expected"; echo "  got"; echo "$out"
fi

cat > whole.md <<'EOF'
```{.region file="src/demo.c"}
```
EOF
run html whole.md
if [ $rc -ne 0 ]; then bad "whole file: pandoc failed: $out"
elif grep -qE '//[<>]' <<<"$out"; then bad "whole file: marker lines left in: $out"
elif ! grep -q 'int e;' <<<"$out" || ! grep -q '^// demo.c' <<<"$out"; then bad "whole file: lines missing: $out"
fi

cat > value.md <<'EOF'
The mean is []{.value run="ch1" key="mean"} and the phrase is
[old text]{.value run="ch1" key="phrase"}.
EOF
plain value.md
if [ $rc -ne 0 ]; then bad "value: pandoc failed: $out"
elif ! grep -q 'The mean is 0.1307 and' <<<"$out"; then bad "value: 0.1307 not inserted: $out"
elif ! grep -q 'four words in it\.' <<<"$out" || grep -q 'old text' <<<"$out"; then
    bad "value: the phrase not inserted in place of the span's text: $out"
fi

cat > claim.md <<'EOF'
So [the mean is small]{.claim run="ch1" key="holds"}, as claimed.
EOF
plain claim.md
if [ $rc -ne 0 ]; then bad "claim: pandoc failed: $out"
elif ! grep -q 'So the mean is small, as claimed' <<<"$out"; then bad "claim: its text not kept: $out"
fi

cat > incl.md <<'EOF'
```{.include file="chapters/one.md"}
```

```{.include file="build/runs/ch1-solutions/stats.md"}
```
EOF
run native incl.md
if [ $rc -ne 0 ]; then bad "include: pandoc failed: $out"
elif ! grep -q 'int b;' <<<"$out"; then bad "include: the region inside the included chapter is missing: $out"
fi
out=$(pandoc --from markdown --lua-filter "$FILTER" --to native incl.md 2>&1)
grep -q 'Header 1' <<<"$out" || bad "include: the chapter's heading is missing"
grep -q 'Table' <<<"$out" || bad "include: the stats table was not parsed as markdown: $out"
grep -q 'listing-source' <<<"$out" || bad "include: no listing-source under the listing"

cat > fig.md <<'EOF'
![A figure.](build/runs/ch1-solutions/fig.svg)
EOF
out=$(pandoc --from markdown --lua-filter "$FILTER" --to latex fig.md 2>&1); rc=$?
if [ $rc -ne 0 ]; then bad "figure: pandoc (latex) failed: $out"
elif ! grep -q 'fig\.pdf' <<<"$out" || grep -q 'fig\.svg' <<<"$out"; then bad "figure: LaTeX did not get the .pdf: $out"
fi
grep -q "wbnextsource" <(pandoc --from markdown --lua-filter "$FILTER" --to latex ok.md 2>&1) \
    || bad "latex: no \\wbnextsource before a listing"
out=$(pandoc --from markdown --lua-filter "$FILTER" --to html fig.md 2>&1); rc=$?
if [ $rc -ne 0 ]; then bad "figure: pandoc (html) failed: $out"
elif ! grep -q 'fig\.svg' <<<"$out"; then bad "figure: HTML did not keep the .svg: $out"
fi

# ---------------------------------------------------------------------------
# The line under a listing: the file, and the C function the region is in,
# defines or declares, found whatever braces comments, strings, character
# constants, initializers and preprocessor lines hold; other files: the path
# alone. In HTML, in LaTeX, and in the PDF that tools/book.tex makes of it.

c_regions src
: > fn.md
for r in a.c:consts a.c:defs a.c:inside a.c:attr-inside a.h:protos a.h:one-proto plot.gp:axes; do
    printf '```{.region file="src/%s" name="%s"}\n```\n\n' "${r%%:*}" "${r#*:}" >> fn.md
done
expected='src/a.c
src/a.c, defines helper()
src/a.c, in step_one()
src/a.c, in quiet()
src/a.h, declares step_one(), two(), three(), ...
src/a.h, declares count()
src/plot.gp'
out=$(pandoc --from markdown --lua-filter "$FILTER" --to html5 --wrap=none fn.md 2>&1); rc=$?
if [ $rc -ne 0 ]; then bad "functions: pandoc failed: $out"; else
    # Each listing's source line, tags removed, in order.
    got=$(grep -A1 '<div class="listing-source">' <<<"$out" | grep -v -e '<div' -e '^--$' |
          sed 's/<[^>]*>//g')
    [ "$got" = "$expected" ] ||
        bad "functions: the listings' source lines: expected"$'\n'"$expected"$'\n'"got"$'\n'"$got"
    grep -qF '<code>src/a.c</code>, in <code>step_one()</code>' <<<"$out" ||
        bad "functions: the path and the function are not each in <code>: $out"
fi
out=$(pandoc --from markdown --lua-filter "$FILTER" --to latex --wrap=none fn.md 2>&1); rc=$?
if [ $rc -ne 0 ]; then bad "functions: pandoc (latex) failed: $out"; else
    got=$(grep -F '\wbnextsource{' <<<"$out" | grep -vF 'newcommand')
    expected_tex='\wbnextsource{\texttt{src/a.c}}
\wbnextsource{\texttt{src/a.c}, defines \texttt{helper()}}
\wbnextsource{\texttt{src/a.c}, in \texttt{step\_one()}}
\wbnextsource{\texttt{src/a.c}, in \texttt{quiet()}}
\wbnextsource{\texttt{src/a.h}, declares \texttt{step\_one()}, \texttt{two()}, \texttt{three()}, ...}
\wbnextsource{\texttt{src/a.h}, declares \texttt{count()}}
\wbnextsource{\texttt{src/plot.gp}}'
    [ "$got" = "$expected_tex" ] ||
        bad "functions: LaTeX's \\wbnextsource lines: expected"$'\n'"$expected_tex"$'\n'"got"$'\n'"$got"
fi
# What a reader of the PDF sees: the line in the listing's box, by book.tex.
if command -v pdflatex >/dev/null && command -v pdftotext >/dev/null; then
    mkdir -p tex
    if pandoc --from markdown --lua-filter "$FILTER" --standalone --to latex \
         --include-in-header "$ROOT/tools/book.tex" -o tex/fn.tex fn.md &&
       pdflatex -interaction=nonstopmode -halt-on-error -output-directory tex tex/fn.tex \
         >/dev/null 2>&1; then
        out=$(pdftotext tex/fn.pdf - | tr -s ' \n' ' ')
        for line in 'src/a.c, in step_one()' 'src/a.h, declares step_one(), two(), three(), ...'; do
            grep -qF -- "$line" <<<"$out" || bad "functions: the PDF does not show '$line': $out"
        done
    else
        bad "functions: pdflatex failed: $(grep -m1 -A3 '^!' tex/fn.log 2>/dev/null)"
    fi
fi

# ---------------------------------------------------------------------------
# What must fail, and name what is missing

# must_fail FORMAT WHAT MARKDOWN NEEDLE...: pandoc must exit non-zero and its
# message must contain every needle.
must_fail() {
    local format=$1 what=$2 md=$3; shift 3
    printf '%s\n' "$md" > case.md
    run "$format" case.md
    if [ $rc -eq 0 ]; then bad "$what: pandoc exited 0"; return; fi
    local needle
    for needle in "$@"; do
        grep -qF -- "$needle" <<<"$out" || bad "$what: the message does not name '$needle': $out"
    done
}

must_fail html "missing region" \
    '```{.region file="src/demo.c" name="nowhere"}
```' case.md src/demo.c nowhere
must_fail html "missing source file" \
    '```{.region file="src/gone.c" name="x"}
```' case.md src/gone.c
must_fail html "unterminated region" \
    '```{.region file="src/demo.c" name="open-only"}
```' case.md src/demo.c open-only "not closed"
must_fail html "missing value key" \
    'It is []{.value run="ch1" key="no_such_key"}.' \
    case.md no_such_key build/runs/ch1-solutions/values.tsv
must_fail html "claim that does not hold" \
    'So [the mean is large]{.claim run="ch1" key="false"}.' \
    case.md '"the mean is large" does not hold' build/runs/ch1-solutions/values.tsv 'false is "no"'
must_fail html "claim neither yes nor no" \
    'So [it may be]{.claim run="ch1" key="maybe"}.' case.md '"it may be" does not hold' 'maybe is "perhaps"'
must_fail html "claim of a missing key" \
    'So [it is]{.claim run="ch1" key="no_such_claim"}.' case.md no_such_claim build/runs/ch1-solutions/values.tsv
must_fail html "missing values file" \
    'It is []{.value run="ch7" key="mean"}.' case.md build/runs/ch7-solutions/values.tsv
must_fail html "missing include" \
    '```{.include file="chapters/gone.md"}
```' case.md chapters/gone.md
must_fail html "missing output file" \
    '```{.output file="build/runs/ch1-solutions/gone.txt"}
```' case.md build/runs/ch1-solutions/gone.txt
must_fail html "missing image" \
    '![Gone.](build/runs/ch1-solutions/gone.svg)' case.md build/runs/ch1-solutions/gone.svg
must_fail latex "missing PDF twin of an image" \
    '![Only SVG.](build/runs/ch1-solutions/only.svg)' case.md build/runs/ch1-solutions/only.pdf
must_fail html "misspelt class" \
    '```{.regoin file="src/demo.c" name="outer"}
```' case.md src/demo.c
printf '# Two\n\nSee []{.value run="ch1" key="absent_in_chapter"}.\n' > chapters/two.md
must_fail html "missing key inside an included chapter" \
    '```{.include file="chapters/two.md"}
```' chapters/two.md absent_in_chapter
printf '```{.include file="chapters/loop.md"}\n```\n' > chapters/loop.md
must_fail html "an include that includes itself" \
    '```{.include file="chapters/loop.md"}
```' chapters/loop.md itself

if [ $fails -gt 0 ]; then
    echo "$fails check(s) of tools/book.lua failed"
    exit 1
fi
echo "tools/book.lua: regions (and their functions), values, includes, output, figures and every failure checked"
