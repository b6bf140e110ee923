// call.c: the judge's side of a call (see call.h): the regions, the frames,
// the checks on what comes back, the callbacks, and what to tell a student
// when the subject ends instead of answering.
#define _GNU_SOURCE  // strsignal
#include "judge/call.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exercise.h"
#include "judge/sandbox.h"

// How long to wait for the zygote's word that a subject has ended, once its
// replies have stopped (it has, or is about to: this is the kernel's time).
enum { STATUS_WAIT_MS = 10000 };

// A subject that waits (a sleep, a read that never comes) uses no processor
// time, and would hold its test until the wall clock's limit, which leaves
// room for a busy machine (5 times the processor time's: 50 s). So every
// IDLE_WAIT_S of waiting for it, the judge asks the zygote how much
// processor time it has used (wire.h); less than IDLE_CPU_MS since the last
// answer ends the test. Code that computes gets more than that even on a
// machine far busier than any test runs on: on 2 cores, 1% of one is its
// share beside 200 others that compute. An answer that does not come within
// CPU_ASK_S counts as none, and the next one starts afresh.
enum { IDLE_CPU_MS = 20 };
static const double IDLE_WAIT_S = 2.0, CPU_ASK_S = 1.0;

typedef struct {
    unsigned char *base;  // the judge's memory
    size_t size;
    int out;              // an argument the function may write lies in it
    int first;            // the first argument in it, for messages
} Region;

static struct {
    int note_fd, out_fd;
    CallLimits lim;
    int started;
    Subject s;
    double waited;        // seconds this test has waited for its subject
    double looked;        // what waited was when its processor time was last asked
    long cpu_ms;          // the answer then, or -1
    unsigned char asked;  // the number of that question
    int idle;             // it used next to no processor time: ended for that
    int has_held;         // the zygote's word that it ended, read while asking
    CtlMsg held;
    unsigned calls;
    const char *called[16];  // the contract functions it called, for the runner
    int ncalled;
    // the call being made
    const Call *c;
    Region r[WIRE_MAX_REGIONS];
    int nregions;
    int region_of[WIRE_MAX_ARGS];
    size_t offset_of[WIRE_MAX_ARGS];
    unsigned char guard[WIRE_GUARD];
    // what the subject said before it ended
    char todo[WIRE_MAX_NAME + 300];
    int exiting;
    int fault, fault_sig, fault_errno, fault_malloc;
    uint64_t fault_addr;
} t = {.note_fd = -1, .out_fd = -1};

// ---------------------------------------------------------------------------
// Ending a test: the note the runner reads, then Check's failure

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void note(const char *status) {
    if (t.note_fd < 0) return;
    char line[64];
    int n = snprintf(line, sizeof line, "status %s\n", status);
    (void)!write(t.note_fd, line, (size_t)n);
}

static void stop_subject(void) {
    if (!t.started) return;
    close(t.s.calls), close(t.s.replies), close(t.s.ctl);
    t.started = 0;
}

// The test ends here: status (the runner's word for it) and the message.
_Noreturn static void end(const char *status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn static void end(const char *status, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    stop_subject();
    note(status);
    ck_abort_msg("%s", msg);
    abort();  // not reached: ck_abort_msg ends the test
}

// A check on what came back failed: an ordinary failure.
#define FAIL(...) end("fail", __VA_ARGS__)

void call_test_begin(int note_fd, int output_fd, const CallLimits *lim) {
    t.note_fd = note_fd, t.out_fd = output_fd, t.lim = *lim;
    t.started = 0, t.waited = 0, t.calls = 0, t.ncalled = 0;
    t.looked = 0, t.cpu_ms = -1, t.idle = 0, t.has_held = 0;
}

void call_test_end(void) { stop_subject(); }

// The runner reports which contract functions a test called ("calls NAME"
// lines in the note), so that a table of progress can tell which exercise a
// test is about.
static void note_called(const char *function) {
    for (int i = 0; i < t.ncalled; i++)
        if (strcmp(t.called[i], function) == 0) return;
    if (t.ncalled == (int)(sizeof t.called / sizeof t.called[0])) return;
    t.called[t.ncalled++] = function;
    char line[WIRE_MAX_NAME + 8];
    snprintf(line, sizeof line, "calls %s\n", function);
    if (t.note_fd >= 0) (void)!write(t.note_fd, line, strlen(line));
}

static void start(const char *function) {
    note_called(function);
    if (t.started) return;
    SpawnMsg m = {
        .cpu_seconds = t.lim.cpu_seconds,
        .output_bytes = t.lim.output_bytes,
        .memory_bytes = (uint64_t)t.lim.memory_mib << 20,
        .processes = t.lim.processes,
    };
    char err[512];
    if (subject_start(&t.s, t.out_fd, &m, err, sizeof err) != 0)
        end("error", "the grader could not start a process to run %s in: %s", function, err);
    fcntl(t.s.calls, F_SETFL, O_NONBLOCK);
    fcntl(t.s.replies, F_SETFL, O_NONBLOCK);
    t.started = 1;
}

// ---------------------------------------------------------------------------
// Reading and writing within the test's time

// The subject's processor time so far, in ms, from the zygote; -1 if no
// answer comes within CPU_ASK_S (or the subject has ended: the zygote's word
// for that is kept for subject_ended).
static long subject_cpu_ms(void) {
    unsigned char ask[2] = {CTL_ASK_CPU, ++t.asked};
    if (t.has_held || send(t.s.ctl, ask, sizeof ask, MSG_NOSIGNAL | MSG_DONTWAIT) != sizeof ask)
        return -1;
    for (double until = now() + CPU_ASK_S;;) {
        double left = until - now();
        if (left <= 0) return -1;
        struct pollfd p = {t.s.ctl, POLLIN, 0};
        double t0 = now();
        int r = poll(&p, 1, (int)ceil(left * 1000));
        t.waited += now() - t0;
        if (r < 0 && errno == EINTR) continue;
        CtlMsg m;
        if (r != 1 || recv(t.s.ctl, &m, sizeof m, MSG_DONTWAIT) != sizeof m) return -1;
        if (m.tag != CTL_CPU) {
            t.held = m, t.has_held = 1;
            return -1;
        }
        if (m.value == t.asked) return (long)m.cpu_ms;  // (not a late answer to an earlier one)
    }
}

// Whether the subject has used less than IDLE_CPU_MS of processor time
// since the judge last asked (IDLE_WAIT_S of waiting ago).
static int subject_idle(void) {
    long before = t.cpu_ms;
    t.cpu_ms = subject_cpu_ms();
    t.looked = t.waited;
    return before >= 0 && t.cpu_ms >= 0 && t.cpu_ms - before < IDLE_CPU_MS;
}

// Waits until fd is ready (events), counting the time against the test: 0,
// or -2 when the test's time is up, or the subject is found waiting too
// (t.idle), or -1 when it has ended (or fd failed).
static int wait_for(int fd, short events) {
    for (;;) {
        double left = t.lim.seconds - t.waited;
        if (left <= 0) return -2;
        double look = t.looked + IDLE_WAIT_S - t.waited;
        if (look <= 0) {
            if (subject_idle()) {
                t.idle = 1;
                return -2;
            }
            if (t.has_held) return -1;  // the zygote said it ended (something else holds fd)
            continue;
        }
        struct pollfd p = {fd, events, 0};
        double t0 = now();
        int r = poll(&p, 1, (int)ceil(fmin(left, look) * 1000));
        t.waited += now() - t0;
        if (r > 0) return 0;
        if (r < 0 && errno != EINTR) return -1;
    }
}

// 0, -1 at end of file, -2 when the time is up.
static int read_all(void *p, size_t n) {
    unsigned char *d = p;
    while (n > 0) {
        ssize_t got = read(t.s.replies, d, n);
        if (got > 0) {
            d += got, n -= (size_t)got;
            continue;
        }
        if (got == 0) return -1;
        if (errno == EINTR) continue;
        if (errno != EAGAIN) return -1;
        int w = wait_for(t.s.replies, POLLIN);
        if (w != 0) return w;
    }
    return 0;
}

static int write_all(WireBuf *b) {
    if (wire_end(b) != 0) return -1;
    for (size_t at = 0; at < b->len;) {
        ssize_t w = write(t.s.calls, b->data + at, b->len - at);
        if (w > 0) {
            at += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno != EAGAIN) return -1;
        int r = wait_for(t.s.calls, POLLOUT);
        if (r != 0) return r;
    }
    return 0;
}

// ---------------------------------------------------------------------------
// When the subject ends instead of answering

static int has_line(const char *out, const char *marker, char *line, size_t size) {
    const char *p = out ? strstr(out, marker) : NULL;
    if (!p) return 0;
    p += strlen(marker);
    size_t n = strcspn(p, "\n");
    if (n >= size) n = size - 1;
    memcpy(line, p, n);
    line[n] = '\0';
    return 1;
}

// What the subject printed, for the messages that quote it (an assertion,
// a sanitizer's report).
static char *subject_output(void) {
    if (t.out_fd < 0) return NULL;
    off_t size = lseek(t.out_fd, 0, SEEK_END);
    if (size <= 0) return NULL;
    size_t n = size > 1 << 20 ? 1 << 20 : (size_t)size;
    char *buf = malloc(n + 1);
    if (!buf) return NULL;
    ssize_t got = pread(t.out_fd, buf, n, 0);
    buf[got > 0 ? got : 0] = '\0';
    return buf;
}

// The limit on a test is its processor time, which a busy machine does not
// stretch; the wall clock (timed_out) only ends code that waits.
_Noreturn static void out_of_cpu(const char *f) {
    end("timeout", "%s did not finish within %u s of processor time: an infinite loop?", f,
        t.lim.cpu_seconds);
}

_Noreturn static void ended_by_signal(const char *f, int sig, uint32_t cpu_ms) {
    char line[200];
    char *out = subject_output();
    switch (sig) {
    case SIGSEGV:
    case SIGBUS: {
        const char *name = sig == SIGSEGV ? "segmentation fault (SIGSEGV)" : "bus error (SIGBUS)";
        int low = t.fault && t.fault_addr < 65536;
        if (t.fault && (t.fault_malloc || (low && t.fault_errno == ENOMEM)))
            end("memory", "out of memory in %s: an allocation failed (a test may use %zu MiB) and "
                "the NULL it returned was used (%s)", f, t.lim.memory_mib, name);
        if (low)
            end("crash", "crashed in %s: %s at address 0x%lx: a NULL pointer?", f, name,
                (unsigned long)t.fault_addr);
        end("crash", "crashed in %s: %s: a read or write outside an array, or endless "
            "recursion?", f, name);
    }
    case SIGABRT:
        if (has_line(out, "Assertion ", line, sizeof line))
            end("crash", "crashed in %s: abort (SIGABRT): Assertion %s", f, line);
        end("crash", "crashed in %s: abort (SIGABRT): abort() was called, or the C library "
            "found its memory corrupted (a write past the end of an array?)", f);
    case SIGFPE:
        end("crash", "crashed in %s: arithmetic exception (SIGFPE): an integer division by zero?", f);
    case SIGILL: end("crash", "crashed in %s: illegal instruction (SIGILL)", f);
    case SIGTRAP: end("crash", "crashed in %s: trap (SIGTRAP)", f);
    case SIGXCPU: out_of_cpu(f);
    case SIGXFSZ:
        end("output", "%s printed more than %zu MiB of output: printing inside a loop?", f,
            t.lim.output_bytes >> 20);
    case SIGKILL:
        if (cpu_ms >= t.lim.cpu_seconds * 1000u) out_of_cpu(f);  // it ignored SIGXCPU
        end("memory", "%s was killed (SIGKILL), most likely for using too much memory", f);
    default:
        end("crash", "crashed in %s: signal %d (%s)", f, sig, strsignal(sig));
    }
}

_Noreturn static void ended_by_exit(const char *f, int code) {
    char line[300];
    char *out = subject_output();
    if (has_line(out, "AddressSanitizer failed to allocate ", line, sizeof line))
        end("memory", "out of memory in %s: an allocation of %s failed, and the NULL it returned "
            "was used", f, line);
    if (has_line(out, "ERROR: AddressSanitizer: ", line, sizeof line))
        end("crash", "crashed in %s: AddressSanitizer: %s", f, line);
    if (has_line(out, "runtime error: ", line, sizeof line))
        end("crash", "crashed in %s: undefined behaviour: %s", f, line);
    end("exit", "%s called %s(%d) before it returned: an exercise must return to its caller, "
        "not end the program", f, t.exiting ? "exit" : "_exit", code);
}

// The subject's replies have stopped: why.
_Noreturn static void subject_ended(const char *f) {
    if (t.todo[0]) end("todo", "not finished yet: exercise %s", t.todo);
    CtlMsg m = t.held;
    while (!t.has_held) {  // (past the answers to the judge's questions)
        struct pollfd p = {t.s.ctl, POLLIN, 0};
        int r;
        while ((r = poll(&p, 1, STATUS_WAIT_MS)) < 0 && errno == EINTR) {}
        if (r != 1 || recv(t.s.ctl, &m, sizeof m, 0) != sizeof m) break;
        t.has_held = m.tag != CTL_CPU;
    }
    if (!t.has_held || m.tag != CTL_EXITED)
        end("crash", "the process running %s ended without a word (was it killed?)", f);
    if (WIFSIGNALED(m.value)) ended_by_signal(f, WTERMSIG(m.value), m.cpu_ms);
    int code = WIFEXITED(m.value) ? WEXITSTATUS(m.value) : -1;
    if (code == EXERCISE_UNFINISHED)
        end("todo", "not finished yet: exercise %s (it stopped as unfinished)", f);
    ended_by_exit(f, code);
}

_Noreturn static void timed_out(const char *f) {
    if (t.idle)
        end("timeout", "%s did not finish, and used almost no processor time for %g s: does it "
            "wait for something (sleep, a read) that never comes?", f, IDLE_WAIT_S);
    end("timeout", "%s did not finish within %g s: does it wait for something (sleep, a "
        "read) that never comes?", f, t.lim.seconds);
}

_Noreturn static void malformed(const char *f, const char *what) {
    FAIL("the process running %s sent the grader %s: does the code write to files or "
         "descriptors that are not its own?", f, what);
}

// ---------------------------------------------------------------------------
// Regions

static int by_address(const void *a, const void *b) {
    const struct CallArg *x = *(const struct CallArg *const *)a, *y = *(const struct CallArg *const *)b;
    uintptr_t px = (uintptr_t)x->p, py = (uintptr_t)y->p;
    return px < py ? -1 : px > py;
}

// The arrays of the call as regions: those that overlap become one.
static void make_regions(const Call *c) {
    const struct CallArg *sorted[WIRE_MAX_ARGS];
    int n = 0;
    for (int i = 0; i < c->nargs; i++) {
        t.region_of[i] = -1;
        if (c->arg[i].kind == WARG_REGION && c->arg[i].p) sorted[n++] = &c->arg[i];
    }
    qsort(sorted, (size_t)n, sizeof sorted[0], by_address);
    t.nregions = 0;
    uintptr_t end_of = 0;
    for (int k = 0; k < n; k++) {
        const struct CallArg *a = sorted[k];
        int i = (int)(a - c->arg);
        uintptr_t start = (uintptr_t)a->p, stop = start + a->count * a->size;
        if (t.nregions == 0 || start >= end_of || start == stop) {
            if (t.nregions == WIRE_MAX_REGIONS) ck_abort_msg("grader bug: too many arrays in one call");
            t.r[t.nregions++] = (Region){(unsigned char *)a->p, 0, 0, i};
            end_of = start;
        }
        Region *r = &t.r[t.nregions - 1];
        if (stop > end_of) end_of = stop;
        r->size = end_of - (uintptr_t)r->base;
        r->out |= a->out;
        t.region_of[i] = t.nregions - 1;
        t.offset_of[i] = start - (uintptr_t)r->base;
    }
}

// The argument whose array holds byte `at` of region k, for a message: the
// smallest one when they nest (net->W[0] rather than net->params, which
// holds it), or the region's first argument.
static int arg_at(int k, size_t at) {
    int best = -1;
    for (int i = 0; i < t.c->nargs; i++) {
        size_t bytes = t.c->arg[i].count * t.c->arg[i].size;
        if (t.region_of[i] == k && at >= t.offset_of[i] && at < t.offset_of[i] + bytes &&
            (best < 0 || bytes < t.c->arg[best].count * t.c->arg[best].size))
            best = i;
    }
    return best >= 0 ? best : t.r[k].first;
}

// The guards of region k, as they came back in `bytes` (guard, data, guard),
// and its data against the judge's memory when no argument may write it.
// `when` says at which moment, for the message ("" or " before calling X").
static void check_region(int k, const unsigned char *bytes, const char *when) {
    const Region *r = &t.r[k];
    const char *f = t.c->function;
    const struct CallArg *first = &t.c->arg[r->first];
    size_t size = first->size ? first->size : 1;
    for (size_t j = WIRE_GUARD; j-- > 0;)
        if (bytes[j] != t.guard[j])
            FAIL("%s wrote before the start of %s%s: at element %ld (the first is element 0)", f,
                 first->name, when, -(long)((WIRE_GUARD - j + size - 1) / size));
    const unsigned char *after = bytes + WIRE_GUARD + r->size;
    for (size_t j = 0; j < WIRE_GUARD; j++)
        if (after[j] != t.guard[j]) {
            int i = arg_at(k, r->size ? r->size - 1 : 0);
            const struct CallArg *a = &t.c->arg[i];
            size_t asize = a->size ? a->size : 1;
            size_t el = (r->size - t.offset_of[i] + j) / asize;
            FAIL("%s wrote past the end of %s%s: at element %zu of an array of %zu (the last is "
                 "element %zu)", f, a->name, when, el, a->count, a->count ? a->count - 1 : 0);
        }
    if (r->out) return;
    const unsigned char *data = bytes + WIRE_GUARD;
    for (size_t j = 0; j < r->size; j++)
        if (data[j] != r->base[j]) {
            int i = arg_at(k, j);
            const struct CallArg *a = &t.c->arg[i];
            size_t asize = a->size ? a->size : 1;
            FAIL("%s changed its input %s%s (element %zu of %zu), which it may only read", f,
                 a->name, when, (j - t.offset_of[i]) / asize, a->count);
        }
}

// Every region, as the subject sent it (guard, data, guard each): checked,
// then what may be written is copied into the judge's memory.
static void take_regions(WireReader *rd, const char *when) {
    for (int k = 0; k < t.nregions; k++) {
        const unsigned char *bytes = wire_take(rd, t.r[k].size + 2 * WIRE_GUARD);
        if (!bytes) malformed(t.c->function, "a reply too short for its arrays");
        check_region(k, bytes, when);
        if (t.r[k].out) memcpy(t.r[k].base, bytes + WIRE_GUARD, t.r[k].size);
    }
}

// ---------------------------------------------------------------------------
// Callbacks

typedef struct {
    uint8_t kind;
    unsigned char *p;   // in the judge's memory, or a copy of the student's own array
    size_t bytes;
    int region;         // -1: inline (the student's own memory)
    size_t offset;
    int64_t i;
    double d;
} CbValue;

struct CallbackArgs {
    const char *op;
    int n;
    CbValue v[WIRE_MAX_ARGS];
};

static CbValue *cb_arg(CallbackArgs *a, int i, uint8_t kind) {
    if (i >= a->n)
        FAIL("%s called %s with %d arguments, fewer than it has", t.c->function, a->op, a->n);
    CbValue *v = &a->v[i];
    if (v->kind != kind && !(kind == WARG_REGION && (v->kind == WARG_INLINE || v->kind == WARG_NULL)))
        malformed(t.c->function, "a callback whose arguments are of the wrong kinds");
    return v;
}

static void *cb_array(CallbackArgs *a, int i, size_t count, size_t size, int null_ok, int out) {
    CbValue *v = cb_arg(a, i, WARG_REGION);
    if (v->kind == WARG_NULL) {
        if (null_ok) return NULL;
        FAIL("%s called %s with NULL as its argument %d, which must be an array", t.c->function,
             a->op, i + 1);
    }
    if (count > SIZE_MAX / (size ? size : 1) || v->bytes != count * size)
        malformed(t.c->function, "a callback whose arrays are not the sizes its numbers say");
    if (out && v->region >= 0 && !t.r[v->region].out)
        FAIL("%s gave %s its input %s to write into: %s may only read it", t.c->function, a->op,
             t.c->arg[arg_at(v->region, v->offset)].name, t.c->function);
    return v->p;
}

void *cb_in(CallbackArgs *a, int i, size_t count, size_t size, int null_ok) {
    return cb_array(a, i, count, size, null_ok, 0);
}

void *cb_out(CallbackArgs *a, int i, size_t count, size_t size, int null_ok) {
    return cb_array(a, i, count, size, null_ok, 1);
}

long cb_int(CallbackArgs *a, int i, long lo, long hi) {
    CbValue *v = cb_arg(a, i, WARG_INT);
    if (v->i < lo || v->i > hi)
        FAIL("%s called %s with %lld as its argument %d, outside %ld..%ld", t.c->function, a->op,
             (long long)v->i, i + 1, lo, hi);
    return (long)v->i;
}

double cb_double(CallbackArgs *a, int i) { return cb_arg(a, i, WARG_DOUBLE)->d; }

const char *cb_origin(CallbackArgs *a, int i, size_t size, long *offset) {
    CbValue *v = cb_arg(a, i, WARG_REGION);
    if (v->kind != WARG_REGION || v->region < 0) return NULL;
    int k = arg_at(v->region, v->offset);
    *offset = (long)((v->offset - t.offset_of[k]) / (size ? size : 1));
    return t.c->arg[k].name;
}

static const Callback *find_callback(const char *op, void **ctx) {
    for (int i = 0; i < t.c->nargs; i++) {
        const struct CallArg *a = &t.c->arg[i];
        if (a->kind != WARG_CALLBACKS) continue;
        for (int k = 0; k < a->ncbs; k++)
            if (strcmp(a->cbs[k].op, op) == 0) {
                *ctx = a->ctx;
                return &a->cbs[k];
            }
    }
    return NULL;
}

static void callback(const unsigned char *payload, size_t len) {
    const char *f = t.c->function;
    WireReader rd;
    wire_reader(&rd, payload, len);
    CallbackArgs a = {0};
    char op[WIRE_MAX_NAME];
    wire_get_str(&rd, op, sizeof op);
    a.op = op;
    void *ctx = NULL;
    const Callback *cb = rd.bad ? NULL : find_callback(op, &ctx);
    if (!cb) malformed(f, "a call of a function it was not given");
    char when[WIRE_MAX_NAME + 32];
    snprintf(when, sizeof when, " (before it called %s)", op);
    take_regions(&rd, when);
    uint32_t n = wire_get_u32(&rd);
    if (rd.bad || n > WIRE_MAX_ARGS) malformed(f, "a callback with too many arguments");
    a.n = (int)n;
    for (int i = 0; i < a.n; i++) {
        CbValue *v = &a.v[i];
        v->kind = wire_get_u8(&rd);
        v->region = -1;
        if (v->kind == WARG_REGION) {
            uint32_t k = wire_get_u32(&rd);
            v->offset = wire_get_u64(&rd);
            v->bytes = wire_get_u64(&rd);
            if (rd.bad || k >= (uint32_t)t.nregions || v->offset > t.r[k].size ||
                v->bytes > t.r[k].size - v->offset)
                malformed(f, "a callback whose array lies outside its arguments");
            v->region = (int)k;
            v->p = t.r[k].base + v->offset;
        } else if (v->kind == WARG_INLINE) {
            v->bytes = wire_get_u64(&rd);
            const void *bytes = wire_take(&rd, v->bytes);
            void *copy = NULL;
            if (!bytes || posix_memalign(&copy, 64, v->bytes ? v->bytes : 1) != 0)
                malformed(f, "a callback with an array it did not send");
            memcpy(copy, bytes, v->bytes);
            v->p = copy;
        } else if (v->kind == WARG_INT) {
            v->i = wire_get_i64(&rd);
        } else if (v->kind == WARG_DOUBLE) {
            v->d = wire_get_f64(&rd);
        } else if (v->kind != WARG_NULL) {
            malformed(f, "a callback argument of no known kind");
        }
    }
    if (!wire_done(&rd)) malformed(f, "a callback that does not parse");

    double value = cb->fn(&a, ctx);

    WireBuf b = {0};
    wire_begin(&b, FRAME_RESULT);
    wire_u8(&b, WRET_DOUBLE);
    wire_f64(&b, value);
    for (int k = 0; k < t.nregions; k++) wire_put(&b, t.r[k].base, t.r[k].size);
    for (int i = 0; i < a.n; i++)
        if (a.v[i].kind == WARG_INLINE) wire_put(&b, a.v[i].p, a.v[i].bytes), free(a.v[i].p);
    int w = write_all(&b);
    wire_free(&b);
    if (w == -2) timed_out(f);
    if (w != 0) subject_ended(f);
}

// ---------------------------------------------------------------------------
// A call

void call_begin(Call *c, const char *function) {
    c->function = function;
    c->nargs = 0;
}

static struct CallArg *next_arg(Call *c) {
    if (c->nargs == WIRE_MAX_ARGS) ck_abort_msg("grader bug: %s has too many arguments", c->function);
    struct CallArg *a = &c->arg[c->nargs++];
    memset(a, 0, sizeof *a);
    return a;
}

void call_in(Call *c, const char *name, const void *p, size_t count, size_t size) {
    struct CallArg *a = next_arg(c);
    a->kind = WARG_REGION, a->name = name, a->p = p, a->count = count, a->size = size;
}

void call_out(Call *c, const char *name, void *p, size_t count, size_t size) {
    call_in(c, name, p, count, size);
    c->arg[c->nargs - 1].out = 1;
}

void call_int(Call *c, long v) {
    struct CallArg *a = next_arg(c);
    a->kind = WARG_INT, a->i = v;
}

void call_double(Call *c, double v) {
    struct CallArg *a = next_arg(c);
    a->kind = WARG_DOUBLE, a->d = v;
}

void call_callbacks(Call *c, unsigned which, const Callback *cbs, int n, void *ctx) {
    struct CallArg *a = next_arg(c);
    a->kind = WARG_CALLBACKS, a->which = which, a->cbs = cbs, a->ncbs = n, a->ctx = ctx;
}

static void send_call(const Call *c) {
    t.calls++;
    uint64_t x = 0x9e3779b97f4a7c15ull * (t.calls + 1) ^ (uint64_t)getpid();
    for (int j = 0; j < WIRE_GUARD; j++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        t.guard[j] = (unsigned char)(x >> 24) | 1;  // never 0, the commonest stray byte
    }
    WireBuf b = {0};
    wire_begin(&b, FRAME_CALL);
    wire_str(&b, c->function);
    wire_u32(&b, (uint32_t)t.nregions);
    for (int k = 0; k < t.nregions; k++) wire_u64(&b, t.r[k].size);
    wire_put(&b, t.guard, WIRE_GUARD);
    for (int k = 0; k < t.nregions; k++) wire_put(&b, t.r[k].base, t.r[k].size);
    wire_u32(&b, (uint32_t)c->nargs);
    for (int i = 0; i < c->nargs; i++) {
        const struct CallArg *a = &c->arg[i];
        if (a->kind == WARG_REGION && !a->p) {
            wire_u8(&b, WARG_NULL);
            continue;
        }
        wire_u8(&b, (uint8_t)a->kind);
        switch (a->kind) {
        case WARG_REGION: wire_u32(&b, (uint32_t)t.region_of[i]), wire_u64(&b, t.offset_of[i]); break;
        case WARG_INT: wire_i64(&b, a->i); break;
        case WARG_DOUBLE: wire_f64(&b, a->d); break;
        case WARG_CALLBACKS: wire_u32(&b, a->which); break;
        default: break;
        }
    }
    int w = write_all(&b);
    wire_free(&b);
    if (w == -2) timed_out(c->function);
    if (w != 0) subject_ended(c->function);
}

// Reads frames until the RETURN, answering callbacks on the way; returns its
// payload (the caller frees it).
static unsigned char *await_return(size_t *len) {
    const char *f = t.c->function;
    size_t want = 1 + 8 + 8;
    for (int k = 0; k < t.nregions; k++) want += t.r[k].size + 2 * WIRE_GUARD;
    for (;;) {
        WireHeader h;
        int r = read_all(&h, sizeof h);
        if (r == -2) timed_out(f);
        if (r != 0) subject_ended(f);
        if (h.magic != WIRE_MAGIC) malformed(f, "bytes that are not a reply");
        size_t limit = h.type == FRAME_RETURN   ? want
                     : h.type == FRAME_CALLBACK ? (size_t)WIRE_MAX_PAYLOAD
                     : h.type == FRAME_TODO     ? 1024
                     : h.type == FRAME_EXITING  ? 0
                     : h.type == FRAME_FAULT    ? 20
                                                : 0;
        if (h.type < FRAME_RETURN || h.type > FRAME_FAULT || h.length > limit ||
            (h.type == FRAME_RETURN && h.length != want) || (h.type == FRAME_FAULT && h.length != 20))
            malformed(f, "a reply of the wrong kind or length");
        unsigned char *p = malloc(h.length ? h.length : 1);
        if (!p) end("error", "the grader ran out of memory reading a reply of %zu bytes", (size_t)h.length);
        r = read_all(p, h.length);
        if (r == -2) timed_out(f);
        if (r != 0) subject_ended(f);
        WireReader rd;
        wire_reader(&rd, p, h.length);
        switch ((Frame)h.type) {
        case FRAME_RETURN:
            *len = h.length;
            return p;
        case FRAME_CALLBACK: callback(p, h.length); break;
        case FRAME_TODO: {
            char name[WIRE_MAX_NAME], file[256];
            wire_get_str(&rd, name, sizeof name);
            wire_get_str(&rd, file, sizeof file);
            if (wire_done(&rd)) snprintf(t.todo, sizeof t.todo, "%s in %s", name, file);
            break;
        }
        case FRAME_EXITING: t.exiting = 1; break;
        case FRAME_FAULT:
            t.fault = 1;
            t.fault_sig = (int)wire_get_u32(&rd);
            t.fault_addr = wire_get_u64(&rd);
            t.fault_errno = (int)(int32_t)wire_get_u32(&rd);
            t.fault_malloc = wire_get_u32(&rd) != 0;
            break;
        default: break;
        }
        free(p);
    }
}

// The call itself: what returns is checked and copied in; the return value
// as the subject gave it.
static void run(Call *c, WireRet kind, int64_t *ri, double *rd_out) {
    t.c = c;
    t.todo[0] = '\0', t.exiting = 0, t.fault = 0;
    start(c->function);
    make_regions(c);
    send_call(c);
    size_t len;
    unsigned char *p = await_return(&len);
    WireReader rd;
    wire_reader(&rd, p, len);
    uint8_t got = wire_get_u8(&rd);
    uint64_t bits = wire_get_u64(&rd);
    uint64_t allocations = wire_get_u64(&rd);
    if (got != (uint8_t)kind) malformed(c->function, "a return value of the wrong kind");
    take_regions(&rd, "");
    if (!wire_done(&rd)) malformed(c->function, "a reply that does not parse");
    free(p);
    if (allocations > 0)
        FAIL("%s allocated memory (malloc, calloc or realloc, %llu time%s): no function of the "
             "contract allocates; work in the arrays it is given, or in local variables",
             c->function, (unsigned long long)allocations, allocations == 1 ? "" : "s");
    memcpy(ri, &bits, 8);
    memcpy(rd_out, &bits, 8);
}

void call_run(Call *c) {
    int64_t i;
    double d;
    run(c, WRET_VOID, &i, &d);
}

long call_run_int(Call *c) {
    int64_t i;
    double d;
    run(c, WRET_INT, &i, &d);
    return (long)i;
}

double call_run_double(Call *c) {
    int64_t i;
    double d;
    run(c, WRET_DOUBLE, &i, &d);
    return d;
}
