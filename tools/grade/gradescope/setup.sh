#!/usr/bin/env bash
# setup.sh: Gradescope builds its autograder image with this (as root, on its
# Ubuntu image, the zip of `make gradescope-zip` unpacked in /autograder/source).
# It installs what the workbook builds with, builds the grader once, and
# checks it on this image: the reference solutions must get full marks and the
# stubs none. A failure here fails the image build, where the instructor sees
# it, rather than every student's grading.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends build-essential pkg-config check libsubunit-dev \
    libopenblas-dev zlib1g-dev libyaml-dev binutils ca-certificates util-linux bubblewrap

cd "${AUTOGRADER_ROOT:-/autograder}/source"
# Without OpenBLAS's pkg-config file, the portable matrix products.
blas=()
pkg-config --exists openblas || blas=(BLAS=none)
make -s "${blas[@]}" grade SUBMISSION=solutions MIN_POINTS=full
make -s "${blas[@]}" grade SUBMISSION=exercises FORMAT=tap OUT=/tmp/setup-stubs.tap >/dev/null
grep -q "^# total: 0/" /tmp/setup-stubs.tap || { echo "setup: the stubs score above zero" >&2; exit 1; }
echo "setup: the grader is built, and grades the reference full and the stubs zero"
