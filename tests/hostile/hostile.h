// hostile.h: how a hostile submission marks its one misbehaviour.
//
// Each file in tests/hostile/chN/ is a complete, correct chapter N except for
// one misbehaviour, wrapped in MISBEHAVE(function, code). tests/steps/30-grading.sh
// grades each file twice: as it is, and as a "probe" compiled with HOSTILE_PROBE
// defined, where the misbehaviour becomes an unfinished exercise instead. The
// tests the probe reports as "todo" are exactly the tests that reach the
// misbehaviour, directly or through another function of the file, so they are
// the tests the real run must lose, with the status named on the file's
// "expect:" line; every other test must still pass.
#ifndef WB_HOSTILE_H
#define WB_HOSTILE_H

#ifdef HOSTILE_PROBE
#include "exercise.h"
// The misbehaviour stays in the code, never run, so that its helpers are used.
#define MISBEHAVE(function, ...)                   \
    do {                                           \
        exercise_unfinished((function), __FILE__); \
        if (0) { __VA_ARGS__; }                    \
    } while (0)
#else
#define MISBEHAVE(function, ...) __VA_ARGS__
#endif

#endif
