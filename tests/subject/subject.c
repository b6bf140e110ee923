// subject.c: the subject's program (see subject.h): a zygote that starts one
// fresh process per test, and in that process, the loop that makes the
// judge's calls.
//
//   subject --zygote [--kill-all]
//
// fd 3 is a SOCK_SEQPACKET socket from the judge's runner (judge/sandbox.c).
// For each test the runner sends one SPAWN message with four descriptors:
// the calls to read, the replies to write, the file for the test's output,
// and a control socket. The zygote ends whatever the last test left behind,
// forks the test's process and says its pid on the control socket, then its
// wait status when it ends (and, whenever the judge asks, the processor time
// it has used so far). No student code runs in the zygote itself: the
// grader refuses objects with constructors, so the submission's code runs
// only when a call reaches it, in a forked process.
//
// --kill-all: the zygote is alone in its sandbox (a PID namespace, or a user
// id of its own), so "whatever the last test left behind" is every other
// process it may signal: kill(-1). Without it (a grading that trusts the
// submission) it kills the test process's group only.
#define _GNU_SOURCE  // SCM_RIGHTS helpers, strsignal
#include "subject/subject.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exercise.h"

#if defined(__SANITIZE_ADDRESS__)
#define WB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WB_ASAN 1
#endif
#endif

enum { CALL_FD = 3, REPLY_FD = 4 };

#ifdef WB_ASAN
// AddressSanitizer reserves terabytes of shadow memory: no RLIMIT_AS for it
// (become_test). Instead it caps single allocations, and malloc returns NULL
// as it would under the limit. Leaks are not what tests grade.
const char *__asan_default_options(void);
const char *__asan_default_options(void) {
    return "detect_leaks=0:allocator_may_return_null=1:max_allocation_size_mb=1024";
}
#endif

// ---------------------------------------------------------------------------
// The call being made

typedef struct {
    unsigned char *base;  // guard, data, guard
    unsigned char *data;
    size_t size;
} Region;

struct Args {
    int n;
    struct {
        uint8_t kind;
        void *p;
        int64_t i;
        double d;
        uint32_t which;
    } v[WIRE_MAX_ARGS];
    WireRet ret;
    int64_t ret_i;
    double ret_d;
};

static struct {
    Region r[WIRE_MAX_REGIONS];
    int nregions;
    unsigned char guard[WIRE_GUARD];
    char name[WIRE_MAX_NAME];
} call;

static volatile sig_atomic_t in_call;        // the student's code is running
static volatile sig_atomic_t malloc_failed;  // an allocation of theirs returned NULL
static unsigned long allocations;            // ...and how many they made

// The judge sent something this program cannot make sense of: a bug of the
// grader's, never the student's. Said on stderr (the test's output), and the
// process ends; the judge reports it.
_Noreturn static void protocol_error(const char *what) {
    fprintf(stderr, "subject: %s\n", what);
    _exit(70);
}

static void check_arg(const Args *a, int i, uint8_t kind) {
    if (i < 0 || i >= a->n) protocol_error("an argument the call does not have");
    if (a->v[i].kind != kind && !(kind == WARG_REGION && a->v[i].kind == WARG_NULL))
        protocol_error("an argument of another kind");
}

void *arg_ptr(Args *a, int i) {
    check_arg(a, i, WARG_REGION);
    return a->v[i].p;
}

long arg_int(Args *a, int i) {
    check_arg(a, i, WARG_INT);
    return (long)a->v[i].i;
}

double arg_double(Args *a, int i) {
    check_arg(a, i, WARG_DOUBLE);
    return a->v[i].d;
}

unsigned arg_callbacks(Args *a, int i) {
    check_arg(a, i, WARG_CALLBACKS);
    return a->v[i].which;
}

void ret_int(Args *a, long v) { a->ret = WRET_INT, a->ret_i = v; }
void ret_double(Args *a, double v) { a->ret = WRET_DOUBLE, a->ret_d = v; }

// ---------------------------------------------------------------------------
// What the student's code may call that is not theirs: the unfinished
// exercise, exit, and (counted) the allocator.

void exercise_unfinished(const char *name, const char *file) {
    WireBuf b = {0};
    wire_begin(&b, FRAME_TODO);
    wire_str(&b, name);
    wire_str(&b, file);
    fflush(stdout);
    wire_send(&b, REPLY_FD);
    _exit(EXERCISE_UNFINISHED);
}

static void on_exit_during_call(void) {
    if (!in_call) return;
    WireBuf b = {0};
    wire_begin(&b, FRAME_EXITING);
    wire_send(&b, REPLY_FD);
}

// The contracts say that no function allocates: the judge fails a call that
// did. The student's object is linked with --wrap=malloc (and calloc,
// realloc), so its calls come here; the C library's own do not.
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static void *counted(void *p) {
    if (in_call) {
        allocations++;
        if (!p) malloc_failed = 1;
    }
    return p;
}

void *__wrap_malloc(size_t n) { return counted(__real_malloc(n)); }
void *__wrap_calloc(size_t n, size_t size) { return counted(__real_calloc(n, size)); }
void *__wrap_realloc(void *p, size_t n) { return counted(__real_realloc(p, n)); }

// A fatal signal: say which, where, and whether an allocation had failed (a
// NULL from malloc under the memory limit, then used), then die of it.
// Everything here is async-signal-safe: a frame built in place, one write().
static void on_fatal(int sig, siginfo_t *info, void *context) {
    (void)context;
    int saved_errno = errno;
    struct {
        WireHeader h;
        uint32_t sig;
        uint64_t addr;
        int32_t err;
        uint32_t malloc_failed;
    } __attribute__((packed)) f = {
        {WIRE_MAGIC, FRAME_FAULT, sizeof f - sizeof(WireHeader)},
        (uint32_t)sig,
        (uint64_t)(uintptr_t)info->si_addr,
        saved_errno,
        (uint32_t)malloc_failed,
    };
    (void)!write(REPLY_FD, &f, sizeof f);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void catch_fatal_signals(void) {
    static char altstack[1 << 16];  // a stack overflow still gets its frame
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    sigaltstack(&ss, NULL);
    struct sigaction sa = {.sa_sigaction = on_fatal, .sa_flags = SA_SIGINFO | SA_ONSTACK};
    sigemptyset(&sa.sa_mask);
    const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGXCPU, SIGXFSZ};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);
}

// ---------------------------------------------------------------------------
// One call

static void free_regions(void) {
    for (int i = 0; i < call.nregions; i++) free(call.r[i].base);
    call.nregions = 0;
}

static void put_regions(WireBuf *b) {
    for (int i = 0; i < call.nregions; i++)
        wire_put(b, call.r[i].base, call.r[i].size + 2 * WIRE_GUARD);
}

// CALL: name, regions, guard, their bytes, arguments.
static void read_call(WireReader *rd, Args *a) {
    wire_get_str(rd, call.name, sizeof call.name);
    uint32_t nr = wire_get_u32(rd);
    if (rd->bad || nr > WIRE_MAX_REGIONS) protocol_error("too many regions");
    uint64_t sizes[WIRE_MAX_REGIONS];
    for (uint32_t i = 0; i < nr; i++) sizes[i] = wire_get_u64(rd);
    const void *g = wire_take(rd, WIRE_GUARD);
    if (!g) protocol_error("a call without its guard");
    memcpy(call.guard, g, WIRE_GUARD);
    for (uint32_t i = 0; i < nr; i++) {
        const void *bytes = wire_take(rd, sizes[i]);
        if (!bytes) protocol_error("a region shorter than its size");
        void *base = NULL;
        if (posix_memalign(&base, 64, sizes[i] + 2 * WIRE_GUARD) != 0) protocol_error("out of memory");
        Region *r = &call.r[call.nregions++];
        r->base = base, r->data = r->base + WIRE_GUARD, r->size = sizes[i];
        memcpy(r->base, call.guard, WIRE_GUARD);
        memcpy(r->data, bytes, r->size);
        memcpy(r->data + r->size, call.guard, WIRE_GUARD);
    }
    a->n = (int)wire_get_u32(rd);
    if (rd->bad || a->n > WIRE_MAX_ARGS) protocol_error("too many arguments");
    for (int i = 0; i < a->n; i++) {
        uint8_t kind = wire_get_u8(rd);
        a->v[i].kind = kind;
        switch (kind) {
        case WARG_REGION: {
            uint32_t r = wire_get_u32(rd);
            uint64_t off = wire_get_u64(rd);
            if (r >= (uint32_t)call.nregions || off > call.r[r].size)
                protocol_error("an argument outside its region");
            a->v[i].p = call.r[r].data + off;
            break;
        }
        case WARG_NULL: a->v[i].p = NULL; break;
        case WARG_INT: a->v[i].i = wire_get_i64(rd); break;
        case WARG_DOUBLE: a->v[i].d = wire_get_f64(rd); break;
        case WARG_CALLBACKS: a->v[i].which = wire_get_u32(rd); break;
        default: protocol_error("an argument of no known kind");
        }
    }
    if (!wire_done(rd)) protocol_error("a call that does not parse");
}

static void make_call(const unsigned char *payload, size_t len) {
    WireReader rd;
    wire_reader(&rd, payload, len);
    Args a = {0};
    read_call(&rd, &a);
    const Served *s = NULL;
    for (int i = 0; i < served_count; i++)
        if (strcmp(served[i].name, call.name) == 0) s = &served[i];
    if (!s) protocol_error("a call of a function this chapter does not have");

    allocations = 0;
    in_call = 1;
    s->serve(&a);
    in_call = 0;
    fflush(stdout), fflush(stderr);

    WireBuf b = {0};
    wire_begin(&b, FRAME_RETURN);
    wire_u8(&b, (uint8_t)a.ret);
    if (a.ret == WRET_DOUBLE) wire_f64(&b, a.ret_d);
    else wire_i64(&b, a.ret_i);
    wire_u64(&b, allocations);
    put_regions(&b);
    if (wire_send(&b, REPLY_FD) != 0) _exit(0);  // the judge has gone
    wire_free(&b);
    free_regions();
}

// Reads one frame of the expected type from the judge; ends the process at
// the end of the calls (the test is over).
static unsigned char *read_frame(Frame want, size_t *len) {
    WireHeader h;
    if (wire_read_all(CALL_FD, &h, sizeof h) != 0) _exit(0);
    if (h.magic != WIRE_MAGIC || h.type != (uint32_t)want || h.length > WIRE_MAX_PAYLOAD)
        protocol_error("a frame it did not expect");
    unsigned char *p = malloc(h.length ? h.length : 1);
    if (!p) protocol_error("out of memory");
    if (wire_read_all(CALL_FD, p, h.length) != 0) _exit(0);
    *len = h.length;
    return p;
}

_Noreturn static void serve_calls(void) {
    for (;;) {
        size_t len;
        unsigned char *p = read_frame(FRAME_CALL, &len);
        make_call(p, len);
        free(p);
    }
}

// ---------------------------------------------------------------------------
// Callbacks

static int region_of(const void *p, size_t bytes, uint64_t *off) {
    const unsigned char *c = p;
    for (int i = 0; i < call.nregions; i++) {
        const Region *r = &call.r[i];
        if (c >= r->data && c <= r->data + r->size && bytes <= (size_t)(r->data + r->size - c)) {
            *off = (uint64_t)(c - r->data);
            return i;
        }
    }
    return -1;
}

double subject_callback(const char *op, const CbArg *args, int n) {
    if (n > WIRE_MAX_ARGS) protocol_error("a callback with too many arguments");
    int was_in_call = in_call;
    in_call = 0;  // the stub's own allocations are not the student's
    int inline_arg[WIRE_MAX_ARGS];
    int ninline = 0;
    WireBuf b = {0};
    wire_begin(&b, FRAME_CALLBACK);
    wire_str(&b, op);
    put_regions(&b);
    wire_u32(&b, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        const CbArg *x = &args[i];
        if (x->kind == WARG_INT) {
            wire_u8(&b, WARG_INT), wire_i64(&b, x->i);
        } else if (x->kind == WARG_DOUBLE) {
            wire_u8(&b, WARG_DOUBLE), wire_f64(&b, x->d);
        } else if (x->kind == WARG_NULL || !x->p) {
            wire_u8(&b, WARG_NULL);
        } else {
            uint64_t off;
            int r = region_of(x->p, x->bytes, &off);
            if (r >= 0) {
                wire_u8(&b, WARG_REGION), wire_u32(&b, (uint32_t)r), wire_u64(&b, off);
                wire_u64(&b, x->bytes);
            } else {
                wire_u8(&b, WARG_INLINE), wire_u64(&b, x->bytes), wire_put(&b, x->p, x->bytes);
                inline_arg[ninline++] = i;
            }
        }
    }
    if (wire_send(&b, REPLY_FD) != 0) _exit(0);
    wire_free(&b);

    size_t len;
    unsigned char *p = read_frame(FRAME_RESULT, &len);
    WireReader rd;
    wire_reader(&rd, p, len);
    uint8_t kind = wire_get_u8(&rd);
    double value = kind == WRET_DOUBLE ? wire_get_f64(&rd) : (double)wire_get_i64(&rd);
    for (int i = 0; i < call.nregions; i++) {
        const void *bytes = wire_take(&rd, call.r[i].size);
        if (bytes) memcpy(call.r[i].data, bytes, call.r[i].size);
    }
    for (int k = 0; k < ninline; k++) {
        const CbArg *x = &args[inline_arg[k]];
        const void *bytes = wire_take(&rd, x->bytes);
        if (bytes && x->out) memcpy((void *)x->p, bytes, x->bytes);
    }
    if (!wire_done(&rd)) protocol_error("a callback's answer that does not parse");
    free(p);
    in_call = was_in_call;
    return value;
}

// ---------------------------------------------------------------------------
// The test's process

static void set_limit(int resource, rlim_t v) {
    struct rlimit rl = {v, v};
    setrlimit(resource, &rl);
}

// The processor time a test may use: SIGXCPU at the limit (the judge says
// "did not finish"), SIGKILL a second later for code that ignores SIGXCPU.
static void set_cpu_limit(rlim_t seconds) {
    struct rlimit rl = {seconds, seconds + 1};
    setrlimit(RLIMIT_CPU, &rl);
}

#ifndef WB_ASAN
// The address space the process already maps (the libraries, its buffers),
// so that the memory limit is a budget on top of it.
static rlim_t mapped_bytes(void) {
    unsigned long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%lu", &pages) != 1) pages = 0;
        fclose(f);
    }
    long page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? (rlim_t)pages * (rlim_t)page : (rlim_t)1 << 30;
}
#endif

_Noreturn static void become_test(const SpawnMsg *m, const int fds[SPAWN_FDS]) {
    // fds: calls, replies, output, control. Out of the way first, so that
    // no dup2 below overwrites one still to be moved.
    int calls = fcntl(fds[0], F_DUPFD, 10), replies = fcntl(fds[1], F_DUPFD, 10);
    int output = fcntl(fds[2], F_DUPFD, 10), devnull = open("/dev/null", O_RDONLY);
    if (calls < 0 || replies < 0 || output < 0 || devnull < 0 || dup2(devnull, 0) < 0 ||
        dup2(output, 1) < 0 || dup2(output, 2) < 0 || dup2(calls, CALL_FD) < 0 ||
        dup2(replies, REPLY_FD) < 0)
        _exit(71);
    struct rlimit nofile;
    int top = getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < 65536 ? (int)nofile.rlim_cur : 65536;
    for (int fd = REPLY_FD + 1; fd < top; fd++) close(fd);
    setvbuf(stdout, NULL, _IOLBF, 0);  // what was printed before a crash is kept

    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGCHLD, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    catch_fatal_signals();
    atexit(on_exit_during_call);

    set_limit(RLIMIT_CORE, 0);
    if (m->cpu_seconds) set_cpu_limit(m->cpu_seconds);
    set_limit(RLIMIT_FSIZE, m->output_bytes);
#ifndef WB_ASAN
    if (m->memory_bytes) set_limit(RLIMIT_AS, mapped_bytes() + m->memory_bytes);
#endif
    if (m->processes) set_limit(RLIMIT_NPROC, m->processes);
    serve_calls();
}

// ---------------------------------------------------------------------------
// The zygote

static struct {
    bool kill_all;
    pid_t test;     // the test process, or 0
    int ctl;        // its control socket, or -1
    int sigchld[2]; // the self-pipe SIGCHLD writes to
} z = {.ctl = -1};

static void on_sigchld(int sig) {
    (void)sig;
    int e = errno;
    (void)!write(z.sigchld[1], "c", 1);
    errno = e;
}

static void ctl_say(uint32_t tag, int32_t value, uint32_t cpu_ms) {
    if (z.ctl < 0) return;
    CtlMsg m = {tag, value, cpu_ms, 0};
    (void)!send(z.ctl, &m, sizeof m, MSG_NOSIGNAL);
}

// The judge asks how much processor time the test's process has used so
// far (wire.h): the answer, unless that process is gone (then EXITED says).
static void say_cpu(unsigned char number) {
    clockid_t clock;
    struct timespec ts;
    if (z.test <= 0 || clock_getcpuclockid(z.test, &clock) != 0 || clock_gettime(clock, &ts) != 0)
        return;
    ctl_say(CTL_CPU, number, (uint32_t)(ts.tv_sec * 1000 + ts.tv_nsec / 1000000));
}

// Ends the test: its process, and everything it started.
static void end_test(void) {
    if (z.test > 0) {
        if (z.kill_all) kill(-1, SIGKILL);
        else kill(-z.test, SIGKILL), kill(z.test, SIGKILL);
        int st;
        while (waitpid(z.test, &st, 0) < 0 && errno == EINTR) {}
        z.test = 0;
    }
    if (z.kill_all) kill(-1, SIGKILL);  // what outlived the test process itself
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
    if (z.ctl >= 0) close(z.ctl), z.ctl = -1;
}

static void reap(void) {
    int st;
    pid_t pid;
    struct rusage ru;
    while ((pid = wait4(-1, &st, WNOHANG, &ru)) > 0) {
        if (pid == z.test) {
            double cpu = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
                         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
            ctl_say(CTL_EXITED, st, (uint32_t)(cpu * 1000));
            z.test = 0;
        }
    }
}

static int receive_spawn(SpawnMsg *m, int fds[SPAWN_FDS]) {
    char cbuf[CMSG_SPACE(sizeof(int) * SPAWN_FDS)];
    struct iovec iov = {m, sizeof *m};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                         .msg_controllen = sizeof cbuf};
    ssize_t got = recvmsg(3, &msg, MSG_CMSG_CLOEXEC);
    if (got <= 0) return -1;  // the runner has gone: so do we
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    if (got != sizeof *m || m->tag != SPAWN_TAG || !c || c->cmsg_type != SCM_RIGHTS ||
        c->cmsg_len != CMSG_LEN(sizeof(int) * SPAWN_FDS))
        return -2;
    memcpy(fds, CMSG_DATA(c), sizeof(int) * SPAWN_FDS);
    return 0;
}

_Noreturn static void zygote(void) {
    if (pipe(z.sigchld) != 0) _exit(72);
    struct sigaction sa = {.sa_handler = on_sigchld, .sa_flags = SA_RESTART | SA_NOCLDSTOP};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    for (;;) {
        struct pollfd p[3] = {{3, POLLIN, 0}, {z.sigchld[0], POLLIN, 0}, {z.ctl, POLLIN, 0}};
        if (poll(p, z.ctl >= 0 ? 3 : 2, -1) < 0) {
            if (errno == EINTR) continue;
            _exit(73);
        }
        if (p[1].revents) {
            char c[64];
            (void)!read(z.sigchld[0], c, sizeof c);
            reap();
        }
        if (z.ctl >= 0 && p[2].revents) {
            char c[16];
            ssize_t r = recv(z.ctl, c, sizeof c, MSG_DONTWAIT);
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) end_test();
            else if (r == 2 && c[0] == CTL_ASK_CPU) say_cpu((unsigned char)c[1]);
        }
        if (p[0].revents) {
            SpawnMsg m;
            int fds[SPAWN_FDS];
            int r = receive_spawn(&m, fds);
            if (r == -1) {
                end_test();
                _exit(0);
            }
            if (r < 0) continue;
            end_test();
            z.ctl = fds[3];
            pid_t pid = fork();
            if (pid == 0) {
                close(3), close(z.sigchld[0]), close(z.sigchld[1]);
                if (!z.kill_all) setpgid(0, 0);
                become_test(&m, fds);
            }
            for (int i = 0; i < 3; i++) close(fds[i]);
            if (pid < 0) {
                ctl_say(CTL_FAILED, errno, 0);
                close(z.ctl), z.ctl = -1;
                continue;
            }
            if (!z.kill_all) setpgid(pid, pid);
            z.test = pid;
            ctl_say(CTL_STARTED, pid, 0);
        }
    }
}

// OpenBLAS may start threads when it loads, which a fork does not copy: one
// thread, always (the judge's launcher sets OPENBLAS_NUM_THREADS=1 as well).
extern void openblas_set_num_threads(int n) __attribute__((weak));

int main(int argc, char **argv) {
    if (openblas_set_num_threads) openblas_set_num_threads(1);
    bool zyg = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--zygote") == 0) zyg = true;
        else if (strcmp(argv[i], "--kill-all") == 0) z.kill_all = true;
    }
    if (!zyg) {
        fprintf(stderr, "usage: %s --zygote [--kill-all]: started by the grader, with a socket "
                        "on descriptor 3 (see tests/subject/subject.c)\n", argv[0]);
        return 2;
    }
    zygote();
}
