#!/usr/bin/env bash
# times-report.sh FILE START WHAT: where the time of WHAT ("make book") went,
# from the lines tools/timed.sh appended to FILE since START (seconds since
# the epoch): each label's total time and how many runs it was, in the order
# the labels first appear, and the wall time from START. Parts that ran side
# by side (make -j2) add up to more than the wall time; the report says so.
set -u
[ $# -eq 3 ] || { echo "usage: times-report.sh FILE START WHAT" >&2; exit 2; }
file=$1 start=$2 what=$3
now=$(date +%s.%N)
[ -s "$file" ] || { printf '%s: %.0f s, nothing in it was timed (all up to date)\n' "$what" "$(awk -v a="$start" -v b="$now" 'BEGIN { print b - a }')"; exit 0; }
awk -F'\t' -v start="$start" -v now="$now" -v what="$what" '
    $2 >= start - 1 {
        if (!($1 in total)) order[++n] = $1
        total[$1] += $3 - $2; runs[$1]++; sum += $3 - $2
    }
    END {
        wall = now - start
        printf "%s took %.0f s; where the time went:\n", what, wall
        for (i = 1; i <= n; i++) {
            l = order[i]
            printf "  %-34s %7.1f s%s\n", l, total[l], (runs[l] > 1 ? sprintf("  (%d runs)", runs[l]) : "")
        }
        if (sum > wall * 1.05)
            printf "  (%.0f s of work in %.0f s: parts ran side by side)\n", sum, wall
    }' "$file"
