// output.h: files a run writes, never left half-written.
//
// Every output is written to "name.part" beside its final name and renamed
// into place only once it is complete, so an interrupted run leaves either
// the previous file or none: never one that looks finished and is not.
#ifndef WB_OUTPUT_H
#define WB_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"

typedef struct {
    FILE *f;
    char path[4096];  // the final name
    char part[4104];  // where it is written meanwhile
} OutFile;

// Creates dir and its parents, like mkdir -p; names the part that failed.
int make_dirs(const char *dir, Error *err);

int out_open(OutFile *o, const char *path, Error *err);
int out_commit(OutFile *o, Error *err);  // close, check for write errors, rename
void out_abort(OutFile *o);              // close and remove the partial file

// values.tsv: the numbers of a run that the book quotes, one "key<TAB>value"
// per line. Keys are kept in the order they were first set.
typedef struct {
    int count;
    char key[256][48];
    char value[256][208];
} Values;

void values_set(Values *v, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
// The key of a sentence of the book about a run, which holds or not: "yes" or
// "no" (tools/book.lua's claim spans fail the book on anything but "yes").
void values_claim(Values *v, const char *key, bool holds);
int values_write(const Values *v, const char *path, Error *err);

// A table of numbers for the book and for scripts: a header line of column
// names, then one line per row, the fields separated by tabs. The book's
// {.table} blocks render it; it holds numbers and plain words, never markup.
// The fields of a row are written one call each; the row ends by itself after
// as many fields as the header has columns:
//
//   Tsv t;
//   if (tsv_open(&t, path, "seed\tacc", err) != 0) return -1;
//   tsv_int(&t, 1), tsv_num(&t, 97.71);
//   return tsv_close(&t, err);
typedef struct {
    OutFile out;
    int cols, col;   // columns, and the next field's
} Tsv;

int tsv_open(Tsv *t, const char *path, const char *columns, Error *err);
void tsv_num(Tsv *t, double x);          // as few digits as read back the same double; NaN: empty
void tsv_int(Tsv *t, long long x);
void tsv_text(Tsv *t, const char *s);    // a tab or line break in s becomes a space
void tsv_fmt(Tsv *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int tsv_close(Tsv *t, Error *err);       // the file appears now
void tsv_abort(Tsv *t);

// A table as a program shows it on the terminal: the TSV file at path, its
// columns aligned, each line after indent; a field that is a number but not
// an integer shown with 3 significant digits (%.3g), an empty one as "-".
int tsv_print(FILE *f, const char *path, const char *indent, Error *err);

#endif
