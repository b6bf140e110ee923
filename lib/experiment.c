// experiment.c: experiments over seeds, trained side by side (see experiment.h).
#include "experiment.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chapter.h"
#include "exercise.h"
#include "jobs.h"
#include "metrics.h"
#include "speed/fast.h"

// ---------------------------------------------------------------------------
// Numbers over seeds, and a run read back

Stats stats_of(const double *x, int n) {
    Stats s = {0, 0, INFINITY, -INFINITY};
    for (int i = 0; i < n; i++)
        s.mean += x[i], s.min = fmin(s.min, x[i]), s.max = fmax(s.max, x[i]);
    s.mean /= n;
    for (int i = 0; i < n; i++) s.sd += (x[i] - s.mean) * (x[i] - s.mean);
    s.sd = n > 1 ? sqrt(s.sd / (n - 1)) : 0.0;
    return s;
}

int history_read(History *h, const char *path, Error *err) {
    memset(h, 0, sizeof *h);
    FILE *f = fopen(path, "r");
    if (!f) return error_set(err, "%s: %s", path, strerror(errno));
    char line[512];
    int cap = 64, rows = 0;
    double *col[4];
    for (int k = 0; k < 4; k++) col[k] = malloc(sizeof(double) * cap);
    bool ok = col[0] && col[1] && col[2] && col[3] && fgets(line, sizeof line, f);  // the header
    while (ok && fgets(line, sizeof line, f)) {
        double v[6];
        if (sscanf(line, "%lf %lf %lf %lf %lf %lf", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) <
                5 || (int)v[0] != rows) {
            ok = false;
            break;
        }
        if (rows == cap) {
            cap *= 2;
            for (int k = 0; k < 4; k++) {
                double *p = realloc(col[k], sizeof(double) * cap);
                if (!p) ok = false;
                else col[k] = p;
            }
            if (!ok) break;
        }
        for (int k = 0; k < 4; k++) col[k][rows] = v[k + 1];
        rows++;
    }
    fclose(f);
    if (!ok || rows < 1) {
        for (int k = 0; k < 4; k++) free(col[k]);
        return error_set(err, "%s: not the metrics a training run writes", path);
    }
    h->epochs = rows - 1;
    h->train_loss = col[0], h->val_loss = col[1], h->train_acc = col[2], h->val_acc = col[3];
    return 0;
}

void history_free(History *h) {
    free(h->train_loss), free(h->val_loss), free(h->train_acc), free(h->val_acc);
    memset(h, 0, sizeof *h);
}

int history_best_epoch(const History *h) {
    int best = 1;
    for (int e = 2; e <= h->epochs; e++)
        if (h->val_loss[e] < h->val_loss[best]) best = e;
    return best;
}

// ---------------------------------------------------------------------------
// The experiments

Experiment *experiments_add(Experiments *E, const char *path, Error *err) {
    if (E->n_exp == EXPERIMENTS_MAX) {
        error_set(err, "%s: more than %d experiments", path, EXPERIMENTS_MAX);
        return NULL;
    }
    Experiment *x = &E->exp[E->n_exp];
    memset(x, 0, sizeof *x);
    snprintf(x->path, sizeof x->path, "%s", path);
    config_defaults(&x->cfg);
    if (config_load(&x->cfg, path, err) != 0) return NULL;
    config_name(x->name, sizeof x->name, path);
    for (int i = 0; i < E->n_exp; i++)
        if (strcmp(E->exp[i].name, x->name) == 0) {
            error_set(err, "%s: a second experiment named %s (%s is the first)", path, x->name,
                      E->exp[i].path);
            return NULL;
        }
    for (int k = 0; x->name[k]; k++) x->key[k] = x->name[k] == '-' ? '_' : x->name[k];
    memcpy(x->label, x->name, sizeof x->name);  // label is the larger
    x->seeds = 1;
    x->study = study_find(x->name);
    E->n_exp++;
    return x;
}

int chapter_load_experiments(Chapter *ch, Mnist *data, Experiments *E, Error *err) {
    if (chapter_load(ch, data, err) != 0) return -1;
    for (int e = 0; e < E->n_exp; e++)
        if (chapter_check_config(ch, &E->exp[e].cfg, E->exp[e].path, data, err) != 0) return -1;
    printf("      %d training, %d validation and %d test images (seed %llu)\n", data->train.n,
           data->val.n, data->test.n, (unsigned long long)ch->opt.seed);
    values_set(&ch->values, "n_train", "%d", data->train.n);
    E->data = data, E->dir = ch->opt.out_dir, E->seed = ch->opt.seed, E->fast = ch->opt.fast;
    if (ch->opt.store_dir) {  // the book's runs, kept for make paper (runstore.h)
        if (runstore_open(&E->store, ch->opt.store_dir, ch->opt.code_id, NULL, data, err) != 0)
            return -1;
        for (int e = 0; e < E->n_exp; e++) E->exp[e].store = &E->store;
        E->reuse = true;
    }
    return 0;
}

Experiment *chapter_experiment(Chapter *ch, Experiments *E, const char *path, unsigned needs,
                               Error *err) {
    Experiment *x = experiments_add(E, path, err);
    if (!x || experiment_refuse(x, ch->number, needs, err) != 0) return NULL;
    if (ch->opt.max_epochs > 0 && x->cfg.epochs > ch->opt.max_epochs)
        x->cfg.epochs = ch->opt.max_epochs;
    if (E->n_exp == 1) cli_take_config_seed(&ch->opt, x->cfg.seed);
    ch->experiments = E;
    experiment_describe(x);
    return x;
}

int chapter_train(Chapter *ch, Experiments *E, int k, const char *more, Error *err) {
    if (experiments_plan(E, err) != 0) return -1;
    if (!E->fast && experiments_pace(E, err) != 0) return -1;
    char what[320];
    snprintf(what, sizeof what, "train: %d run%s, %d at a time%s%s", E->n_runs,
             E->n_runs > 1 ? "s" : "", E->workers, more ? "; " : "", more ? more : "");
    chapter_step(ch, k, what);
    int rc = experiments_train(E, err);
    if (rc != 0) return rc;
    values_set(&ch->values, "train_s", "%.0f", E->train_s);
    values_set(&ch->values, "workers", "%d", E->workers);
    values_set(&ch->values, "finished_inside", "%d", experiments_inside(E));
    return 0;
}

int experiment_refuse(const Experiment *x, int chapter, unsigned needs, Error *err) {
    const Config *c = &x->cfg;
    if ((needs & NEEDS_HIDDEN) && c->n_layers < 3)
        return error_set(err, "%s: layer_specs: chapter %d trains a network with a hidden layer, "
                              "such as [784, 128, 10]; [784, 10] is chapter 2's", x->path, chapter);
    if ((needs & NEEDS_TANH) && c->activation != ACT_TANH)
        return error_set(err, "%s: activation: chapter %d trains chapter 3's tanh; %s is chapter "
                              "6's", x->path, chapter, activation_name(c->activation));
    if ((needs & NEEDS_NO_PENALTY) && (c->L1_penalty > 0 || c->L2_penalty > 0))
        return error_set(err, "%s: %s: chapter %d trains without the penalties of chapter 5 (0)",
                         x->path, c->L1_penalty > 0 ? "L1_penalty" : "L2_penalty", chapter);
    return 0;
}

void experiment_describe(const Experiment *x) {
    const Config *c = &x->cfg;
    printf("      %s: layers [", x->path);
    for (int l = 0; l < c->n_layers; l++) printf(l ? ", %d" : "%d", c->layer_specs[l]);
    printf("], %s, rate %g, batch %d, %d epoch%s", activation_name(c->activation),
           c->learning_rate, c->batch_size, c->epochs, c->epochs == 1 ? "" : "s");
    if (c->L1_penalty > 0) printf(", L1 %g", c->L1_penalty);
    if (c->L2_penalty > 0) printf(", L2 %g", c->L2_penalty);
    if (c->momentum) printf(", momentum %g", c->momentum_gamma);
    if (c->early_stop) printf(", early stopping (patience %d)", c->early_stop_epoch);
    printf("\n");
}

// What a run costs, for the order of the queue: its epochs (a run that stops
// early, about 20), a third as much without a hidden layer.
static double cost(const Config *c) {
    double epochs = c->early_stop ? (c->epochs < 20 ? c->epochs : 20) : c->epochs;
    return epochs * (c->n_layers > 2 ? 1.0 : 0.3);
}

// Pairs each run with early stopping with the same run without it, if that
// one is trained too (see Run): the same config but for early stopping, the
// same seed, data, store (or none: experiments_train's scratch store), rule
// and measures of the training split.
static void pair_inside(Experiments *E) {
    for (int i = 0; i < E->n_runs; i++) E->runs[i].finishes = E->runs[i].inside = -1;
    for (int i = 0; i < E->n_runs; i++) {
        Run *r = &E->runs[i];
        const Experiment *x = &E->exp[r->exp];
        if (!x->cfg.early_stop || x->own_rule) continue;
        const RunStore *st = x->store ? x->store : &E->scratch;  // (its hashes' base)
        for (int j = 0; j < E->n_runs && r->inside < 0; j++) {
            Run *f = &E->runs[j];
            const Experiment *y = &E->exp[f->exp];
            if (f->finishes >= 0 || y->cfg.early_stop || y->own_rule || y->store != x->store ||
                y->data != x->data || f->seed != r->seed ||
                y->ops.should_stop != x->ops.should_stop ||
                experiments_train_split(E, f->seed_index) !=
                    experiments_train_split(E, r->seed_index))
                continue;
            Config c = x->cfg;  // the store's own hash says whether the rest is the same
            c.early_stop = false, c.early_stop_epoch = y->cfg.early_stop_epoch;
            if (runstore_key(st, &c, r->seed) != runstore_key(st, &y->cfg, f->seed)) continue;
            f->finishes = i, r->inside = j;
        }
    }
}

int experiments_plan(Experiments *E, Error *err) {
    int n = 0;
    for (int e = 0; e < E->n_exp; e++) n += E->exp[e].seeds;
    free(E->runs);
    E->runs = error_calloc(err, (size_t)(n ? n : 1), sizeof(Run), "the runs");
    if (!E->runs) return -1;
    E->n_runs = 0;
    for (int e = 0; e < E->n_exp; e++)
        for (int s = 0; s < E->exp[e].seeds; s++) {
            Run *r = &E->runs[E->n_runs++];
            r->exp = e, r->seed_index = s, r->seed = E->seed + (uint64_t)s;
            if (s == 0) snprintf(r->file, sizeof r->file, "metrics-%s.tsv", E->exp[e].name);
            else snprintf(r->file, sizeof r->file, "metrics-%s-seed%llu.tsv", E->exp[e].name,
                          (unsigned long long)r->seed);
        }
    pair_inside(E);
    if (E->workers <= 0) E->workers = jobs_workers(E->n_runs);
    return 0;
}

void summary_put(Values *v, const char *prefix, const Summary *s, const SummaryKeys *keys) {
    const Stats *of[3] = {&s->acc, &s->stop, &s->kept};
    const char *const *names[3] = {keys->acc, keys->stop, keys->kept};
    for (int q = 0; q < 3; q++)
        for (int k = 0; k < (q ? 3 : 4); k++) {
            const char *name = names[q][k];
            if (!name) continue;
            char key[96];
            snprintf(key, sizeof key, "%s%s%s", prefix ? prefix : "", prefix ? "_" : "", name);
            // acc: mean sd min max; stop, kept: mean min max
            double x = k == 0 ? of[q]->mean : q == 0 && k == 1 ? of[q]->sd
                       : (q == 0 ? k == 2 : k == 1) ? of[q]->min : of[q]->max;
            if (q == 0 && k == 1 && s->n < 2) values_set(v, key, "–");
            else values_set(v, key, q == 0 ? "%.2f" : k == 0 ? "%.1f" : "%.0f", x);
        }
}

int experiments_find(const Experiments *E, const char *name) {
    for (int e = 0; e < E->n_exp; e++)
        if (strcmp(E->exp[e].name, name) == 0) return e;
    return -1;
}

int experiments_run_of(const Experiments *E, int e, int seed_index) {
    for (int r = 0; r < E->n_runs; r++)
        if (E->runs[r].exp == e && E->runs[r].seed_index == seed_index) return r;
    return -1;
}

void *experiments_out(const Experiments *E, int run) {
    return E->outs ? E->outs + (size_t)run * E->out_size : NULL;
}

const char *experiments_path(char *buf, size_t size, const Experiments *E, const Run *r) {
    snprintf(buf, size, "%s/%s", E->dir, r->file);
    return buf;
}

// ---------------------------------------------------------------------------
// A first pass over a few images

int experiments_try(const Experiments *E, int n, Error *err) {
    Mnist few = first_examples(E->data, n);
    char tsv[4200];
    snprintf(tsv, sizeof tsv, "%s/check.tsv", E->dir);
    for (int e = 0; e < E->n_exp; e++) {
        const Experiment *x = &E->exp[e];
        if (x->own_rule) continue;
        Config c = x->cfg;
        c.epochs = 2, c.early_stop_epoch = 1;
        c.batch_size = c.batch_size < 32 ? c.batch_size : 32;
        if (c.batch_size > few.train.n) c.batch_size = few.train.n;
        Net net;
        TrainResult res;
        if (net_from_config(&net, &c, err) != 0) return -1;
        net_init(&net, E->seed, 0);
        bool quiet = progress_quiet;
        progress_quiet = true;
        int rc = train(&res, &net, &x->ops, &c, &few, E->seed, tsv, x->name, err);
        progress_quiet = quiet;
        net_free(&net);
        unlink(tsv);
        if (rc == 0 && !isfinite(res.test_loss))
            rc = error_set(err, "a test loss of %g", res.test_loss);
        if (rc != 0) {
            Error why = *err;
            return error_set(err, "%s, a first pass over %d images: %s (`make check-chK`, for "
                                  "K from 2 to %d, says which function)", x->name,
                             few.train.n, why.msg, exercise_chapter);
        }
    }
    printf("      every function ran on %d images, in each experiment's settings\n", few.train.n);
    return 0;
}

// ---------------------------------------------------------------------------
// The runs, side by side

// The queue: job k trains run order[k].
typedef struct {
    Experiments *E;
    int *order;
    int done;
} Queue;

TrainSplitMetrics experiments_train_split(const Experiments *E, int seed_index) {
    if (E->train_metrics == ALL_SEEDS || seed_index == 0)
        return E->train_metrics == NO_SEED ? TRAIN_SPLIT_NEVER : TRAIN_SPLIT_EVERY_EPOCH;
    return E->train_metrics == FIRST_SEEDS_ENDS ? TRAIN_SPLIT_AT_END : TRAIN_SPLIT_NEVER;
}

// Run r (hash key, stem `own` under x's name), taken up from x's store if it
// has it (whoever trained it) with the columns the run needs: its result,
// its weights into net and its metrics at path, as train_with would have
// left them; r->reused says whether.
static int take_up(Run *r, Net *net, const Experiment *x, uint64_t key, const char *own,
                   const char *path, TrainSplitMetrics train_split, Error *err) {
    char other[RUNSTORE_STEM_MAX];
    // Under its own name first: a run kept by another program that could not
    // stand in (another train_split) was trained again and kept under this one.
    int got = runstore_get(x->store, own, &r->res, net, path, train_split, err);
    if (got == 0) {
        int found = runstore_find(other, x->store, key, err);
        if (found < 0)
            got = -1;
        else if (found == 1 && strcmp(other, own) != 0)
            got = runstore_get(x->store, other, &r->res, net, path, train_split, err);
    }
    r->reused = got == 1;
    return got < 0 ? -1 : 0;
}

// The early-stopping run that another finishes on its way (TrainAlsoStopping's
// done, in that run's process): kept in its store, where its own job, after
// every other run, takes it up.
typedef struct {
    const Experiments *E;
    const Run *run;   // the early-stopping run
} Inside;

// Run r's hash in x's store (0 without one), and its stem there into stem.
static uint64_t run_stem(char *stem, const Experiment *x, const Run *r) {
    uint64_t key = x->store ? runstore_key(x->store, &x->cfg, r->seed) : 0;  // (runstore.h)
    runstore_stem(stem, x->name, r->seed, key);
    return key;
}

static int keep_inside(const TrainResult *res, const Net *net, void *ctx, Error *err) {
    const Inside *in = ctx;
    const Run *r = in->run;
    const Experiment *x = &in->E->exp[r->exp];
    char path[4400], stem[RUNSTORE_STEM_MAX];
    run_stem(stem, x, r);
    experiments_path(path, sizeof path, in->E, r);
    return runstore_put(x->store, stem, x->name, r->seed, path, res, net,
                        experiments_train_split(in->E, r->seed_index), err);
}

// Whether run r was finished inside another in this training (not taken up
// from an earlier one: the run it goes inside was trained).
static bool made_inside(const Experiments *E, const Run *r) {
    return r->reused && r->inside >= 0 && !E->runs[r->inside].reused;
}

static int train_job(void *result, int k, void *ctx, Error *err) {
    const Queue *q = ctx;
    const Experiments *E = q->E;
    Run *r = result;
    *r = E->runs[q->order[k]];
    void *out = (char *)result + sizeof(Run);
    const Experiment *x = &E->exp[r->exp];
    double t0 = wall_time();
    char path[4400], label[160], stem[RUNSTORE_STEM_MAX];
    snprintf(label, sizeof label, "%s, seed %llu", x->name, (unsigned long long)r->seed);
    uint64_t key = run_stem(stem, x, r);
    r->reused = false;
    Net net;
    if (net_from_config(&net, &x->cfg, err) != 0) return -1;
    //> one-run
    net_init(&net, r->seed, 0);  // sd 0: 1/sqrt(fan_in), the biases 0
    int rc = E->before ? E->before(out, &net, r, x, E->ctx, err) : 0;
    // --fast: lib/speed/fast.c's kernels train, one thread each when runs go side by
    // side; but never a rule of the program's own. Where only an experiment's
    // first seed has its curves drawn, the others skip measuring the whole
    // training split after each epoch.
    TrainOptions how = {.fast = E->fast && !x->own_rule, .threads = E->workers > 1 ? 1 : 0,
                        .train_split = experiments_train_split(E, r->seed_index)};
    // A run with early stopping that another finishes (see Run): kept there.
    char its_path[4400];
    Inside in = {E, r->finishes >= 0 ? &E->runs[r->finishes] : NULL};
    TrainAlsoStopping also = {.done = keep_inside, .ctx = &in};
    if (in.run) {
        also.patience = E->exp[in.run->exp].cfg.early_stop_epoch;
        also.metrics_path = experiments_path(its_path, sizeof its_path, E, in.run);
        how.also_stopping = &also;
    }
    experiments_path(path, sizeof path, E, r);
    if (rc == 0 && ((how.fast && E->reuse) || r->inside >= 0) && x->store)  // trained already?
        rc = take_up(r, &net, x, key, stem, path, how.train_split, err);
    if (rc == 0 && !r->reused)
        rc = train_with(&r->res, &net, &x->ops, &x->cfg, x->data ? x->data : E->data, r->seed,
                        path, label, &how, err);
    if (rc == 0 && E->after) rc = E->after(out, &net, r, x, E->ctx, err);
    //< one-run
    // kept for later (runstore.h); the scratch store keeps only the runs finished inside
    if (rc == 0 && x->store && x->store != &E->scratch && how.fast && !r->reused)
        rc = runstore_put(x->store, stem, x->name, r->seed, path, &r->res, &net, how.train_split,
                          err);
    net_free(&net);
    r->wall_s = wall_time() - t0;
    if (made_inside(E, r)) r->wall_s = r->res.seconds;  // (see Run)
    return rc;
}

// In the program's process, as each run ends: its results in place, one line.
static void job_done(const void *result, int k, void *ctx) {
    Queue *q = ctx;
    Experiments *E = q->E;
    int i = q->order[k];
    E->runs[i] = *(const Run *)result;
    if (E->out_size)
        memcpy(experiments_out(E, i), (const char *)result + sizeof(Run), E->out_size);
    const Run *r = &E->runs[i];
    char took[96] = "kept run";  // a run taken up from the store trained nothing
    if (!r->reused) snprintf(took, sizeof took, "%.0f s", r->wall_s);
    else if (made_inside(E, r))
        snprintf(took, sizeof took, "the first epochs of %.47s's run",
                 E->exp[E->runs[r->inside].exp].name);
    progress_done();
    printf("      %*d/%d %-22s seed %-3llu %3d epochs, kept %3d: test accuracy %6.2f%%  (%s)\n",
           E->n_runs >= 10 ? 2 : 1, ++q->done, E->n_runs, E->exp[r->exp].name,
           (unsigned long long)r->seed, r->res.epochs_run, r->res.kept_epoch, r->res.test_acc,
           took);
    fflush(stdout);
}

// Run i's place in the queue, the highest first: its cost, or below every
// run for one finished inside another.
static double queue_rank(const Experiments *E, int i) {
    const Run *r = &E->runs[i];
    return r->inside >= 0 ? -1 : cost(&E->exp[r->exp].cfg);
}

// Where runs are finished inside others for experiments without a store:
// the scratch store, opened in the run folder and given to them. 1 when it
// was, 0 when no such run needs it, -1 with err.
static int open_scratch(Experiments *E, Error *err) {
    bool needed = false;
    for (int i = 0; i < E->n_runs; i++)
        needed |= E->runs[i].inside >= 0 && !E->exp[E->runs[i].exp].store;
    if (!needed) return 0;
    char dir[sizeof E->scratch.dir];
    if (snprintf(dir, sizeof dir, "%s/.inside", E->dir) >= (int)sizeof dir)
        return error_path_too_long(err, E->dir, sizeof dir - sizeof "/.inside");
    if (runstore_scratch(&E->scratch, dir, err) != 0) return -1;
    for (int e = 0; e < E->n_exp; e++)
        if (!E->exp[e].store) E->exp[e].store = &E->scratch;
    return 1;
}

// The scratch store deleted, and its experiments without a store again.
static void close_scratch(Experiments *E) {
    runstore_remove(&E->scratch);
    for (int e = 0; e < E->n_exp; e++)
        if (E->exp[e].store == &E->scratch) E->exp[e].store = NULL;
}

int experiments_train(Experiments *E, Error *err) {
    if (!E->runs && experiments_plan(E, err) != 0) return -1;
    pair_inside(E);  // (again, if planned here: a program may have set E->runs itself)
    int scratch = open_scratch(E, err);
    if (scratch < 0) return -1;
    size_t size = sizeof(Run) + E->out_size;
    Queue q = {.E = E};
    q.order = error_calloc(err, (size_t)E->n_runs + 1, sizeof(int), "the queue");
    char *results = error_calloc(err, (size_t)E->n_runs + 1, size, "the runs' results");
    free(E->outs);
    E->outs = E->out_size ? error_calloc(err, (size_t)E->n_runs + 1, E->out_size, "the runs' own")
                          : NULL;
    int rc = -1;
    if (!q.order || !results || (E->out_size && !E->outs)) goto done;
    // The longest first, so that the short runs fill in beside them; the runs
    // finished inside others after all of those.
    int n_first = 0;
    for (int i = 0; i < E->n_runs; i++) {
        int j = i;
        double c = queue_rank(E, i);
        for (; j > 0 && queue_rank(E, q.order[j - 1]) < c; j--) q.order[j] = q.order[j - 1];
        q.order[j] = i;
        n_first += E->runs[i].inside < 0;
    }
    if (E->workers > E->n_runs) E->workers = E->n_runs > 0 ? E->n_runs : 1;
    double t0 = wall_time();
    for (int e = 0; E->fast && e < E->n_exp; e++)  // (no harm if it cannot: see fast.h)
        fast_share(E->exp[e].data ? E->exp[e].data : E->data);
    rc = jobs_run(results, train_job, job_done, &q, n_first, size, E->workers, err);
    if (rc == 0 && n_first < E->n_runs) {  // then those, once the others have kept them
        int *all = q.order;
        q.order = all + n_first;
        rc = jobs_run(results + (size_t)n_first * size, train_job, job_done, &q,
                      E->n_runs - n_first, size, E->workers, err);
        q.order = all;
    }
    fast_unshare();
    E->train_s = wall_time() - t0;
    progress_done();
    if (rc == 0) experiments_summarize(E);
done:
    if (scratch) close_scratch(E);
    free(q.order), free(results);
    return rc;
}

bool experiments_not_apart(const Experiments *E, int run) {
    return E->runs[run].inside >= 0 && E->runs[run].reused;
}

int experiments_inside(const Experiments *E) {
    int n = 0;
    for (int r = 0; r < E->n_runs; r++) n += experiments_not_apart(E, r);
    return n;
}

void experiments_summarize(Experiments *E) {
    for (int e = 0; e < E->n_exp; e++) {
        Summary *s = &E->sum[e];
        double acc[EXPERIMENT_MAX_SEEDS], stop[EXPERIMENT_MAX_SEEDS], kept[EXPERIMENT_MAX_SEEDS];
        s->n = 0, s->first = -1;
        for (int r = 0; r < E->n_runs && s->n < EXPERIMENT_MAX_SEEDS; r++) {
            const Run *run = &E->runs[r];
            if (run->exp != e) continue;
            if (run->seed_index == 0) s->first = r;
            acc[s->n] = run->res.test_acc, stop[s->n] = run->res.epochs_run;
            kept[s->n] = run->res.kept_epoch;
            s->n++;
        }
        if (s->n == 0) continue;
        s->acc = stats_of(acc, s->n), s->stop = stats_of(stop, s->n);
        s->kept = stats_of(kept, s->n);
    }
}

int experiments_read(Experiments *E, Error *err) {
    free(E->hist);
    E->hist = error_calloc(err, (size_t)E->n_runs + 1, sizeof(History), "the histories");
    if (!E->hist) return -1;
    char path[4400];
    for (int r = 0; r < E->n_runs; r++)
        if (history_read(&E->hist[r], experiments_path(path, sizeof path, E, &E->runs[r]),
                         err) != 0)
            return -1;
    return 0;
}

void experiments_free(Experiments *E) {
    for (int r = 0; E->hist && r < E->n_runs; r++) history_free(&E->hist[r]);
    free(E->hist), free(E->runs), free(E->outs);
    E->hist = NULL, E->runs = NULL, E->outs = NULL, E->n_runs = 0;
}

// ---------------------------------------------------------------------------
// The tables

static void num_or_empty(Tsv *t, bool have, double x) {
    if (have) tsv_num(t, x);
    else tsv_text(t, "");
}

int experiments_write_results(const Experiments *E, const char *path, const char *more,
                              MoreColumns fill, void *ctx, Error *err) {
    char columns[1024];
    snprintf(columns, sizeof columns, "name\tkey\tlabel\tnote\tactivation\trate\tsection\t"
             "study_acc\tstudy_stop\tseeds\tacc\tepochs\tkept\twall_s\tmean\tsd\tmin\tmax\t"
             "stop_mean\tstop_min\tstop_max\tkept_mean\tkept_min\tkept_max\tstops%s%s",
             more ? "\t" : "", more ? more : "");
    Tsv t;
    if (tsv_open(&t, path, columns, err) != 0) return -1;
    for (int e = 0; e < E->n_exp; e++) {
        const Experiment *x = &E->exp[e];
        const Summary *s = &E->sum[e];
        if (x->own_rule) continue;
        const Run *first = &E->runs[s->first];
        const StudyExperiment *st = x->study;
        tsv_text(&t, x->name), tsv_text(&t, x->key), tsv_text(&t, x->label);
        tsv_text(&t, x->note ? x->note : ""), tsv_text(&t, activation_name(x->cfg.activation));
        tsv_num(&t, x->cfg.learning_rate), tsv_text(&t, st ? st->section : "");
        num_or_empty(&t, st && !isnan(st->acc), st ? st->acc : NAN);
        num_or_empty(&t, st && st->stop_epoch, st ? st->stop_epoch : 0);
        tsv_int(&t, s->n), tsv_num(&t, first->res.test_acc);
        tsv_int(&t, first->res.epochs_run), tsv_int(&t, first->res.kept_epoch);
        tsv_num(&t, first->wall_s);
        tsv_num(&t, s->acc.mean), num_or_empty(&t, s->n > 1, s->acc.sd);
        tsv_num(&t, s->acc.min), tsv_num(&t, s->acc.max);
        tsv_num(&t, s->stop.mean), tsv_num(&t, s->stop.min), tsv_num(&t, s->stop.max);
        tsv_num(&t, s->kept.mean), tsv_num(&t, s->kept.min), tsv_num(&t, s->kept.max);
        if (s->stop.min == s->stop.max && s->kept.min == s->kept.max)
            tsv_fmt(&t, "%.0f (%.0f)", s->stop.min, s->kept.min);
        else
            tsv_fmt(&t, "%.1f (%.1f), %.0f–%.0f", s->stop.mean, s->kept.mean, s->stop.min,
                    s->stop.max);
        if (more) fill(&t, E, e, ctx);
    }
    return tsv_close(&t, err);
}

int experiments_write_seeds(const Experiments *E, const char *path, Error *err) {
    char columns[4096] = "seed";
    int most = 0;
    for (int e = 0; e < E->n_exp; e++) {
        if (E->exp[e].own_rule) continue;
        size_t used = strlen(columns);
        const char *k = E->exp[e].key;
        snprintf(columns + used, sizeof columns - used, "\t%s_acc\t%s_stop\t%s_kept", k, k, k);
        most = E->exp[e].seeds > most ? E->exp[e].seeds : most;
    }
    Tsv t;
    if (tsv_open(&t, path, columns, err) != 0) return -1;
    for (int s = 0; s < most; s++) {
        tsv_int(&t, (long long)(E->seed + (uint64_t)s));
        for (int e = 0; e < E->n_exp; e++) {
            if (E->exp[e].own_rule) continue;
            int r = experiments_run_of(E, e, s);
            const TrainResult *res = r >= 0 ? &E->runs[r].res : NULL;
            num_or_empty(&t, res, res ? res->test_acc : 0);
            num_or_empty(&t, res, res ? res->epochs_run : 0);
            num_or_empty(&t, res, res ? res->kept_epoch : 0);
        }
    }
    return tsv_close(&t, err);
}

int experiments_write_curves(const Experiments *E, const char *path, Error *err) {
    OutFile o;
    if (out_open(&o, path, err) != 0) return -1;
    int most = 0;
    for (int r = 0; r < E->n_runs; r++) most = E->hist[r].epochs > most ? E->hist[r].epochs : most;
    fprintf(o.f, "epoch");
    for (int e = 0; e < E->n_exp; e++) fprintf(o.f, "\t%s\t%s", E->exp[e].label, E->exp[e].label);
    for (int ep = 0; ep <= most; ep++) {
        fprintf(o.f, "\n%d", ep);
        for (int e = 0; e < E->n_exp; e++) {
            double loss = 0, acc = 0;
            int n = 0;
            for (int r = 0; r < E->n_runs; r++) {
                const History *h = &E->hist[r];
                if (E->runs[r].exp == e && ep <= h->epochs)
                    loss += h->val_loss[ep], acc += h->val_acc[ep], n++;
            }
            if (n) fprintf(o.f, "\t%.6g\t%.6g", loss / n, acc / n);
            else fprintf(o.f, "\tNaN\tNaN");
        }
    }
    fprintf(o.f, "\n");
    return out_commit(&o, err);
}

int experiments_write_accuracies(const Experiments *E, const char *path, Error *err) {
    OutFile o;
    if (out_open(&o, path, err) != 0) return -1;
    fprintf(o.f, "# x\ttest_acc\tseed\n");
    for (int r = 0; r < E->n_runs; r++) {
        const Run *run = &E->runs[r];
        int S = E->sum[run->exp].n, s = run->seed_index;
        fprintf(o.f, "%.4f\t%.4f\t%llu\n", run->exp + (S > 1 ? 0.5 * s / (S - 1) - 0.25 : 0.0),
                run->res.test_acc, (unsigned long long)run->seed);
    }
    fprintf(o.f, "\n\n# x\tmean\tlabel\n");
    for (int e = 0; e < E->n_exp; e++)
        fprintf(o.f, "%d\t%.4f\t%s\n", e, E->sum[e].acc.mean, E->exp[e].label);
    return out_commit(&o, err);
}
