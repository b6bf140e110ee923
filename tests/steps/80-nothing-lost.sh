#!/usr/bin/env bash
# 80-nothing-lost: no make target changes a byte under exercises/, nothing
# but build/ is written by the build, and `make clean` removes build/ and
# nothing else. It works on a scratch copy of the workbook (the files git
# knows, tracked or new but not ignored; data/mnist a symlink to the real
# one), so that `make clean` there cannot touch this tree; the scratch copy's
# exercises/ has a student's edit in it, and a file of the student's own.
#
# Run for real there: all, chN and check-chN (on the stubs and on the
# solutions; the runs on a 600-image copy of MNIST, one epoch, to stay quick),
# grade, check and clean (`all` starts from a copy of this tree's build/, so
# that it only rebuilds what is out of date). The book (full training runs, pandoc and
# LaTeX: minutes) is checked by its recipes instead: `make -n -B` of
# book-steps, all, sanitize and fuzz-replay must name no output outside build/.
# `make test` itself is covered by tools/run-tests.sh, which fails when any
# step changed exercises/.
set -uo pipefail
export LC_ALL=C
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
T=$(mktemp -d "${TMPDIR:-/tmp}/nothing-lost.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
S=$T/wb
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# The scratch copy.
mkdir -p "$S/data"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -co --exclude-standard -z | xargs -0 cp -a --parents -t "$S" || { echo "cannot copy the tree"; exit 1; }
else
    tar -C "$ROOT" --exclude=./build --exclude=./data -cf - . | tar -C "$S" -xf - || exit 1
fi
rm -rf "$S/build" "$S/data/mnist"
# What `make all` built here already, so that it only rebuilds what is out of
# date there (cp -a keeps the times make compares).
mkdir -p "$S/build"
for b in obj bin libworkbook.a; do [ -e "$ROOT/build/$b" ] && cp -a "$ROOT/build/$b" "$S/build/"; done
ln -s "$ROOT/data/mnist" "$S/data/mnist"
# The chapters of the copy, as its Makefile finds them (folders chapters/NN-name).
CHAPTERS=$(cd "$S" && for d in chapters/[0-9][0-9]-*/main.c; do [ -f "$d" ] || continue; n=${d#chapters/}; echo $((10#${n%%-*})); done)
# A student's work: an edited stub (dated last year) and a notes file.
printf '\n// my notes: the mean first, then the sd\n' >>"$S/exercises/ch1.c"
touch -d '1 year ago' "$S/exercises/ch1.c"
echo "questions for Tuesday" >"$S/exercises/notes.txt"

# A small MNIST: the first 600 training and 100 test images (a training
# chapter trains to the end of its config on them in a second or two).
# shellcheck source=tests/idx.sh
. tests/idx.sh
SMALL=$T/small
mkdir -p "$SMALL"
for set in train:600 t10k:100; do
    s=${set%:*} n=${set#*:}
    { images_header "$n" 28 28; tail -c +17 "data/mnist/$s-images-idx3-ubyte" | head -c $((n * 784)); } >"$SMALL/$s-images-idx3-ubyte"
    { labels_header "$n"; tail -c +9 "data/mnist/$s-labels-idx1-ubyte" | head -c "$n"; } >"$SMALL/$s-labels-idx1-ubyte"
done

# Every file outside build/ with its content, mode and time; and exercises/ alone.
# (one sha256sum for many files: the tree is hashed after every make below)
manifest() {
    (cd "$S" && find "${1:-.}" -path ./build -prune -o \( -type f -o -type l \) -printf '%p %m %T@ %l\n' | sort &&
        find "${1:-.}" -path ./build -prune -o -type f -print0 | sort -z | xargs -0 -r sha256sum)
}
exercises() { manifest ./exercises; }
before=$(manifest)
ex_before=$(exercises)

# mk WHAT MUST_PASS ARGS...: make ARGS in the scratch copy; then exercises/
# must be as it was. MUST_PASS=1: make must succeed too.
mk() {
    local what=$1 must=$2 rc t0=$SECONDS
    shift 2
    # (the limit only catches a hang, on however busy a machine)
    (cd "$S" && timeout -k 5 1200 make -s --no-print-directory "$@") >"$T/log" 2>&1
    rc=$?
    echo "make $what: $((SECONDS - t0)) s"
    if [ "$must" = 1 ] && [ $rc -ne 0 ]; then bad "make $what failed ($rc):"; tail -n 15 "$T/log"; fi
    [ "$(exercises)" = "$ex_before" ] || { bad "make $what changed exercises/:"; diff <(echo "$ex_before") <(exercises) | head; }
}
mk all 1 -j2 all
for n in $CHAPTERS; do
    mk "ch$n (your code, stubs)" 0 "ch$n" DATA="$SMALL"
    # The reference runs to their end, every experiment one epoch and one
    # seed long (40-programs runs them in full).
    mk "ch$n SOLUTIONS=1" 1 "ch$n" SOLUTIONS=1 DATA="$SMALL" MAX_EPOCHS=1 SEEDS=1
    mk "check-ch$n (stubs)" 0 "check-ch$n"
    mk "check-ch$n SOLUTIONS=1" 1 "check-ch$n" SOLUTIONS=1
done
mk "grade SUBMISSION=." 1 grade SUBMISSION=.
mk check 1 check

# What the book, all, and the builds of test-steps and sanitize would do:
# every file a recipe names as its output must be under build/.
(cd "$S" && make -n -B --no-print-directory book-steps all sanitize fuzz-replay 2>&1) >"$T/dry" || { bad "make -n -B book-steps all sanitize failed:"; tail "$T/dry"; }
outside=$(grep -oE '(^| )(-o|--out|-output-directory|mkdir -p|ar rcs) +[^ ;&|]+|(^| )mv +[^ ;&|]+ +[^ ;&|]+|[^>&2]> *[^ ;&|]+' "$T/dry" |
          awk '{ print $NF }' | sed 's/^>//' | grep -vE '^(build(/|$)|/dev/null$|\$)' | sort -u)
[ -z "$outside" ] || bad "recipes write outside build/: $(echo $outside)"
grep -q 'pandoc' "$T/dry" || bad "make -n book-steps shows no pandoc command: the check above checked nothing"

# Nothing but build/ was written, by anything above.
after=$(manifest)
[ "$after" = "$before" ] || { bad "files outside build/ changed:"; diff <(echo "$before") <(echo "$after") | head -n 20; }

# make clean: build/ gone, everything else (data/ included) exactly as it was.
[ -d "$S/build" ] || bad "no build/ to clean: the targets above built nothing"
mk clean 1 clean
[ -e "$S/build" ] && bad "make clean left build/"
[ "$(manifest)" = "$before" ] || { bad "make clean changed files outside build/:"; diff <(echo "$before") <(manifest) | head -n 20; }
[ -f "$S/data/mnist/train-images-idx3-ubyte" ] || bad "make clean lost data/mnist"

[ $fails -eq 0 ] && echo "nothing lost: exercises/ (with a student's edit) unchanged by all, ch*, check-ch*, grade, check and clean; the book, sanitize and fuzz-replay recipes write only under build/; clean removes build/ only"
[ $fails -eq 0 ]
