# idx.sh: IDX headers in bash, for the test steps that write data files
# (tests/steps/48-bench.sh, 50-bad-data.sh, 80-nothing-lost.sh). Only bash
# and printf: CI has no Python of the project's.
#
#   be32 N                        one big-endian 32-bit number
#   images_header COUNT ROWS COLS an images file's 16 bytes (magic 2051)
#   labels_header COUNT           a labels file's 8 bytes (magic 2049)

be32() {
    printf '%b' "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' \
        $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255)))"
}
images_header() { be32 2051; be32 "$1"; be32 "$2"; be32 "$3"; }
labels_header() { be32 2049; be32 "$1"; }
