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
#               tests/hostile/, the project's own test steps, CI, the
#               Gradescope files, INSTRUCTORS.md); with the GitHub Classroom
#               workflow as .github/workflows/classroom.yml. The Makefile works
#               there: make chN, make check-chN, make grade; what needs the
#               reference says it is not in the copy.
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

case $mode in
student)
    name=mnist-workbook-student
    files | sed -z -E '/^(solutions|tests\/hidden|tests\/hostile|tests\/steps|tools\/grade\/gradescope|\.ci|\.github)\//d; /^(INSTRUCTORS\.md|tools\/book-instructor\.md)$/d' |
        tar -C . --null -T - -cf - | tar -C "$stage" --one-top-level="$name" -xf -
    mkdir -p "$stage/$name/.github/workflows"
    bash tools/grade/classroom.sh >"$stage/$name/.github/workflows/classroom.yml"
    # Whatever the lists above say, these must not be in a student's copy.
    leaked=$(cd "$stage/$name" && find solutions tests/hidden tests/hostile -type f 2>/dev/null | head -n 3 || true)
    [ -z "$leaked" ] || { echo "dist: refusing to ship $leaked" >&2; exit 1; }
    mtime=$(git log -1 --format=%ct 2>/dev/null || date +%s)
    tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" \
        -cf - "$name" | gzip -n >"$out.tmp"
    mv -f "$out.tmp" "$out"
    echo "student copy: $out ($(tar -tzf "$out" | grep -vc '/$') files; no solutions/, no hidden tests)"
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
