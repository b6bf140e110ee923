#!/usr/bin/env bash
# deps.sh: installs what the workbook needs when it is missing (`make deps`).
#
#   Debian/Ubuntu  one dpkg-query call; silent and fast when all is present,
#                  otherwise apt-get update + apt-get install of what is missing
#                  (with sudo when not root). If apt-get fails, the package that
#                  cannot be installed is named on one line and the exit is 1.
#   macOS          prints the Homebrew line when a tool is missing (exit 1).
#   anything else  says what is needed when a tool is missing (exit 1).
#
# WITH_BROWSER=1 (`make book-check`, CI) also wants Debian's chromium, for the
# book's checks in a headless browser; students never need it. WITH_LOAD=1
# (`make test-busy`) also wants stress-ng, to keep every core busy.
# WITH_PYTORCH=1 (`make bench PYTORCH=1`) also wants Debian's PyTorch, to time
# the same epoch in it (tools/pytorch-epoch.py). WITH_FASHION=1 (`make chN
# DATASET=fashion`) also wants Debian's Fashion-MNIST, which that reads.
#
# A student copy (no solutions/: make student-dist) builds no book and runs
# none of the project's own checks, so it wants only what compiles, runs and
# grades the chapters: no pandoc, TeX, valgrind or npm.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

PKGS=(build-essential pkg-config check libsubunit-dev libopenblas-dev zlib1g-dev
      libyaml-dev gnuplot-nox pandoc texlive-latex-recommended texlive-latex-extra
      texlive-fonts-recommended lmodern poppler-utils valgrind npm curl ca-certificates
      libxml2-utils zip bubblewrap)
BREW='brew install check openblas zlib libyaml gnuplot pandoc pkg-config basictex node'
TOOLS=(cc make pkg-config gnuplot pandoc pdflatex npm curl)
if ! compgen -G 'solutions/ch*.c' >/dev/null; then
    PKGS=(build-essential pkg-config check libsubunit-dev libopenblas-dev zlib1g-dev
          libyaml-dev gnuplot-nox curl ca-certificates bubblewrap)
    BREW='brew install check openblas zlib libyaml gnuplot pkg-config'
    TOOLS=(cc make pkg-config gnuplot curl)
fi
[ "${WITH_BROWSER:-0}" = 1 ] && PKGS+=(chromium) && BREW+='; brew install --cask chromium' && TOOLS+=(chromium)
[ "${WITH_LOAD:-0}" = 1 ] && PKGS+=(stress-ng) && BREW+='; brew install stress-ng' && TOOLS+=(stress-ng)
[ "${WITH_PYTORCH:-0}" = 1 ] && PKGS+=(python3-torch)
[ "${WITH_FASHION:-0}" = 1 ] && PKGS+=(dataset-fashion-mnist)

# Not Debian: check for the tools and libraries themselves.
check_tools() {
    local c missing=()
    for c in "${TOOLS[@]}"; do
        command -v "$c" >/dev/null 2>&1 || missing+=("$c")
    done
    if command -v pkg-config >/dev/null 2>&1; then
        for c in check zlib yaml-0.1 openblas; do
            pkg-config --exists "$c" 2>/dev/null || missing+=("$c (pkg-config)")
        done
    fi
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "deps: missing: ${missing[*]}" >&2
    return 1
}

if [ "$(uname -s)" = Darwin ]; then
    check_tools && exit 0
    echo "deps: on macOS install them with: $BREW" >&2
    if command -v brew >/dev/null 2>&1 && ob=$(brew --prefix openblas 2>/dev/null) && [ -d "$ob/lib/pkgconfig" ]; then
        echo "deps: openblas is keg-only: export PKG_CONFIG_PATH=\"$ob/lib/pkgconfig:\${PKG_CONFIG_PATH:-}\"" >&2
    fi
    exit 1
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    check_tools && exit 0
    echo "deps: not a Debian system; install the equivalents of: ${PKGS[*]}" >&2
    exit 1
fi

# One dpkg-query for all; a package dpkg has never heard of prints nothing.
declare -A have=()
while read -r _ _ state name; do
    [ "$state" = installed ] && have[$name]=1
done < <(dpkg-query -W -f='${Status} ${Package}\n' "${PKGS[@]}" 2>/dev/null)
# npm also comes with other node packages (e.g. NodeSource's nodejs, which
# conflicts with Debian's npm): a working npm command is enough.
[ -z "${have[npm]-}" ] && command -v npm >/dev/null 2>&1 && have[npm]=1
missing=()
for p in "${PKGS[@]}"; do [ -n "${have[$p]-}" ] || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=()
if [ "$EUID" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    else
        echo "deps: not root and no sudo; as root run: apt-get install --no-install-recommends ${missing[*]}" >&2
        exit 1
    fi
fi

log=$(mktemp "${TMPDIR:-/tmp}/deps.XXXXXX") || exit 1
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
apt() { "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y "$@" </dev/null >>"$log" 2>&1; }
# The last error apt-get printed, on one line.
apt_error() { { grep -E '^(E|Err):' "$log" || tail -n 1 "$log"; } | tail -n 1 | tr -s ' \t' ' '; }

echo "deps: installing ${#missing[@]} packages: ${missing[*]}" >&2
update_note=""
apt update || update_note="; apt-get update failed too: $(apt_error)"
if ! apt install --no-install-recommends "${missing[@]}"; then
    # Find the one that cannot be installed: install them one at a time.
    for p in "${missing[@]}"; do
        : >"$log"
        if ! apt install --no-install-recommends "$p"; then
            echo "deps: cannot install $p (apt-get: $(apt_error)$update_note)" >&2
            exit 1
        fi
    done
fi
exit 0
