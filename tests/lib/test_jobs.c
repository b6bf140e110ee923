// test_jobs.c: runs side by side, one process each (lib/jobs.h): every result
// in its place, a failure stops the rest, and a worker stopped by SIGTERM dies
// of it, never running the caller's own handler.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jobs.h"
#include "suites.h"

static int square(void *result, int job, void *ctx, Error *err) {
    (void)ctx, (void)err;
    *(long *)result = (long)job * job;
    return 0;
}

static void count_done(const void *result, int job, void *ctx) {
    int *seen = ctx;
    ck_assert_int_eq(*(const long *)result, (long)job * job);
    seen[job]++;
}

START_TEST(every_result_in_its_place) {
    enum { N = 23 };
    long results[N];
    int seen[N] = {0};
    Error err = {{0}};
    memset(results, 0xff, sizeof results);
    ck_assert_int_eq(jobs_run(results, square, count_done, seen, N, sizeof(long), 3, &err), 0);
    for (int j = 0; j < N; j++) {
        ck_assert_int_eq(results[j], (long)j * j);
        ck_assert_int_eq(seen[j], 1);
    }
}
END_TEST

// Job 0 fails at once; the others would take a minute.
static int first_fails(void *result, int job, void *ctx, Error *err) {
    (void)result, (void)ctx;
    if (job == 0) return error_set(err, "job %d cannot start", job);
    sleep(60);
    return 0;
}

START_TEST(a_failure_stops_the_rest) {
    long results[8];
    Error err = {{0}};
    ck_assert_int_ne(jobs_run(results, first_fails, NULL, NULL, 8, sizeof(long), 8, &err), 0);
    ck_assert_str_eq(err.msg, "job 0 cannot start");
    // and every worker stopped has been waited for: none is left
    errno = 0;
    ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
    ck_assert_int_eq(errno, ECHILD);
}
END_TEST

// A caller's handler, as Check's is (it passes SIGTERM on to the caller's
// process group): here it only says it ran, down a pipe.
static int handler_pipe[2];
static void callers_handler(int sig) {
    (void)sig;
    if (write(handler_pipe[1], "!", 1) < 0) _exit(4);
    _exit(3);
}

START_TEST(stopped_workers_never_run_the_callers_handler) {
    // On one processor a worker is often stopped before it has run at all:
    // the moment a handler inherited through fork would run.
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu(), &one);
    ck_assert_int_eq(sched_setaffinity(0, sizeof one, &one), 0);
    ck_assert_int_eq(pipe(handler_pipe), 0);
    fcntl(handler_pipe[0], F_SETFL, O_NONBLOCK);
    signal(SIGTERM, callers_handler);
    long results[16];
    for (int i = 0; i < 300; i++) {
        Error err = {{0}};
        ck_assert_int_ne(
            jobs_run(results, first_fails, NULL, NULL, 16, sizeof(long), 16, &err), 0);
    }
    signal(SIGTERM, SIG_DFL);
    char buf[64];
    ssize_t ran = read(handler_pipe[0], buf, sizeof buf);
    ck_assert_msg(ran <= 0, "the caller's SIGTERM handler ran in %zd stopped workers (or more)",
                  ran);
}
END_TEST

Suite *jobs_suite(void) {
    Suite *s = suite_create("jobs");
    TCase *tc = lib_tcase("jobs");
    tcase_add_test(tc, every_result_in_its_place);
    tcase_add_test(tc, a_failure_stops_the_rest);
    tcase_add_test(tc, stopped_workers_never_run_the_callers_handler);
    suite_add_tcase(s, tc);
    return s;
}
