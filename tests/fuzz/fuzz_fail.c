// fuzz_fail.c: a broken promise found by a harness: one line on stderr, then
// abort(), which libFuzzer records as a crash (and saves the input) and which
// makes the replay program die with SIGABRT.
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void fuzz_fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}
