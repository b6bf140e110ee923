#!/usr/bin/env bash
# check.sh: checks both editions of the built book as a reader would
# (`make book-check`, which builds them first and installs Chromium if missing).
#
#   browser.mjs      each HTML book in headless Chromium: images, links, MathML,
#                    chapters, exercises, listings; screenshots of chapter 1
#   no-solutions.mjs no line of solution code in the student edition
#   pdf.sh           each PDF with pdftotext, pdffonts and pdftoppm
#   same-pdf.sh      each PDF dated as its sources, and the same bytes when
#                    made again
#   same-html.sh     each HTML book the same bytes when made again
#
# The chapters and appendices expected are those book.md includes, by the
# title on the first "# " line of each included file. Everything looked at goes to build/book-check/
# (chapter1.png is the student edition's first chapter in Chromium,
# student-pN.png and instructor-pN.png are PDF pages). CHROMIUM=path picks the
# browser (default: chromium). Ends on "book-check: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
out=build/book-check
here=tools/book-check
mkdir -p "$out"

chromium=${CHROMIUM:-chromium}
if ! command -v "$chromium" >/dev/null 2>&1; then
    echo "book-check: $chromium is not installed; make book-check installs Debian's chromium" >&2
    exit 1
fi
command -v node >/dev/null || { echo "book-check: node is not installed (make deps)" >&2; exit 1; }

# The titles of the chapters book.md includes, in order, and of its appendices
# (an included file whose first heading has the class .appendix); the
# instructor edition adds the "# " headings of tools/book-instructor.md. The
# checks get the appendices' titles in BOOK_APPENDICES, one per line.
title() { sed -E 's/^# +//; s/ *\{[^}]*\} *$//'; }
chapters=() appendices=()
while IFS= read -r f; do
    [ -f "$f" ] || { echo "book-check: book.md includes $f, which does not exist" >&2; exit 1; }
    h=$(grep -m1 '^# ' "$f")
    t=$(title <<<"$h")
    grep -q '\.unnumbered' <<<"$h" && continue
    if grep -q '\.appendix' <<<"$h"; then appendices+=("$t"); elif [ -n "$t" ]; then chapters+=("$t"); fi
done < <(grep -oE '\{\.include +file="[^"]+"' book.md | sed -E 's/.*file="([^"]+)"/\1/')
[ ${#chapters[@]} -gt 0 ] || { echo "book-check: book.md includes no chapter" >&2; exit 1; }
instructor_appendices=("${appendices[@]}")
while IFS= read -r h; do instructor_appendices+=("$(title <<<"$h")"); done < <(grep '^# ' tools/book-instructor.md)
student_list=$(printf '%s\n' "${appendices[@]}")
instructor_list=$(printf '%s\n' "${instructor_appendices[@]}")

passed=0 failed=0
run() {
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
export CHROMIUM=$chromium
BOOK_APPENDICES=$student_list run node $here/browser.mjs build/book.html student "$out" "${chapters[@]}"
BOOK_APPENDICES=$instructor_list run node $here/browser.mjs build/book-instructor.html instructor "$out/instructor" "${chapters[@]}"
run node $here/no-solutions.mjs build/book.html build/book-instructor.html
BOOK_APPENDICES=$student_list run bash $here/pdf.sh build/book.pdf student build/pdf "$out" "${chapters[@]}"
BOOK_APPENDICES=$instructor_list run bash $here/pdf.sh build/book-instructor.pdf instructor build/pdf-instructor "$out" "${chapters[@]}"
run bash $here/same-pdf.sh build/book.pdf build/pdf
run bash $here/same-pdf.sh build/book-instructor.pdf build/pdf-instructor
run bash $here/same-html.sh build/book.html student
run bash $here/same-html.sh build/book-instructor.html instructor
echo "book-check: $passed passed, $failed failed"
[ $failed -eq 0 ]
