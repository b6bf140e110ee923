// error.c: setting and printing the one error message (see error.h).
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int error_set(Error *err, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int error_path_too_long(Error *err, const char *path, size_t max) {
    enum { KEEP = 120 };  // characters kept at each end of a long path
    size_t n = strlen(path);
    if (n <= 2 * KEEP)
        return error_set(err, "%s: path too long (%zu characters, at most %zu)", path, n, max);
    return error_set(err, "%.*s...%s: path too long (%zu characters, at most %zu)", (int)KEEP,
                     path, path + n - KEEP, n, max);
}

void error_print(const char *prog, const Error *err) {
    fprintf(stderr, "%s: %s\n", prog, err->msg[0] ? err->msg : "unknown error");
}

void *error_calloc(Error *err, size_t count, size_t size, const char *what) {
    void *p = (count && size) ? calloc(count, size) : calloc(1, 1);
    if (!p) error_set(err, "out of memory: %zu x %zu bytes for %s", count, size, what);
    return p;
}
