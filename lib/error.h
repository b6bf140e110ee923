// error.h: one error message, passed down and filled in by whoever fails.
//
// Every lib function that can fail takes an `Error *` last and returns 0 on
// success, -1 on failure. The message names the file, the field and the reason
// ("data/mnist/t10k-labels-idx1-ubyte: label 12 at index 7 is above 9"), so the
// program that finally prints it needs to add nothing.
#ifndef WB_ERROR_H
#define WB_ERROR_H

#include <stddef.h>

enum { ERROR_LEN = 512 };

typedef struct {
    char msg[ERROR_LEN];
} Error;

// Sets the message (printf-style) and returns -1, so `return error_set(...)` works.
int error_set(Error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// "PATH: path too long (N characters, at most MAX)", with a PATH too long
// for the message cut in its middle ("/a/b...y/z"), so that the reason is
// never the part cut off. Returns -1.
int error_path_too_long(Error *err, const char *path, size_t max);

// Prints "prog: message" on stderr. Use it once, where the error is reported.
void error_print(const char *prog, const Error *err);

// malloc/calloc that report the size they could not get instead of returning NULL silently.
void *error_calloc(Error *err, size_t count, size_t size, const char *what);

#endif
