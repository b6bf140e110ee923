#!/usr/bin/env bash
# 20-data: data/mnist holds the four MNIST files with the right SHA-256; a
# second fetch leaves them untouched and says "verified"; a corrupted source is
# never renamed into place, the fetcher fails over to the next source (a .gz
# one here), and fails cleanly when there is none. Never touches the network:
# every fetch here runs with FETCH_SOURCES=dir (see tools/fetch-mnist.sh).
set -u
cd "$(dirname "$0")/../.." || exit 1
D=data/mnist
FETCH="bash tools/fetch-mnist.sh"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-data.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/SHA256SUMS" <<'EOF'
ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db  train-images-idx3-ubyte
65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5  train-labels-idx1-ubyte
0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7  t10k-images-idx3-ubyte
ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2  t10k-labels-idx1-ubyte
EOF
FILES="train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte"
verify() { (cd "$1" && sha256sum --quiet -c "$tmp/SHA256SUMS"); }
# A DEST holds only real files or nothing: no temporaries left behind.
no_leftovers() {
    local left
    left=$(find "$1" -name '.*part*' | head -n 3)
    [ -z "$left" ] || fail "$2: temporaries left in DEST: $left"
}

# 1. The data the tests and the book use.
if ! verify "$D"; then
    fail "$D does not hold the four MNIST files with the right SHA-256 (run: make data)"
    exit 1
fi

# 2. A second run keeps them as they are and says so.
before=$(cd "$D" && stat -c '%n %i %.9Y' $FILES)
out=$(env -u MNIST_DIR FETCH_SOURCES=dir $FETCH "$D" 2>&1) || fail "second fetch failed: $out"
after=$(cd "$D" && stat -c '%n %i %.9Y' $FILES)
[ "$before" = "$after" ] || fail "second fetch touched the files: $before / $after"
case $out in *verified*) ;; *) fail "second fetch does not say verified: $out" ;; esac
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "second fetch says more than one line: $out"

# 3. A source with a corrupted file: the good ones are taken, the bad one never
#    lands in DEST, and with no other source the fetch fails cleanly.
mkdir -p "$tmp/bad" "$tmp/gz"
for f in $FILES; do ln -s "$PWD/$D/$f" "$tmp/bad/$f"; done
rm "$tmp/bad/t10k-labels-idx1-ubyte"
{ head -c 100 "$D/t10k-labels-idx1-ubyte"; printf 'X'; tail -c +102 "$D/t10k-labels-idx1-ubyte"; } \
    >"$tmp/bad/t10k-labels-idx1-ubyte"
out=$(MNIST_DIR="$tmp/bad" FETCH_SOURCES=dir $FETCH "$tmp/d1" 2>&1) &&
    fail "fetch from a corrupted source succeeded: $out"
[ -e "$tmp/d1/t10k-labels-idx1-ubyte" ] && fail "the corrupted file landed in DEST"
case $out in *t10k-labels-idx1-ubyte*checksum*) ;; *) fail "the failure does not name the bad file and its checksum: $out" ;; esac
no_leftovers "$tmp/d1" "corrupted source"
(cd "$tmp/d1" && sha256sum --quiet -c --ignore-missing "$tmp/SHA256SUMS") ||
    fail "the good files from the corrupted source are wrong"

# 4. Fail-over: the next source (the .gz of the good file) completes it.
gzip -c "$D/t10k-labels-idx1-ubyte" >"$tmp/gz/t10k-labels-idx1-ubyte.gz"
out=$(MNIST_DIR="$tmp/bad:$tmp/gz" FETCH_SOURCES=dir $FETCH "$tmp/d2" 2>&1) ||
    fail "fetch did not fail over to the next source: $out"
verify "$tmp/d2" || fail "after fail-over DEST does not verify"
no_leftovers "$tmp/d2" "fail-over"

# 5. A corrupted file already in DEST, and nowhere to fetch from: it does not
#    stay under its real name, where it would pass for data.
mkdir -p "$tmp/d3"
cp "$tmp/bad/t10k-labels-idx1-ubyte" "$tmp/d3/"
out=$(env -u MNIST_DIR FETCH_SOURCES=dir $FETCH "$tmp/d3" 2>&1) &&
    fail "fetch with no source succeeded: $out"
[ -e "$tmp/d3/t10k-labels-idx1-ubyte" ] && fail "a corrupted file in DEST was left under its real name"
case $out in *"MNIST_DIR is not set"*) ;; *) fail "the failure does not say why the source failed: $out" ;; esac

# 6. Interrupted mid-file (SIGTERM while it reads a FIFO that never ends): it
#    exits non-zero and leaves nothing in DEST, neither the file nor its part.
mkdir -p "$tmp/slow"
mkfifo "$tmp/slow/train-images-idx3-ubyte"
exec 3<>"$tmp/slow/train-images-idx3-ubyte"      # a writer that never closes
head -c 60000 "$D/train-images-idx3-ubyte" >&3   # fits in the pipe: no blocking
MNIST_DIR="$tmp/slow" FETCH_SOURCES=dir $FETCH "$tmp/d4" >"$tmp/log4" 2>&1 3>&- &
pid=$!
for _ in $(seq 600); do  # up to a minute: a busy machine may start it late
    [ -n "$(find "$tmp/d4" -name '.*part*' -size +0 2>/dev/null)" ] && break
    sleep 0.1
done
[ -n "$(find "$tmp/d4" -name '.*part*' 2>/dev/null)" ] || fail "interrupt test: the fetch never started writing"
kill -TERM "$pid"
exec 3>&-                                        # the reader sees EOF, the trap runs
for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
    fail "interrupted fetch still running 30 s after SIGTERM"
    pkill -KILL -P "$pid"; kill -KILL "$pid"
fi
wait "$pid"; rc=$?
[ "$rc" -ne 0 ] || fail "interrupted fetch exited 0"
[ -e "$tmp/d4/train-images-idx3-ubyte" ] && fail "interrupted fetch left train-images-idx3-ubyte in DEST"
no_leftovers "$tmp/d4" "interrupted fetch"

# 7. The temporaries of a run killed outright (SIGKILL) are removed by the next.
dead=999999; while kill -0 "$dead" 2>/dev/null; do dead=$((dead + 1)); done
echo partial >"$tmp/d2/.train-images-idx3-ubyte.part.$dead"
env -u MNIST_DIR FETCH_SOURCES=dir $FETCH "$tmp/d2" >/dev/null 2>&1 || fail "fetch into a complete DEST failed"
no_leftovers "$tmp/d2" "after a killed run"

[ $fails -eq 0 ] && echo "data: 4 files verified; re-fetch, corrupted source, fail-over, no-source and interrupt checks pass"
[ $fails -eq 0 ]
