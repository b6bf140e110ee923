#!/usr/bin/env bash
# 76-book-same: book-check's two checks that the book is made the same way
# again (tools/book-check/same-pdf.sh and same-html.sh) can fail, and refuse
# in one line what they cannot check.
#   - always: each refusal (a missing file, no command, a bad edition, a bad
#     epoch, a pandoc that fails), status 1 and one line naming it; and
#     same-html.sh's verdict with a stand-in pandoc: the same bytes pass,
#     others fail, naming the first byte that differs;
#   - when the book is built and up to date (as for 75-book-reader): a copy
#     of each, with one byte changed, fails against the book's own pandoc and
#     pdflatex.
set -u
cd "$(dirname "$0")/../.." || exit 1
here=tools/book-check
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

# expect STATUS PATTERN WHAT CMD...: CMD exits STATUS, with one line matching PATTERN
expect() {
    local status=$1 pattern=$2 what=$3 out rc
    shift 3
    out=$("$@" 2>&1)
    rc=$?
    if [ $rc -ne "$status" ] || [ "$(printf '%s\n' "$out" | wc -l)" -ne 1 ] || ! grep -qE -- "$pattern" <<<"$out"; then
        fail "$what: want status $status and one line matching '$pattern'; got status $rc:"
        printf '%s\n' "$out" | head -n 5 | sed 's/^/     /'
    else
        echo "ok   $what: $out"
    fi
}

# --- same-html.sh, with a stand-in pandoc that writes $CONTENT after -o
cat >"$tmp/pandoc" <<'STANDIN'
#!/bin/sh
while [ $# -gt 0 ]; do
    if [ "$1" = -o ]; then printf '%s' "$CONTENT" >"$2"; exit 0; fi
    shift
done
exit 2
STANDIN
printf 'same' >"$tmp/book.html"
expect 1 "FAIL $tmp/none.html does not exist" "html: no book" \
    env PANDOC_HTML="sh $tmp/pandoc" CONTENT=same bash $here/same-html.sh "$tmp/none.html" student
expect 1 'PANDOC_HTML is not set' "html: no pandoc command" \
    env -u PANDOC_HTML bash $here/same-html.sh "$tmp/book.html" student
expect 1 "the edition 'teacher' is neither student nor instructor" "html: a bad edition" \
    env PANDOC_HTML="sh $tmp/pandoc" CONTENT=same bash $here/same-html.sh "$tmp/book.html" teacher
expect 1 "FAIL $tmp/book.html: pandoc failed when made again \\(status 1\\)$" "html: pandoc fails" \
    env PANDOC_HTML=false bash $here/same-html.sh "$tmp/book.html" student
expect 0 "^ok   $tmp/book.html: .* the same bytes \(4 of them\)" "html: the same bytes" \
    env PANDOC_HTML="sh $tmp/pandoc" CONTENT=same bash $here/same-html.sh "$tmp/book.html" student
expect 1 "FAIL $tmp/book.html: .* it differs: .* byte 3, line 1" "html: other bytes" \
    env PANDOC_HTML="sh $tmp/pandoc" CONTENT=sane bash $here/same-html.sh "$tmp/book.html" student

# --- same-pdf.sh's refusals, on files that only need to exist
mkdir -p "$tmp/pdf"
for f in book.tex book.aux; do echo x >"$tmp/pdf/$f"; done
echo x >"$tmp/book.pdf"
echo soon >"$tmp/pdf/epoch"
mkdir -p "$tmp/undated"
cp "$tmp/pdf/book.tex" "$tmp/pdf/book.aux" "$tmp/undated/"
expect 1 "FAIL $tmp/undated/epoch does not exist" "pdf: no epoch" \
    env PDFLATEX=true bash $here/same-pdf.sh "$tmp/book.pdf" "$tmp/undated"
expect 1 'PDFLATEX is not set' "pdf: no pdflatex command" \
    env -u PDFLATEX bash $here/same-pdf.sh "$tmp/book.pdf" "$tmp/pdf"
expect 1 "FAIL $tmp/pdf/epoch: 'soon' is not a time in seconds" "pdf: a bad epoch" \
    env PDFLATEX=true bash $here/same-pdf.sh "$tmp/book.pdf" "$tmp/pdf"

# --- the real book, one byte changed
if ! make -q build/book.html build/book.pdf 2>/dev/null; then
    echo "note: the book is not built, or is older than its sources: not tried on the book itself (make book)"
else
    var() { make -s --no-print-directory --eval "print-%: ; @printf '%s\\n' '\$(\$*)'" "print-$1"; }
    # change the byte at offset $2 of file $1 (to one that differs from it)
    flip() {
        local b
        b=$(dd if="$1" bs=1 skip="$2" count=1 status=none | od -An -tu1 | tr -d ' ')
        printf '%b' "\\0$(printf '%03o' $(((b + 1) % 256)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
    }
    cp build/book.html "$tmp/changed.html"
    n=$(($(wc -c <build/book.html) / 2))
    flip "$tmp/changed.html" "$n"
    expect 1 "FAIL $tmp/changed.html: .* it differs: .* byte $((n + 1))," "the student HTML, one byte changed" \
        env PANDOC_HTML="$(var PANDOC_HTML)" bash $here/same-html.sh "$tmp/changed.html" student
    cp build/book.pdf "$tmp/changed.pdf"
    n=$(($(wc -c <build/book.pdf) / 2))
    flip "$tmp/changed.pdf" "$n"
    # (same-pdf.sh prints a line per failure: the dates are the book's, so one)
    expect 1 "FAIL $tmp/changed.pdf: .* it differs: .* byte $((n + 1))," "the student PDF, one byte changed" \
        env PDFLATEX="$(var PDFLATEX)" bash $here/same-pdf.sh "$tmp/changed.pdf" build/pdf
fi
[ $fails -eq 0 ]
