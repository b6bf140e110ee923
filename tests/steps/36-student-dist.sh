#!/usr/bin/env bash
# The student copy (make student-dist, tools/dist.sh) ships no answers and
# works on its own:
#  - no solutions/, no hidden tests, no hostile submissions (they are built
#    on the reference solutions), and no file that is mostly a solution;
#  - unpacked in a temporary folder, without data/, `make check-ch1` builds
#    and grades the stubs: zero points, every test "todo", a non-zero exit;
#  - `make ch1 SOLUTIONS=1` says the reference is not in this copy;
#  - `make grade CH=1` works there, and the GitHub Classroom workflow is in
#    .github/workflows/classroom.yml.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

bash tools/dist.sh student "$tmp/student.tar.gz" || { echo "FAIL: tools/dist.sh student failed"; exit 1; }
tar -C "$tmp" -xzf "$tmp/student.tar.gz" || { echo "FAIL: the tarball does not unpack"; exit 1; }
copy=$tmp/mnist-workbook-student
[ -d "$copy" ] || { echo "FAIL: no mnist-workbook-student/ in the tarball"; exit 1; }
echo "$(find "$copy" -type f | wc -l) files"

for p in solutions tests/hidden tests/hostile build data INSTRUCTORS.md tools/grade/gradescope; do
    [ -e "$copy/$p" ] && bad "the student copy holds $p"
done
for p in Makefile README.md lib exercises tests/graded.h tests/graded_main.c tools/grade/grade.sh; do
    [ -e "$copy/$p" ] || bad "the student copy lacks $p"
done
[ -s "$copy/.github/workflows/classroom.yml" ] || bad "no .github/workflows/classroom.yml in the student copy"

# No file may be mostly a solution: of its lines of some length, more than
# half from one solutions/chN.c (leaving out lines the stub or the header
# share), and more than half of that solution's. (A public test may repeat a
# one-line answer in its own reference: it is mostly test code.)
for s in solutions/ch*.c; do
    n=$(basename "$s" .c)
    awk 'length($0) > 30 { sub(/^[ \t]+/, ""); print }' "$s" | sort -u >"$tmp/sol"
    for shared in exercises/"$n".c chapters/*/"$n".h; do
        [ -f "$shared" ] && grep -vxF -f <(sed 's/^[ \t]*//' "$shared") "$tmp/sol" >"$tmp/sol2" && mv "$tmp/sol2" "$tmp/sol"
    done
    total=$(wc -l <"$tmp/sol")
    [ "$total" -ge 3 ] || continue
    while IFS= read -r -d '' f; do
        lines=$(awk 'length($0) > 30' "$f" | wc -l)
        hits=$(sed 's/^[ \t]*//' "$f" | grep -cxF -f "$tmp/sol")
        if [ "$hits" -gt $((total / 2)) ] && [ "$hits" -gt $((lines / 2)) ]; then
            bad "${f#"$copy"/} is mostly $s ($hits of its $lines lines)"
        fi
    done < <(find "$copy" -type f -name '*.[ch]' -print0)
done

# Build and grade in the copy, with nothing of this tree's build.
(cd "$copy" && timeout 120 make check-ch1 >"$tmp/check.log" 2>&1)
status=$?
[ $status != 0 ] || bad "make check-ch1 on the stubs exited 0"
summary=$(grep -E '^chapter 1, .*: [0-9]+ of [0-9]+ tests pass, [0-9]+/[0-9]+ points$' "$tmp/check.log")
if [[ $summary =~ :\ 0\ of\ ([0-9]+)\ tests\ pass,\ 0/([0-9]+)\ points$ ]] && [ "${BASH_REMATCH[2]}" -gt 0 ]; then
    echo "make check-ch1 in the copy: $summary (exit $status)"
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

[ $fail = 0 ] && echo "student copy: no answers in it; it builds, grades and refuses SOLUTIONS=1"
exit $fail
