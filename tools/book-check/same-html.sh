#!/usr/bin/env bash
# same-html.sh HTML EDITION: the same sources and runs make the same HTML
# book, byte for byte: pandoc run once more, as `make book` ran it for
# EDITION (student or instructor), gives the same bytes as HTML. (Its figures
# are gnuplot's SVG, which carry no date; two builds' runs differ where the
# book quotes how long a run took, and only there.)
# Prints an "ok ..." or a "FAIL ..." line (exit 1). PANDOC_HTML is the book's
# own pandoc command for the HTML (mk/book.mk; make book-check passes it).
set -uo pipefail
html=${1:?usage: same-html.sh HTML EDITION} edition=${2:?usage: same-html.sh HTML EDITION}
[ -s "$html" ] || { echo "FAIL $html does not exist (make book)"; exit 1; }
[ -n "${PANDOC_HTML:-}" ] || { echo "FAIL same-html.sh: PANDOC_HTML is not set (make book-check sets it)"; exit 1; }
case $edition in
    student | instructor) ;;
    *) echo "FAIL same-html.sh: the edition '$edition' is neither student nor instructor"; exit 1 ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# $PANDOC_HTML: the book's own command (mk/book.mk), run where the book is
eval "$PANDOC_HTML"' -M edition="$edition" -o "$tmp/book.html" book.md' 2>"$tmp/err"
rc=$?
if [ $rc -ne 0 ]; then
    echo "FAIL $html: pandoc failed when made again (status $rc)$(head -n 1 "$tmp/err" | sed 's/^./: &/')"
    exit 1
fi
if ! cmp -s "$html" "$tmp/book.html"; then
    echo "FAIL $html: made again from the same sources and runs, it differs: $(cmp "$html" "$tmp/book.html" | head -n 1)"
    exit 1
fi
echo "ok   $html: made again from the same sources and runs, the same bytes ($(wc -c <"$html") of them)"
