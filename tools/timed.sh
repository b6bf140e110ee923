#!/usr/bin/env bash
# timed.sh LABEL COMMAND [ARG...]: runs COMMAND and exits with its status.
# When BUILD_TIMES names a file, it also appends one line to it,
#   LABEL <TAB> start <TAB> end      (seconds since the epoch, to the ms)
# which tools/times-report.sh sums into "where the time went" (make book).
# Lines are short single writes in append mode: parallel jobs (make -j2) may
# share the file.
set -u
[ $# -ge 2 ] || { echo "usage: timed.sh LABEL COMMAND [ARG...]" >&2; exit 2; }
label=$1
shift
[ -n "${BUILD_TIMES:-}" ] || exec "$@"
start=$(date +%s.%N)
"$@"
rc=$?
printf '%s\t%.3f\t%.3f\n' "$label" "$start" "$(date +%s.%N)" >>"$BUILD_TIMES"
exit $rc
