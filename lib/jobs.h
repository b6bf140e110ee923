// jobs.h: independent runs side by side, one process each.
//
// jobs_run() does jobs 0..n-1, at most `workers` at a time. With more than
// one worker, each job runs in a process of its own, forked from the caller:
// it sees the caller's memory as it was (the data loaded once, shared until
// written) and sends back one result of `size` bytes, which lands at
// results + job * size in the caller. With one worker the jobs run in the
// caller, one after the other, and keep their progress lines; with several,
// the workers print none (they would fight over one line).
//
//   run(result, job, ctx, err)   does one job: fills result [size], returns 0, or -1 with err
//   done(result, job, ctx)       in the caller, as each job ends well, in the order they end
//                                (may be NULL)
//
// Returns 0 once every job has ended well. Otherwise the first failure, after
// stopping the jobs still running: -1 with err (a job's own message, or its
// process could not start, was killed, or sent less than a result), or the
// exit status of a job's process that exited on its own, which has said why
// (an unfinished exercise exits with EXERCISE_UNFINISHED from inside a job).
#ifndef WB_JOBS_H
#define WB_JOBS_H

#include <stddef.h>

#include "error.h"

enum { JOBS_MAX_WORKERS = 64 };

typedef int (*JobRun)(void *result, int job, void *ctx, Error *err);
typedef void (*JobDone)(const void *result, int job, void *ctx);

int jobs_run(void *results, JobRun run, JobDone done, void *ctx, int n, size_t size,
             int workers, Error *err);

// The workers for n jobs: one per processor online, at most n (and JOBS_MAX_WORKERS).
int jobs_workers(int n);

#endif
