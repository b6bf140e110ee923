# checks.mk: everything the project promises, checked (make test), and its
# reliability: sanitizers, valgrind, fuzzing.

# ---------------------------------------------------------------------------
# Tests: everything the project promises. `make test` installs what is missing
# first, then runs each step of tools/run-tests.sh and ends on "N passed, M failed".

.PHONY: test test-steps test-busy
# In a student copy (no solutions/, no test steps), make test is make check.
ifneq ($(HAVE_SOLUTIONS),)
test: deps
	@$(MAKE) test-steps
else
test: check
endif

# The tests twice (BUSY_RUNS=n: n times) with every core kept busy by stress-ng
# (tools/test-busy.sh): no test may depend on the clock or the load. Not in CI:
# it is slow.
test-busy: deps
	@WITH_LOAD=1 bash tools/deps.sh
	@bash tools/test-busy.sh

# The student copy, tried as a student would (tests/steps/36-student-dist.sh),
# with the book it ships built first: make test skips that step while the
# book is not built. CI runs this after make book.
.PHONY: test-student-dist
test-student-dist: deps
	@$(MAKE) all data build/book.html build/book.pdf
	@BUILD=$(BUILD) CHAPTERS="$(CHAPTERS)" bash tests/steps/36-student-dist.sh

test-steps: all data
	@$(MAKE) SANITIZE=1 $(foreach n,$(CHAPTERS),build/sanitize/bin/ch$(n)-solutions)
	@BUILD=$(BUILD) CHAPTERS="$(CHAPTERS)" bash tools/run-tests.sh

# ---------------------------------------------------------------------------
# Reliability: fuzzing, sanitizers, valgrind, and a clear word for a chapter
# that does not exist (tests/steps/45-fuzz-replay.sh and 55-bad-input.sh check).
#
#   make fuzz       each libFuzzer harness in tests/fuzz/ for FUZZ_SECONDS (60);
#                   a crash is kept in tests/fuzz/regressions/, which `make test` replays
#   make sanitize   everything with ASan+UBSan: the lib tests, the graded suites on
#                   the solutions, and every chapter on --limit 3000 --max-epochs 5
#   make valgrind   every chapter program under memcheck on --limit 2000 --max-epochs 5 (slow: minutes)

# `make ch9`, `make check-ch0`: no such chapter, said before anything is built.
BAD_CH_GOALS := $(foreach g,$(filter ch% check-ch%,$(filter-out check check-build,$(MAKECMDGOALS))),$(if $(findstring /,$(g))$(findstring .,$(g)),,$(if $(filter $(g),$(foreach n,$(CHAPTERS),ch$(n) check-ch$(n))),,$(g))))
ifneq ($(BAD_CH_GOALS),)
$(error $(firstword $(BAD_CH_GOALS)): no chapter $(patsubst ch%,%,$(patsubst check-ch%,%,$(firstword $(BAD_CH_GOALS)))): chapters are $(CHAPTERS))
endif

FUZZ_SECONDS ?= 60
FUZZERS      := idx config
FUZZ_SRC_idx    := lib/idx.c lib/error.c
FUZZ_PKG_idx    := zlib
FUZZ_SRC_config := lib/config.c lib/error.c
FUZZ_PKG_config := yaml-0.1
FUZZ_FLAGS   = $(WARN) -O1 -g -fno-omit-frame-pointer $(DEFS) -Ilib -Itests/fuzz
# The replay programs need no libFuzzer: clang when there is one, else cc.
REPLAY_CC   := $(if $(shell command -v clang 2>/dev/null),clang,$(CC))
REPLAY_SAN  := -fsanitize=address,undefined -fno-sanitize-recover=undefined

define fuzz_rules
build/fuzz/fuzz-$(1): tests/fuzz/fuzz_$(1).c tests/fuzz/fuzz_fail.c $(FUZZ_SRC_$(1)) $(wildcard lib/*.h) tests/fuzz/fuzz.h
	@mkdir -p $$(@D)
	clang $$(FUZZ_FLAGS) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	  $$(shell pkg-config --cflags $(FUZZ_PKG_$(1))) -o $$@ $$(filter %.c,$$^) $$(shell pkg-config --libs $(FUZZ_PKG_$(1)))

build/fuzz-replay/replay-$(1): tests/fuzz/fuzz_$(1).c tests/fuzz/fuzz_fail.c tests/fuzz/replay_main.c $(FUZZ_SRC_$(1)) $(wildcard lib/*.h) tests/fuzz/fuzz.h
	@mkdir -p $$(@D)
	$$(REPLAY_CC) $$(FUZZ_FLAGS) $$(REPLAY_SAN) $$(shell pkg-config --cflags $(FUZZ_PKG_$(1))) \
	  -o $$@ $$(filter %.c,$$^) $$(shell pkg-config --libs $(FUZZ_PKG_$(1)))
endef
$(foreach f,$(FUZZERS),$(eval $(call fuzz_rules,$(f))))

.PHONY: fuzz fuzz-replay sanitize valgrind
fuzz:
	@bash tools/fuzz.sh --need
	@$(MAKE) $(foreach f,$(FUZZERS),build/fuzz/fuzz-$(f))
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash tools/fuzz.sh $(FUZZERS)

# Every seed and every regression input once, on the plain ASan+UBSan build.
fuzz-replay: $(foreach f,$(FUZZERS),build/fuzz-replay/replay-$(f))
	@for f in $(FUZZERS); do \
	  build/fuzz-replay/replay-$$f tests/fuzz/corpus/$$f tests/fuzz/regressions/$$f || exit 1; done

SAN_ENV := ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# One line per run; a run's whole output (the sanitizer's report) only when it fails.
SAN_RUN  = run() { log=build/sanitize/logs/$$1.log; shift; mkdir -p build/sanitize/logs; \
             if $(SAN_ENV) "$$@" >$$log 2>&1; then echo "sanitize: ok  $$*"; \
             else echo "sanitize: FAILED  $$* (log: $$log)"; tail -n 40 $$log; exit 1; fi; }
sanitize: data
	@$(MAKE) SANITIZE=1 all
	@set -e; $(SAN_RUN); b=build/sanitize/bin; \
	run test-lib $$b/test-lib; \
	for n in $(CHAPTERS); do run check-ch$$n $$b/check-ch$$n --subject $$b/subject-ch$$n-solutions --expect full --quiet; done; \
	for n in $(CHAPTERS); do \
	  run ch$$n $$b/ch$$n-solutions --data data/mnist --out build/sanitize/runs/ch$$n --limit 3000 --max-epochs 5 --seeds 1 --quiet; done; \
	echo "sanitize: no error, no leak"

# OpenBLAS's threads confuse memcheck: one thread.
VALGRIND := OPENBLAS_NUM_THREADS=1 valgrind -q --error-exitcode=1 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
valgrind: $(foreach n,$(CHAPTERS),$(BIN)/ch$(n)-solutions) data
	@command -v valgrind >/dev/null || { echo "valgrind: not installed (make deps)" >&2; exit 1; }
	@set -e; mkdir -p build/valgrind; for n in $(CHAPTERS); do \
	  log=build/valgrind/ch$$n.log; \
	  if $(VALGRIND) --log-file=$$log $(BIN)/ch$$n-solutions --data data/mnist --out build/valgrind/ch$$n \
	       --limit 2000 --max-epochs 5 --seeds 1 --quiet >/dev/null 2>build/valgrind/ch$$n.err; then echo "valgrind: ok  ch$$n on --limit 2000 --max-epochs 5"; \
	  else echo "valgrind: FAILED  ch$$n (memcheck's report: $$log)"; cat build/valgrind/ch$$n.err; head -n 60 $$log; exit 1; fi; \
	done; echo "valgrind: no error, no leak"
