// runstore.c: finished runs kept under a hash of what made them (see runstore.h).
#include "runstore.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

// ---------------------------------------------------------------------------
// The hash: 64-bit FNV-1a, enough to tell runs apart, not a defence

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static int hash_file(uint64_t *h, const char *path, Error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return error_set(err, "%s: cannot read this program's own bytes: %s", path,
                             strerror(errno));
    unsigned char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) *h = fnv(*h, buf, n);
    int bad = ferror(f);
    fclose(f);
    return bad ? error_set(err, "%s: read error", path) : 0;
}

// A split's images and labels, and how each image is normalized.
static uint64_t hash_split(uint64_t h, const Split *s) {
    h = fnv(h, &s->n, sizeof s->n);
    h = fnv(h, s->pixels, (size_t)s->n * s->dim);
    h = fnv(h, s->labels, (size_t)s->n);
    h = fnv(h, s->mean, sizeof(double) * (size_t)s->n);
    return fnv(h, s->inv_sd, sizeof(double) * (size_t)s->n);
}

int runstore_open(RunStore *st, const char *dir, const char *code_id, const char *argv0,
                  const Mnist *data, Error *err) {
    memset(st, 0, sizeof *st);
    if (strlen(dir) >= sizeof st->dir) return error_path_too_long(err, dir, sizeof st->dir - 1);
    snprintf(st->dir, sizeof st->dir, "%s", dir);
    if (make_dirs(dir, err) != 0) return -1;
    uint64_t h = 0xcbf29ce484222325ull;
    if (code_id && *code_id) {
        h = fnv(h, "code ", 5);
        h = fnv(h, code_id, strlen(code_id));
    } else {
        const char *self = access("/proc/self/exe", R_OK) == 0 ? "/proc/self/exe" : argv0;
        if (!self) return error_set(err, "%s: no code id given, and no way to read this "
                                         "program's own bytes", dir);
        if (hash_file(&h, self, err) != 0) return -1;
    }
    h = hash_split(hash_split(hash_split(h, &data->train), &data->val), &data->test);
    st->base = fnv(h, &data->norm, sizeof data->norm);
    return 0;
}

int runstore_scratch(RunStore *st, const char *dir, Error *err) {
    memset(st, 0, sizeof *st);
    if (strlen(dir) >= sizeof st->dir) return error_path_too_long(err, dir, sizeof st->dir - 1);
    snprintf(st->dir, sizeof st->dir, "%s", dir);
    struct stat s;  // (a link would take the emptying below to wherever it points)
    if (lstat(dir, &s) == 0 && !S_ISDIR(s.st_mode))
        return error_set(err, "%s: is not a folder but a link or a file, where the training "
                              "keeps runs for a while and then deletes them: move it away", dir);
    runstore_remove(st);
    return make_dirs(dir, err);
}

void runstore_remove(const RunStore *st) {
    DIR *d = opendir(st->dir);
    if (!d) return;
    char path[sizeof st->dir + 300];
    for (struct dirent *e; (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        snprintf(path, sizeof path, "%s/%s", st->dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(st->dir);
}

uint64_t runstore_key(const RunStore *st, const Config *cfg, uint64_t seed) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) return st->base ^ 0xdeadull;  // equal to no real run's: it trains
    config_print(f, cfg);
    fclose(f);
    uint64_t h = fnv(st->base, text, len);
    free(text);
    return fnv(h, &seed, sizeof seed);
}

void runstore_stem(char *buf, const char *name, uint64_t seed, uint64_t key) {
    snprintf(buf, RUNSTORE_STEM_MAX, "%.47s-seed%" PRIu64 "-%016" PRIx64, name, seed, key);
}

int runstore_find(char *buf, const RunStore *st, uint64_t key, Error *err) {
    char tail[32];
    snprintf(tail, sizeof tail, "-%016" PRIx64 ".tsv", key);
    size_t nt = strlen(tail);
    DIR *d = opendir(st->dir);
    if (!d) return error_set(err, "%s: cannot read the runs: %s", st->dir, strerror(errno));
    int found = 0;
    for (struct dirent *e; !found && (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n > nt && n - 4 < RUNSTORE_STEM_MAX && strcmp(e->d_name + n - nt, tail) == 0) {
            snprintf(buf, RUNSTORE_STEM_MAX, "%.*s", (int)(n - 4), e->d_name);
            found = 1;
        }
    }
    closedir(d);
    return found;
}

// dst, a copy of src's bytes (dst appears whole or not at all).
static int copy_file(const char *dst, const char *src, Error *err) {
    FILE *in = fopen(src, "rb");
    if (!in) return error_set(err, "%s: cannot read: %s", src, strerror(errno));
    OutFile o;
    if (out_open(&o, dst, err) != 0) {
        fclose(in);
        return -1;
    }
    char buf[1 << 15];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, o.f);
    int bad = ferror(in);
    fclose(in);
    if (bad) {
        out_abort(&o);
        return error_set(err, "%s: read error", src);
    }
    return out_commit(&o, err);
}

// Each file is written under a name of this process's own, then renamed into
// place: two programs that keep the same run at once (make -j) each leave a
// whole file, never one of mixed bytes.
static int rename_into(const char *tmp, const char *path, Error *err) {
    if (rename(tmp, path) == 0) return 0;
    int e = errno;
    remove(tmp);
    return error_set(err, "%s: cannot rename into place: %s", path, strerror(e));
}

// ---------------------------------------------------------------------------
// STEM.net: what a chapter needs to take a run up exactly (the TSV's numbers
// are rounded for reading). Raw bytes of this machine: the store is a cache
// for one build, not a format to exchange.

static const char NET_MAGIC[8] = {'w', 'b', '-', 'r', 'u', 'n', '0', '1'};

typedef struct {
    char magic[8];
    int32_t epochs_run, best_epoch, kept_epoch, stopped_early, fast_threads, train_split;
    double best_val_loss, test_loss, test_acc, val_acc, seconds, epoch_seconds;
    int64_t n_params;
} NetHeader;

static int write_net(const char *path, const TrainResult *res, const Net *net,
                     TrainSplitMetrics train_split, Error *err) {
    NetHeader h;
    memset(&h, 0, sizeof h);  // (the padding too: the bytes written are all set)
    memcpy(h.magic, NET_MAGIC, sizeof h.magic);
    h.epochs_run = res->epochs_run, h.best_epoch = res->best_epoch;
    h.kept_epoch = res->kept_epoch, h.stopped_early = res->stopped_early;
    h.fast_threads = res->fast_threads, h.train_split = (int32_t)train_split;
    h.best_val_loss = res->best_val_loss, h.test_loss = res->test_loss;
    h.test_acc = res->test_acc, h.val_acc = res->val_acc;
    h.seconds = res->seconds, h.epoch_seconds = res->epoch_seconds;
    h.n_params = net->n_params;
    OutFile o;
    if (out_open(&o, path, err) != 0) return -1;
    fwrite(&h, sizeof h, 1, o.f);
    fwrite(net->params, sizeof(double), (size_t)net->n_params, o.f);
    return out_commit(&o, err);
}

// 1: its result into res and its n weights into params (malloc'd, the
// caller's to free); 0: the file is missing, not ours, of another size or
// measured at other epochs; -1 with err: it cannot be read.
static int read_net(const char *path, TrainResult *res, double **params, int n,
                    TrainSplitMetrics train_split, Error *err) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? 0 : error_set(err, "%s: cannot read: %s", path, strerror(errno));
    NetHeader h;
    double *w = NULL;
    int rc = 0;
    if (fread(&h, sizeof h, 1, f) != 1 || memcmp(h.magic, NET_MAGIC, sizeof h.magic) != 0 ||
        h.n_params != n || h.train_split != (int32_t)train_split)
        goto done;
    w = malloc(sizeof(double) * (size_t)n);
    if (!w) {
        rc = error_set(err, "%s: out of memory for %d weights", path, n);
        goto done;
    }
    if (fread(w, sizeof(double), (size_t)n, f) != (size_t)n || fgetc(f) != EOF)
        goto done;  // cut short, or longer: not a whole run
    *res = (TrainResult){.epochs_run = h.epochs_run, .best_epoch = h.best_epoch,
                         .kept_epoch = h.kept_epoch, .stopped_early = h.stopped_early != 0,
                         .best_val_loss = h.best_val_loss, .test_loss = h.test_loss,
                         .test_acc = h.test_acc, .val_acc = h.val_acc, .seconds = h.seconds,
                         .epoch_seconds = h.epoch_seconds, .fast_threads = h.fast_threads};
    *params = w, w = NULL;
    rc = 1;
done:
    if (rc == 0 && ferror(f)) rc = error_set(err, "%s: read error", path);
    free(w);
    fclose(f);
    return rc;
}

// ---------------------------------------------------------------------------
// Keeping a run, and taking one up

int runstore_put(const RunStore *st, const char *stem, const char *experiment, uint64_t seed,
                 const char *metrics_path, const TrainResult *res, const Net *net,
                 TrainSplitMetrics train_split, Error *err) {
    char path[1200], tmp[1232];
    snprintf(path, sizeof path, "%s/%s.metrics.tsv", st->dir, stem);
    snprintf(tmp, sizeof tmp, "%s.%ld", path, (long)getpid());
    if (strcmp(path, metrics_path) != 0 &&
        (copy_file(tmp, metrics_path, err) != 0 || rename_into(tmp, path, err) != 0))
        return -1;
    snprintf(path, sizeof path, "%s/%s.net", st->dir, stem);
    snprintf(tmp, sizeof tmp, "%s.%ld", path, (long)getpid());
    if (write_net(tmp, res, net, train_split, err) != 0 || rename_into(tmp, path, err) != 0)
        return -1;
    Values v = {0};
    values_set(&v, "experiment", "%s", experiment);
    values_set(&v, "seed", "%" PRIu64, seed);
    values_set(&v, "test_acc", "%.4f", res->test_acc);
    values_set(&v, "test_loss", "%.6f", res->test_loss);
    values_set(&v, "val_acc", "%.4f", res->val_acc);
    values_set(&v, "best_val_loss", "%.6f", res->best_val_loss);
    values_set(&v, "epochs_run", "%d", res->epochs_run);
    values_set(&v, "kept_epoch", "%d", res->kept_epoch);
    values_set(&v, "best_epoch", "%d", res->best_epoch);
    values_set(&v, "stopped_early", "%d", res->stopped_early);
    values_set(&v, "train_s", "%.3f", res->seconds);
    values_set(&v, "epoch_s", "%.4f", res->epoch_seconds);
    values_set(&v, "fast_threads", "%d", res->fast_threads);
    values_set(&v, "train_split", "%s",
               train_split == TRAIN_SPLIT_EVERY_EPOCH ? "every epoch"
               : train_split == TRAIN_SPLIT_AT_END    ? "at the end"
                                                      : "never");
    snprintf(path, sizeof path, "%s/%s.tsv", st->dir, stem);
    snprintf(tmp, sizeof tmp, "%s.%ld", path, (long)getpid());
    if (values_write(&v, tmp, err) != 0) return -1;
    return rename_into(tmp, path, err);
}

int runstore_get(const RunStore *st, const char *stem, TrainResult *res, Net *net,
                 const char *metrics_path, TrainSplitMetrics train_split, Error *err) {
    char path[1200];
    snprintf(path, sizeof path, "%s/%s.tsv", st->dir, stem);
    if (access(path, F_OK) != 0) return 0;  // not finished: its result is written last
    TrainResult got;
    double *params = NULL;
    snprintf(path, sizeof path, "%s/%s.net", st->dir, stem);
    int rc = read_net(path, &got, &params, net->n_params, train_split, err);
    if (rc == 1) {  // net and res change only once the metrics are in place too
        snprintf(path, sizeof path, "%s/%s.metrics.tsv", st->dir, stem);
        if (copy_file(metrics_path, path, err) != 0) rc = -1;
    }
    if (rc == 1) {
        memcpy(net->params, params, sizeof(double) * (size_t)net->n_params);
        *res = got;
    }
    free(params);
    return rc;
}
