// chapter.c: what every chapter program does the same way (see chapter.h).
#include "chapter.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exercise.h"
#include "experiment.h"
#include "linalg.h"
#include "metrics.h"
#include "plot.h"

double wall_time(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

// ---------------------------------------------------------------------------
// The start and the end

bool chapter_begin(Chapter *ch, int argc, char **argv, int *status) {
    Error err = {{0}};
    exercise_chapter = ch->number;  // so that a stub's line names `make chN SOLUTIONS=1`
    ch->start = wall_time();
    snprintf(ch->prog, sizeof ch->prog, "ch%d", ch->number);
    char about[160];
    snprintf(about, sizeof about, "chapter %d, %s", ch->number, ch->title);
    if (cli_parse(&ch->opt, argc, argv, ch->prog, about, &err) != 0) {
        error_print(ch->prog, &err);
        *status = 2;
        return false;
    }
    if (ch->opt.help) {
        *status = 0;
        return false;
    }
    if (ch->opt.config && !ch->reads_config) {
        error_set(&err, "--config %s: chapter %d reads no config (the chapters that train do)",
                  ch->opt.config, ch->number);
        error_print(ch->prog, &err);
        *status = 2;
        return false;
    }
    progress_quiet = ch->opt.quiet;
    printf("chapter %d: %s, from %s\n", ch->number, ch->title, ch->opt.data_dir);
    if (make_dirs(ch->opt.out_dir, &err) != 0) {
        error_print(ch->prog, &err);
        *status = 1;
        return false;
    }
    return true;
}

int chapter_main(Chapter *ch, int argc, char **argv,
                 int (*run)(void *ctx, Mnist *data, Error *err), void *ctx) {
    int status;
    if (!chapter_begin(ch, argc, argv, &status)) return status;
    Error err = {{0}};
    Mnist data = {0};
    int rc = run(ctx, &data, &err);
    if (ch->experiments) experiments_free(ch->experiments);
    mnist_free(&data);
    return chapter_end(ch, rc, &err);
}

int chapter_load(Chapter *ch, Mnist *data, Error *err) {
    chapter_step(ch, 2, "load MNIST, split 80/20, z-score each image");
    DataOptions dopt = cli_data_options(&ch->opt);
    return mnist_load(data, &dopt, err);
}

int chapter_end(Chapter *ch, int rc, const Error *err) {
    if (rc > 0) return rc;  // its process has said why
    double total = wall_time() - ch->start;
    Error werr = {{0}};
    if (rc == 0) {
        // a short run to a tenth of a second, a long one to the second
        values_set(&ch->values, "total_s", total < 10 ? "%.1f" : "%.0f", total);
        values_set(&ch->values, "blas", "%s", matmul_backend());
        // values.tsv comes last: its presence says the whole run finished.
        rc = values_write(&ch->values, chapter_file(ch, "values.tsv"), &werr);
        err = &werr;
    }
    if (rc != 0) {
        progress_done();
        error_print(ch->prog, err);
        return 1;
    }
    printf("done in %.1f s: %s/values.tsv\n", total, ch->opt.out_dir);
    return 0;
}

// ---------------------------------------------------------------------------
// Along the way

void chapter_step(const Chapter *ch, int k, const char *what) {
    progress_done();
    printf("[%d/%d] %s\n", k, ch->steps, what);
    fflush(stdout);
}

const char *chapter_file(Chapter *ch, const char *name) {
    snprintf(ch->path, sizeof ch->path, "%s/%s", ch->opt.out_dir, name);
    return ch->path;
}

void chapter_wrong(const Chapter *ch, const char *fmt, ...) {
    progress_done();
    fflush(stdout);
    char msg[768], usual[80];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(usual, sizeof usual, "run `make check-ch%d` to see which property fails",
             ch->number);
    fprintf(stderr, "%s: %s: %s\n", ch->prog, msg, ch->advice ? ch->advice : usual);
    exit(1);
}

int chapter_show(Chapter *ch, const char *name, Error *err) {
    progress_done();
    return tsv_print(stdout, chapter_file(ch, name), "      ", err);
}

int chapter_plot_text(const Chapter *ch, const char *script, const char *vars, const char *what,
                      Error *err) {
    if (ch->opt.quiet) return 0;
    printf("\n%s:\n", what);
    return plot_text_with(ch->opt.figures_dir, script, script, ch->opt.out_dir, vars, err);
}

void chapter_put(Chapter *ch, const char *prefix, const char *name, const char *fmt, ...) {
    char key[48], text[208];
    snprintf(key, sizeof key, "%s_%s", prefix, name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    values_set(&ch->values, key, "%s", text);
}

// ---------------------------------------------------------------------------
// Experiments

const char *config_name(char *buf, size_t size, const char *path) {
    const char *base = strrchr(path, '/');
    snprintf(buf, size, "%s", base ? base + 1 : path);
    char *dot = strrchr(buf, '.');
    if (dot && dot != buf) *dot = '\0';
    for (char *c = buf; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_'))
            *c = '_';
    return buf;
}

int chapter_check_config(const Chapter *ch, const Config *c, const char *path,
                         const Mnist *data, Error *err) {
    if (c->layer_specs[0] != data->train.dim)
        return error_set(err, "%s: layer_specs: %d inputs, but the images have %d pixels", path,
                         c->layer_specs[0], data->train.dim);
    if (c->layer_specs[c->n_layers - 1] != MNIST_CLASSES)
        return error_set(err, "%s: layer_specs: %d outputs, but there are %d digits", path,
                         c->layer_specs[c->n_layers - 1], MNIST_CLASSES);
    if (c->batch_size > data->train.n)
        return error_set(err, "%s: batch_size: %d is more than the %d training examples%s", path,
                         c->batch_size, data->train.n,
                         ch->opt.limit ? " (--limit makes the split smaller)" : "");
    return 0;
}

Mnist first_examples(const Mnist *data, int n) {
    Mnist few = *data;
    Split *s[3] = {&few.train, &few.val, &few.test};
    for (int i = 0; i < 3; i++) s[i]->n = s[i]->n < n ? s[i]->n : n;
    return few;
}

int chapter_seeds(const Chapter *ch, int book, int yours) {
    return ch->opt.seeds_given ? ch->opt.seeds : ch->opt.fast ? book : yours;
}
