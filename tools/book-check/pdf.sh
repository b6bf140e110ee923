#!/usr/bin/env bash
# pdf.sh PDF EDITION PDFDIR OUTDIR [chapter-title...]: checks a PDF book as a
# reader would, with pdftotext, pdffonts and pdftoppm (poppler-utils).
#
#   - the title page, and in the instructor edition the edition's line on it;
#   - the contents list each chapter "N Title" in order, and each chapter opens
#     on a page "Chapter N / Title"; the appendices are those BOOK_APPENDICES
#     lists (one title a line), as A, B, ..., and no more; the instructor
#     edition's show every solutions/chN.c;
#   - no "??" (a reference LaTeX could not resolve), no "@fig:"-style reference
#     and no {#label} left in the text;
#   - LaTeX's numbers are the HTML's: every label in PDFDIR/labels.tsv (the
#     numbers tools/book.lua gave, which the HTML shows) has that number in
#     LaTeX's PDFDIR/book.aux, and every figure's caption is in the text;
#   - nothing runs off the page (no overfull line wider than 3 pt in the log),
#     no character was dropped for want of a glyph, every font is embedded;
#   - a few pages become PNGs in OUTDIR (title, contents, chapter 1's first
#     page, its first figure; the appendices in the instructor edition), named
#     EDITION-pN.png, for a person to look at.
# Prints "ok ..." or one "FAIL ..." line per problem (exit 1).
set -uo pipefail
pdf=${1:?usage: pdf.sh PDF EDITION PDFDIR OUTDIR [chapter-title...]}
edition=${2:?} pdfdir=${3:?} out=${4:?}
shift 4
chapters=("$@")
fails=0
bad() { echo "FAIL $pdf: $*"; fails=$((fails + 1)); }
for tool in pdftotext pdftoppm pdffonts; do
    command -v "$tool" >/dev/null || { echo "FAIL $tool is not installed (poppler-utils; make deps)"; exit 1; }
done
[ -s "$pdf" ] || { echo "FAIL $pdf does not exist (make book)"; exit 1; }
mkdir -p "$out"

text=$(pdftotext -layout "$pdf" -) || { echo "FAIL pdftotext cannot read $pdf"; exit 1; }
# One page per line, its whitespace collapsed, for searching.
mapfile -t pages < <(tr '\n' ' ' <<<"$text" | tr '\f' '\n' | tr -s ' \t' ' ')
npages=${#pages[@]}
# The first page (1-based) whose text matches the extended regex $1, or 0.
page_of() {
    local i
    for ((i = 0; i < npages; i++)); do
        grep -qE -- "$1" <<<"${pages[$i]}" && { echo $((i + 1)); return; }
    done
    echo 0
}
re_quote() { sed -e 's/[][\.*^$+?(){}|/]/\\&/g' <<<"$1"; }

# The title page, the contents.
grep -q 'The MNIST workbook' <<<"${pages[0]}" || bad "page 1 is not the title page"
if [ "$edition" = instructor ]; then
    grep -q "Instructor.s edition" <<<"${pages[0]}" || bad "the title page does not say it is the instructor's edition"
fi
toc=$(page_of '^ ?Contents ')
[ "$toc" -gt 0 ] || bad "no table of contents"

# The chapters, in the contents and on their opening pages.
opening=()
for i in "${!chapters[@]}"; do
    n=$((i + 1)) t=$(re_quote "${chapters[$i]}")
    [ "$toc" -gt 0 ] && ! grep -qE -- " $n $t [0-9ivx]" <<<"${pages[$((toc - 1))]} ${pages[$toc]:-}" &&
        bad "the contents do not list chapter $n, ${chapters[$i]}"
    p=$(page_of "^ ?Chapter $n $t ")
    if [ "$p" -eq 0 ]; then bad "no page opens chapter $n, ${chapters[$i]}"; else opening+=("$p"); fi
done
prev=0
for p in "${opening[@]}"; do
    [ "$p" -gt "$prev" ] || bad "the chapters are not in order (pages ${opening[*]})"
    prev=$p
done
# The appendices, A, B, ... as BOOK_APPENDICES lists them (one title a line),
# and no more.
mapfile -t appendices < <(printf '%s' "${BOOK_APPENDICES:-}" | sed '/^$/d')
letters=(A B C D E F G H I J K L M N O P Q R S T U V W X Y Z)
appendix_pages=()
for i in "${!appendices[@]}"; do
    p=$(page_of "^ ?Appendix ${letters[$i]} $(re_quote "${appendices[$i]}") ")
    if [ "$p" -gt 0 ]; then appendix_pages+=("$p"); else bad "no page opens Appendix ${letters[$i]}, ${appendices[$i]}"; fi
done
[ "$(page_of "^ ?Appendix ${letters[${#appendices[@]}]} ")" -eq 0 ] ||
    bad "an appendix ${letters[${#appendices[@]}]} beyond the ${#appendices[@]} expected"
if [ "$edition" = instructor ]; then
    for f in solutions/ch*.c; do
        grep -qF -- "$f" <<<"$text" || bad "the solutions appendix does not show $f"
    done
fi

# Nothing unresolved.
q=$(grep -F '??' <<<"$text" | head -n 3 | tr -s ' ' | cut -c1-100 | tr '\n' '|')
[ -z "$q" ] || bad "\"??\" in the text: $q"
if grep -nE '@(fig|sec|eq|tbl):|\{#[A-Za-z][^} ]*\}' <<<"$text" | head -n 3 | grep -q .; then
    bad "references or labels left as text: $(grep -E '@(fig|sec|eq|tbl):|\{#[A-Za-z][^} ]*\}' <<<"$text" | head -n 2 | tr -s ' ' | tr '\n' '|')"
fi

# LaTeX's numbers against the filter's (the HTML's).
labels=$pdfdir/labels.tsv aux=$pdfdir/book.aux
if [ ! -s "$labels" ] || [ ! -s "$aux" ]; then
    bad "$labels or $aux is missing (make book builds them)"
else
    checked=0
    while IFS=$'\t' read -r id kind number; do
        latex=$(grep -F "\\newlabel{$id}{{" "$aux" | head -n 1 | sed -E 's/^\\newlabel\{[^}]*\}\{\{([^}]*)\}.*/\1/')
        if [ -z "$latex" ]; then bad "LaTeX has no label $id ($kind $number in the HTML)"
        elif [ "$latex" != "$number" ]; then bad "$kind $id is $number in the HTML but $latex in the PDF"
        fi
        if [ "$kind" = fig ] && ! grep -qF "Figure $number:" <<<"${pages[*]}"; then
            bad "no caption \"Figure $number:\" in the text"
        fi
        checked=$((checked + 1))
    done <"$labels"
fi

# The page itself: overfull lines, missing glyphs, fonts.
log=$pdfdir/book.log
if [ -s "$log" ]; then
    over=$(grep -A1 -E '^Overfull \\hbox \(([3-9]|[1-9][0-9]+)\.[0-9]+pt too wide\)' "$log" | grep -v '^--$' | paste - - | head -n 3)
    [ -z "$over" ] || bad "lines run into the margin (book.log): $(tr -s ' \t' ' ' <<<"$over" | cut -c1-200 | tr '\n' '|')"
    missing=$(grep -m3 'Missing character' "$log")
    [ -z "$missing" ] || bad "characters dropped for want of a glyph: $(tr '\n' '|' <<<"$missing")"
fi
notemb=$(pdffonts "$pdf" 2>/dev/null | awk 'NR > 2 && $(NF-4) != "yes" { print $1 }' | sort -u | tr '\n' ' ')
[ -z "$notemb" ] || bad "fonts not embedded: $notemb"

# A few pages as PNGs.
shots=(1 "$toc" "${opening[0]:-0}" "$(page_of 'Figure 1\.1: ')")
shots+=("${appendix_pages[@]}")
[ "$edition" = instructor ] && shots+=("$(page_of 'test points what it checks')")
made=()
for p in "${shots[@]}"; do
    [ "$p" -gt 0 ] || continue
    [[ " ${made[*]} " == *" $p "* ]] && continue
    f=$out/$edition-p$p
    if pdftoppm -r 70 -png -f "$p" -l "$p" -singlefile "$pdf" "$f" && [ "$(stat -c %s "$f.png")" -gt 5000 ]; then
        made+=("$p")
    else
        bad "page $p did not render to a PNG"
    fi
done

if [ $fails -gt 0 ]; then exit 1; fi
echo "ok   $pdf ($npages pages): title page, contents, ${#chapters[@]} chapters in order" \
     "($(for i in "${!chapters[@]}"; do printf '%s%d %s' "$([ "$i" -gt 0 ] && echo '; ')" $((i + 1)) "${chapters[$i]}"; done))" \
     "and appendices: ${appendices[*]:-none};" \
     "no ??, no unresolved reference; $checked labels numbered as in the HTML; nothing overfull, no glyph missing, fonts embedded"
echo "     pages as PNG: $(for p in "${made[@]}"; do printf '%s ' "$out/$edition-p$p.png"; done)"
