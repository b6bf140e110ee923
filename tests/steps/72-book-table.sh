#!/usr/bin/env bash
# 72-book-table: the {.table} blocks of tools/book.lua, which turn a TSV file a
# program wrote into a real table, on small markdown files in a temporary
# folder: in HTML and in LaTeX, the header cells (inline markdown), each row's
# cells from the templates ({column} as literal text, {column:%.2f} and
# {column:sci:4} as numbers, {column:label} through labels=), the en dash for a missing value, the alignment,
# the caption's number and a reference to it; and every mistake (file, column,
# format, field count, cell count, empty TSV, alignment, label without
# caption, value that is not a number) stops pandoc with a message that names
# the markdown file, the TSV file and the column or line.
set -u
# shellcheck source=tests/book/common.sh
. "$(dirname "$0")/../book/common.sh"
NB=$'\xc2\xa0'    # the no-break space between "Table" and its number
DASH=$'\xe2\x80\x93'  # the en dash of a missing value
# (one line each: grep -F would take each line of a longer needle alone)
oneline() { [[ $2 != *$'\n'* ]] || { bad "$1: the needle has several lines"; return 1; }; }
has() { oneline "$@" && { grep -qF -- "$2" <<<"$out" || bad "$1: no '$2' in the output"; }; }
hasnt() { oneline "$@" && { ! grep -qF -- "$2" <<<"$out" || bad "$1: '$2' should not be in the output"; }; }
# has_lines WHAT A B: a line A, and B the very next line
has_lines() { awk -v a="$2" -v b="$3" 'prev == a && $0 == b { found = 1 } { prev = $0 } END { exit !found }' <<<"$out" ||
    bad "$1: no line '$2' followed by '$3' in the output"; }
# before WHAT A B: A comes before B in $out.
before() {
    local a b
    a=$(grep -nF -- "$2" <<<"$out" | head -n 1 | cut -d: -f1)
    b=$(grep -nF -- "$3" <<<"$out" | head -n 1 | cut -d: -f1)
    [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] || bad "$1: '$2' does not come before '$3'"
}

mkdir -p chapters runs
# Columns: a label, numbers, a missing value of each spelling, an integer.
printf 'label\tstudy_acc\tacc\tmean\tsd\tseeds\tsmall\tlambda\n' > runs/results.tsv
printf 'plain_sgd\t97.5\t97.8123\t97.7\t0.1234\t5\t1.2225e-06\t1e-4\n' >> runs/results.tsv
printf 'a*b [x](y) <b> it\x27s "q"\tNA\t98.1\tnan\t0.2\t3\t-0.5\t0\n' >> runs/results.tsv
printf 'third größe\t\t96\t-NaN\t0.3\t4\t3.5\t2\n' >> runs/results.tsv
printf 'label\tacc\n' > runs/empty.tsv
printf 'group\trel\nW1\t0.5\nall\t0.25\n' > runs/groups.tsv
printf 'label\tacc\nx\t1\n' > runs/two.tsv
printf 'rate\t0.125\n' > runs/v.tsv

cat > chapters/one.md <<'EOF'
# One {#sec:one}

A markdown table first: @tbl:md.

: A markdown table. {#tbl:md}

| a | b |
|---|---|
| 1 | 2 |

See @tbl:results and [-@tbl:results].

```{.table #tbl:results file="runs/results.tsv"
  header="run | test accuracy: the study | ours, seed 1 | ours, mean ± sd (seeds) | $|w|$ | $\lambda$"
  row="{label} | {study_acc:%.2f}% | {acc:%.2f}% | {mean:%.2f} ± {sd:%.2f}% ({seeds:%d}) | {small:sci:4} | $\lambda = {lambda:%g}$, {{{seeds:%+.1f}}}"
  align="lrrrcl" caption="The study's test accuracy beside *ours*."}
```

```{.table file="runs/two.tsv" header="# | accuracy" row="{acc:%.0f}. | - {acc:%.1f}"}
```

```{.table #tbl:after file="runs/two.tsv" header="label | accuracy" row="{label} | {acc:%.3e}"
  caption="After a table without a caption."}
```

```{.table file="runs/empty.tsv" header="label | accuracy" row="{label} | {acc:%.1f}" empty="ok"
  caption="C."}
```

```{.table file="runs/groups.tsv" header="parameters | error" row="{group:label} | {rel:%.2f}"
  labels="W1=$W_1$ (input to hidden); all=*all* of them"}
```

```{.table file="runs/two.tsv" header="label | accuracy, given its share" row="{label} | {acc:%.2f}" widths="3 1"
  caption="A caption with a value: rate []{.value file='runs/v.tsv' key='rate'}."}
```
EOF
printf -- '---\ntitle: T\n---\n\n```{.include file="chapters/one.md"}\n```\n' > book.md

# ---------------------------------------------------------------------------
# HTML

out=$(BOOK_LABELS=labels.tsv pandoc --from markdown --lua-filter "$FILTER" --to html5 \
      --wrap=none --number-sections book.md 2>&1); rc=$?
if [ $rc -ne 0 ]; then bad "html: pandoc failed: $out"; else
    has "html: identifier" '<table id="tbl:results">'
    has "html: caption and its number" '<caption><span class="table-number">Table'"$NB"'1.2:</span> The study’s test accuracy beside <em>ours</em>.</caption>'
    has "html: reference" '<a href="#tbl:results">Table'"$NB"'1.2</a>'
    has "html: number alone" '<a href="#tbl:results">1.2</a>'
    has "html: header, left" '<th style="text-align: left;">run</th>'
    has "html: header, right" '<th style="text-align: right;">ours, mean ± sd (seeds)</th>'
    has "html: widths= given" 'width: 75%'
    has "html: a value in a caption" 'A caption with a value: rate 0.125.'
    has "html: header math, centred" '<th style="text-align: center;"><span class="math inline">'
    has "html: a label as it is" '<td style="text-align: left;">plain_sgd</td>'
    has "html: markup in a label stays text" '<td style="text-align: left;">a*b [x](y) &lt;b&gt; it’s “q”</td>'
    hasnt "html: no markup from data" '<em>b [x]'
    has "html: %.2f" '<td style="text-align: right;">97.50%</td>'
    has "html: rounding" '<td style="text-align: right;">97.81%</td>'
    has "html: several fields in one cell, %d" '<td style="text-align: right;">97.70 ± 0.12% (5)</td>'
    has "html: NA gives an en dash" '<td style="text-align: right;">'"$DASH"'</td>'
    has_lines "html: nan in one of a cell's fields gives an en dash" '<td style="text-align: right;">98.10%</td>' \
        '<td style="text-align: right;">'"$DASH"'</td>'
    has_lines "html: an empty field gives an en dash" '<td style="text-align: left;">third größe</td>' \
        '<td style="text-align: right;">'"$DASH"'</td>'
    hasnt "html: no nan printed" 'nan'
    before "html: rows in the file's order" 'plain_sgd' 'third'
    has "html: no caption, no number; the next captioned table is 1.3" 'Table'"$NB"'1.3:</span> After a table without a caption.'
    has "html: %.3e" '<td style="text-align: right;">1.000e+00</td>'
    has "html: empty=\"ok\" gives a table of its header alone; a caption \"C.\" is no list" \
        '<caption><span class="table-number">Table'"$NB"'1.4:</span> C.</caption>'
    has "html: a header cell \"#\" is no heading" '<th style="text-align: left;">#</th>'
    has "html: a cell \"1.\" is no list" '<td style="text-align: left;">1.</td>'
    has "html: a cell \"- 1.0\" is no list" '<td style="text-align: right;">- 1.0</td>'
    hasnt "html: no table block left as code" 'class="table"'
    has "html: {group:label}, math" '<td style="text-align: left;"><span class="math inline">'
    has "html: {group:label}, the words after the math" '(input to hidden)</td>'
    has "html: {group:label}, markdown" '<td style="text-align: left;"><em>all</em> of them</td>'
    got=$(grep -E '^tbl:' labels.tsv 2>/dev/null | tr '\t' ' ' | tr '\n' ';')
    [ "$got" = "tbl:md tbl 1.1;tbl:results tbl 1.2;tbl:after tbl 1.3;" ] ||
        bad "labels file: expected the three table labels 1.1, 1.2, 1.3, got '$got'"
fi
# The rows of the results table, cell by cell, as the LaTeX and native writers
# see them, and the header that is not a row: exactly three rows.
n=$(grep -c '<tr class="\(odd\|even\)">' <<<"$(sed -n '/<table id="tbl:results">/,/<\/table>/p' <<<"$out")")
[ "$n" = 3 ] || bad "html: the results table has $n rows, not 3"

# ---------------------------------------------------------------------------
# LaTeX

out=$(pandoc --from markdown --lua-filter "$FILTER" --to latex --wrap=none --top-level-division=chapter \
      --number-sections book.md 2>&1); rc=$?
if [ $rc -ne 0 ]; then bad "latex: pandoc failed: $out"; else
    # too wide for a line: shares of it, each column aligned as align= says
    has "latex: a wide table's first column, a share of the line" '  >{\raggedright\arraybackslash}p{(\columnwidth - 10\tabcolsep) * \real{0.1800}}'
    has "latex: its second, right-aligned" '  >{\raggedleft\arraybackslash}p{(\columnwidth - 10\tabcolsep) * \real{0.2000}}'
    has "latex: a centred column" '>{\centering\arraybackslash}p{'
    has "latex: widths= given" '\real{0.7500}}'
    has "latex: default alignment, l then r" '\begin{longtable}[]{@{}lr@{}}'
    has "latex: caption and its label" "\\caption{The study's test accuracy beside \\emph{ours}.\\label{tbl:results}}"
    has "latex: reference" '\hyperref[tbl:results]{Table~\ref*{tbl:results}}'
    has "latex: header math, centred" '\end{minipage} & \begin{minipage}[b]{\linewidth}\centering'
    has "latex: header math" '\(|w|\)'
    has "latex: first row" 'plain\_sgd & 97.50\% & 97.81\% & 97.70 ± 0.12\% (5) & \(1.2225 \times 10^{-6}\) & \(\lambda = 0.0001\), \{+5.0\} \\'
    has "latex: second row: literal label, en dashes, sci of a negative number" \
        'a*b {[}x{]}(y) \textless b\textgreater{} it'\''s ``q'\'\'' & -- & 98.10\% & -- & \(-5.0000 \times 10^{-1}\) & \(\lambda = 0\), \{+3.0\} \\'
    has "latex: third row: sci with exponent 0" 'third größe & -- & 96.00\% & -- & \(3.5000\) & \(\lambda = 2\), \{+4.0\} \\'
fi
out=$(pandoc --from markdown --lua-filter "$FILTER" --to native book.md 2>&1)
has "native: sci is TeX math" 'Math InlineMath "1.2225 \\times 10^{-6}"'

# ---------------------------------------------------------------------------
# What must fail, and name the markdown file, the TSV file and the column

# must_fail WHAT MARKDOWN NEEDLE...: the markdown goes in chapters/case.md,
# included from case.md; pandoc must exit non-zero and name every needle.
must_fail() {
    local what=$1 md=$2; shift 2
    printf '%s\n' "$md" > chapters/case.md
    printf -- '```{.include file="chapters/case.md"}\n```\n' > case.md
    out=$(pandoc --from markdown --lua-filter "$FILTER" --to html5 -o /dev/null case.md 2>&1)
    if [ $? -eq 0 ]; then bad "$what: pandoc exited 0"; return; fi
    local needle
    for needle in "$@"; do
        grep -qF -- "$needle" <<<"$out" || bad "$what: the message does not name '$needle': $out"
    done
}
# table ATTRIBUTES: a table block with them.
table() { printf '```{.table %s}\n```\n' "$1"; }
OK='header="label | accuracy" row="{label} | {acc:%.1f}"'

# The good block passes: the failures below are the attributes' doing.
printf '%s\n' "$(table "file=\"runs/two.tsv\" $OK")" > chapters/case.md
printf -- '```{.include file="chapters/case.md"}\n```\n' > case.md
out=$(pandoc --from markdown --lua-filter "$FILTER" --to html5 case.md 2>&1) ||
    bad "the good table block failed: $out"

must_fail "missing TSV file" "$(table "file=\"runs/gone.tsv\" $OK")" \
    chapters/case.md runs/gone.tsv "not found"
must_fail "no file" "$(table "$OK")" chapters/case.md 'file='
must_fail "a column not in the TSV" \
    "$(table 'file="runs/two.tsv" header="label | accuracy" row="{label} | {accuracy:%.1f}"')" \
    chapters/case.md runs/two.tsv '"accuracy"' "label, acc"
must_fail "a text column not in the TSV" \
    "$(table 'file="runs/two.tsv" header="label | accuracy" row="{name} | {acc:%.1f}"')" \
    chapters/case.md runs/two.tsv '"name"'
must_fail "a bad format" \
    "$(table 'file="runs/two.tsv" header="label | accuracy" row="{label} | {acc:%s}"')" \
    chapters/case.md runs/two.tsv '"acc"' '"%s"'
must_fail "a format with no conversion" \
    "$(table 'file="runs/two.tsv" header="label | accuracy" row="{label} | {acc:.2f}"')" \
    chapters/case.md runs/two.tsv '"acc"' '".2f"'
must_fail "two conversions" \
    "$(table 'file="runs/two.tsv" header="label | accuracy" row="{label} | {acc:%.1f%d}"')" \
    chapters/case.md runs/two.tsv '"acc"'
must_fail "a bad sci" \
    "$(table 'file="runs/two.tsv" header="label | accuracy" row="{label} | {acc:sci:x}"')" \
    chapters/case.md runs/two.tsv '"acc"' 'sci:x'
must_fail "a width Lua cannot take" \
    "$(table 'file="runs/two.tsv" header="label | accuracy" row="{label} | {acc:%123.1f}"')" \
    chapters/case.md runs/two.tsv '"acc"'
printf 'label\tacc\nx\t1\ny\t2\t3\n' > runs/ragged.tsv
must_fail "a line with more fields than the header" "$(table "file=\"runs/ragged.tsv\" $OK")" \
    chapters/case.md runs/ragged.tsv "line 3" "3 fields" "2 columns"
printf 'label\tacc\nx\n' > runs/short.tsv
must_fail "a line with fewer fields than the header" "$(table "file=\"runs/short.tsv\" $OK")" \
    chapters/case.md runs/short.tsv "line 2" "1 field,"
must_fail "header and row with different numbers of cells" \
    "$(table 'file="runs/two.tsv" header="label | accuracy | more" row="{label} | {acc:%.1f}"')" \
    chapters/case.md runs/two.tsv "3 cells" "row"
must_fail "an empty TSV" "$(table "file=\"runs/empty.tsv\" $OK")" \
    chapters/case.md runs/empty.tsv "no data line" 'empty="ok"'
printf '' > runs/nothing.tsv
must_fail "a TSV without even a header line" "$(table "file=\"runs/nothing.tsv\" $OK empty=\"ok\"")" \
    chapters/case.md runs/nothing.tsv "header line"
must_fail "a bad empty=" "$(table "file=\"runs/empty.tsv\" $OK empty=\"yes\"")" \
    chapters/case.md 'empty="yes"'
must_fail "an alignment of the wrong length" "$(table "file=\"runs/two.tsv\" $OK align=\"lrr\"")" \
    chapters/case.md runs/two.tsv 'align="lrr"'
must_fail "an alignment letter that is none" "$(table "file=\"runs/two.tsv\" $OK align=\"lx\"")" \
    chapters/case.md runs/two.tsv 'align="lx"'
must_fail "a missing value in a caption" "$(table "file=\"runs/two.tsv\" $OK caption=\"r []{.value file='runs/v.tsv' key='nope'}\"")" \
    chapters/case.md runs/v.tsv '"nope"'
must_fail "widths of the wrong length" "$(table "file=\"runs/two.tsv\" $OK widths=\"1 2 3\"")" \
    chapters/case.md runs/two.tsv 'widths="1 2 3"' "2 positive numbers"
must_fail "a width that is not a positive number" "$(table "file=\"runs/two.tsv\" $OK widths=\"1 0\"")" \
    chapters/case.md runs/two.tsv 'widths="1 0"'
must_fail "a label without a caption" "$(table "#tbl:nocap file=\"runs/two.tsv\" $OK")" \
    chapters/case.md runs/two.tsv "#tbl:nocap" caption
must_fail "a label of the wrong kind" "$(table "#fig:t file=\"runs/two.tsv\" $OK caption=\"C.\"")" \
    chapters/case.md "#fig:t" "tbl:"
printf 'label\tacc\nx\t1\ny\tninety\n' > runs/words.tsv
must_fail "a value that is not a number" "$(table "file=\"runs/words.tsv\" $OK")" \
    chapters/case.md runs/words.tsv '"acc"' "line 3" '"ninety"'
printf 'label\tseeds\nx\t2.5\n' > runs/half.tsv
must_fail "%d of a non-integer" \
    "$(table 'file="runs/half.tsv" header="label | seeds" row="{label} | {seeds:%d}"')" \
    chapters/case.md runs/half.tsv '"seeds"' "integer"
must_fail "a lone brace" \
    "$(table 'file="runs/two.tsv" header="label | accuracy" row="{label} | $10^{-6}$ {acc:%.1f}"')" \
    chapters/case.md runs/two.tsv '{-6}' '{{'
must_fail "a brace that closes nothing" \
    "$(table 'file="runs/two.tsv" header="label | accuracy" row="{label} | {acc:%.1f}}"')" \
    chapters/case.md runs/two.tsv '}}'
must_fail "no row" "$(table 'file="runs/two.tsv" header="label | accuracy"')" \
    chapters/case.md runs/two.tsv 'row='
must_fail "no header" "$(table 'file="runs/two.tsv" row="{label} | {acc:%.1f}"')" \
    chapters/case.md runs/two.tsv 'header='
must_fail "{column:label} without labels" \
    "$(table 'file="runs/groups.tsv" header="a | b" row="{group:label} | {rel:%.1f}"')" \
    chapters/case.md runs/groups.tsv '"group"' 'labels='
must_fail "a value labels does not name" \
    "$(table 'file="runs/groups.tsv" header="a | b" row="{group:label} | {rel:%.1f}" labels="W1=$W_1$"')" \
    chapters/case.md runs/groups.tsv '"group"' "line 3" '"all"'
must_fail "labels not VALUE=MARKDOWN" \
    "$(table 'file="runs/groups.tsv" header="a | b" row="{group:label} | {rel:%.1f}" labels="W1=x; all"')" \
    chapters/case.md '"all"' 'VALUE=MARKDOWN'
must_fail "a value labelled twice" \
    "$(table 'file="runs/groups.tsv" header="a | b" row="{group:label} | {rel:%.1f}" labels="W1=x; W1=y; all=z"')" \
    chapters/case.md '"W1"' twice
printf 'label\tlabel\nx\t1\n' > runs/twice.tsv
must_fail "a column named twice" \
    "$(table 'file="runs/twice.tsv" header="a | b" row="{label} | {label}"')" \
    chapters/case.md runs/twice.tsv '"label"' twice

if [ $fails -gt 0 ]; then
    echo "$fails check(s) of tools/book.lua's table blocks failed"
    exit 1
fi
echo "tools/book.lua: table blocks from TSV files (HTML and LaTeX, formats, en dashes, alignment, numbers) and every failure checked"
