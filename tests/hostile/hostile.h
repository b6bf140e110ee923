// hostile.h: how a hostile submission marks its one misbehaviour.
//
// Each file in tests/hostile/chN/ holds only its misbehaviour: the one exercise
// function it replaces, with helpers, and a header of comment lines:
//
//   // replaces: FUNCTION   the exercise of solutions/chN.c it stands in for
//   // expect: STATUS       what the grader must report for the tests that
//                           reach it (an alternation such as fail|crash)
//   // says: REGEX          what those tests' messages must match (awk's ERE)
//
// tests/hostile/assemble.sh builds the whole submission from the reference,
// solutions/chN.c, whose own FUNCTION becomes a static reference_FUNCTION
// that the hostile one may call to do the real work, and the file itself.
// The misbehaviour is wrapped in MISBEHAVE(function, code).
// tests/steps/30-grading.sh grades each submission twice: as it is, and as a
// "probe" compiled with HOSTILE_PROBE defined, where the misbehaviour becomes
// an unfinished exercise instead. The tests the probe reports as "todo" are
// exactly the tests that reach the misbehaviour, directly or through another
// function of the chapter, so they are the tests the real run must lose, with
// the status named on the file's "expect:" line and a message its "says:"
// line matches; every other test must still pass.
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
