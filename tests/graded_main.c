// graded_main.c: runs a chapter's graded suite (see graded.h) and says, in a
// student's words, what happened to each test.
//
// Every test runs in its own forked process, always: Check's fork mode is set
// here, so CK_FORK=no in the environment cannot switch it off. In that process,
// before the test starts, a fixture sets CPU, memory, file-size, process and
// core-dump limits, sends stdout and stderr to a file of its own and, when the
// grader runs as root, gives up root for the unprivileged user "nobody". Check's
// wall-clock timer kills the test's whole process group when it runs too long.
//
// Check reports a result as pass, failure or error plus one message. A student
// needs more than that: was it an unfinished exercise, a crash, a loop, a
// stray exit(0)? So each test process also keeps a small "note" file: the
// test writes "end" when it reaches END_GRADED_TEST, an atexit handler writes
// "exit" (so exit(0) and _exit(0) can be told apart), a fault handler writes
// the faulting address and errno. Check's message, the note and the captured
// output together decide the status.
//
//   check-chN [--seed S|random] [--only NAME] [--tsv FILE] [--expect full|zero]
//             [--quiet] [--list]
#define _DEFAULT_SOURCE  // setgroups, RLIMIT_NPROC, strsignal alongside _POSIX_C_SOURCE

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "exercise.h"
#include "graded.h"

#if defined(__SANITIZE_ADDRESS__)
#define WB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WB_ASAN 1
#endif
#endif

enum {
    TIMEOUT_S = 10,                // wall clock per test; GRADE_TIMEOUT may only lower it
    OUTPUT_LIMIT = 1 << 20,        // bytes a test may write (RLIMIT_FSIZE)
    SHOWN_OUTPUT = 2048,           // bytes of captured output shown for a test
    NPROC_LIMIT = 16,              // processes (per user!) a test may have
    MEMORY_LIMIT_MIB = 1024,       // address space beyond what the runner maps
    SETUP_FAILED_STATUS = 74,      // the grader's fixture could not set a test up
    MESSAGE_LEN = 1024,
};

typedef enum {
    ST_PASS, ST_FAIL, ST_TODO, ST_CRASH, ST_TIMEOUT, ST_EXIT, ST_MEMORY, ST_CPU, ST_OUTPUT,
    ST_ERROR,
} Status;
// The words the TSV carries (tools/grade.sh and later exporters read these)
// and the words a student sees; a failure is upper case so that it stands out.
static const char *const STATUS_WORD[] = {"pass", "fail", "todo", "crash", "timeout",
                                          "exit", "memory", "cpu", "output", "error"};
static const char *const STATUS_SHOWN[] = {"pass", "FAIL", "todo", "CRASH", "TIMEOUT",
                                           "EXIT", "MEMORY", "CPU", "OUTPUT", "ERROR"};

typedef struct {
    const GradedTest *test;
    Status status;
    int points;
    char message[MESSAGE_LEN];
    char where[256];  // file:line of the failing check, for a FAIL
    char *output;     // captured output, shortened and printable; NULL when there was none
} Result;

// What the fixtures need: Check's fixtures take no arguments. `current` is set
// in the parent by the unchecked fixture just before Check forks the test, so
// the child inherits the index of the test it is running.
static struct {
    unsigned long seed;
    double timeout;
    char dir[256];      // this run's private temporary folder
    const int *order;   // the k-th test case Check runs is graded_suite.tests[order[k]]
    int ncases, next, current;
    int drop_root;      // give up root in the test process, for "nobody"
    uid_t uid;
    gid_t gid;
} run = {.seed = 1, .timeout = TIMEOUT_S, .current = -1};

static int note_fd = -1;  // in a test process: its note file

// ---------------------------------------------------------------------------
// Inside a test process

// Async-signal-safe: the fault handler and exit handlers use it.
static void note(const char *s) {
    if (note_fd < 0) return;
    size_t len = strlen(s);
    while (len > 0) {
        ssize_t w = write(note_fd, s, len);
        if (w <= 0) return;
        s += w, len -= (size_t)w;
    }
}

static void note_exit(void) { note("exit\n"); }

#ifndef WB_ASAN  // AddressSanitizer reports faults itself, better
static char *put_unsigned(char *p, uintmax_t v, unsigned base) {
    char digits[32];
    int n = 0;
    do digits[n++] = "0123456789abcdef"[v % base], v /= base; while (v > 0);
    while (n > 0) *p++ = digits[--n];
    return p;
}

// Records where a segfault hit and errno at that moment (ENOMEM right after a
// malloc that failed under the memory limit), then lets the signal kill the
// process as it would have: SA_RESETHAND restored the default action.
static void on_fault(int sig, siginfo_t *info, void *context) {
    (void)context;
    int saved_errno = errno;
    char line[96], *p = line;
    memcpy(p, "fault ", 6), p += 6;
    p = put_unsigned(p, (uintmax_t)(uintptr_t)info->si_addr, 16);
    *p++ = ' ';
    p = put_unsigned(p, (uintmax_t)saved_errno, 10);
    *p++ = '\n', *p = '\0';
    note(line);
    raise(sig);
}
#endif

_Noreturn static void setup_failed(const char *what) {
    char line[300];
    snprintf(line, sizeof line, "setup %s: %s\n", what, strerror(errno));
    note(line);
    _exit(SETUP_FAILED_STATUS);
}

static void set_limit(int resource, rlim_t soft, rlim_t hard, const char *what) {
    struct rlimit rl = {soft, hard};
    if (setrlimit(resource, &rl) != 0) setup_failed(what);
}

#ifndef WB_ASAN  // ASan reserves terabytes of shadow memory: no RLIMIT_AS there
// The address space the runner already maps (shared libraries, OpenBLAS's
// buffers: much more on a machine with many cores), so that the memory limit
// is a budget on top of it rather than a figure the runner alone can exceed.
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

static void test_path(char *buf, size_t size, int k, const char *kind) {
    snprintf(buf, size, "%s/%d.%s", run.dir, k, kind);
}

// Checked fixture: runs in the forked test process, before the test.
static void child_setup(void) {
    int k = run.current;
    char path[300];
    test_path(path, sizeof path, k, "note");
    note_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (note_fd < 0) _exit(SETUP_FAILED_STATUS);

    int in = open("/dev/null", O_RDONLY);
    if (in < 0 || dup2(in, STDIN_FILENO) < 0) setup_failed("stdin from /dev/null");
    if (in != STDIN_FILENO) close(in);
    test_path(path, sizeof path, k, "out");
    int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0)
        setup_failed("capturing the output");
    if (out != STDOUT_FILENO && out != STDERR_FILENO) close(out);
    // Line-buffered, so that what a test printed before it crashed is kept.
    setvbuf(stdout, NULL, _IOLBF, 0);

    if (atexit(note_exit) != 0) setup_failed("atexit");
#ifndef WB_ASAN
    static char altstack[1 << 16];  // a stack overflow still gets its note
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    struct sigaction sa = {.sa_sigaction = on_fault,
                           .sa_flags = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK};
    sigemptyset(&sa.sa_mask);
    if (sigaltstack(&ss, NULL) != 0 || sigaction(SIGSEGV, &sa, NULL) != 0 ||
        sigaction(SIGBUS, &sa, NULL) != 0)
        setup_failed("the fault handler");
#endif

    rlim_t cpu = (rlim_t)ceil(run.timeout) + 1;  // the wall clock normally fires first
    set_limit(RLIMIT_CPU, cpu, cpu + 1, "the CPU limit");
    set_limit(RLIMIT_FSIZE, OUTPUT_LIMIT, OUTPUT_LIMIT, "the output limit");
    set_limit(RLIMIT_CORE, 0, 0, "the core-dump limit");
#ifndef WB_ASAN  // ASan reserves terabytes of shadow memory up front
    rlim_t as = mapped_bytes() + ((rlim_t)MEMORY_LIMIT_MIB << 20);
    set_limit(RLIMIT_AS, as, as, "the memory limit");
#endif
#ifdef RLIMIT_NPROC
    // RLIMIT_NPROC counts every process of the user, not of this test, and the
    // kernel does not apply it to root at all. Hence the drop to "nobody" below
    // when we are root: then a fork loop stops at NPROC_LIMIT processes. Run as
    // an ordinary user who already has more processes than that, a test cannot
    // fork at all, which no exercise needs.
    set_limit(RLIMIT_NPROC, NPROC_LIMIT, NPROC_LIMIT, "the process limit");
#endif

    // As root, student code could raise its own limits, write anywhere, and
    // fork without bound. If the switch fails (a container without the right
    // mapping), the test still runs, as root, under the other limits.
    if (run.drop_root && setgroups(0, NULL) == 0 && setgid(run.gid) == 0) (void)!setuid(run.uid);
}

// Checked teardown: Check runs it only when the test function returned, which
// a graded test never does (it exits in END_GRADED_TEST): a bug in the test.
static void child_teardown(void) { note("returned\n"); }

// Unchecked fixture: runs in the runner, just before Check forks test case k.
static void parent_setup(void) {
    run.current = run.next < run.ncases ? run.order[run.next] : -1;
    run.next++;
    fflush(NULL);  // nothing buffered may be written twice, by parent and child
}

void graded_reached_end(void) {
    note("end\n");
    fflush(NULL);
    exit(GRADED_PASS_STATUS);
}

unsigned long graded_seed(void) { return run.seed; }

#ifdef WB_ASAN
// Under ASan there is no RLIMIT_AS: cap single allocations instead, and let
// malloc return NULL as it would under the limit. Leak checks would need
// threads the process limit forbids, and leaks are not what tests grade.
const char *__asan_default_options(void);
const char *__asan_default_options(void) {
    return "detect_leaks=0:allocator_may_return_null=1:max_allocation_size_mb=1024";
}
#endif

// ---------------------------------------------------------------------------
// In the runner: reading what a test process left behind

static char *read_file(const char *path, size_t max, size_t *len) {
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(max + 1);
    if (buf) {
        *len = fread(buf, 1, max, f);
        buf[*len] = '\0';
    }
    fclose(f);
    return buf;
}

// The output as a student should see it: printable, at most SHOWN_OUTPUT
// bytes, the start and the end when it is longer (a crash report is at the
// end), cut at line ends where there are lines.
// The length of the well-formed UTF-8 character at s (at most n bytes), or 0.
static size_t utf8_len(const unsigned char *s, size_t n) {
    size_t len = s[0] >= 0xf5 ? 0 : s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
    if (len == 0 || len > n) return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    return len;
}

// Control characters and broken UTF-8 become '?', so that the TSV and
// whatever reads it later only ever see text.
static size_t put_printable(char *dst, const char *src, size_t len) {
    const unsigned char *u = (const unsigned char *)src;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        size_t l = u[i] >= 0x80 ? utf8_len(u + i, len - i) : 0;
        if (l > 0) {
            memcpy(dst + n, src + i, l);
            n += l, i += l - 1;
        } else {
            unsigned char c = u[i];
            dst[n++] = (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f)) ? (char)c : '?';
        }
    }
    return n;
}

static char *shown_output(const char *raw, size_t len) {
    if (len == 0) return NULL;
    size_t head = len, tail = len;  // raw[0, head) and raw[tail, len) are shown
    if (len > SHOWN_OUTPUT) {
        size_t half = SHOWN_OUTPUT / 2;
        head = half, tail = len - half;
        for (size_t i = half; i > half / 2; i--)
            if (raw[i - 1] == '\n') {
                head = i;
                break;
            }
        for (size_t i = tail; i < len - half / 2; i++)
            if (raw[i] == '\n') {
                tail = i + 1;
                break;
            }
    }
    char *s = malloc(SHOWN_OUTPUT + 100);
    if (!s) return NULL;
    size_t n = put_printable(s, raw, head);
    if (tail > head)
        n += (size_t)snprintf(s + n, 100, "[... %zu bytes left out ...]\n", tail - head);
    n += put_printable(s + n, raw + tail, len - tail);
    while (n > 0 && s[n - 1] == '\n') n--;
    s[n] = '\0';
    return s;
}

// The rest of the line in `text` after `prefix`, into buf; NULL if absent.
static const char *line_after(const char *text, const char *prefix, char *buf, size_t size) {
    const char *p = text ? strstr(text, prefix) : NULL;
    if (!p) return NULL;
    p += strlen(prefix);
    size_t n = strcspn(p, "\n");
    if (n >= size) n = size - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return buf;
}

typedef struct {
    int end, exit, returned;
    int fault;
    uintptr_t fault_addr;
    int fault_errno;
    char setup[256];
} Note;

static Note read_note(int k) {
    Note nt = {0};
    char path[300];
    size_t len;
    test_path(path, sizeof path, k, "note");
    char *text = read_file(path, 4096, &len);
    if (!text) return nt;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        unsigned long long addr;
        int err;
        if (strcmp(line, "end") == 0) nt.end = 1;
        else if (strcmp(line, "exit") == 0) nt.exit = 1;
        else if (strcmp(line, "returned") == 0) nt.returned = 1;
        else if (sscanf(line, "fault %llx %d", &addr, &err) == 2)
            nt.fault = 1, nt.fault_addr = (uintptr_t)addr, nt.fault_errno = err;
        else if (strncmp(line, "setup ", 6) == 0)
            snprintf(nt.setup, sizeof nt.setup, "%s", line + 6);
    }
    free(text);
    return nt;
}

static void say(Result *r, Status st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(Result *r, Status st, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
    r->status = st;
}

static void classify_signal(Result *r, int sig, const Note *nt, const char *out) {
    char line[200];
    switch (sig) {
    case SIGSEGV:
    case SIGBUS: {
        const char *name = sig == SIGSEGV ? "segmentation fault (SIGSEGV)" : "bus error (SIGBUS)";
        if (nt->fault && nt->fault_addr < 65536 && nt->fault_errno == ENOMEM)
            say(r, ST_MEMORY, "out of memory: an allocation failed (a test may use %d MiB) and "
                "the NULL it returned was used (%s)", MEMORY_LIMIT_MIB, name);
        else if (nt->fault && nt->fault_addr < 65536)
            say(r, ST_CRASH, "crashed: %s at address 0x%lx: a NULL pointer?", name,
                (unsigned long)nt->fault_addr);
        else
            say(r, ST_CRASH, "crashed: %s: a read or write outside an array, or endless "
                "recursion?", name);
        break;
    }
    case SIGABRT:
        if (line_after(out, "Assertion ", line, sizeof line))
            say(r, ST_CRASH, "crashed: abort (SIGABRT): Assertion %s", line);
        else
            say(r, ST_CRASH, "crashed: abort (SIGABRT): abort() was called, or the C library "
                "found its memory corrupted (a write past the end of an array?)");
        break;
    case SIGFPE:
        say(r, ST_CRASH, "crashed: arithmetic exception (SIGFPE): an integer division by zero?");
        break;
    case SIGILL: say(r, ST_CRASH, "crashed: illegal instruction (SIGILL)"); break;
    case SIGTRAP: say(r, ST_CRASH, "crashed: trap (SIGTRAP)"); break;
    case SIGXCPU:
        say(r, ST_CPU, "used more than %.0f s of CPU time: an infinite loop?",
            ceil(run.timeout) + 1);
        break;
    case SIGXFSZ:
        say(r, ST_OUTPUT, "printed more than %d MiB of output: printing inside a loop?",
            OUTPUT_LIMIT >> 20);
        break;
    case SIGKILL:
        say(r, ST_MEMORY, "killed (SIGKILL), most likely for using too much memory");
        break;
    default:
        say(r, ST_CRASH, "crashed: signal %d (%s)", sig, strsignal(sig));
    }
}

static void classify_exit(Result *r, int code, const Note *nt, const char *out) {
    char line[300];
    if (code == EXERCISE_UNFINISHED &&
        line_after(out, "unfinished: exercise ", line, sizeof line)) {
        line[strcspn(line, "(")] = '\0';  // "X in FILE (replace its TODO...)"
        size_t n = strlen(line);
        while (n > 0 && line[n - 1] == ' ') line[--n] = '\0';
        say(r, ST_TODO, "not finished yet: exercise %s", line);
    } else if (code == SETUP_FAILED_STATUS && nt->setup[0]) {
        say(r, ST_ERROR, "the grader could not set this test up: %s", nt->setup);
    } else if (code == 0 && nt->returned) {
        say(r, ST_ERROR, "the test returned without reaching END_GRADED_TEST: a bug in the "
            "test, not in your code");
    } else if (line_after(out, "AddressSanitizer failed to allocate ", line, sizeof line)) {
        say(r, ST_MEMORY, "out of memory: an allocation of %s failed, and the NULL it returned "
            "was used", line);
    } else if (line_after(out, "ERROR: AddressSanitizer: ", line, sizeof line)) {
        say(r, ST_CRASH, "crashed: AddressSanitizer: %s", line);
    } else if (line_after(out, "runtime error: ", line, sizeof line)) {
        say(r, ST_CRASH, "crashed: undefined behaviour: %s", line);
    } else {
        say(r, ST_EXIT, "called %s(%d) before the test finished: an exercise must return to its "
            "caller, not end the program", nt->exit ? "exit" : "_exit", code);
    }
}

// Whether `word` stands alone in `text` (printf's "nan", "-nan", "inf", "-inf").
static int has_word(const char *text, const char *word) {
    size_t len = strlen(word);
    for (const char *p = text; (p = strstr(p, word)) != NULL; p += len) {
        int before = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
        int after = !(isalnum((unsigned char)p[len]) || p[len] == '_');
        if (before && after) return 1;
    }
    return 0;
}

// What "got nan" or "got inf" in a failure message means, for a student who
// has not met them yet; "" when the message has neither.
static const char *not_a_number_note(const char *msg) {
    int nan = has_word(msg, "nan"), inf = has_word(msg, "inf");
    if (nan && inf)
        return " (nan is 'not a number': 0/0, inf - inf or the square root of a negative; inf "
               "is a division by zero or a result too large for a double)";
    if (nan)
        return " (nan is 'not a number': it comes from 0/0, inf - inf, the square root or log "
               "of a negative, or a value that was never written)";
    if (inf)
        return " (inf is infinity: a division by zero, or a result too large for a double, "
               "such as exp() of a large number)";
    return "";
}

static void classify(Result *r, TestResult *tr, int k) {
    Note nt = read_note(k);
    char path[300];
    size_t len;
    test_path(path, sizeof path, k, "out");
    char *raw = read_file(path, OUTPUT_LIMIT, &len);
    r->output = shown_output(raw ? raw : "", raw ? len : 0);
    const char *msg = tr_msg(tr) ? tr_msg(tr) : "";
    int sig, code;
    if (tr_rtype(tr) == CK_PASS) {
        if (nt.end) say(r, ST_PASS, "%s", r->test->what);
        else say(r, ST_EXIT, "called exit(%d) before the test finished: an exercise must return to "
                  "its caller, not end the program", GRADED_PASS_STATUS);
    } else if (tr_rtype(tr) == CK_FAILURE) {
        say(r, ST_FAIL, "%s%s", msg, not_a_number_note(msg));
        if (tr_lfile(tr)) snprintf(r->where, sizeof r->where, "%s:%d", tr_lfile(tr), tr_lno(tr));
    } else if (strcmp(msg, "Test timeout expired") == 0) {
        say(r, ST_TIMEOUT, "did not finish within %g s: an infinite loop?", run.timeout);
    } else if (sscanf(msg, "Received signal %d", &sig) == 1) {
        classify_signal(r, sig, &nt, raw);
    } else if (sscanf(msg, "Early exit with return value %d", &code) == 1) {
        classify_exit(r, code & 0xff, &nt, raw);
    } else {
        say(r, ST_ERROR, "the grader could not tell what happened: %s", msg);
    }
    if (r->status == ST_PASS) r->points = r->test->points;
    free(raw);
}

// ---------------------------------------------------------------------------
// Reporting

static void tsv_field(FILE *f, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '\t': fputs("\\t", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\\': fputs("\\\\", f); break;
        default: fputc(*s, f);
        }
    }
}

// Written to a temporary name and renamed, so that FILE is either the last
// complete report or this one, never half of one.
static int write_tsv(const char *path, const Result *res, int n) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "check: cannot write %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    fputs("chapter\ttest\tstatus\tpoints\tmax_points\tmessage\toutput\tdescription\n", f);
    for (int i = 0; i < n; i++) {
        fprintf(f, "%d\t", graded_suite.chapter);
        tsv_field(f, res[i].test->name);
        fprintf(f, "\t%s\t%d\t%d\t", STATUS_WORD[res[i].status], res[i].points,
                res[i].test->points);
        tsv_field(f, res[i].message);
        fputc('\t', f);
        tsv_field(f, res[i].status == ST_PASS || res[i].status == ST_TODO ? "" : res[i].output);
        fputc('\t', f);
        tsv_field(f, res[i].test->what);
        fputc('\n', f);
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
        fprintf(stderr, "check: cannot write %s: %s\n", path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

static void print_report(const Result *res, int n, int quiet, const char *prog) {
    int passed = 0, total = 0, max = 0, width = 4, pw = 1;
    for (int i = 0; i < n; i++) {
        passed += res[i].status == ST_PASS;
        total += res[i].points, max += res[i].test->points;
        int w = (int)strlen(res[i].test->name);
        if (w > width) width = w;
        if (res[i].test->points >= 10) pw = 2;
    }
    printf("chapter %d, %s: %d of %d tests pass, %d/%d points\n", graded_suite.chapter,
           graded_suite.title, passed, n, total, max);
    if (quiet) return;
    for (int i = 0; i < n; i++) {
        const Result *r = &res[i];
        printf("  %-7s %-*s %*d/%-*d  %s\n", STATUS_SHOWN[r->status], width, r->test->name, pw,
               r->points, pw, r->test->points, r->message);
        if (r->status == ST_PASS || r->status == ST_TODO) continue;
        printf("  %7s   checks %s%s%s\n", "", r->test->what, r->where[0] ? ", at " : "", r->where);
        if (r->output) {
            printf("  %7s   its output:\n", "");
            for (const char *p = r->output; *p;) {
                size_t len = strcspn(p, "\n");
                printf("  %7s   | %.*s\n", "", (int)len, p);
                p += len + (p[len] == '\n');
            }
        }
    }
    if (passed < n && n > 1) {
        printf("one test alone: %s --only NAME", prog);
        if (run.seed != 1) printf(" --seed %lu", run.seed);
        printf("\n");
    }
}

// ---------------------------------------------------------------------------

static void usage(FILE *f, const char *prog) {
    fprintf(f,
            "usage: %s [--seed S|random] [--only NAME] [--tsv FILE] [--expect full|zero] "
            "[--quiet] [--list]\n"
            "  runs the graded tests of chapter %d (%s), each in its own process.\n"
            "  --seed S       the seed of the randomized tests (default 1; 'random' picks one)\n"
            "  --only NAME    run one test\n"
            "  --tsv FILE     also write the results as a table, one row per test\n"
            "  --expect full  exit 0 only with full marks; --expect zero: only with none\n"
            "  --list         list the tests and their points, run nothing\n",
            prog, graded_suite.chapter, graded_suite.title);
}

static int check_suite(void) {
    const GradedSuite *s = &graded_suite;
    if (s->count <= 0 || !s->tests || !s->title) {
        fprintf(stderr, "check: the graded suite of chapter %d has no tests\n", s->chapter);
        return -1;
    }
    for (int i = 0; i < s->count; i++) {
        const GradedTest *t = &s->tests[i];
        if (!t->name || !t->test || !t->what || t->points < 0 ||
            strcmp(t->name, t->test->name) != 0) {
            fprintf(stderr, "check: chapter %d, graded test %d (%s): needs a name equal to its "
                    "GRADED_TEST, points >= 0 and a description\n", s->chapter, i + 1,
                    t->name ? t->name : "no name");
            return -1;
        }
        for (int j = 0; j < i; j++)
            if (strcmp(s->tests[j].name, t->name) == 0) {
                fprintf(stderr, "check: chapter %d: two graded tests are called %s\n",
                        s->chapter, t->name);
                return -1;
            }
    }
    return 0;
}

static unsigned long random_seed(void) {
    unsigned long s = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(&s, sizeof s, 1, f) != 1)
        s = (unsigned long)time(NULL) ^ (unsigned long)getpid() << 16;
    if (f) fclose(f);
    return 1 + s % 999999999ul;  // short enough to type back
}

static double timeout_from_env(void) {
    const char *env = getenv("GRADE_TIMEOUT");
    if (!env || !*env) return TIMEOUT_S;
    char *end;
    double t = strtod(env, &end);
    if (*end != '\0' || !(t > 0)) {
        fprintf(stderr, "check: GRADE_TIMEOUT=%s is not a number of seconds; using %d\n", env,
                TIMEOUT_S);
        return TIMEOUT_S;
    }
    if (t > TIMEOUT_S) {
        fprintf(stderr, "check: GRADE_TIMEOUT can only lower the %d s limit; using %d\n",
                TIMEOUT_S, TIMEOUT_S);
        return TIMEOUT_S;
    }
    return t < 0.1 ? 0.1 : t;
}

static void remove_run_dir(int ncases) {
    char path[300];
    for (int k = 0; k < ncases; k++) {
        test_path(path, sizeof path, run.order[k], "note");
        unlink(path);
        test_path(path, sizeof path, run.order[k], "out");
        unlink(path);
    }
    rmdir(run.dir);
}

// OpenBLAS starts its threads when the runner loads; a test process would
// start them again, which the process limit forbids (OpenBLAS then raises
// SIGINT). One thread it is, when OpenBLAS is linked at all.
extern void openblas_set_num_threads(int n) __attribute__((weak));

int main(int argc, char **argv) {
    // Check reads these to stretch timeouts, switch off fork mode, skip tests
    // or write logs: none of that is for the environment to decide here.
    static const char *const ck_env[] = {
        "CK_FORK", "CK_DEFAULT_TIMEOUT", "CK_TIMEOUT_MULTIPLIER", "CK_RUN_SUITE", "CK_RUN_CASE",
        "CK_INCLUDE_TAGS", "CK_EXCLUDE_TAGS", "CK_VERBOSITY", "CK_LOG_FILE_NAME",
        "CK_XML_LOG_FILE_NAME", "CK_TAP_LOG_FILE_NAME", "CK_MAX_MSG_SIZE"};
    for (size_t i = 0; i < sizeof ck_env / sizeof ck_env[0]; i++) unsetenv(ck_env[i]);
    if (openblas_set_num_threads) openblas_set_num_threads(1);

    const char *prog = argv[0], *only = NULL, *tsv = NULL, *expect = NULL;
    int quiet = 0, list = 0, pick_seed = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = strcmp(a, "--seed") == 0 || strcmp(a, "--only") == 0 ||
                    strcmp(a, "--tsv") == 0 || strcmp(a, "--expect") == 0;
        if (takes && !v) {
            fprintf(stderr, "check: %s needs a value\n", a);
            return 2;
        }
        if (strcmp(a, "--seed") == 0) {
            char *end;
            errno = 0;
            if (strcmp(v, "random") == 0) {
                pick_seed = 1;
            } else {
                run.seed = strtoul(v, &end, 10);
                if (errno || *end || !*v || v[0] == '-') {
                    fprintf(stderr, "check: --seed takes a whole number or 'random', not %s\n", v);
                    return 2;
                }
            }
        } else if (strcmp(a, "--only") == 0) only = v;
        else if (strcmp(a, "--tsv") == 0) tsv = v;
        else if (strcmp(a, "--expect") == 0) {
            if (strcmp(v, "full") != 0 && strcmp(v, "zero") != 0) {
                fprintf(stderr, "check: --expect takes full or zero, not %s\n", v);
                return 2;
            }
            expect = v;
        } else if (strcmp(a, "--quiet") == 0) quiet = 1;
        else if (strcmp(a, "--list") == 0) list = 1;
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout, prog);
            return 0;
        } else {
            fprintf(stderr, "check: unknown option %s\n", a);
            usage(stderr, prog);
            return 2;
        }
        i += takes;
    }
    if (check_suite() != 0) return 2;
    const GradedSuite *s = &graded_suite;
    if (list) {
        for (int i = 0; i < s->count; i++)
            printf("%s\t%d\t%s\n", s->tests[i].name, s->tests[i].points, s->tests[i].what);
        return 0;
    }
    if (pick_seed) {
        run.seed = random_seed();
        printf("seed %lu (chosen at random: --seed %lu repeats this run)\n", run.seed, run.seed);
    }
    run.timeout = timeout_from_env();

    int *order = malloc(sizeof(int) * (size_t)s->count);
    Result *res = calloc((size_t)s->count, sizeof(Result));
    if (!order || !res) {
        fprintf(stderr, "check: out of memory\n");
        return 2;
    }
    int n = 0;
    for (int i = 0; i < s->count; i++)
        if (!only || strcmp(only, s->tests[i].name) == 0) order[n++] = i;
    if (n == 0) {
        fprintf(stderr, "check: chapter %d has no test %s; its tests are:", s->chapter, only);
        for (int i = 0; i < s->count; i++) fprintf(stderr, " %s", s->tests[i].name);
        fprintf(stderr, "\n");
        return 2;
    }
    run.order = order, run.ncases = n;

    const char *tmpdir = getenv("TMPDIR");
    snprintf(run.dir, sizeof run.dir, "%s/graded.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(run.dir)) {
        fprintf(stderr, "check: cannot make a temporary folder %s: %s\n", run.dir, strerror(errno));
        return 2;
    }
    if (geteuid() == 0) {
        const struct passwd *pw = getpwnam("nobody");
        run.drop_root = 1;
        run.uid = pw ? pw->pw_uid : 65534;
        run.gid = pw ? pw->pw_gid : 65534;
    }

    Suite *suite = suite_create("graded");
    for (int k = 0; k < n; k++) {
        const GradedTest *t = &s->tests[order[k]];
        TCase *tc = tcase_create(t->name);
        tcase_set_timeout(tc, run.timeout);
        tcase_add_unchecked_fixture(tc, parent_setup, NULL);
        tcase_add_checked_fixture(tc, child_setup, child_teardown);
        tcase_add_exit_test(tc, t->test, GRADED_PASS_STATUS);
        suite_add_tcase(suite, tc);
        res[k].test = t;
        res[k].status = ST_ERROR;
        snprintf(res[k].message, sizeof res[k].message, "no result: the test did not run");
    }
    SRunner *sr = srunner_create(suite);
    srunner_set_fork_status(sr, CK_FORK);
    fflush(NULL);
    srunner_run_all(sr, CK_SILENT);

    TestResult **trs = srunner_results(sr);
    int ntr = srunner_ntests_run(sr);
    for (int j = 0; j < ntr; j++)
        for (int k = 0; k < n; k++)
            if (tr_tcname(trs[j]) && strcmp(tr_tcname(trs[j]), res[k].test->name) == 0)
                classify(&res[k], trs[j], order[k]);
    free(trs);
    srunner_free(sr);
    remove_run_dir(n);

    print_report(res, n, quiet, prog);
    int status = 0, total = 0, max = 0, passed = 0;
    for (int k = 0; k < n; k++)
        total += res[k].points, max += res[k].test->points, passed += res[k].status == ST_PASS;
    if (tsv && write_tsv(tsv, res, n) != 0) status = 2;
    if (status == 0) {
        if (!expect) status = passed == n ? 0 : 1;
        else if (strcmp(expect, "full") == 0) status = total == max ? 0 : 1;
        else status = total == 0 ? 0 : 1;
    }
    for (int k = 0; k < n; k++) free(res[k].output);
    free(res), free(order);
    return status;
}
