// report.c: paper-report, the writing half of `make paper` (see paper.h).
//
// Reads the index paper-run left in OUT (runs.tsv, run.tsv) and the runs it
// names, and writes, all into OUT:
//   report.md    the study's numbers beside ours, the workbook's own runs, the
//                time it took: the book's appendix "The reproduction"
//   results.tsv  the same table for scripts: experiment, study_accuracy,
//                mean_accuracy, sd_accuracy, seeds, study_stop_epoch,
//                mean_stop_epoch (accuracies in percent; nan where there is none)
//   values.tsv   the numbers the book's errata appendix quotes
//
//   paper-report --out DIR --runs DIR [--check-claims]
//
// --check-claims (the book's build): fail if the runs contradict what the
// errata appendix says of them in words.
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch4.h"
#include "chapter.h"
#include "output.h"
#include "paper.h"
#include "study.h"

enum { MAX_SEEDS = 100, LINE = 4096 };

typedef struct {
    int n;
    double acc[MAX_SEEDS], stop[MAX_SEEDS], kept[MAX_SEEDS], seconds[MAX_SEEDS];
    char stem[MAX_SEEDS][96];
    bool reused[MAX_SEEDS];
    Stats acc_of, stop_of, kept_of;   // over the seeds (lib/chapter.h)
} Seeds;

// ---------------------------------------------------------------------------
// Reading what paper-run wrote

// The value of key in a "key<TAB>value" file, or NULL; *text is the whole file.
static const char *lookup(const char *text, const char *key, char *buf, size_t cap) {
    size_t k = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, key, k) == 0 && p[k] == '\t') {
            const char *v = p + k + 1;
            size_t n = strcspn(v, "\n");
            if (n >= cap) n = cap - 1;
            memcpy(buf, v, n), buf[n] = '\0';
            return buf;
        }
    return NULL;
}

static char *slurp(const char *path, Error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        error_set(err, "%s: %s (has paper-run finished?)", path, strerror(errno));
        return NULL;
    }
    char *text = NULL;
    size_t len = 0, cap = 0, n;
    char buf[LINE];
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *t = realloc(text, cap);
            if (!t) {
                free(text), fclose(f);
                error_set(err, "%s: out of memory", path);
                return NULL;
            }
            text = t;
        }
        memcpy(text + len, buf, n), len += n;
    }
    fclose(f);
    if (!text) text = calloc(1, 1);
    else text[len] = '\0';
    if (!text) error_set(err, "%s: out of memory", path);
    return text;
}

static int number(double *x, const char *text, const char *key, const char *path, Error *err) {
    char buf[64], *end;
    if (!lookup(text, key, buf, sizeof buf))
        return error_set(err, "%s: %s: missing", path, key);
    *x = strtod(buf, &end);
    if (end == buf || *end) return error_set(err, "%s: %s: not a number: %s", path, key, buf);
    return 0;
}

// The seeds of every experiment, from OUT/runs.tsv and the runs it names.
static int read_runs(Seeds *seeds, const PaperExperiment *exp, int n_exp, const char *out,
                     const char *runs_dir, Error *err) {
    char path[4200];
    snprintf(path, sizeof path, "%s/runs.tsv", out);
    FILE *f = fopen(path, "r");
    if (!f) return error_set(err, "%s: %s (run paper-run first)", path, strerror(errno));
    char line[LINE];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        if (++lineno == 1) continue;  // the header
        char name[64], stem[96];
        unsigned long long seed;
        int reused, e = -1;
        if (sscanf(line, "%63s %llu %95s %d", name, &seed, stem, &reused) != 4) {
            rc = error_set(err, "%s:%d: not experiment, seed, run, reused", path, lineno);
            break;
        }
        for (int i = 0; i < n_exp; i++)
            if (strcmp(exp[i].name, name) == 0) e = i;
        if (e < 0) {
            rc = error_set(err, "%s:%d: experiment %s is not paper-run's (rerun make paper)",
                           path, lineno, name);
            break;
        }
        Seeds *s = &seeds[e];
        if (s->n == MAX_SEEDS) {
            rc = error_set(err, "%s:%d: more than %d seeds", path, lineno, MAX_SEEDS);
            break;
        }
        char rpath[4400];
        snprintf(rpath, sizeof rpath, "%s/%s.tsv", runs_dir, stem);
        char *text = slurp(rpath, err);
        if (!text) {
            rc = -1;
            break;
        }
        int k = s->n;
        if (number(&s->acc[k], text, "test_acc", rpath, err) != 0 ||
            number(&s->stop[k], text, "epochs_run", rpath, err) != 0 ||
            number(&s->kept[k], text, "kept_epoch", rpath, err) != 0 ||
            number(&s->seconds[k], text, "seconds", rpath, err) != 0)
            rc = -1;
        free(text);
        snprintf(s->stem[k], sizeof s->stem[k], "%s", stem);
        s->reused[k] = reused;
        s->n++;
    }
    fclose(f);
    for (int i = 0; rc == 0 && i < n_exp; i++) {
        Seeds *s = &seeds[i];
        if (s->n == 0) {
            rc = error_set(err, "%s: no run of %s (rerun make paper)", path, exp[i].name);
            break;
        }
        s->acc_of = stats_of(s->acc, s->n);
        s->stop_of = stats_of(s->stop, s->n);
        s->kept_of = stats_of(s->kept, s->n);
    }
    return rc;
}

// ---------------------------------------------------------------------------
// The early-stopping sentence, read literally (the study's section 4.1): stop
// once E consecutive epochs have a validation loss lower than the highest
// seen so far. Returns the epoch it stops after, 0 if it never does.
static int stop_as_printed(const double *val, int n, int patience) {
    double highest_so_far = val[0];
    int lower_in_a_row = 0;
    for (int e = 1; e < n; e++) {
        lower_in_a_row = val[e] < highest_so_far ? lower_in_a_row + 1 : 0;
        if (val[e] > highest_so_far) highest_so_far = val[e];
        if (lower_in_a_row >= patience) return e;
    }
    return 0;
}

// What the workbook's rule (chapter 4's should_stop) makes of the same history.
static int stop_as_meant(const double *val, int n, int patience) {
    for (int e = 1; e < n; e++)
        if (should_stop(val + 1, e, patience)) return e;
    return 0;
}

// ---------------------------------------------------------------------------
// Writing

static const char *fmt_or(char *buf, size_t cap, const char *fmt, double x, const char *none) {
    if (isnan(x)) snprintf(buf, cap, "%s", none);
    else snprintf(buf, cap, fmt, x);
    return buf;
}

static int write_results_tsv(const char *out, const PaperExperiment *exp, int n_exp,
                             const Seeds *seeds, Error *err) {
    char path[4200];
    snprintf(path, sizeof path, "%s/results.tsv", out);
    OutFile o;
    if (out_open(&o, path, err) != 0) return -1;
    fprintf(o.f, "experiment\tstudy_accuracy\tmean_accuracy\tsd_accuracy\tseeds\t"
                 "study_stop_epoch\tmean_stop_epoch\n");
    for (int i = 0; i < n_exp; i++) {
        const Seeds *s = &seeds[i];
        const StudyExperiment *st = exp[i].study ? study_find(exp[i].study) : NULL;
        char a[32], sdv[32], stop[32];
        fprintf(o.f, "%s\t%s\t%.2f\t%s\t%d\t%s\t%.1f\n", exp[i].name,
                fmt_or(a, sizeof a, "%.2f", st ? st->acc : NAN, "nan"), s->acc_of.mean,
                fmt_or(sdv, sizeof sdv, "%.2f", s->n > 1 ? s->acc_of.sd : NAN, "nan"), s->n,
                fmt_or(stop, sizeof stop, "%.0f", st && st->stop_epoch ? st->stop_epoch : NAN,
                       "nan"),
                s->stop_of.mean);
    }
    return out_commit(&o, err);
}

// "97.71 ± 0.07" (or one seed's number), "(97.61–97.79)".
static void acc_cells(char *m, size_t mcap, char *range, size_t rcap, const Seeds *s) {
    if (s->n > 1) {
        snprintf(m, mcap, "%.2f ± %.2f", s->acc_of.mean, s->acc_of.sd);
        snprintf(range, rcap, "%.2f–%.2f", s->acc_of.min, s->acc_of.max);
    } else {
        snprintf(m, mcap, "%.2f", s->acc[0]);
        snprintf(range, rcap, "–");
    }
}

static void stop_cell(char *buf, size_t cap, const Seeds *s) {
    double lo = s->stop_of.min, hi = s->stop_of.max;
    double klo = s->kept_of.min, khi = s->kept_of.max;
    if (lo == hi && klo == khi) snprintf(buf, cap, "%.0f (%.0f)", lo, klo);
    else snprintf(buf, cap, "%.1f (%.1f), %.0f–%.0f", s->stop_of.mean, s->kept_of.mean, lo, hi);
}

typedef struct {
    int reported, inside, near;   // the study's accuracies: how many, in our range, within 0.5
    double total_seconds;         // training time of every run, reused or not
    int epochs;                   // epochs trained by all runs
    int n_runs;
} Summary;

static int write_report(const char *out, const PaperExperiment *exp, int n_exp,
                        const Seeds *seeds, const char *index, Summary *sum, Error *err) {
    char path[4200], buf[64];
    snprintf(path, sizeof path, "%s/report.md", out);
    OutFile o;
    if (out_open(&o, path, err) != 0) return -1;
    FILE *f = o.f;
    int n_seeds = seeds[0].n;
    double wall = NAN, trained = NAN, reused = NAN, jobs = NAN;
    if (lookup(index, "wall_s", buf, sizeof buf)) wall = atof(buf);
    if (lookup(index, "trained", buf, sizeof buf)) trained = atof(buf);
    if (lookup(index, "reused", buf, sizeof buf)) reused = atof(buf);
    if (lookup(index, "jobs", buf, sizeof buf)) jobs = atof(buf);

    char seed_list[64];
    if (n_seeds > 1) snprintf(seed_list, sizeof seed_list, "seeds 1 to %d", n_seeds);
    else snprintf(seed_list, sizeof seed_list, "seed 1");
    fprintf(f, "# The reproduction {#sec:reproduction .appendix}\n\n");
    fprintf(f, "This appendix is written by `make paper`, which trains every experiment of "
               "the study with %d seed%s (%s) on the reference solutions, through the "
               "library's fast path (`lib/fast.c`), and sets the mean of our runs beside the "
               "number the study reports. Every run uses the same split of the training "
               "files (seed 1's, as in the chapters); the seeds change the initial weights and "
               "the order of the batches. The study gives one run per experiment, so its "
               "number is one draw from a spread like ours.\n\n",
            n_seeds, n_seeds > 1 ? "s" : "", seed_list);

    // The dashes set the columns' relative widths in the PDF: each must hold
    // its longest word.
    fprintf(f, "| experiment (the study's section) | study: accuracy | ours: mean%s | "
               "ours: range | study: epochs | ours: epochs (kept) |\n",
            n_seeds > 1 ? " ± sd" : "");
    fprintf(f, "|:-----------------------|----------:|--------------:|-----------------:|"
               "----------:|--------------------:|\n");
    for (int i = 0; i < n_exp; i++) {
        if (!exp[i].study) continue;
        const StudyExperiment *st = study_find(exp[i].study);
        const Seeds *s = &seeds[i];
        char m[64], range[64], stop[64], sacc[32], sstop[32];
        acc_cells(m, sizeof m, range, sizeof range, s);
        stop_cell(stop, sizeof stop, s);
        fmt_or(sacc, sizeof sacc, "%.2f", st->acc, "–");
        fmt_or(sstop, sizeof sstop, "%.0f", st->stop_epoch ? st->stop_epoch : NAN, "–");
        fprintf(f, "| %s (%s) | %s | %s | %s | %s | %s |\n", st->what, st->section, sacc, m,
                range, sstop, stop);
        if (!isnan(st->acc)) {
            sum->reported++;
            if (s->n > 1 && st->acc >= s->acc_of.min && st->acc <= s->acc_of.max)
                sum->inside++;
            if (fabs(s->acc_of.mean - st->acc) <= 0.5) sum->near++;
        }
    }
    fprintf(f, "\n: The study's experiments: its test accuracy (percent) beside the mean of "
               "ours over %d seed%s%s, and the epochs trained; in brackets the epoch whose "
               "weights were kept (early stopping keeps the best epoch's, the others the "
               "last). A dash: the study gives no number. {#tbl:reproduction}\n\n",
            n_seeds, n_seeds > 1 ? "s" : "",
            n_seeds > 1 ? " with the sample standard deviation and the range" : "");

    // Where the workbook's config stops early and the study trained every
    // epoch (section 2.2's softmax regression: chapter 2 says why).
    for (int i = 0; i < n_exp; i++) {
        const StudyExperiment *st = exp[i].study ? study_find(exp[i].study) : NULL;
        Config c;
        Error ignored;
        if (st && paper_config(&c, &exp[i], &ignored) == 0 && c.early_stop &&
            st->stop_epoch == c.epochs)
            fprintf(f, "The study trained %s for all %d epochs; the workbook's config "
                       "(`%s`) stops early, and the row shows where. ",
                    st->what, st->stop_epoch, exp[i].config);
    }
    // The study ran some settings twice under two names (section 4.2.4's again
    // as 6.2.1's tanh run): here they are the same runs.
    for (int i = 0; i < n_exp; i++)
        for (int j = i + 1; j < n_exp; j++) {
            const StudyExperiment *a = exp[i].study ? study_find(exp[i].study) : NULL;
            const StudyExperiment *b = exp[j].study ? study_find(exp[j].study) : NULL;
            if (!a || !b || strcmp(seeds[i].stem[0], seeds[j].stem[0]) != 0) continue;
            fprintf(f, "The rows %s (%s) and %s (%s) have the same settings, so here they "
                       "are the same runs",
                    a->what, a->section, b->what, b->section);
            if (!isnan(a->acc) && !isnan(b->acc))
                fprintf(f, "; the study reports two accuracies for them, %.2f points apart",
                        fabs(a->acc - b->acc));
            fprintf(f, ". ");
        }
    fprintf(f, "Of the %d accuracies the study reports, ", sum->reported);
    if (n_seeds > 1) fprintf(f, "%d lie within the range of our seeds and ", sum->inside);
    fprintf(f, "%d are within half a point of our mean. Sections 2.2 and 5.1 show only "
               "figures; the L1 and L2 rows are compared with a run without a penalty "
               "below.\n\n",
            sum->near);

    fprintf(f, "## The workbook's own runs {#sec:reproduction-own}\n\n"
               "These vary one of the study's experiments, each to test something the study "
               "says or leaves unsaid; the errata appendix discusses them.\n\n");
    fprintf(f, "| run | why | ours: mean%s | ours: epochs (kept) |\n",
            n_seeds > 1 ? " ± sd" : "");
    fprintf(f, "|:-----------------|:--------------------------------------|-------------:"
               "|-------------------:|\n");
    for (int i = 0; i < n_exp; i++) {
        if (exp[i].study) continue;
        char m[64], range[64], stop[64];
        acc_cells(m, sizeof m, range, sizeof range, &seeds[i]);
        stop_cell(stop, sizeof stop, &seeds[i]);
        fprintf(f, "| %s | %s | %s | %s |\n", exp[i].what, exp[i].why, m, stop);
    }
    fprintf(f, "\n: The workbook's variants of the study's experiments, with the seeds of "
               "@tbl:reproduction. {#tbl:reproduction-own}\n\n");

    // Each run once: twins (the same settings under two names) share theirs.
    for (int i = 0; i < n_exp; i++)
        for (int k = 0; k < seeds[i].n; k++) {
            bool seen = false;
            for (int j = 0; j < i && !seen; j++)
                for (int q = 0; q < seeds[j].n && !seen; q++)
                    seen = strcmp(seeds[j].stem[q], seeds[i].stem[k]) == 0;
            if (seen) continue;
            sum->total_seconds += seeds[i].seconds[k];
            sum->epochs += (int)seeds[i].stop[k];
            sum->n_runs++;
        }
    fprintf(f, "## What it took {#sec:reproduction-time}\n\n"
               "The tables hold %d distinct runs, %d epochs of training in all, which took "
               "%.0f s of training time together. The `make paper` that wrote this report trained %.0f "
               "of them and reused %.0f that an earlier one had finished (a run is kept in "
               "`build/paper/runs/` under a hash of its config, seed, data and program), %.0f "
               "at a time, in %.0f s on the wall. `make paper FORCE=1` trains them all again. "
               "For scripts, `results.tsv` beside this report holds the first table.\n",
            sum->n_runs, sum->epochs, sum->total_seconds, trained, reused, jobs, wall);
    return out_commit(&o, err);
}

// ---------------------------------------------------------------------------
// The errata's numbers

static int index_of(const PaperExperiment *exp, int n_exp, const char *name, Error *err) {
    for (int i = 0; i < n_exp; i++)
        if (strcmp(exp[i].name, name) == 0) return i;
    error_set(err, "paper-report: no experiment %s in experiments.c", name);
    return -1;
}

// KEY_acc, KEY_sd, KEY_stop, KEY_kept: the mean over the seeds (sd: "–" for
// one seed); KEY_study_acc and KEY_study_stop where the study reports them.
static void put_seeds(Values *v, const char *key, const PaperExperiment *e, const Seeds *s) {
    char k[48];
    snprintf(k, sizeof k, "%s_acc", key);
    values_set(v, k, "%.2f", s->acc_of.mean);
    snprintf(k, sizeof k, "%s_sd", key);
    if (s->n > 1) values_set(v, k, "%.2f", s->acc_of.sd);
    else values_set(v, k, "–");
    snprintf(k, sizeof k, "%s_stop", key);
    values_set(v, k, "%.1f", s->stop_of.mean);
    snprintf(k, sizeof k, "%s_kept", key);
    values_set(v, k, "%.1f", s->kept_of.mean);
    const StudyExperiment *st = e->study ? study_find(e->study) : NULL;
    if (st && !isnan(st->acc)) {
        snprintf(k, sizeof k, "%s_study_acc", key);
        values_set(v, k, "%.2f", st->acc);
    }
    if (st && st->stop_epoch) {
        snprintf(k, sizeof k, "%s_study_stop", key);
        values_set(v, k, "%d", st->stop_epoch);
    }
}

// "3" for one seed; "3 for every seed" when they agree; else "3 to 5, depending
// on the seed"; "never" where a rule never stopped.
static void put_range(Values *v, const char *key, const double *x, int n) {
    Stats x_of = stats_of(x, n);
    double lo = x_of.min, hi = x_of.max;
    if (lo == 0 && hi == 0) values_set(v, key, "never");
    else if (n == 1) values_set(v, key, "%.0f", lo);
    else if (lo == hi) values_set(v, key, "%.0f for every seed", lo);
    else values_set(v, key, "%.0f to %.0f, depending on the seed", lo, hi);
}

static int write_values(const char *out, const char *runs_dir, const PaperExperiment *exp,
                        int n_exp, const Seeds *seeds, const Summary *sum, bool check,
                        Error *err) {
    static const struct { const char *exp, *key; } QUOTED[] = {
        {"momentum-early-stop", "image"},     {"per-split-z-score", "split"},
        {"early-stop", "es"},                 {"loss-as-printed", "printed_loss"},
        {"momentum", "mom"},                  {"plain", "plain"},
        {"momentum-small-rate", "small_rate"}, {"relu", "relu"},
        {"relu-small-rate", "relu_small"},    {"tanh", "tanh"},
    };
    Values v = {0};
    values_set(&v, "seeds", "%d", seeds[0].n);
    values_set(&v, "runs", "%d", sum->n_runs);
    values_set(&v, "reported", "%d", sum->reported);
    values_set(&v, "near", "%d", sum->near);
    for (size_t q = 0; q < sizeof QUOTED / sizeof QUOTED[0]; q++) {
        int i = index_of(exp, n_exp, QUOTED[q].exp, err);
        if (i < 0) return -1;
        put_seeds(&v, QUOTED[q].key, &exp[i], &seeds[i]);
    }
    int img = index_of(exp, n_exp, "momentum-early-stop", err);
    int spl = index_of(exp, n_exp, "per-split-z-score", err);
    int es = index_of(exp, n_exp, "early-stop", err);
    int lap = index_of(exp, n_exp, "loss-as-printed", err);
    int sr = index_of(exp, n_exp, "momentum-small-rate", err);
    int plain = index_of(exp, n_exp, "plain", err);
    if (img < 0 || spl < 0 || es < 0 || lap < 0 || sr < 0 || plain < 0) return -1;
    values_set(&v, "split_minus_image", "%+.2f",
               seeds[spl].acc_of.mean - seeds[img].acc_of.mean);
    values_set(&v, "printed_loss_minus_es", "%+.2f",
               seeds[lap].acc_of.mean - seeds[es].acc_of.mean);
    values_set(&v, "small_rate_minus_image", "%+.2f",
               seeds[sr].acc_of.mean - seeds[img].acc_of.mean);

    // The effective rates: Algorithm 1 sums the batch's gradients, so its step
    // is B * rate times the mean gradient; momentum's steady step is 1/(1 - γ)
    // times that.
    Config c;
    if (paper_config(&c, &exp[img], err) != 0) return -1;
    double mean_rate = c.learning_rate * c.batch_size;
    values_set(&v, "rate", "%g", c.learning_rate);
    values_set(&v, "batch", "%d", c.batch_size);
    values_set(&v, "gamma", "%g", c.momentum_gamma);
    values_set(&v, "mean_rate", "%g", mean_rate);
    values_set(&v, "momentum_mean_rate", "%g", mean_rate / (1 - c.momentum_gamma));
    values_set(&v, "small_mean_rate", "%g", mean_rate / 10 / (1 - c.momentum_gamma));
    values_set(&v, "printed_loss_mean_rate", "%g", mean_rate * 10);

    // The early-stopping sentence, on the plain runs' validation losses (all
    // 100 epochs of them: those runs do not stop).
    if (paper_config(&c, &exp[plain], err) != 0) return -1;
    double printed[MAX_SEEDS], meant[MAX_SEEDS];
    int n = seeds[plain].n, never = 0;
    for (int k = 0; k < n; k++) {
        char path[4400];
        snprintf(path, sizeof path, "%s/%s.metrics.tsv", runs_dir, seeds[plain].stem[k]);
        History h;
        if (history_read(&h, path, err) != 0) return -1;
        printed[k] = stop_as_printed(h.val_loss, h.epochs + 1, c.early_stop_epoch);
        meant[k] = stop_as_meant(h.val_loss, h.epochs + 1, c.early_stop_epoch);
        history_free(&h);
        never += meant[k] == 0;
    }
    values_set(&v, "patience", "%d", c.early_stop_epoch);
    values_set(&v, "plain_epochs", "%d", c.epochs);
    put_range(&v, "printed_stop", printed, n);
    put_range(&v, "meant_stop", meant, n);
    values_set(&v, "meant_never", "%d", never);
    char path[4200];
    snprintf(path, sizeof path, "%s/values.tsv", out);
    if (values_write(&v, path, err) != 0) return -1;
    if (!check) return 0;
    // What the errata appendix says in words about these runs. A run that
    // contradicts it stops the book's build rather than print a false sentence.
    int relu = index_of(exp, n_exp, "relu", err), small = index_of(exp, n_exp, "relu-small-rate", err);
    if (relu < 0 || small < 0) return -1;
    const Seeds *r = &seeds[relu], *rs = &seeds[small];
    if (!(rs->stop_of.mean > r->stop_of.mean))
        return error_set(err, "the errata appendix (chapters/appendix/errata.md, ReLU) says the "
                              "smaller rate stopped later, but it stopped after %.1f epochs on "
                              "average against %.1f: rewrite the sentence",
                         rs->stop_of.mean, r->stop_of.mean);
    if (!(rs->acc_of.mean > r->acc_of.mean))
        return error_set(err, "the errata appendix (chapters/appendix/errata.md, ReLU) says the "
                              "smaller rate gave a better accuracy, but it gave %.2f%% against "
                              "%.2f%%: rewrite the sentence",
                         rs->acc_of.mean, r->acc_of.mean);
    return 0;
}

int main(int argc, char **argv) {
    const char *out = "build/paper", *runs_dir = NULL;
    bool check = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--check-claims") == 0) check = true;
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) out = argv[++i];
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) runs_dir = argv[++i];
        else {
            fprintf(stderr, "usage: paper-report [--out DIR] [--runs DIR] [--check-claims]\n");
            return 2;
        }
    }
    char runs_default[4200];
    if (!runs_dir) {
        snprintf(runs_default, sizeof runs_default, "%s/runs", out);
        runs_dir = runs_default;
    }
    static PaperExperiment exp[PAPER_MAX_EXPERIMENTS];
    static Seeds seeds[PAPER_MAX_EXPERIMENTS];
    int n_exp = 0, rc = -1;
    Error err = {{0}};
    Summary sum = {0};
    char path[4200], *index = NULL;
    snprintf(path, sizeof path, "%s/run.tsv", out);
    if (paper_experiments(exp, &n_exp, &err) == 0 && (index = slurp(path, &err)) &&
        read_runs(seeds, exp, n_exp, out, runs_dir, &err) == 0 &&
        write_results_tsv(out, exp, n_exp, seeds, &err) == 0 &&
        write_report(out, exp, n_exp, seeds, index, &sum, &err) == 0 &&
        write_values(out, runs_dir, exp, n_exp, seeds, &sum, check, &err) == 0)
        rc = 0;
    free(index);
    if (rc != 0) {
        error_print("paper-report", &err);
        return 1;
    }
    printf("paper: %s/report.md, %s/results.tsv\n", out, out);
    return 0;
}
