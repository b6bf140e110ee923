// output.c: atomic output files and the values a run reports (see output.h).
#include "output.h"

#include <errno.h>
#include <math.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int make_dirs(const char *dir, Error *err) {
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
        return error_path_too_long(err, dir, sizeof buf - 1);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char saved = *p;
        *p = '\0';
        struct stat st;
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return error_set(err, "%s: cannot create directory: %s", buf, strerror(errno));
        if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
            return error_set(err, "%s: exists and is not a directory", buf);
        if (saved == '\0') break;
        *p = saved;
    }
    if (access(dir, W_OK) != 0)
        return error_set(err, "%s: cannot write here: %s", dir, strerror(errno));
    return 0;
}

int out_open(OutFile *o, const char *path, Error *err) {
    memset(o, 0, sizeof *o);
    if (snprintf(o->path, sizeof o->path, "%s", path) >= (int)sizeof o->path)
        return error_path_too_long(err, path, sizeof o->path - 1);
    snprintf(o->part, sizeof o->part, "%s.part", path);
    o->f = fopen(o->part, "w");
    if (!o->f) return error_set(err, "%s: cannot write: %s", o->part, strerror(errno));
    return 0;
}

int out_commit(OutFile *o, Error *err) {
    int bad = ferror(o->f);
    if (fclose(o->f) != 0) bad = 1;
    o->f = NULL;
    if (bad) {
        remove(o->part);
        return error_set(err, "%s: write failed (disk full?)", o->path);
    }
    if (rename(o->part, o->path) != 0) {
        int e = errno;
        remove(o->part);
        return error_set(err, "%s: cannot rename into place: %s", o->path, strerror(e));
    }
    return 0;
}

void out_abort(OutFile *o) {
    if (o->f) fclose(o->f);
    o->f = NULL;
    if (o->part[0]) remove(o->part);
}

void values_claim(Values *v, const char *key, bool holds) {
    values_set(v, key, "%s", holds ? "yes" : "no");
}

void values_set(Values *v, const char *key, const char *fmt, ...) {
    int i = 0;
    while (i < v->count && strcmp(v->key[i], key) != 0) i++;
    if (i == v->count) {
        // A fixed table keeps this allocation-free; running out is a bug in
        // the chapter program, not in anyone's input, so it stops loudly.
        if (v->count == (int)(sizeof v->key / sizeof v->key[0])) {
            fprintf(stderr, "values_set: more than %d values; raise the limit in output.h\n",
                    v->count);
            abort();
        }
        snprintf(v->key[i], sizeof v->key[i], "%s", key);
        v->count++;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->value[i], sizeof v->value[i], fmt, ap);
    va_end(ap);
}

int values_write(const Values *v, const char *path, Error *err) {
    OutFile o;
    if (out_open(&o, path, err) != 0) return -1;
    for (int i = 0; i < v->count; i++) fprintf(o.f, "%s\t%s\n", v->key[i], v->value[i]);
    return out_commit(&o, err);
}

// ---------------------------------------------------------------------------
// Tables

int tsv_open(Tsv *t, const char *path, const char *columns, Error *err) {
    memset(t, 0, sizeof *t);
    t->cols = 1;
    for (const char *c = columns; *c; c++) t->cols += *c == '\t';
    if (out_open(&t->out, path, err) != 0) return -1;
    fprintf(t->out.f, "%s\n", columns);
    return 0;
}

// The separator before the next field, and the line's end after the last.
static void field_done(Tsv *t) {
    fputc(++t->col == t->cols ? '\n' : '\t', t->out.f);
    if (t->col == t->cols) t->col = 0;
}

void tsv_text(Tsv *t, const char *s) {
    for (; *s; s++) fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, t->out.f);
    field_done(t);
}

void tsv_num(Tsv *t, double x) {
    // The shortest of 15, 16 or 17 significant digits that reads back as x:
    // a table rounds what it shows from the very number the program computed.
    char buf[32] = "";
    for (int digits = 15; isfinite(x) && digits <= 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, x);
        if (strtod(buf, NULL) == x) break;
    }
    if (isinf(x)) snprintf(buf, sizeof buf, "%s", x > 0 ? "inf" : "-inf");
    tsv_text(t, buf);
}

void tsv_int(Tsv *t, long long x) {
    fprintf(t->out.f, "%lld", x);
    field_done(t);
}

void tsv_fmt(Tsv *t, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    tsv_text(t, buf);
}

int tsv_close(Tsv *t, Error *err) {
    if (t->col != 0) {
        out_abort(&t->out);
        return error_set(err, "%s: a row of %d fields, the header has %d columns", t->out.path,
                         t->col, t->cols);
    }
    return out_commit(&t->out, err);
}

void tsv_abort(Tsv *t) { out_abort(&t->out); }

// ---------------------------------------------------------------------------
// A table on the terminal

enum { SHOW_ROWS = 64, SHOW_COLS = 16, SHOW_FIELD = 48 };

// The field as shown; false when it is text, not a number.
static bool shown(char out[SHOW_FIELD], const char *field) {
    char *end;
    double x = strtod(field, &end);
    bool number = !*end && end != field;
    if (!*field) snprintf(out, SHOW_FIELD, "-");
    else if (!number || (fabs(x) < 1e15 && x == floor(x)))  // words and integers as written
        snprintf(out, SHOW_FIELD, "%.*s", SHOW_FIELD - 1, field);
    else snprintf(out, SHOW_FIELD, "%.3g", x);
    return number || !*field;
}

int tsv_print(FILE *f, const char *path, const char *indent, Error *err) {
    static char cell[SHOW_ROWS][SHOW_COLS][SHOW_FIELD];
    int width[SHOW_COLS] = {0}, rows = 0, cols = 0;
    bool text[SHOW_COLS] = {false};  // a column with a word in it is aligned left
    FILE *in = fopen(path, "r");
    if (!in) return error_set(err, "%s: %s", path, strerror(errno));
    char line[4096];
    while (rows < SHOW_ROWS && fgets(line, sizeof line, in)) {
        line[strcspn(line, "\r\n")] = '\0';
        int c = 0;
        for (char *p = line, *tab; c < SHOW_COLS; p = tab + 1) {
            tab = strchr(p, '\t');
            if (tab) *tab = '\0';
            if (!shown(cell[rows][c], p) && rows > 0) text[c] = true;
            int w = (int)strlen(cell[rows][c]);
            width[c] = w > width[c] ? w : width[c];
            c++;
            if (!tab) break;
        }
        cols = c > cols ? c : cols;
        for (; c < SHOW_COLS; c++) cell[rows][c][0] = '\0';
        rows++;
    }
    fclose(in);
    for (int r = 0; r < rows; r++) {
        fputs(indent, f);
        for (int c = 0; c < cols; c++)  // words left, numbers right, as in the book
            fprintf(f, "%s%*s", c ? "  " : "", text[c] ? -width[c] : width[c], cell[r][c]);
        fputc('\n', f);
    }
    return 0;
}
