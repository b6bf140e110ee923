#!/usr/bin/env bash
# The stubs and the solutions never drift apart: for every chapter, the
# functions exercises/chN.c defines, the functions solutions/chN.c defines and
# the functions chN.h declares are the same set. (Their signatures already
# agree: both files include the header and are built with -Werror
# -Wmissing-prototypes, so a mismatch does not compile.)
set -euo pipefail
cd "$(dirname "$0")/../.."
fail=0
defined() { nm -g --defined-only "$1" | awk '$2 == "T" {print $3}' | sort; }
for n in $CHAPTERS; do
    header=$(ls chapters/*/ch$n.h)
    # declarations: a line that starts a prototype at column 0, outside comments
    declared=$(grep -E "^[a-z].*\(" "$header" | grep -v "^#" | sed -E "s/^[^(]*[ *]([A-Za-z_][A-Za-z0-9_]*)\(.*/\1/" | sort)
    ex=$(defined "$BUILD/obj/exercises/ch$n.o")
    sol=$(defined "$BUILD/obj/solutions/ch$n.o")
    if [ "$ex" != "$declared" ] || [ "$sol" != "$declared" ]; then
        echo "chapter $n: the header, the stubs and the solutions disagree"
        diff <(echo "$declared") <(echo "$ex") | sed 's/^/  header vs exercises: /'
        diff <(echo "$declared") <(echo "$sol") | sed 's/^/  header vs solutions: /'
        fail=1
    else
        echo "chapter $n: $(echo "$declared" | wc -l) exercises, stubs and solutions agree"
    fi
done
exit $fail
