#!/usr/bin/env bash
# The shared library's Check suites: the normal build, and a build without
# BLAS, whose portable products the linalg suite holds equal to the reference
# ones. (The same suites under ASan + UBSan: `make sanitize`, which CI runs
# after make test.)
set -euo pipefail
cd "$(dirname "$0")/../.."
"$BUILD/bin/test-lib"
make -s BLAS=none BUILD=build/noblas build/noblas/bin/test-lib >/dev/null
build/noblas/bin/test-lib
