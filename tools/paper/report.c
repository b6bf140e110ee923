// report.c: paper-report, the writing half of `make paper` (see paper.h).
//
// Reads the index paper-run left in OUT (runs.tsv, run.tsv) and the runs it
// names, sums each experiment up over its seeds (lib/experiment.h), and
// writes, all into OUT:
//   study.tsv    the study's experiments, its numbers beside ours (a row each,
//                lib/experiment.h's columns): the first table of the book's
//                appendix "The reproduction" (chapters/appendix/reproduction.md)
//   own.tsv      the workbook's own runs, the same columns: its second table
//   results.tsv  the first table for scripts: experiment, study_accuracy,
//                mean_accuracy, sd_accuracy, seeds, study_stop_epoch,
//                mean_stop_epoch (accuracies in percent; nan where there is none)
//   values.tsv   the numbers the two appendices quote
//
//   paper-report --out DIR --runs DIR [--check-claims]
//
// --check-claims (the book's build): fail if the runs contradict what the
// appendices say of them in words.
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch4.h"
#include "experiment.h"
#include "output.h"
#include "paper.h"
#include "study.h"

enum { LINE = 4096 };

// The runs, read back: the study's experiments and the workbook's own, each
// summed up over its seeds. A run's file names its stem: RUNS/STEM.tsv.
typedef struct {
    Experiments study, own;
    const char *runs_dir;
} Report;

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

// The experiment of that name, in either set, or NULL with err.
static Experiments *set_of(Report *R, const char *name, int *e) {
    Experiments *sets[2] = {&R->study, &R->own};
    for (int k = 0; k < 2; k++)
        for (*e = 0; *e < sets[k]->n_exp; (*e)++)
            if (strcmp(sets[k]->exp[*e].name, name) == 0) return sets[k];
    return NULL;
}

// One row of runs.tsv: the run it names, read, added to its experiment's set.
static int add_run(Report *R, const char *name, unsigned long long seed, const char *stem,
                   const char *where, Error *err) {
    int e;
    Experiments *E = set_of(R, name, &e);
    if (!E)
        return error_set(err, "%s: experiment %s is not paper-run's (rerun make paper)", where,
                         name);
    if (E->n_runs % 64 == 0) {
        Run *more = realloc(E->runs, sizeof(Run) * (size_t)(E->n_runs + 64));
        if (!more) return error_set(err, "%s: out of memory", where);
        E->runs = more;
    }
    Run *r = &E->runs[E->n_runs];
    *r = (Run){.exp = e, .seed = seed, .seed_index = E->sum[e].n++};
    snprintf(r->file, sizeof r->file, "%s", stem);
    char path[4400];
    snprintf(path, sizeof path, "%s/%s.tsv", R->runs_dir, stem);
    char *text = slurp(path, err);
    if (!text) return -1;
    double acc = 0, stop = 0, kept = 0, seconds = 0;
    int rc = number(&acc, text, "test_acc", path, err) != 0 ||
             number(&stop, text, "epochs_run", path, err) != 0 ||
             number(&kept, text, "kept_epoch", path, err) != 0 ||
             number(&seconds, text, "train_s", path, err) != 0 ? -1 : 0;
    free(text);
    if (rc != 0) return -1;
    r->res.test_acc = acc, r->res.epochs_run = (int)stop, r->res.kept_epoch = (int)kept;
    r->res.seconds = seconds;
    E->n_runs++;
    return rc;
}

// Every run of OUT/runs.tsv, each experiment summed up.
static int read_runs(Report *R, const char *out, Error *err) {
    char path[4200], line[LINE];
    snprintf(path, sizeof path, "%s/runs.tsv", out);
    FILE *f = fopen(path, "r");
    if (!f) return error_set(err, "%s: %s (run paper-run first)", path, strerror(errno));
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        if (++lineno == 1) continue;  // the header
        char name[64], stem[96], where[4300];
        unsigned long long seed;
        int reused;
        snprintf(where, sizeof where, "%s:%d", path, lineno);
        if (sscanf(line, "%63s %llu %95s %d", name, &seed, stem, &reused) != 4)
            rc = error_set(err, "%s: not experiment, seed, run, reused", where);
        else
            rc = add_run(R, name, seed, stem, where, err);
    }
    fclose(f);
    Experiments *sets[2] = {&R->study, &R->own};
    for (int k = 0; rc == 0 && k < 2; k++) {
        for (int e = 0; e < sets[k]->n_exp; e++)
            if (sets[k]->sum[e].n == 0)
                return error_set(err, "%s: no run of %s (rerun make paper)", path,
                                 sets[k]->exp[e].name);
        experiments_summarize(sets[k]);
    }
    return rc;
}

// The experiments of experiments.c, the study's in one set, the workbook's
// own in the other: their names, labels, configs and what they are for.
static int experiments(Report *R, Error *err) {
    static PaperExperiment exp[PAPER_MAX_EXPERIMENTS];
    int n;
    if (paper_experiments(exp, &n, err) != 0) return -1;
    for (int i = 0; i < n; i++) {
        Experiments *E = exp[i].study ? &R->study : &R->own;
        Experiment *x = &E->exp[E->n_exp++];
        snprintf(x->name, sizeof x->name, "%.47s", exp[i].name);
        for (int k = 0; x->name[k]; k++) x->key[k] = x->name[k] == '-' ? '_' : x->name[k];
        snprintf(x->label, sizeof x->label, "%s", exp[i].what);
        snprintf(x->path, sizeof x->path, "%s", exp[i].config);
        x->study = exp[i].study ? study_find(exp[i].study) : NULL;
        x->note = exp[i].why;
        if (paper_config(&x->cfg, &exp[i], err) != 0) return -1;
    }
    return 0;
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

static int write_results_tsv(const char *out, const Report *R, Error *err) {
    char path[4200];
    snprintf(path, sizeof path, "%s/results.tsv", out);
    OutFile o;
    if (out_open(&o, path, err) != 0) return -1;
    fprintf(o.f, "experiment\tstudy_accuracy\tmean_accuracy\tsd_accuracy\tseeds\t"
                 "study_stop_epoch\tmean_stop_epoch\n");
    const Experiments *sets[2] = {&R->study, &R->own};
    for (int k = 0; k < 2; k++)
        for (int e = 0; e < sets[k]->n_exp; e++) {
            const Summary *s = &sets[k]->sum[e];
            const StudyExperiment *st = sets[k]->exp[e].study;
            char a[32], sdv[32], stop[32];
            fprintf(o.f, "%s\t%s\t%.2f\t%s\t%d\t%s\t%.1f\n", sets[k]->exp[e].name,
                    fmt_or(a, sizeof a, "%.2f", st ? st->acc : NAN, "nan"), s->acc.mean,
                    fmt_or(sdv, sizeof sdv, "%.2f", s->n > 1 ? s->acc.sd : NAN, "nan"), s->n,
                    fmt_or(stop, sizeof stop, "%.0f", st && st->stop_epoch ? st->stop_epoch : NAN,
                           "nan"),
                    s->stop.mean);
        }
    return out_commit(&o, err);
}

// The values of experiment NAME over its seeds, under KEY: KEY_acc, KEY_sd,
// KEY_stop, KEY_kept (the means; sd "–" for one seed), and KEY_study_acc and
// KEY_study_stop where the study reports them.
static void put_seeds(Values *v, const char *key, const Experiment *x, const Summary *s) {
    char k[48];
    summary_put(v, key, s, &(SummaryKeys){{"acc", "sd"}, {"stop"}, {"kept"}});
    if (x->study && !isnan(x->study->acc)) {
        snprintf(k, sizeof k, "%s_study_acc", key);
        values_set(v, k, "%.2f", x->study->acc);
    }
    if (x->study && x->study->stop_epoch) {
        snprintf(k, sizeof k, "%s_study_stop", key);
        values_set(v, k, "%d", x->study->stop_epoch);
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

// The study's accuracies beside our seeds: how many it reports, how many lie
// within the range of ours, how many within half a point of our mean.
static void beside_the_study(Values *v, const Experiments *E) {
    int reported = 0, inside = 0, near = 0;
    for (int e = 0; e < E->n_exp; e++) {
        const StudyExperiment *st = E->exp[e].study;
        const Summary *s = &E->sum[e];
        if (!st || isnan(st->acc)) continue;
        reported++;
        inside += s->n > 1 && st->acc >= s->acc.min && st->acc <= s->acc.max;
        near += fabs(s->acc.mean - st->acc) <= 0.5;
    }
    values_set(v, "reported", "%d", reported);
    values_set(v, "near", "%d", near);
    values_set(v, "inside", "%d", inside);
}

// What it took: each distinct run once (twins, the same settings under two
// names, share theirs), its epochs and its training time.
static void what_it_took(Values *v, const Report *R, const char *index) {
    const Experiments *sets[2] = {&R->study, &R->own};
    int runs = 0, epochs = 0;
    double seconds = 0;
    for (int k = 0; k < 2; k++)
        for (int r = 0; r < sets[k]->n_runs; r++) {
            const Run *run = &sets[k]->runs[r];
            bool seen = false;
            for (int j = 0; j <= k && !seen; j++)
                for (int q = 0; q < (j < k ? sets[j]->n_runs : r) && !seen; q++)
                    seen = strcmp(sets[j]->runs[q].file, run->file) == 0;
            if (seen) continue;
            runs++, epochs += run->res.epochs_run, seconds += run->res.seconds;
        }
    char buf[64];
    values_set(v, "runs", "%d", runs);
    values_set(v, "epochs", "%d", epochs);
    values_set(v, "train_s", "%.0f", seconds);
    static const char *const KEYS[] = {"trained", "finished_inside", "reused", "jobs", "wall_s"};
    for (int k = 0; k < 5; k++)
        values_set(v, KEYS[k], "%.0f", lookup(index, KEYS[k], buf, sizeof buf) ? atof(buf) : NAN);
}

// What the errata appendix quotes: experiments under their keys there.
static const struct { const char *exp, *key; } QUOTED[] = {
    {"momentum-early-stop", "image"},     {"per-split-z-score", "split"},
    {"early-stop", "es"},                 {"loss-as-printed", "printed_loss"},
    {"momentum", "mom"},                  {"plain", "plain"},
    {"momentum-small-rate", "small_rate"}, {"relu", "relu"},
    {"relu-small-rate", "relu_small"},    {"tanh", "tanh"},
    {"softmax", "softmax"},
};

// The mean accuracy of experiment a less b's, as "+0.76".
static void put_minus(Values *v, Report *R, const char *key, const char *a, const char *b) {
    int ea, eb;
    const Experiments *A = set_of(R, a, &ea), *B = set_of(R, b, &eb);
    values_set(v, key, "%+.2f", A->sum[ea].acc.mean - B->sum[eb].acc.mean);
}

// The early-stopping sentence read both ways on the plain runs' validation
// losses (all 100 epochs of them: those runs do not stop).
static int stop_rules(Values *v, Report *R, Error *err) {
    int e;
    const Experiments *E = set_of(R, "plain", &e);
    const Config *c = &E->exp[e].cfg;
    double printed[EXPERIMENT_MAX_SEEDS], meant[EXPERIMENT_MAX_SEEDS];
    int n = 0, never = 0;
    for (int r = 0; r < E->n_runs; r++) {
        if (E->runs[r].exp != e) continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s.metrics.tsv", R->runs_dir, E->runs[r].file);
        History h;
        if (history_read(&h, path, err) != 0) return -1;
        printed[n] = stop_as_printed(h.val_loss, h.epochs + 1, c->early_stop_epoch);
        meant[n] = stop_as_meant(h.val_loss, h.epochs + 1, c->early_stop_epoch);
        never += meant[n++] == 0;
        history_free(&h);
    }
    values_set(v, "patience", "%d", c->early_stop_epoch);
    values_set(v, "plain_epochs", "%d", c->epochs);
    put_range(v, "printed_stop", printed, n);
    // the errata's sentence: the study's early-stopping runs trained longer
    // than the rule as printed lets any run train
    double latest = stats_of(printed, n).max;
    values_claim(v, "claim_literal_rule_unused",
                 study_find("early-stop")->stop_epoch > latest &&
                     study_find("momentum-early-stop")->stop_epoch > latest);
    put_range(v, "meant_stop", meant, n);
    values_set(v, "meant_never", "%d", never);
    return 0;
}

static int write_values(const char *out, Report *R, const char *index, Error *err) {
    static Values v;
    int e;
    values_set(&v, "seeds", "%d", R->study.sum[0].n);
    what_it_took(&v, R, index);
    beside_the_study(&v, &R->study);
    for (size_t q = 0; q < sizeof QUOTED / sizeof QUOTED[0]; q++) {
        const Experiments *E = set_of(R, QUOTED[q].exp, &e);
        if (!E)
            return error_set(err, "paper-report: no experiment %s in experiments.c",
                             QUOTED[q].exp);
        put_seeds(&v, QUOTED[q].key, &E->exp[e], &E->sum[e]);
    }
    put_minus(&v, R, "split_minus_image", "per-split-z-score", "momentum-early-stop");
    put_minus(&v, R, "printed_loss_minus_es", "loss-as-printed", "early-stop");
    put_minus(&v, R, "small_rate_minus_image", "momentum-small-rate", "momentum-early-stop");
    values_set(&v, "twins_gap", "%.2f", fabs(study_find("tanh")->acc -
                                             study_find("momentum-early-stop")->acc));

    // The effective rates: Algorithm 1 sums the batch's gradients, so its step
    // is B * rate times the mean gradient; momentum's steady step is 1/(1 - γ)
    // times that.
    const Experiments *E = set_of(R, "momentum-early-stop", &e);
    const Config *c = &E->exp[e].cfg;
    double mean_rate = c->learning_rate * c->batch_size;
    values_set(&v, "rate", "%g", c->learning_rate);
    values_set(&v, "batch", "%d", c->batch_size);
    values_set(&v, "gamma", "%g", c->momentum_gamma);
    values_set(&v, "mean_rate", "%g", mean_rate);
    values_set(&v, "momentum_mean_rate", "%g", mean_rate / (1 - c->momentum_gamma));
    values_set(&v, "small_mean_rate", "%g", mean_rate / 10 / (1 - c->momentum_gamma));
    values_set(&v, "printed_loss_mean_rate", "%g", mean_rate * 10);
    if (stop_rules(&v, R, err) != 0) return -1;
    char path[4200];
    snprintf(path, sizeof path, "%s/values.tsv", out);
    return values_write(&v, path, err);
}

// What the appendices say in words about these runs. A run that contradicts
// them stops the book's build rather than print a false sentence.
static int check_claims(Report *R, Error *err) {
    int a, b;
    const Experiments *E = set_of(R, "relu", &a);
    set_of(R, "relu-small-rate", &b);
    const Summary *r = &E->sum[a], *rs = &E->sum[b];
    if (!(rs->stop.mean > r->stop.mean))
        return error_set(err, "the errata appendix (chapters/appendix/errata.md, ReLU) says the "
                              "smaller rate stopped later, but it stopped after %.1f epochs on "
                              "average against %.1f: rewrite the sentence",
                         rs->stop.mean, r->stop.mean);
    if (!(rs->acc.mean > r->acc.mean))
        return error_set(err, "the errata appendix (chapters/appendix/errata.md, ReLU) says the "
                              "smaller rate gave a better accuracy, but it gave %.2f%% against "
                              "%.2f%%: rewrite the sentence",
                         rs->acc.mean, r->acc.mean);
    E = set_of(R, "tanh", &a);
    set_of(R, "momentum-early-stop", &b);
    if (strcmp(E->runs[E->sum[a].first].file, E->runs[E->sum[b].first].file) != 0)
        return error_set(err, "the reproduction appendix (chapters/appendix/reproduction.md) says "
                              "the rows tanh and momentum-early-stop are the same runs, but their "
                              "settings differ now: rewrite the sentence");
    E = set_of(R, "softmax", &a);
    if (!E->exp[a].cfg.early_stop || E->exp[a].study->stop_epoch != E->exp[a].cfg.epochs)
        return error_set(err, "the reproduction appendix (chapters/appendix/reproduction.md) says "
                              "the study trained softmax regression for all its epochs and the "
                              "workbook's config stops early, which it does no more: rewrite the "
                              "sentence");
    return 0;
}

int main(int argc, char **argv) {
    const char *out = "build/paper";
    static Report R;
    bool check = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--check-claims") == 0) check = true;
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) out = argv[++i];
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) R.runs_dir = argv[++i];
        else {
            fprintf(stderr, "usage: paper-report [--out DIR] [--runs DIR] [--check-claims]\n");
            return 2;
        }
    }
    char runs_default[4200], path[4200], study[4200], own[4200], *index = NULL;
    if (!R.runs_dir) {
        snprintf(runs_default, sizeof runs_default, "%s/runs", out);
        R.runs_dir = runs_default;
    }
    snprintf(path, sizeof path, "%s/run.tsv", out);
    snprintf(study, sizeof study, "%s/study.tsv", out);
    snprintf(own, sizeof own, "%s/own.tsv", out);
    Error err = {{0}};
    int rc = -1;
    if (experiments(&R, &err) == 0 && (index = slurp(path, &err)) &&
        read_runs(&R, out, &err) == 0 &&
        (!check || check_claims(&R, &err) == 0) && write_results_tsv(out, &R, &err) == 0 &&
        experiments_write_results(&R.study, study, NULL, NULL, NULL, &err) == 0 &&
        experiments_write_results(&R.own, own, NULL, NULL, NULL, &err) == 0 &&
        write_values(out, &R, index, &err) == 0)
        rc = 0;
    free(index);
    experiments_free(&R.study), experiments_free(&R.own);
    if (rc != 0) {
        error_print("paper-report", &err);
        return 1;
    }
    printf("paper: %s/study.tsv, own.tsv, results.tsv, values.tsv\n", out);
    return 0;
}
