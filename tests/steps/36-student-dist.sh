#!/usr/bin/env bash
# The student copy (make student-dist, tools/dist.sh), tried as a student
# would, in a temporary folder, with nothing of this tree's build:
#  - no solutions/, no hidden tests, no hostile submissions (they are built
#    on the reference solutions), and no file that is mostly a solution, the
#    book's HTML and the PDF's text included; the tarball is the same bytes
#    when made twice;
#  - book/ holds the student edition, book.html (its images embedded) and
#    book.pdf (the same figures), neither with a line of solutions/
#    (tools/book-check/no-solutions.mjs --shipped);
#  - the README is the student copy's own: every command in its code blocks
#    is run as written (make deps data, make check, make ch1, ...), with the
#    data from this tree (MNIST_DIR, no network). On the stubs each works or
#    stops at an unfinished exercise, never refuses; `make check` shows every
#    exercise "not started", 0 points, and `make test` is make check. With
#    the reference dropped into exercises/, every command exits 0 and
#    `make check` shows every exercise done, full marks;
#  - `make ch1 SOLUTIONS=1` says the reference is not in this copy; `make
#    grade CH=1` works; the GitHub Classroom workflow is in .github/workflows/.
# The copy ships the book, whose runs train for minutes: `make test` tries a
# copy when the book is built and up to date, and otherwise skips the step
# (exit 77), leaving it to `make test-student-dist`, which builds the book
# first (CI runs it after make book).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
if ! make -q build/book.html build/book.pdf 2>/dev/null; then
    echo "skipped: the book is not built, or is older than its sources (make test-student-dist builds it first; CI runs that)"
    exit 77
fi
ROOT=$PWD
BUILD=${BUILD:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/student-dist.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
export LC_ALL=C

t0=$SECONDS
make -s --no-print-directory student-dist-steps STUDENT_DIST="$tmp/student.tar.gz" >"$tmp/dist.log" 2>&1 ||
    { echo "FAIL: make student-dist-steps failed:"; tail -n 20 "$tmp/dist.log"; exit 1; }
echo "make student-dist-steps: $((SECONDS - t0)) s; $(tail -n 1 "$tmp/dist.log")"
# Reproducible: the same inputs, the same bytes.
BOOK_HTML=build/book.html BOOK_PDF=build/book.pdf CALLS=$BUILD/check/calls.tsv \
    bash tools/dist.sh student "$tmp/again.tar.gz" >/dev/null 2>"$tmp/again.log" ||
    { bad "tools/dist.sh student, run again, failed:"; cat "$tmp/again.log"; }
cmp -s "$tmp/student.tar.gz" "$tmp/again.tar.gz" || bad "the tarball is not the same bytes when made twice"
tar -C "$tmp" -xzf "$tmp/student.tar.gz" || { echo "FAIL: the tarball does not unpack"; exit 1; }
copy=$tmp/mnist-workbook-student
[ -d "$copy" ] || { echo "FAIL: no mnist-workbook-student/ in the tarball"; exit 1; }
echo "$(find "$copy" -type f | wc -l) files, $(du -k "$tmp/student.tar.gz" | cut -f1) KiB"

for p in solutions tests/hidden tests/hostile tests/steps build data INSTRUCTORS.md CONTRIBUTING.md \
         tools/grade/gradescope tools/student tools/book-instructor.md tools/paper tools/bench.c \
         tools/bench.sh tools/pytorch-epoch.py tests/idx.sh; do
    [ -e "$copy/$p" ] && bad "the student copy holds $p"
done
for p in Makefile README.md lib exercises tests/graded.h tests/graded_main.c tests/calls.tsv \
         tools/grade/grade.sh tools/grade/progress.sh tools/grade/progress.awk book/book.html book/book.pdf; do
    [ -s "$copy/$p" ] || [ -d "$copy/$p" ] || bad "the student copy lacks $p"
done
[ -s "$copy/.github/workflows/classroom.yml" ] || bad "no .github/workflows/classroom.yml in the student copy"
cmp -s "$copy/README.md" README.md && bad "the student copy's README is the instructors' README"

# No file may be mostly a solution: of its lines of some length, more than
# half from one solutions/chN.c (leaving out lines the stub or the header
# share), and more than half of that solution's. (A public test may repeat a
# one-line answer in its own reference: it is mostly test code.) Every file
# of the copy, the book's HTML and the PDF's text included.
pdftotext "$copy/book/book.pdf" "$tmp/book.pdf.txt" 2>/dev/null || bad "pdftotext cannot read book/book.pdf"
sols=()
for s in solutions/ch*.c; do
    n=$(basename "$s" .c)
    awk 'length($0) > 30 { sub(/^[ \t]+/, ""); print }' "$s" | sort -u >"$tmp/sol.$n"
    for shared in exercises/"$n".c chapters/*/"$n".h; do
        [ -f "$shared" ] && grep -vxF -f <(sed 's/^[ \t]*//' "$shared") "$tmp/sol.$n" >"$tmp/sol2" && mv "$tmp/sol2" "$tmp/sol.$n"
    done
    [ "$(wc -l <"$tmp/sol.$n")" -ge 3 ] && sols+=("$tmp/sol.$n")
done
# The copy's text files (grep -I leaves the binary ones out: the PDF's text is
# read instead), all in one pass.
mapfile -d '' texts < <(grep -rlIZ '' "$copy" "$tmp/book.pdf.txt")
[ ${#sols[@]} -gt 0 ] && [ ${#texts[@]} -gt 100 ] || bad "the solutions' lines (${#sols[@]} files) or the copy's text files (${#texts[@]}) are missing"
awk -v nsol=${#sols[@]} -v tmp="$tmp/" '
    FNR == 1 { k++ }
    k <= nsol { sol[FILENAME, $0] = 1; total[FILENAME]++; next }
    { f = FILENAME; if (length($0) > 30) lines[f]++; t = $0; sub(/^[ \t]+/, "", t)
      for (i = 1; i <= nsol; i++) if ((ARGV[i], t) in sol) hits[f, ARGV[i]]++ }
    END {
        for (j = nsol + 1; j < ARGC; j++) for (i = 1; i <= nsol; i++) {
            f = ARGV[j]; s = ARGV[i]; h = hits[f, s] + 0
            if (h > int(total[s] / 2) && h > int(lines[f] / 2)) {
                sub(tmp, "", f); sub(tmp "sol.", "solutions/", s)
                printf "FAIL: %s is mostly %s.c (%d of its %d lines)\n", f, s, h, lines[f] + 0
            }
        }
    }' "${sols[@]}" "${texts[@]}" >"$tmp/mostly"
[ -s "$tmp/mostly" ] && { cat "$tmp/mostly"; fail=1; }

# The book: the student edition, no line of a solution, its figures in it.
node tools/book-check/no-solutions.mjs --shipped "$copy/book/book.html" "$tmp/book.pdf.txt" >"$tmp/nosol.log" 2>&1 ||
    bad "the shipped book shows solution code: $(grep -m3 FAIL "$tmp/nosol.log" | tr '\n' '|')"
grep -q '^ok' "$tmp/nosol.log" && sed 's/^ok  */book: /; s|'"$tmp"'/||' "$tmp/nosol.log"
grep -q "Instructor.s edition" "$copy/book/book.html" "$tmp/book.pdf.txt" && bad "book/ holds the instructor's edition"
imgs=$(grep -o '<img [^>]*' "$copy/book/book.html" | wc -l)
embedded=$(grep -o '<img [^>]*src="data:image/' "$copy/book/book.html" | wc -l)
[ "$imgs" -gt 0 ] && [ "$imgs" = "$embedded" ] || bad "book/book.html: $embedded of its $imgs images embedded (the HTML must stand alone)"
# The same figures in both: their captions "Figure N.M:", and at least as
# many images in the HTML, and graphics files in the PDF (pdfTeX names each
# one it includes, /PTEX.FileName, in the file's own bytes).
figs() { grep -oE 'Figure[[:space:]]+[0-9A-Z]+\.[0-9]+:' | tr -s ' \t' ' ' | sort -u; }
html_figs=$(sed 's/&nbsp;\|\xc2\xa0/ /g' "$copy/book/book.html" | figs)
pdf_figs=$(sed 's/\xc2\xa0/ /g' "$tmp/book.pdf.txt" | figs)
nfigs=$(grep -c . <<<"$html_figs")
graphics=$(grep -ao 'PTEX.FileName *([^)]*)' "$copy/book/book.pdf" | sort -u | wc -l)
if [ -z "$html_figs" ] || [ "$html_figs" != "$pdf_figs" ]; then
    bad "book/: the HTML's figures ($nfigs) are not the PDF's ($(grep -c . <<<"$pdf_figs")):"
    diff <(echo "$html_figs") <(echo "$pdf_figs") | head -n 5
elif [ "$imgs" -lt "$nfigs" ] || [ "$graphics" -lt "$nfigs" ]; then
    bad "book/: $nfigs figures, but $imgs images in book.html and $graphics graphics files in book.pdf"
else
    echo "book: $nfigs figures, in both; $imgs images, all embedded, in book.html; $graphics graphics files in book.pdf"
fi

# The README's commands: every line of its ```sh blocks, less its comment.
awk '/^```sh$/ { on = 1; next } /^```/ { on = 0 } on { sub(/[ \t]+#.*$/, ""); sub(/^[ \t]+/, ""); if ($0 != "") print }' \
    "$copy/README.md" >"$tmp/commands"
echo "the README's commands: $(paste -sd ';' "$tmp/commands" | sed 's/;/; /g')"
for want in 'make deps data' 'make check'; do
    grep -qxF "$want" "$tmp/commands" || bad "the README does not name \`$want\` in a code block"
done
grep -qE '^make ch[0-9]+$' "$tmp/commands" && grep -qE '^make check-ch[0-9]+ ONLY=' "$tmp/commands" ||
    bad "the README names no \`make chN\` or \`make check-chN ONLY=NAME\`"
grep -nE 'SOLUTIONS=1|make (book|paper|sanitize|valgrind|student-dist)|solutions/' "$copy/README.md" |
    while IFS= read -r l; do bad "the README names what the copy leaves out: $l"; done

# The expected table: each chapter's contract (the functions of solutions/chN.c)
# in its header's order, and its public points.
: >"$tmp/contract"; : >"$tmp/points"
for n in ${CHAPTERS:-}; do
    [ -f "solutions/ch$n.c" ] && compgen -G "tests/ch$n/*.c" >/dev/null || continue
    header=$(compgen -G "chapters/[0-9][0-9]-*/ch$n.h" | head -n 1)
    nm -g --defined-only -P "$BUILD/obj/solutions/ch$n.o" | awk '$2 == "T" { print $1 }' |
        while read -r f; do printf '%s\t%s\t%s\n' "$n" "$(grep -nE "(^|[^A-Za-z0-9_])${f}[ \t]*\(" "$header" | grep -vE '^[0-9]+:[ \t/*]' | head -n 1 | cut -d: -f1)" "$f"; done |
        sort -t $'\t' -k2,2n | awk -F'\t' -v OFS='\t' '{ print $1, $3 }' >>"$tmp/contract"
    "$BUILD/bin/check-ch$n" --list | awk -F'\t' '{ s += $2 } END { print s }' >>"$tmp/points"
done
nex=$(wc -l <"$tmp/contract")
maxpts=$(awk '{ s += $1 } END { print s + 0 }' "$tmp/points")
[ "$nex" -gt 0 ] || bad "no contract found to compare make check's table with (CHAPTERS=${CHAPTERS:-})"

# run_readme WHO: each command in the copy; WHO=stubs lets a chapter command
# stop at an unfinished exercise, WHO=reference wants every one to exit 0.
run_readme() {
    local who=$1 cmd rc i=0 t
    while IFS= read -r cmd; do
        i=$((i + 1)) t=$SECONDS
        (cd "$copy" && MNIST_DIR="$ROOT/data/mnist" FETCH_SOURCES=dir timeout -k 5 900 bash -c "$cmd") \
            </dev/null >"$tmp/$who.$i.log" 2>&1
        rc=$?
        if grep -qE 'needs the whole workbook|not in this copy' "$tmp/$who.$i.log"; then
            bad "$cmd ($who) is refused in the student copy: $(grep -m1 -E 'needs the whole|not in this copy' "$tmp/$who.$i.log")"
        elif grep -q 'SOLUTIONS=1' "$tmp/$who.$i.log"; then
            bad "$cmd ($who) tells the student to run SOLUTIONS=1, which the copy refuses: $(grep -m1 'SOLUTIONS=1' "$tmp/$who.$i.log")"
        elif [ $rc -ne 0 ] && { [ "$who" = reference ] || ! grep -qE 'unfinished: exercise|not finished yet|^  todo ' "$tmp/$who.$i.log"; }; then
            bad "$cmd ($who) exited $rc:"; tail -n 8 "$tmp/$who.$i.log"
        else
            echo "$cmd ($who): exit $rc$([ $rc -ne 0 ] && echo ", stopped at an unfinished exercise"), $((SECONDS - t)) s"
        fi
    done <"$tmp/commands"
}
# check_table WHO STATE POINTS: make check's table (build/check/progress.tsv
# and what it printed) has the contract's exercises in order, each STATE, and
# the total POINTS of the maximum.
check_table() {
    local who=$1 state=$2 points=$3 table=$copy/build/check/progress.tsv
    local log i
    i=$(grep -nxF 'make check' "$tmp/commands" | head -n 1 | cut -d: -f1)
    log=$tmp/$who.$i.log
    [ -s "$table" ] || { bad "make check ($who) wrote no build/check/progress.tsv"; return; }
    cut -f1,2 "$table" | diff -q - "$tmp/contract" >/dev/null ||
        { bad "make check ($who): the exercises are not the contract's, in order:"; diff <(cut -f1,2 "$table") "$tmp/contract" | head -n 6; }
    local off
    off=$(awk -F'\t' -v s="$state" '$3 != s || ($4 != (s == "done" ? $5 : 0)) { print $1 " " $2 ": " $3 " " $4 "/" $5 }' "$table" | head -n 3)
    [ -z "$off" ] || bad "make check ($who): not every exercise is \"$state\" with $([ "$state" = "done" ] && echo full marks || echo 0 points): $(tr '\n' '|' <<<"$off")"
    grep -qxF "total: $([ "$state" = "done" ] && echo "$nex" || echo 0) of $nex exercises done, $points/$maxpts points" "$log" ||
        bad "make check ($who) does not end on the total \"$points/$maxpts points\": $(grep '^total' "$log")"
    grep -q "^next: " "$log" || bad "make check ($who) says nothing of what to do next"
    echo "make check ($who): $nex exercises $state; $(grep -E '^(total|next):' "$log" | paste -sd ' ')"
}

# On the stubs.
run_readme stubs
check_table stubs "not started" 0
grep -qx "next: exercise $(head -n 1 "$tmp/contract" | cut -f2) in exercises/ch$(head -n 1 "$tmp/contract" | cut -f1).c" "$tmp"/stubs.*.log ||
    bad "make check on the stubs does not send the student to the first exercise"
(cd "$copy" && timeout 600 make test >"$tmp/test.log" 2>&1) || bad "make test in the copy exited $? (it should be make check)"
grep -q '^total: 0 of ' "$tmp/test.log" || { bad "make test in the copy does not print make check's table:"; tail -n 5 "$tmp/test.log"; }

# The stubs, chapter by chapter, and what the copy refuses.
(cd "$copy" && timeout 120 make check-ch1 >"$tmp/check.log" 2>&1)
status=$?
[ $status != 0 ] || bad "make check-ch1 on the stubs exited 0"
summary=$(grep -E '^chapter 1, .*: [0-9]+ of [0-9]+ tests pass, [0-9]+/[0-9]+ points$' "$tmp/check.log")
if [[ $summary =~ :\ 0\ of\ ([0-9]+)\ tests\ pass,\ 0/([0-9]+)\ points$ ]] && [ "${BASH_REMATCH[2]}" -gt 0 ]; then
    ntodo=$(grep -cE '^  todo ' "$tmp/check.log")
    [ "$ntodo" = "${BASH_REMATCH[1]}" ] || bad "make check-ch1: $ntodo of ${BASH_REMATCH[1]} tests are todo"
else
    bad "make check-ch1 in the copy should score 0 points on the stubs, said:"
    tail -n 15 "$tmp/check.log"
fi
(cd "$copy" && make ch1 SOLUTIONS=1 >"$tmp/sol.log" 2>&1) && bad "make ch1 SOLUTIONS=1 succeeded without solutions/"
grep -q 'not in this copy' "$tmp/sol.log" || { bad "make ch1 SOLUTIONS=1 does not say the reference is not in this copy:"; cat "$tmp/sol.log"; }
(cd "$copy" && timeout 120 make -s grade CH=1 FORMAT=tap OUT=build/ch1.tap >"$tmp/grade.log" 2>&1) ||
    { bad "make grade CH=1 in the copy exited $?"; tail -n 5 "$tmp/grade.log"; }
grep -qE '^# total: 0/[1-9][0-9]* points$' "$copy/build/ch1.tap" 2>/dev/null || bad "make grade CH=1 in the copy: not zero points on the stubs"

# With the reference dropped into exercises/.
cp solutions/ch*.c "$copy/exercises/" || bad "cannot copy solutions/ into the copy's exercises/"
run_readme reference
check_table reference "done" "$maxpts"

[ $fail = 0 ] && echo "student copy: no answers in it, the book in it; its README's commands work as written; make check reads 0 on the stubs and full marks on the reference"
exit $fail
