// fuzz.h: what every harness in tests/fuzz/ defines. Each harness is built two
// ways: with libFuzzer (`make fuzz`, clang's -fsanitize=fuzzer), which calls
// this function millions of times with mutated inputs, and as a plain program
// (replay_main.c, any C compiler), which calls it once per file for the
// corpus and the regression inputs that `make test` replays.
//
// A harness returns 0; it reports a broken promise of the code under test by
// calling fuzz_fail, which aborts, so that both builds treat it as a crash.
#ifndef WB_FUZZ_H
#define WB_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

_Noreturn void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
