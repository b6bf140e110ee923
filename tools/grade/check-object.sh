#!/usr/bin/env bash
# check-object.sh READELF CONTRACT FILE [sanitize]: whether a submission's
# compiled object may run, from `readelf -W -S -s` of it (READELF, a file):
# allow-lists, not deny-lists. Prints one line per refusal, in a student's
# words, naming FILE (the submission's file as the student knows it) and the
# symbol or section; exits 1 when there is any, 0 when the object is fine.
#
#   sections   code, data, read-only data, zeroed data, and what compilers add
#              beside them (relocations, symbols, notes, unwinding, debug
#              information); nothing that runs before or after main
#              (.init, .fini, .init_array, .ctors...), nothing thread-local
#   symbols    no indirect function (ifunc: its resolver runs while the
#              program loads), no common block; every symbol it uses but does
#              not define is in tools/grade/allowed-calls.txt
#   contract   the names in CONTRACT (one per line) it defines are functions
#
# Globals it defines beyond the contract are not refused: tools/grade.sh makes
# them local, so they cannot stand in for anyone else's. With "sanitize" (the
# ASan+UBSan build of the project's own tests), the sanitizers' own
# constructors and calls are allowed too.
set -uo pipefail
readelf_out=$1 contract=$2 file=$3 sanitize=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
allowed=$(grep -v -e '^#' -e '^[[:space:]]*$' "$here/allowed-calls.txt" | paste -sd '|')
[ -n "$allowed" ] || { echo "the grader's list of allowed calls is empty"; exit 1; }
[ "$sanitize" = sanitize ] && allowed+='|__(asan|ubsan|sanitizer|lsan)_.*|__odr_asan.*'

awk -v allowed="^($allowed)\$" -v file="$file" -v sanitize="$sanitize" -v contract_file="$contract" '
BEGIN {
    while ((getline name < contract_file) > 0) if (name != "") contract[name] = 1
    ok_section = "^(\\.(text|data|rodata|bss)(\\..*)?|\\.rela?\\.(text|data|rodata|eh_frame|debug_[a-z_]+)(\\..*)?|\\.(symtab|symtab_shndx|strtab|shstrtab|comment|eh_frame|group|llvm_addrsig)|\\.note\\.(GNU-stack|gnu\\.property)|\\.debug_[a-z_.]+)$"
    ok_type = "^(NULL|PROGBITS|NOBITS|SYMTAB|SYMTAB SECTION INDICIES|STRTAB|RELA|REL|GROUP|NOTE|X86_64_UNWIND|LLVM_ADDRSIG)$"
}
function refuse(msg) { if (!(msg in said)) { said[msg] = 1; print file ": " msg; bad = 1 } }
# Section headers: "  [ 1] .text  PROGBITS  ..." (the name may be empty)
/^ *\[ *[0-9]+\] / {
    line = $0
    sub(/^ *\[ *[0-9]+\] /, "", line)
    n = split(line, f, /[ \t]+/)
    name = f[1]; type = f[2]
    if (line ~ /^[ \t]*NULL/) next
    if (sanitize != "" ) next
    if (name ~ /^\.(init|fini|preinit_array|init_array|fini_array|ctors|dtors)(\..*)?$/ || name ~ /^\.rela?\.(init|fini|ctors|dtors)/)
        refuse("has code that would run before main or after it (section " name "): an exercise runs only when it is called")
    else if (name ~ /^\.(tdata|tbss)/)
        refuse("has thread-local variables (section " name "), which no exercise needs")
    else if (name !~ ok_section)
        refuse("has a section of its own (" name "), which the grader does not run: keep code and data in the usual places")
    else if (type ~ /(INIT_ARRAY|FINI_ARRAY|PREINIT_ARRAY)/)
        refuse("has a section " name " of type " type ", code that would run before main or after it")
    next
}
# Symbols: "   12: 0000000000000000     0 NOTYPE  GLOBAL DEFAULT  UND sqrt"
/^ *[0-9]+: [0-9a-f]+ / {
    type = $4; bind = $5; ndx = $7; name = $8
    if (type == "IFUNC")
        refuse("defines " name " as an indirect function (ifunc), whose resolver would run while the program loads")
    else if (type == "TLS")
        refuse("has a thread-local variable (" name "), which no exercise needs")
    else if (ndx == "COM")
        refuse("has a common block (" name "): give the variable an initial value, or make it static")
    else if (ndx == "UND" && name != "" && name !~ allowed)
        refuse("uses " name ", which an exercise does not need (allowed: the maths library, memcpy and the like, qsort, malloc, printf and the like, exit and abort)")
    else if (ndx != "UND" && (bind == "GLOBAL" || bind == "WEAK") && (name in contract) && type != "FUNC")
        refuse("defines " name " as data; the contract declares it as a function")
    next
}
END { exit bad }
' "$readelf_out"
