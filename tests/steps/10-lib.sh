#!/usr/bin/env bash
# The shared library's Check suites: the normal build, the sanitizer build
# (ASan + UBSan), and a build without BLAS, whose portable products the linalg
# suite holds equal to the reference ones.
set -euo pipefail
cd "$(dirname "$0")/../.."
"$BUILD/bin/test-lib"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 build/sanitize/bin/test-lib
make -s BLAS=none BUILD=build/noblas build/noblas/bin/test-lib >/dev/null
build/noblas/bin/test-lib
