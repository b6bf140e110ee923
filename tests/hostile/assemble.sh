#!/usr/bin/env bash
# assemble.sh [--probe] tests/hostile/chN/NAME.c: prints the whole submission
# that hostile file stands for, on stdout.
#
# A hostile file holds only its misbehaviour: the one function it replaces,
# named on its "// replaces: FUNCTION" line, and that function's helpers (see
# hostile.h). The submission is the reference, solutions/chN.c, with its own
# definition of FUNCTION renamed to a static, unused-allowed
# reference_FUNCTION (so that the hostile version can call it to do the real
# work), followed by the hostile file. Everything else in the reference, the
# other functions and the calls among them, is left as it is: a reference
# function that calls FUNCTION calls the hostile one. #line directives keep
# the compiler's messages on the two real files.
#
# With --probe, the submission starts with "#define HOSTILE_PROBE 1", which
# turns the misbehaviour into an unfinished exercise (hostile.h). Every
# submission defines HOSTILE_ROOT, the workbook's folder (where an attack
# would look for the solutions), and whatever HOSTILE_DEFINES holds (lines of
# #define the test step wants: a classmate's file, the results' folder).
# The hostile headers a file includes are copied into it, since a
# submission is one file.
#
# Fails (status 1, nothing on stdout) when the file has no "replaces:" line,
# when the reference does not define FUNCTION exactly once, or when the
# hostile file does not define it exactly once.
set -uo pipefail
die() { echo "assemble.sh: $*" >&2; exit 1; }

probe=0
[ "${1:-}" = --probe ] && { probe=1; shift; }
[ $# = 1 ] || die "usage: assemble.sh [--probe] tests/hostile/chN/NAME.c"
hostile=$1
root=$(cd "$(dirname "$0")/../.." && pwd -P) || die "cannot find the workbook"
[ -f "$hostile" ] || die "$hostile: no such file"
chapter=$(basename "$(dirname "$hostile")")
[[ $chapter =~ ^ch[0-9]+$ ]] || die "$hostile: not in a folder chN/ (tests/hostile/chN/NAME.c)"
reference=solutions/$chapter.c
[ -f "$root/$reference" ] || die "$hostile: no reference $reference to build it on"
fn=$(sed -n 's|^// replaces: *\([A-Za-z_][A-Za-z0-9_]*\) *$|\1|p' "$hostile" | head -n 1)
[ -n "$fn" ] || die "$hostile: no '// replaces: FUNCTION' line"
# The file as the compiler will name it: relative to the workbook when inside it.
shown=$(realpath -e -- "$hostile") || die "$hostile: cannot resolve"
shown=${shown#"$root"/}

# definitions FILE RENAME: prints FILE with each top-level definition of $fn
# (a line at column 0 naming fn( whose header reaches a "{" before a ";", to
# the next "}" at column 0) renamed when RENAME is 1, and ends on a line
# "@count N", the number of definitions found. Declarations are left as they are.
definitions() {
    awk -v fn="$fn" -v rename="$2" '
        function flush(   i) { for (i = 1; i <= nbuf; i++) print buf[i]; nbuf = 0 }
        BEGIN { pat = "(^|[^A-Za-z0-9_])" fn "[ \t]*[(]"; state = 0; count = 0; nbuf = 0 }
        # state 0: outside; 1: in a header that names fn; 2: in its body
        state == 0 && /^[A-Za-z_]/ && match($0, pat) { state = 1 }
        state == 0 { print; next }
        state == 1 {
            buf[++nbuf] = $0
            open = index($0, "{"); semi = index($0, ";")
            if (semi && (!open || semi < open)) { flush(); state = 0; next }  # a declaration
            if (!open) next
            count++
            if (rename) {
                line = buf[1]; match(line, pat)
                # the name starts after the character before it that pat matched, if any
                skip = (RSTART == 1 && substr(line, 1, length(fn)) == fn) ? 0 : 1
                pre = substr(line, 1, RSTART - 1 + skip)
                post = substr(line, RSTART + skip + length(fn))
                if (pre !~ /^static[ \t]/) pre = "static __attribute__((unused)) " pre
                buf[1] = pre "reference_" fn post
            }
            flush()
            state = (/^}/ ? 0 : 2)
            next
        }
        state == 2 { print; if (/^}/) state = 0; next }
        END { if (state != 0) flush(); print "@count " count }
    ' "$1"
}

body=$(definitions "$root/$reference" 1) || die "cannot read $reference"
n=$(tail -n 1 <<<"$body"); n=${n#@count }
[ "$n" = 1 ] || die "$reference defines $fn $n times, not once: $hostile cannot replace it"
n=$(definitions "$hostile" 0 | tail -n 1); n=${n#@count }
[ "$n" = 1 ] || die "$hostile defines $fn $n times, not once (its '// replaces:' line names it)"

# A submission is one file: the grader compiles it with the contract's
# headers and nothing else. So the hostile headers it includes
# (#include "hostile/NAME.h") are put in its place, once each.
inline_headers() {
    local line h
    while IFS= read -r line || [ -n "$line" ]; do
        if [[ $line =~ ^#include\ \"hostile/([a-z_]+\.h)\" ]]; then
            h=${BASH_REMATCH[1]}
            [ -f "$root/tests/hostile/$h" ] || die "$hostile includes hostile/$h, which is not there"
            if [ -z "${inlined[$h]:-}" ]; then
                inlined[$h]=1
                echo "#line 1 \"tests/hostile/$h\""
                cat "$root/tests/hostile/$h"
                echo "#line $((lineno + 1)) \"$shown\""
            fi
        else
            printf '%s\n' "$line"
        fi
        lineno=$((lineno + 1))
    done
}
declare -A inlined=()

[ $probe = 1 ] && echo "#define HOSTILE_PROBE 1"
# Where the grader's files are, as an attacker would guess them.
echo "#define HOSTILE_ROOT \"$root\""
echo "#define HOSTILE_SOLUTION \"$root/$reference\""
[ -n "${HOSTILE_DEFINES:-}" ] && printf '%s\n' "$HOSTILE_DEFINES"
echo "// Made by tests/hostile/assemble.sh: $reference with $fn from $shown."
echo "#line 1 \"$reference\""
sed '$d' <<<"$body"
echo "#line 1 \"$shown\""
lineno=1
inline_headers <"$hostile"
