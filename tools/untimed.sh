#!/usr/bin/env bash
# untimed.sh FILE.tsv: the file less its timings, which differ from run to run.
# The one naming rule for timings: a values.tsv key, or a table's column name
# (its first line), that ends in _s holds seconds of wall time; nothing else
# does. The steps that compare two runs (55-bad-input, 65-reproducible)
# compare what this prints.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: untimed.sh FILE.tsv" >&2; exit 2; }
[ -r "$1" ] || { echo "untimed.sh: $1: cannot read it" >&2; exit 1; }
values=0
[ "$(basename "$1")" = values.tsv ] && values=1
awk -F'\t' -v OFS='\t' -v values=$values '
    values && $1 ~ /_s$/ { next }
    FNR == 1 && !values { for (i = 1; i <= NF; i++) drop[i] = ($i ~ /_s$/) }
    { out = ""; n = 0
      for (i = 1; i <= NF; i++) if (!drop[i]) out = out (n++ ? OFS : "") $i
      print out }' "$1"
