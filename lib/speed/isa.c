// isa.c: fast.h's and rates.h's functions, each calling a copy of
// lib/speed/ (isa.h): fast_create the widest copy this processor runs, or
// the one WB_FAST_COPY names; a Fast then goes on with the copy that made
// it.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa.h"
#include "rates.h"

typedef struct {
    const char *name;  // as -march names it
    const SpeedFast *fast;
    const SpeedRates *rates;
} Copy;

#define COPY(name, isa) {name, &SPEED_COPY_AT(speed_fast, isa), &SPEED_COPY_AT(speed_rates, isa)}
#define DECLARE(isa)                                       \
    extern const SpeedFast SPEED_COPY_AT(speed_fast, isa); \
    extern const SpeedRates SPEED_COPY_AT(speed_rates, isa);

#ifdef WB_SPEED_X86  // (mk/build.mk: compiled for each kind of x86-64)
DECLARE(v4)
DECLARE(v3)
DECLARE(v1)
static const Copy copies[] = {COPY("x86-64-v4", v4), COPY("x86-64-v3", v3), COPY("x86-64", v1)};

// Whether the processor runs code compiled with -march=x86-64-vN (the
// system's part included: AVX's registers need the kernel to save them).
static bool runs_v3(void) {
#if defined(__clang__)
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
           __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
           __builtin_cpu_supports("f16c") && __builtin_cpu_supports("movbe") &&
           __builtin_cpu_supports("lzcnt");
#else
    return __builtin_cpu_supports("x86-64-v3");
#endif
}
static bool runs_v4(void) {
#if defined(__clang__)
    return runs_v3() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl");
#else
    return __builtin_cpu_supports("x86-64-v4");
#endif
}

static bool runs(size_t i) {  // whether this processor runs copies[i]
    __builtin_cpu_init();  // (done already, unless this runs before the constructors)
    return i == 0 ? runs_v4() : i == 1 ? runs_v3() : true;
}
#else
DECLARE(native)
static const Copy copies[] = {COPY("native", native)};
static bool runs(size_t i) { return i == 0; }
#endif
enum { N_COPIES = sizeof copies / sizeof copies[0] };
_Static_assert((int)N_COPIES <= (int)FAST_MAX_COPIES, "fast.h's FAST_MAX_COPIES");

static const Copy *widest(void) {
    size_t i = 0;
    while (!runs(i)) i++;  // (the last copy runs anywhere)
    return &copies[i];
}

// The copy that fast_create takes: WB_FAST_COPY's, if it names one, else
// the widest. NULL if WB_FAST_COPY names none that this processor runs.
static const Copy *chosen(void) {
    const char *want = getenv("WB_FAST_COPY");
    if (!want || !*want) return widest();
    for (size_t i = 0; i < N_COPIES; i++)
        if (strcmp(want, copies[i].name) == 0 && runs(i)) return &copies[i];
    return NULL;
}

const char *fast_copy(void) {
    const Copy *c = chosen();
    return c ? c->name : NULL;
}

int fast_copies(const char *names[FAST_MAX_COPIES]) {
    int n = 0;
    for (size_t i = 0; i < N_COPIES; i++)
        if (runs(i)) names[n++] = copies[i].name;
    return n;
}

// ---------------------------------------------------------------------------
// fast.h

static const SpeedFast *made(const Fast *f) { return ((const FastHead *)(const void *)f)->copy; }

const char *fast_unsupported(const Net *net, const Mnist *data) {
    return widest()->fast->unsupported(net, data);  // (the same in every copy)
}

int fast_create(Fast **f, const Net *net, const Config *cfg, const Mnist *data, int threads,
                Error *err) {
    *f = NULL;
    const Copy *c = chosen();
    if (!c) {
        const char *names[FAST_MAX_COPIES];
        char list[128] = "";
        int n = fast_copies(names);
        for (int i = 0; i < n; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                     names[i]);
        return error_set(err, "WB_FAST_COPY=%s: the fast path has no such copy for this "
                         "processor (it has: %s)", getenv("WB_FAST_COPY"), list);
    }
    return c->fast->create(f, net, cfg, data, threads, err);
}

void fast_free(Fast *f) {
    if (f) made(f)->free(f);
}
int fast_threads(const Fast *f) { return made(f)->threads(f); }
void fast_load(Fast *f, const Net *net) { made(f)->load(f, net); }
void fast_store(const Fast *f, Net *net) { made(f)->store(f, net); }
void fast_step(Fast *f, const int *idx, int B) { made(f)->step(f, idx, B); }
void fast_evaluate(double *loss, double *acc, Fast *f, const Split *s) {
    made(f)->evaluate(loss, acc, f, s);
}

// Shared with the copy that fast_create takes (each copy keeps its own).
bool fast_share(const Mnist *data) {
    const Copy *c = chosen();
    return c && c->fast->share(data);
}
void fast_unshare(void) {
    for (size_t i = 0; i < N_COPIES; i++)
        if (runs(i)) copies[i].fast->unshare();
}

// ---------------------------------------------------------------------------
// rates.h

// (In the copy that fast_create takes, so that the rates are its kernels'.)
double speed_peak_rate(void) {
    const Copy *c = chosen();
    return c ? c->rates->peak() : 0;
}
double speed_axpy_rate(void) {
    const Copy *c = chosen();
    return c ? c->rates->axpy() : 0;
}
