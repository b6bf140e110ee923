#!/usr/bin/env bash
# 71-book-xref: the numbering, cross-references and editions of tools/book.lua,
# on a small book in a temporary folder: chapters, sections, figures, tables and
# equations are numbered as LaTeX's book class numbers them (per chapter, the
# appendices A, B), @fig:x-style references and [text](#id) links resolve to
# them in HTML and become \ref in LaTeX, the labels file holds the numbers, the
# chapter list is generated, the editions keep and drop what they should, and
# every kind of broken reference, and a solution in the student edition, stops
# pandoc with a message that names the file and the label.
set -u
# shellcheck source=tests/book/common.sh
. "$(dirname "$0")/../book/common.sh"
NB=$'\xc2\xa0'  # "Figure 1.1": the filter joins word and number with a no-break space

mkdir -p chapters solutions fig
printf '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>\n' > fig/a.svg
printf '%%PDF-1.4\n' > fig/a.pdf
printf 'int answer(void) {\n    return 6 * 7;  // the answer\n}\n' > solutions/ch1.c
cat > chapters/one.md <<'EOF'
# One {#sec:one}

See @fig:a, [@fig:a; @fig:b], [-@eq:x], @eq:x, [see @fig:a, left], @sec:two,
@sec:two-sub, @sec:intro, @tbl:t and [the equation](#eq:x).

$$ a = b $$ {#eq:x}

![First.](fig/a.svg){#fig:a}

![Second.](fig/a.svg){#fig:b}

: A table. {#tbl:t}

| a | b |
|---|---|
| 1 | 2 |

## Exercises

::: instructor
INSTRUCTOR-ONLY
:::

::: student
STUDENT-ONLY
:::
EOF
cat > chapters/two.md <<'EOF'
# Two {#sec:two}

![Third.](fig/a.svg){#fig:c}

$$ c = d $$
{#eq:y}

## Sub {#sec:two-sub}

## Exercises
EOF
cat > appendix.md <<'EOF'
# Solutions {#sec:sol .appendix}

```{.region file="solutions/ch1.c"}
```

See @sec:sol, @fig:d and @sec:one.

![Fourth.](fig/a.svg){#fig:d}

# Grading {#sec:grading}
EOF
cat > book.md <<'EOF'
---
title: T
instructor-appendix: appendix.md
---

# Intro {#sec:intro .unnumbered}

::: chapter-list
:::

```{.include file="chapters/one.md"}
```

```{.include file="chapters/two.md"}
```
EOF

# html EDITION: the HTML of book.md in $out, the status in $rc.
html() {
    out=$(BOOK_LABELS=labels-$1.tsv pandoc --from markdown --lua-filter "$FILTER" --to html5 \
          --standalone --wrap=none --number-sections -M edition="$1" book.md 2>&1)
    rc=$?
}
# (one line each: grep -F would take each line of a longer needle alone)
oneline() { [[ $2 != *$'\n'* ]] || { bad "$1: the needle has several lines"; return 1; }; }
has() { oneline "$@" && { grep -qF -- "$2" <<<"$out" || bad "$1: no '$2' in the output"; }; }
hasnt() { oneline "$@" && { ! grep -qF -- "$2" <<<"$out" || bad "$1: '$2' should not be in the output"; }; }

# ---------------------------------------------------------------------------
# The student edition

html student
if [ $rc -ne 0 ]; then bad "student edition: pandoc failed: $out"; else
    has "figure reference" '<a href="#fig:a">Figure'"$NB"'1.1</a>'
    has "plural reference" 'Figures <a href="#fig:a">1.1</a> and <a href="#fig:b">1.2</a>'
    has "number only" '<a href="#eq:x">(1.1)</a>'
    has "equation reference" '<a href="#eq:x">Equation'"$NB"'(1.1)</a>'
    has "prefix and suffix" 'see <a href="#fig:a">Figure'"$NB"'1.1</a>, left'
    has "chapter reference" '<a href="#sec:two">Chapter'"$NB"'2</a>'
    has "section reference" '<a href="#sec:two-sub">Section'"$NB"'2.1</a>'
    has "unnumbered heading reference" '<a href="#sec:intro">Intro</a>'
    has "table reference" '<a href="#tbl:t">Table'"$NB"'1.1</a>'
    has "plain link" '<a href="#eq:x">the equation</a>'
    has "figure numbers restart per chapter" 'Figure'"$NB"'2.1:</span> Third.'
    has "figure caption number" 'Figure'"$NB"'1.2:</span> Second.'
    has "table caption number" 'Table'"$NB"'1.1:</span> A table.'
    has "equation number" '<span class="eqno">(2.1)</span>'
    has "equation anchor" 'id="eq:x"'
    has "chapter list" '<a href="#sec:one">Chapter'"$NB"'1</a>: One'
    has "duplicate headings made unique" 'id="exercises-1"'
    has "student div kept" 'STUDENT-ONLY'
    hasnt "instructor div dropped" 'INSTRUCTOR-ONLY'
    hasnt "no appendix in the student edition" 'Solutions'
    hasnt "no solution in the student edition" 'the answer'
    hasnt "no citation left" 'class="citation"'
    hasnt "no label left" '{#'
    expected=$'sec:one\tchapter\t1\neq:x\teq\t1.1\nfig:a\tfig\t1.1\nfig:b\tfig\t1.2\ntbl:t\ttbl\t1.1'
    got=$(grep -E '^(sec:one|fig:a|fig:b|eq:x|tbl:t)\s' labels-student.tsv 2>/dev/null)
    [ "$got" = "$expected" ] || bad "labels file: expected"$'\n'"$expected"$'\n'"got"$'\n'"$got"
fi

# ---------------------------------------------------------------------------
# The instructor edition

html instructor
if [ $rc -ne 0 ]; then bad "instructor edition: pandoc failed: $out"; else
    has "appendix heading" 'data-number="A"'
    has "appendix class" 'class="appendix"'
    has "appendix reference" '<a href="#sec:sol">Appendix'"$NB"'A</a>'
    has "appendix figure" '<a href="#fig:d">Figure'"$NB"'A.1</a>'
    has "second appendix" 'data-number="B"'
    has "instructor div kept" 'INSTRUCTOR-ONLY'
    hasnt "student div dropped" 'STUDENT-ONLY'
    has "solution shown" '// the answer'
    has "chapter list has the appendices" '<a href="#sec:grading">Appendix'"$NB"'B</a>: Grading'
    has "edition on the title" "Instructor"
fi

# LaTeX: references become \ref (LaTeX numbers), labels where LaTeX needs them.
out=$(pandoc --from markdown --lua-filter "$FILTER" --to latex --wrap=none --top-level-division=chapter \
      --number-sections -M edition=instructor book.md 2>&1); rc=$?
if [ $rc -ne 0 ]; then bad "latex: pandoc failed: $out"; else
    has "latex figure reference" '\hyperref[fig:a]{Figure~\ref*{fig:a}}'
    has "latex equation reference" '\hyperref[eq:x]{Equation~(\ref*{eq:x})}'
    has "latex equation" '\begin{equation} a = b \label{eq:x}\end{equation}'
    has "latex table label" '\label{tbl:t}'
    has "latex appendix" '\appendix'
    has "latex link to an equation" '\hyperref[eq:x]{the equation}'
    has "latex figure pdf" 'fig/a.pdf'
fi

# LaTeX's own numbers (its .aux) are the filter's (the HTML's), for every kind
# of label, appendices included: pdflatex on the instructor edition with
# tools/book.tex, the figure a real PDF that pdflatex makes first.
if command -v pdflatex >/dev/null; then
    mkdir -p tex
    printf '\\documentclass{article}\\pagestyle{empty}\\begin{document}x\\end{document}\n' > tex/fig.tex
    (cd tex && pdflatex -interaction=nonstopmode fig.tex >/dev/null 2>&1) && cp tex/fig.pdf fig/a.pdf
    if BOOK_LABELS=tex/labels.tsv pandoc --from markdown --lua-filter "$FILTER" --standalone \
         --to latex --top-level-division=chapter --number-sections -M documentclass=book \
         -M edition=instructor --include-in-header "$ROOT/tools/book.tex" -o tex/book.tex book.md &&
       for i in 1 2; do
           pdflatex -interaction=nonstopmode -halt-on-error -output-directory tex tex/book.tex \
               >/dev/null 2>&1 || break
       done && [ -s tex/book.pdf ]; then
        n=0
        while IFS=$'\t' read -r id kind number; do
            latex=$(grep -F "\\newlabel{$id}{{" tex/book.aux | head -n 1 | sed -E 's/^\\newlabel\{[^}]*\}\{\{([^}]*)\}.*/\1/')
            [ "$latex" = "$number" ] || bad "LaTeX numbers $kind $id '$latex', the filter '$number'"
            n=$((n + 1))
        done < tex/labels.tsv
        [ $n -ge 12 ] || bad "only $n labels in tex/labels.tsv"
        grep -q 'undefined' tex/book.log && bad "LaTeX has undefined references: $(grep -m2 undefined tex/book.log)"
    else
        bad "pdflatex failed on the small book: $(grep -m1 -A3 '^!' tex/book.log 2>/dev/null)"
    fi
fi

# ---------------------------------------------------------------------------
# What must fail, naming the file and the label

# must_fail WHAT EDITION MARKDOWN NEEDLE...
must_fail() {
    local what=$1 edition=$2 md=$3; shift 3
    printf '%s\n' "$md" > chapters/case.md
    printf -- '---\ntitle: T\n---\n\n```{.include file="chapters/case.md"}\n```\n' > case.md
    out=$(pandoc --from markdown --lua-filter "$FILTER" --to html5 -M edition="$edition" \
          -o /dev/null case.md 2>&1)
    if [ $? -eq 0 ]; then bad "$what: pandoc exited 0"; return; fi
    local needle
    for needle in "$@"; do
        grep -qF -- "$needle" <<<"$out" || bad "$what: the message does not name '$needle': $out"
    done
}
FIG='![A.](fig/a.svg){#fig:a}'
must_fail "unresolved reference" student "# X

$FIG

See @fig:nope." chapters/case.md "unresolved reference @fig:nope"
must_fail "one of several unresolved" student "# X

$FIG

See [@fig:a; @tbl:none]." chapters/case.md tbl:none
must_fail "a citation that is no reference" student "# X

Mail @someone." chapters/case.md "@someone" "\\@"
must_fail "a link to nowhere" student "# X

A [link](#nowhere)." chapters/case.md "#nowhere"
must_fail "a label labelling nothing" student "# X

Text {#eq:lost} here." chapters/case.md "{#eq:lost}"
must_fail "a label twice" student "# X

$FIG

$FIG" chapters/case.md "#fig:a" twice
must_fail "a label of the wrong kind" student "# X

![A.](fig/a.svg){#tbl:a}" chapters/case.md "#tbl:a" "fig:"
must_fail "a solution in the student edition" student '# X

```{.region file="solutions/ch1.c"}
```' chapters/case.md solutions/ch1.c "student edition"
must_fail "an unknown edition" teacher "# X" teacher
must_fail "instructor edition without its appendix" instructor "# X" instructor-appendix

if [ $fails -gt 0 ]; then
    echo "$fails check(s) of tools/book.lua's numbering, references and editions failed"
    exit 1
fi
echo "tools/book.lua: numbering, references (HTML and LaTeX), labels, chapter list, editions and every broken reference checked"
