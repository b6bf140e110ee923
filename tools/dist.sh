#!/usr/bin/env bash
# dist.sh student FILE.tar.gz | dist.sh gradescope FILE.zip: what the workbook
# ships, built from its own files (`make student-dist`, `make gradescope-zip`).
#
# The files: inside git, the ones git knows, tracked or new but not ignored
# (`git ls-files --cached --others --exclude-standard`), so that build/, data/
# and whatever .gitignore names never go; outside git, a find that leaves out
# build/, data/ and dot folders.
#
#   student     the copy students get, as mnist-workbook-student/ in a tarball:
#               no solutions/, no hidden tests, nothing that holds a solution,
#               nothing that needs them (the hostile submissions of
#               tests/hostile/, the project's own test steps and their
#               tests/idx.sh, CI, the programs of make paper and make bench,
#               which train the reference, and bench's PyTorch script, the
#               Gradescope files, INSTRUCTORS.md, CONTRIBUTING.md). It adds:
#                 README.md         a README of its own, from tools/student/README.md
#                                   with the chapters and their titles filled in
#                 book/book.html    the student edition of the book ($BOOK_HTML)
#                 book/book.pdf     and its PDF ($BOOK_PDF)
#                 tests/calls.tsv   which contract functions each public test
#                                   calls, from the reference's run ($CALLS),
#                                   for make check
#                 .github/workflows/classroom.yml   the GitHub Classroom workflow
#               The book is checked first: no line of solutions/ in either
#               file (tools/book-check/no-solutions.mjs --shipped). The Makefile
#               works there: make check, make chN, make check-chN, make grade,
#               make test (= make check); what needs the reference says it is
#               not in the copy. `make student-dist` builds the book and the
#               calls, then runs this.
#   gradescope  Gradescope's autograder zip: tools/grade/gradescope/setup.sh and
#               run_autograder at the top, beside the whole workbook (which
#               Gradescope unpacks as /autograder/source).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}
out=${2:-}
[ -n "$mode" ] && [ -n "$out" ] || { echo "usage: dist.sh student|gradescope FILE" >&2; exit 2; }

files() {
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files -z --cached --others --exclude-standard |
            while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done
    else
        find . \( -path ./build -o -path ./data -o -name '.?*' \) -prune -o -type f -print0 |
            sed -z 's|^\./||'
    fi | sed -z -e '/^build\//d' -e '/^data\//d' | LC_ALL=C sort -z
}

stage=$(mktemp -d "${TMPDIR:-/tmp}/dist.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")

# The student copy's README: tools/student/README.md with @NCHAPTERS@, @LAST@
# (the last chapter's number), @FIRST_TEST@ (chapter 1's first test, from the
# calls) and a line @CHAPTERS@ (a table row per chapter: number, title, file,
# header) filled in. A comment after a command keeps its column.
student_readme() {
    local rows="" n d title header words=(zero one two three four five six seven eight nine ten)
    local nums=() first
    for d in chapters/[0-9][0-9]-*/main.c; do
        [ -e "$d" ] || continue
        d=${d%/main.c}; n=${d#chapters/}; n=$((10#${n%%-*}))
        compgen -G "tests/ch$n/*.c" >/dev/null || continue
        title=$(grep -m1 '^# ' "$d/$(basename "$d").md" 2>/dev/null | sed -E 's/^# +//; s/ *\{[^}]*\} *$//')
        header=$d/ch$n.h
        [ -n "$title" ] && [ -f "$header" ] || { echo "dist: chapter $n has no title (a '# ' line in $d/$(basename "$d").md) or no $header" >&2; return 1; }
        rows+="| $n | $title | \`exercises/ch$n.c\` | \`$header\` |"$'\n'
        nums+=("$n")
    done
    [ ${#nums[@]} -gt 0 ] || { echo "dist: no chapter with graded tests" >&2; return 1; }
    first=$(awk -F'\t' -v ch="${nums[0]}" '$1 == ch { print $2; exit }' "$CALLS")
    [ -n "$first" ] || { echo "dist: $CALLS lists no test of chapter ${nums[0]}" >&2; return 1; }
    awk -v rows="${rows%$'\n'}" -v nword="${words[${#nums[@]}]:-${#nums[@]}}" \
        -v last="${nums[-1]}" -v first="$first" '
        function put(s, key, val,   i) {
            while ((i = index(s, key)) > 0) s = substr(s, 1, i - 1) val substr(s, i + length(key))
            return s
        }
        $0 == "@CHAPTERS@" { print rows; next }
        {
            line = put(put(put($0, "@NCHAPTERS@", nword), "@LAST@", last), "@FIRST_TEST@", first)
            c = index($0, "  #")
            if (line != $0 && c > 0 && (j = index(line, "  #")) > 0) {
                cmd = substr(line, 1, j - 1); sub(/ +$/, "", cmd)
                pad = c + 1 - length(cmd); if (pad < 2) pad = 2
                line = cmd sprintf("%" pad "s", "") substr(line, j + 2)
            }
            print line
        }' tools/student/README.md
}

case $mode in
student)
    name=mnist-workbook-student
    # What make student-dist built for the copy: the book, and the calls of the reference's tests.
    for v in BOOK_HTML BOOK_PDF CALLS; do
        [ -n "${!v:-}" ] && [ -s "${!v}" ] ||
            { echo "dist: the student copy needs $v (${!v:-unset}: missing or empty); make student-dist builds the book and the calls" >&2; exit 1; }
    done
    files | sed -z -E '/^(solutions|tests\/hidden|tests\/hostile|tests\/steps|tools\/grade\/gradescope|tools\/student|tools\/paper|\.ci|\.github)\//d; /^(INSTRUCTORS\.md|CONTRIBUTING\.md|README\.md|tools\/book-instructor\.md|tools\/bench\.c|tools\/bench\.sh|tools\/pytorch-epoch\.py|tests\/idx\.sh)$/d' |
        tar -C . --null -T - -cf - | tar -C "$stage" --one-top-level="$name" -xf -
    student_readme >"$stage/$name/README.md" || exit 1
    mkdir -p "$stage/$name/book" "$stage/$name/.github/workflows"
    cp "$BOOK_HTML" "$stage/$name/book/book.html" && cp "$BOOK_PDF" "$stage/$name/book/book.pdf" &&
        cp "$CALLS" "$stage/$name/tests/calls.tsv" || exit 1
    bash tools/grade/classroom.sh >"$stage/$name/.github/workflows/classroom.yml"
    # The book as shipped: not a line of solutions/ (the HTML's code, the PDF's text).
    command -v pdftotext >/dev/null && command -v node >/dev/null ||
        { echo "dist: pdftotext and node check the book for solutions (make deps installs them)" >&2; exit 1; }
    pdftotext "$stage/$name/book/book.pdf" "$stage/book.txt" ||
        { echo "dist: pdftotext cannot read $BOOK_PDF" >&2; exit 1; }
    node tools/book-check/no-solutions.mjs --shipped "$stage/$name/book/book.html" "$stage/book.txt" >"$stage/no-solutions.log" ||
        { sed 's/^/dist: /' "$stage/no-solutions.log" >&2; echo "dist: the book fails its check for solution code (above): nothing shipped" >&2; exit 1; }
    # Whatever the lists above say, these must not be in a student's copy.
    leaked=$(cd "$stage/$name" && find solutions tests/hidden tests/hostile -type f 2>/dev/null | head -n 3 || true)
    [ -z "$leaked" ] || { echo "dist: refusing to ship $leaked" >&2; exit 1; }
    mtime=$(git log -1 --format=%ct 2>/dev/null || date +%s)
    tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" \
        -cf - "$name" | gzip -n >"$out.tmp"
    mv -f "$out.tmp" "$out"
    echo "student copy: $out ($(tar -tzf "$out" | grep -vc '/$') files, $(du -k "$out" | cut -f1) KiB; the book in book/; no solutions/, no hidden tests)"
    ;;
gradescope)
    command -v zip >/dev/null || { echo "dist: zip is not installed (apt-get install zip)" >&2; exit 1; }
    files | tar -C . --null -T - -cf - | tar -C "$stage" -xf -
    cp tools/grade/gradescope/setup.sh tools/grade/gradescope/run_autograder "$stage/"
    chmod +x "$stage/setup.sh" "$stage/run_autograder"
    rm -f "$out.tmp"
    (cd "$stage" && zip -q -r -X "$out.tmp" .)
    mv -f "$out.tmp" "$out"
    echo "Gradescope autograder: $out (upload it as the assignment's autograder; see INSTRUCTORS.md)"
    ;;
*)
    echo "dist.sh: no mode $mode: use student or gradescope" >&2
    exit 2
    ;;
esac
