// graded_main.c: the judge's runner. It runs a chapter's graded suite (see
// graded.h), each test in its own forked process, and says, in a student's
// words, what happened to each.
//
// The student's functions never run here: a test calls them through the
// proxies of judge/chN.c, which send each call to the subject, a process of
// its own in a sandbox (judge/call.h, judge/sandbox.h). The runner starts the
// subject's zygote once, and each test asks it for a fresh process. So the
// verdict, the expected values, the reference (for hidden tests) and this
// runner's files are all out of the student code's reach, and only this
// runner writes results.
//
// Check reports a result as pass, failure or error plus one message. A student
// needs more than that: was it an unfinished exercise, a crash, a loop, a
// stray exit(0)? When a call does not come back, judge/call.c says why in the
// test's "note" file (a status word) before failing the test with the
// message; a test that reaches its end notes "end". The note, Check's result
// and the subject's captured output together decide the status.
//
//   check-chN --subject PROGRAM [--isolation none|uid|bwrap] [--uid N]
//             [--seed S|random] [--only NAME] [--tsv FILE] [--expect full|zero]
//             [--quiet] [--list]
#define _DEFAULT_SOURCE  // strsignal alongside _POSIX_C_SOURCE

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "graded.h"
#include "judge/call.h"
#include "judge/sandbox.h"

enum {
    TIMEOUT_S = 10,                // processor time a test's subject may use; GRADE_TIMEOUT may only lower it
    WAIT_FACTOR = 5,               // the wall clock it may take: room for a busy machine
    JUDGE_SLACK_S = 60,            // Check's own limit on a test: the subject's time and this
    OUTPUT_LIMIT = 1 << 20,        // bytes a test's subject may write (RLIMIT_FSIZE)
    SHOWN_OUTPUT = 2048,           // bytes of captured output shown for a test
    NPROC_LIMIT = 16,              // processes the subject's user may have (sandboxed runs)
    MEMORY_LIMIT_MIB = 1024,       // address space beyond what the subject maps
    MESSAGE_LEN = 1024,
};

typedef enum {
    ST_PASS, ST_FAIL, ST_TODO, ST_CRASH, ST_TIMEOUT, ST_EXIT, ST_MEMORY, ST_OUTPUT,
    ST_ERROR, ST_COUNT
} Status;
// The words the TSV carries (tools/grade.sh and later exporters read these)
// and the words a student sees; a failure is upper case so that it stands out.
static const char *const STATUS_WORD[] = {"pass", "fail", "todo", "crash", "timeout",
                                          "exit", "memory", "output", "error"};
static const char *const STATUS_SHOWN[] = {"pass", "FAIL", "todo", "CRASH", "TIMEOUT",
                                           "EXIT", "MEMORY", "OUTPUT", "ERROR"};

typedef struct {
    const GradedTest *test;
    Status status;
    int points;
    char message[MESSAGE_LEN];
    char where[256];  // file:line of the failing check, for a FAIL
    char calls[256];  // the contract functions it called, "zscore,image_mean_sd"
    char *output;     // the subject's captured output, shortened and printable; NULL when none
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
    SandboxConfig sandbox;
} run = {.seed = 1, .timeout = TIMEOUT_S, .current = -1};

static int note_fd = -1;  // in a test process: its note file

// ---------------------------------------------------------------------------
// Inside a test process (the judge's: it runs the test's own code only)

static void note(const char *s) {
    if (note_fd < 0) return;
    (void)!write(note_fd, s, strlen(s));
}

static void test_path(char *buf, size_t size, int k, const char *kind) {
    snprintf(buf, size, "%s/%d.%s", run.dir, k, kind);
}

_Noreturn static void setup_failed(const char *what) {
    char line[300];
    snprintf(line, sizeof line, "status error\nsetup %s: %s\n", what, strerror(errno));
    note(line);
    _exit(1);
}

// Checked fixture: runs in the forked test process, before the test.
static void child_setup(void) {
    int k = run.current;
    char path[300];
    test_path(path, sizeof path, k, "note");
    note_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (note_fd < 0) _exit(1);
    // The subject's output, which a student sees for a failed public test.
    test_path(path, sizeof path, k, "out");
    int out = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) setup_failed("the output file");
    // The test's own output (a grader's bug would print there) is not the student's.
    test_path(path, sizeof path, k, "judge");
    int own = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (own < 0 || dup2(own, STDOUT_FILENO) < 0 || dup2(own, STDERR_FILENO) < 0)
        setup_failed("the test's own output");
    if (own > STDERR_FILENO) close(own);
    CallLimits lim = {
        // A loop ends on its processor time, whatever the load; code that
        // waits ends once it uses next to none (judge/call.c), and the wall
        // clock ends the rest, with room for a machine 5 times busier.
        .seconds = WAIT_FACTOR * run.timeout,
        .cpu_seconds = (unsigned)ceil(run.timeout),
        .output_bytes = OUTPUT_LIMIT,
        .memory_mib = MEMORY_LIMIT_MIB,
        .processes = run.sandbox.how == ISOLATION_NONE ? 0 : NPROC_LIMIT,
    };
    call_test_begin(note_fd, out, &lim);
}

// Checked teardown: Check runs it only when the test function returned, which
// a graded test never does (it exits in END_GRADED_TEST): a bug in the test.
static void child_teardown(void) { note("returned\n"); }

// Unchecked fixture: runs in the runner, just before Check forks test case k.
// The zygote must be there (a test's code may have killed it).
static void parent_setup(void) {
    run.current = run.next < run.ncases ? run.order[run.next] : -1;
    run.next++;
    char err[256];
    if (sandbox_ensure(err, sizeof err) != 0) fprintf(stderr, "check: %s\n", err);
    fflush(NULL);  // nothing buffered may be written twice, by parent and child
}

void graded_reached_end(void) {
    call_test_end();
    note("end\n");
    fflush(NULL);
    exit(GRADED_PASS_STATUS);
}

unsigned long graded_seed(void) { return run.seed; }

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

typedef struct {
    int end, returned;
    Status status;      // ST_COUNT: none noted
    char setup[256];
    char calls[256];    // the functions it called, comma-separated
} Note;

static Note read_note(int k) {
    Note nt = {.status = ST_COUNT};
    char path[300], word[32];
    size_t len;
    test_path(path, sizeof path, k, "note");
    char *text = read_file(path, 4096, &len);
    if (!text) return nt;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (strcmp(line, "end") == 0) nt.end = 1;
        else if (strcmp(line, "returned") == 0) nt.returned = 1;
        else if (sscanf(line, "status %31s", word) == 1) {
            for (int i = 0; i < ST_COUNT; i++)
                if (strcmp(word, STATUS_WORD[i]) == 0) nt.status = (Status)i;
        } else if (strncmp(line, "setup ", 6) == 0) {
            snprintf(nt.setup, sizeof nt.setup, "%s", line + 6);
        } else if (strncmp(line, "calls ", 6) == 0) {
            size_t n = strlen(nt.calls);
            snprintf(nt.calls + n, sizeof nt.calls - n, "%s%s", n ? "," : "", line + 6);
        }
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
    free(raw);
    const char *msg = tr_msg(tr) ? tr_msg(tr) : "";
    int sig, code;
    snprintf(r->calls, sizeof r->calls, "%s", nt.calls);
    if (tr_rtype(tr) == CK_PASS && nt.end) {
        say(r, ST_PASS, "%s", r->test->what);
    } else if (tr_rtype(tr) == CK_FAILURE) {
        // a check failed, or a call did not come back (the note says how)
        Status st = nt.status == ST_COUNT ? ST_FAIL : nt.status;
        say(r, st, "%s%s", msg, st == ST_FAIL ? not_a_number_note(msg) : "");
        if (nt.status == ST_COUNT && tr_lfile(tr))  // the test's own check: where it is
            snprintf(r->where, sizeof r->where, "%s:%d", tr_lfile(tr), tr_lno(tr));
    } else if (nt.setup[0]) {
        say(r, ST_ERROR, "the grader could not set this test up: %s", nt.setup);
    } else if (nt.returned) {
        say(r, ST_ERROR, "the test returned without reaching END_GRADED_TEST: a bug in the "
            "test, not in your code");
    } else if (strcmp(msg, "Test timeout expired") == 0) {
        say(r, ST_ERROR, "the grader's test did not finish within %g s: the grader's machine is "
            "overloaded, or a bug in the test", WAIT_FACTOR * run.timeout + JUDGE_SLACK_S);
    } else if (sscanf(msg, "Received signal %d", &sig) == 1) {
        say(r, ST_ERROR, "the grader's test crashed (signal %d, %s): a bug in the grader, not "
            "in your code", sig, strsignal(sig));
    } else if (sscanf(msg, "Early exit with return value %d", &code) == 1 || tr_rtype(tr) == CK_PASS) {
        say(r, ST_ERROR, "the grader's test ended early: a bug in the grader, not in your code");
    } else {
        say(r, ST_ERROR, "the grader could not tell what happened: %s", msg);
    }
    if (r->status == ST_PASS) r->points = r->test->points;
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
    fputs("chapter\ttest\tstatus\tpoints\tmax_points\tmessage\toutput\tdescription\tfunctions\n", f);
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
        fputc('\t', f);
        tsv_field(f, res[i].calls);
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

static void print_report(const Result *res, int n, int quiet, int hidden, const char *prog) {
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
        printf("one test alone: make %s-ch%d ONLY=NAME", hidden ? "hidden" : "check",
               graded_suite.chapter);
        if (run.seed != 1) printf(" GRADE_SEED=%lu", run.seed);
        printf("  (or %s --subject PROGRAM --only NAME)\n", prog);
    }
}

// ---------------------------------------------------------------------------

static void usage(FILE *f, const char *prog) {
    fprintf(f,
            "usage: %s --subject PROGRAM [--isolation none|uid|bwrap] [--uid N] [--seed S|random]\n"
            "       [--only NAME] [--tsv FILE] [--expect full|zero] [--quiet] [--list]\n"
            "  runs the graded tests of chapter %d (%s), each in its own process, calling the\n"
            "  functions of PROGRAM (a subject: build/bin/subject-chN-exercises), in a sandbox\n"
            "  (bwrap), as user N (uid: needs root), or as it is (none, the default).\n"
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
        test_path(path, sizeof path, run.order[k], "judge");
        unlink(path);
    }
    rmdir(run.dir);
}

// The hidden tests' reference calls matmul(): OpenBLAS, whose threads a
// forked test process would not have. One thread, when it is linked at all.
extern void openblas_set_num_threads(int n) __attribute__((weak));

// The isolation a --isolation word names, or -1.
static int isolation_of(const char *word) {
    for (int i = ISOLATION_NONE; i <= ISOLATION_BWRAP; i++)
        if (strcmp(word, ISOLATION_NAME[i]) == 0) return i;
    return -1;
}

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
                    strcmp(a, "--tsv") == 0 || strcmp(a, "--expect") == 0 ||
                    strcmp(a, "--subject") == 0 || strcmp(a, "--isolation") == 0 ||
                    strcmp(a, "--uid") == 0;
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
        } else if (strcmp(a, "--subject") == 0) {
            run.sandbox.subject = v;
        } else if (strcmp(a, "--isolation") == 0) {
            int how = isolation_of(v);
            if (how < 0) {
                fprintf(stderr, "check: --isolation takes none, uid or bwrap, not %s\n", v);
                return 2;
            }
            run.sandbox.how = (Isolation)how;
        } else if (strcmp(a, "--uid") == 0) {
            char *end;
            errno = 0;
            unsigned long uid = strtoul(v, &end, 10);
            if (errno || *end || !*v || uid == 0 || uid > 0x7ffffffe) {
                fprintf(stderr, "check: --uid takes a user id above 0, not %s\n", v);
                return 2;
            }
            run.sandbox.uid = (uid_t)uid, run.sandbox.gid = (gid_t)uid;
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
    if (!run.sandbox.subject) {
        fprintf(stderr, "check: say which program runs the functions: --subject PROGRAM\n");
        return 2;
    }
    if (run.sandbox.how != ISOLATION_NONE && run.sandbox.uid == 0 &&
        (run.sandbox.how == ISOLATION_UID || geteuid() == 0)) {
        fprintf(stderr, "check: --isolation %s needs the user to run as: --uid N\n",
                ISOLATION_NAME[run.sandbox.how]);
        return 2;
    }

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
    char err[512];
    if (sandbox_start(&run.sandbox, err, sizeof err) != 0) {
        fprintf(stderr, "check: cannot start the subject: %s\n", err);
        rmdir(run.dir);
        return 2;
    }

    Suite *suite = suite_create("graded");
    for (int k = 0; k < n; k++) {
        const GradedTest *t = &s->tests[order[k]];
        TCase *tc = tcase_create(t->name);
        tcase_set_timeout(tc, WAIT_FACTOR * run.timeout + JUDGE_SLACK_S);
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
    sandbox_stop();
    remove_run_dir(n);

    print_report(res, n, quiet, strstr(s->title, "hidden") != NULL, prog);
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
