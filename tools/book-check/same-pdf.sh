#!/usr/bin/env bash
# same-pdf.sh PDF PDFDIR: the same sources and runs make the same PDF, byte
# for byte. (Two builds' runs differ where the book quotes how long a run
# took, and only there: the figures and every other number come from seeded
# runs.)
#
#   - the PDF's dates are the sources' (PDFDIR/epoch, which mk/book.mk took
#     from the last commit), not the clock's;
#   - pdflatex run once more on PDFDIR/book.tex (its references settled, as
#     `make book` left them), in a folder of its own where every figure's PDF
#     carries another date, as gnuplot's cairo writes one from the clock at
#     each run, gives the same bytes as PDF.
# Prints "ok ..." or "FAIL ..." lines (exit 1). PDFLATEX is the book's own
# pdflatex command (mk/book.mk; make book-check passes it).
set -uo pipefail
pdf=${1:?usage: same-pdf.sh PDF PDFDIR} pdfdir=${2:?usage: same-pdf.sh PDF PDFDIR}
fails=0
bad() { echo "FAIL $pdf: $*"; fails=$((fails + 1)); }
for f in "$pdf" "$pdfdir/book.tex" "$pdfdir/book.aux" "$pdfdir/epoch"; do
    [ -s "$f" ] || { echo "FAIL $f does not exist (make book)"; exit 1; }
done
[ -n "${PDFLATEX:-}" ] || { echo "FAIL same-pdf.sh: PDFLATEX is not set (make book-check sets it)"; exit 1; }
epoch=$(cat "$pdfdir/epoch")
[[ $epoch =~ ^[0-9]+$ ]] || { echo "FAIL $pdfdir/epoch: '$epoch' is not a time in seconds (make book writes it)"; exit 1; }

want=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
for key in CreationDate ModDate; do
    got=$(TZ=UTC pdfinfo -isodates "$pdf" 2>/dev/null | sed -n "s/^$key: *//p")
    [ "$got" = "$want" ] || bad "$key is '${got:-none}', not the sources' $want"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/$pdfdir"
cp "$pdfdir"/book.tex "$pdfdir"/book.aux "$tmp/$pdfdir/"
[ -f "$pdfdir/book.toc" ] && cp "$pdfdir/book.toc" "$tmp/$pdfdir/"
figures=0 redated=0
while IFS= read -r f; do
    [ -f "$f" ] || { bad "$pdfdir/book.tex includes $f, which does not exist"; continue; }
    mkdir -p "$tmp/$(dirname "$f")"
    # the year 1996: the same length, so the figure's offsets still hold
    LC_ALL=C sed 's|/CreationDate (D:[0-9][0-9][0-9][0-9]|/CreationDate (D:1996|' "$f" >"$tmp/$f"
    figures=$((figures + 1))
    cmp -s "$f" "$tmp/$f" || redated=$((redated + 1))
done < <(grep -oE '\\includegraphics(\[[^]]*\])?\{[^}]+\}' "$pdfdir/book.tex" | sed -E 's/.*\{([^}]+)\}$/\1/' | sort -u)
# $PDFLATEX: the book's own command (mk/book.mk), which reads $epoch
if (cd "$tmp" && eval "$PDFLATEX"' -output-directory "$pdfdir" "$pdfdir/book.tex"' >/dev/null); then
    cmp -s "$pdf" "$tmp/$pdfdir/book.pdf" ||
        bad "built again from the same sources ($redated of its $figures figures dated otherwise), it differs: $(cmp "$pdf" "$tmp/$pdfdir/book.pdf" | head -n 1)"
else
    bad "pdflatex failed on a copy of $pdfdir/book.tex: $(grep -m1 -E '^(!|.*:[0-9]+: )' "$tmp/$pdfdir/book.log")"
fi

[ $fails -eq 0 ] || exit 1
echo "ok   $pdf: dated as its sources ($want); built again, with $redated of its $figures figures dated otherwise, the same bytes"
