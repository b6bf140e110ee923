# grading.mk: grading. The judges (the Check suites: tests/chN/, tests/hidden/chN/)
# and the subjects (a chapter's functions alone: tests/subject/), `make grade`
# and `make grade-all` (tools/grade/), the student copy and the course tools.

# ---------------------------------------------------------------------------
# Grading: the judge and the subject (tests/judge/call.h says why). A
# chapter's graded suite is a judge, check-chN: the Check tests, the runner,
# and proxies that send each call of a contract function to a subject,
# subject-chN-exercises or -solutions: the chapter's file, the calls' server
# (tests/subject/), and the products of lib/linalg.c, nothing else. The judge
# never links a student's code; the subject never links a test.

JUDGE_OBJ   := $(patsubst %.c,$(OBJ)/%.o,tests/graded_main.c tests/wire.c tests/judge/call.c tests/judge/sandbox.c)
SUBJECT_OBJ := $(patsubst %.c,$(OBJ)/%.o,tests/subject/subject.c tests/wire.c) $(OBJ)/tests/subject/linalg.o
# The subject's products are the portable loops (a test's arrays are small):
# no OpenBLAS to load for each grading, nor its threads to keep in check.
$(OBJ)/tests/subject/linalg.o: lib/linalg.c
	@mkdir -p $(@D)
	$(call say,CC,$< (portable products))
	$(Q)$(CC) $(ALL_CFLAGS) -DWB_NO_BLAS -MMD -MP -c $< -o $@
# The subject's allocations are counted (no contract function allocates).
SUBJECT_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc
SUBJECT_LINK  = $(CC) $(LDFLAGS) $(SUBJECT_WRAP) -o $@ $^ -lm

# ---------------------------------------------------------------------------
# Instructor grading (tools/grade/grade.sh; INSTRUCTORS.md says more)
#
#   make grade SUBMISSION=dir        one submission: CH="1 2", FORMAT=text|gradescope|junit|tap,
#                                    OUT=file (replaced only by a complete run), MIN_POINTS=n|full
#                                    (exit 1 below it), HIDDEN=0 (public tests only), GRADE_SEED=n
#   make grade-all SUBMISSIONS=dir   every subfolder, in parallel, into GRADEBOOK (a CSV)
#   make hidden-chN                  chapter N's hidden tests on exercises/ (SOLUTIONS=1: the reference)
#   make student-dist                build/dist/mnist-workbook-student.tar.gz: no solutions, no hidden tests
#   make gradescope-zip              build/dist/gradescope-autograder.zip, for Gradescope
#   make classroom                   the GitHub Classroom workflow, on stdout

SUBMISSION  ?= .
SUBMISSIONS ?=
CH          ?=
FORMAT      ?= text
OUT         ?=
MIN_POINTS  ?=
HIDDEN      ?= 1
GRADE_SEED  ?= 1
# make check-chN ONLY=NAME: one test; GRADE_SEED=S: another seed of the randomized tests.
CHECK_ARGS   = $(if $(ONLY),--only $(ONLY)) $(if $(filter-out 1,$(GRADE_SEED)),--seed $(GRADE_SEED))
GRADEBOOK   ?= build/grade-all/gradebook.csv
DIST        := build/dist
GRADE_ENV    = BUILD=$(BUILD) FORMAT=$(FORMAT) OUT="$(OUT)" MIN_POINTS=$(MIN_POINTS) \
               HIDDEN=$(HIDDEN) GRADE_SEED=$(GRADE_SEED) WERROR=$(WERROR)

# A student copy (make student-dist) has no solutions/: what needs them says so.
HAVE_SOLUTIONS := $(wildcard solutions/ch*.c)
ifeq ($(HAVE_SOLUTIONS),)
ifeq ($(SOLUTIONS),1)
$(error SOLUTIONS=1: the reference solutions are not in this copy of the workbook (a student copy); run on your own code, without SOLUTIONS=1)
endif
# A stub's message points at the book's run, not at SOLUTIONS=1.
$(OBJ)/lib/exercise.o: DEFS += -DWB_NO_SOLUTIONS
NEEDS_ALL := $(filter test-steps test-busy test-student-dist book book-steps sanitize valgrind student-dist student-dist-steps gradescope-zip,$(MAKECMDGOALS))
ifneq ($(NEEDS_ALL),)
$(error make $(firstword $(NEEDS_ALL)): needs the whole workbook, solutions/ included, which this student copy leaves out; here: make check, make chN, make check-chN, make grade)
endif
endif

# Hidden tests (tests/hidden/chN/, see tests/hidden/hidden.h) call the
# submission's functions (through the judge's proxies, as every test does) and
# the reference's, as ref_NAME, in the judge. The reference object is
# solutions/chN.c's, with every global symbol it defines renamed NAME ->
# ref_NAME (objcopy --redefine-syms): the very object the public tests passed,
# linkable beside the proxies of the same names. It is linked into the hidden
# judge only, never into a subject.
HIDDEN_CHAPTERS := $(foreach n,$(CHAPTERS),$(if $(wildcard tests/hidden/ch$(n)/*.c),$(if $(wildcard solutions/ch$(n).c),$(n))))
HIDDEN_COMMON   := $(patsubst %.c,$(OBJ)/%.o,$(wildcard tests/hidden/*.c))

$(OBJ)/reference/ch%.o: $(OBJ)/solutions/ch%.o
	@mkdir -p $(@D)
	$(call say,OBJCOPY,$@ (the reference, renamed ref_*))
	$(Q)nm -g --defined-only -P $< | awk '{ print $$1, "ref_" $$1 }' >$@.syms
	$(Q)objcopy --redefine-syms=$@.syms $< $@

define hidden_rules
HID$(1)_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(wildcard tests/hidden/ch$(1)/*.c)) $(HIDDEN_COMMON) $(JUDGE_OBJ) $(OBJ)/tests/judge/ch$(1).o

$(BIN)/hidden-ch$(1): $$(HID$(1)_OBJ) $(OBJ)/reference/ch$(1).o $(LIBA)
	@mkdir -p $$(@D)
	$$(call say,LD,$$@)
	$(Q)$$(LINK)

.PHONY: hidden-ch$(1)
hidden-ch$(1): $(BIN)/hidden-ch$(1) $(BIN)/subject-ch$(1)-$(WHO)
	@$(BIN)/hidden-ch$(1) --subject $(BIN)/subject-ch$(1)-$(WHO) $(CHECK_ARGS)
endef
$(foreach n,$(HIDDEN_CHAPTERS),$(eval $(call hidden_rules,$(n))))

$(BIN)/grade-report: $(OBJ)/tools/grade/report.o
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

$(BIN)/sandbox: $(OBJ)/tools/grade/sandbox.o $(OBJ)/tests/judge/sandbox.o $(OBJ)/tests/wire.o
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

all: $(BIN)/grade-report $(BIN)/sandbox $(foreach n,$(HIDDEN_CHAPTERS),$(BIN)/hidden-ch$(n))

.PHONY: grade grade-all student-dist gradescope-zip classroom
grade:
	@$(GRADE_ENV) bash tools/grade/grade.sh "$(SUBMISSION)" $(CH)

grade-all:
	@$(GRADE_ENV) GRADEBOOK="$(GRADEBOOK)" bash tools/grade/grade-all.sh "$(SUBMISSIONS)" $(CH)

# The student copy holds the student edition of the book (build/book.html and
# .pdf, whatever EDITION says: never the instructor's) and the calls of the
# reference's tests (tests/calls.tsv, for make check), both built here first.
STUDENT_DIST ?= $(DIST)/mnist-workbook-student.tar.gz
student-dist: deps
	@$(MAKE) student-dist-steps

.PHONY: student-dist-steps
student-dist-steps: build/book.html build/book.pdf $(BUILD)/check/calls.tsv
	@BOOK_HTML=build/book.html BOOK_PDF=build/book.pdf CALLS=$(BUILD)/check/calls.tsv \
	  bash tools/dist.sh student $(STUDENT_DIST)

gradescope-zip:
	@bash tools/dist.sh gradescope $(DIST)/gradescope-autograder.zip

classroom:
	@bash tools/grade/classroom.sh

# ---------------------------------------------------------------------------
# make check: every chapter's exercises in one table, and what to do next
# (tools/grade/progress.sh). It grades exercises/ as make check-chN does,
# chapter by chapter, so that a file that does not compile stops only its own
# chapter; check-build is the grader's side, which must build.
#
# An exercise's tests are those that call it; which those are comes from each
# test's `functions` column, in this run and in the reference's: CALLS, made
# from the reference solutions here, shipped as tests/calls.tsv in a student copy.
CHECK_GRADED   := $(foreach n,$(CHAPTERS),$(if $(wildcard tests/ch$(n)/*.c),$(n)))
CHECK_CHAPTERS ?= $(CHECK_GRADED)
CALLS := $(if $(HAVE_SOLUTIONS),$(BUILD)/check/calls.tsv,$(wildcard tests/calls.tsv))

# (progress.sh runs make itself; the recipe names make through MAKE_CMD, not
# $(MAKE), so that `make -n check` prints the command rather than running it.)
MAKE_CMD := $(MAKE)
.PHONY: check check-build
check:
	@MAKE="$(MAKE_CMD)" BUILD=$(BUILD) CALLS=$(CALLS) bash tools/grade/progress.sh $(CHECK_CHAPTERS)

check-build: $(SUBJECT_OBJ) $(CALLS) \
             $(foreach n,$(CHECK_CHAPTERS),$(BIN)/check-ch$(n) $(OBJ)/tests/subject/ch$(n).o $(BUILD)/grade-contract/ch$(n).txt)

# The contract functions each public test calls, as the reference runs them:
# chapter, test, functions (comma-separated, in the order they were called).
$(BUILD)/check/calls.tsv: $(foreach n,$(CHECK_GRADED),$(BIN)/check-ch$(n) $(BIN)/subject-ch$(n)-solutions)
	@mkdir -p $(@D)
	$(call say,CALLS,$@)
	$(Q)printf 'chapter\ttest\tfunctions\n' >$@.tmp; \
	for n in $(CHECK_GRADED); do \
	  $(BIN)/check-ch$$n --subject $(BIN)/subject-ch$$n-solutions --tsv $@.ch$$n --quiet >/dev/null; \
	  [ $$? -le 1 ] && [ -s $@.ch$$n ] || { echo "calls: the reference's tests of chapter $$n did not run" >&2; exit 1; }; \
	  awk -F'\t' -v OFS='\t' 'NR > 1 { print $$1, $$2, $$9 }' $@.ch$$n >>$@.tmp; rm -f $@.ch$$n; \
	done; mv $@.tmp $@

# ---------------------------------------------------------------------------
# What tools/grade/grade.sh needs to grade chapters GRADE_CHAPTERS (all, unless
# said), built; then how it compiles a submission (the flags of every other
# object here, the warnings shown rather than made errors) and links its
# subject, written to $(BUILD)/grade-flags.txt for it to read (and printed).
GRADE_CHAPTERS ?= $(CHAPTERS)
GRADE_HIDDEN    = $(if $(filter 1,$(HIDDEN)),$(filter $(GRADE_CHAPTERS),$(HIDDEN_CHAPTERS)))
.PHONY: grade-build
grade-build: $(BIN)/grade-report $(BIN)/sandbox $(SUBJECT_OBJ) \
             $(foreach n,$(GRADE_CHAPTERS),$(BIN)/check-ch$(n) $(OBJ)/tests/subject/ch$(n).o $(BUILD)/grade-contract/ch$(n).txt) \
             $(foreach n,$(GRADE_HIDDEN),$(BIN)/hidden-ch$(n))
	@printf '%s\n' 'CC=$(CC)' 'STUDENT_CFLAGS=$(strip $(filter-out -Werror,$(WARN)) $(CFLAGS) $(DEFS))' \
	  'SUBJECT_LDFLAGS=$(strip $(LDFLAGS) $(SUBJECT_WRAP))' 'SUBJECT_OBJ=$(SUBJECT_OBJ)' 'SANITIZE=$(SANITIZE)' \
	  >$(BUILD)/grade-flags.txt.tmp
	@mv -f $(BUILD)/grade-flags.txt.tmp $(BUILD)/grade-flags.txt
	@cat $(BUILD)/grade-flags.txt

# A chapter's contract, for the grader: the names its judge's proxies define.
$(BUILD)/grade-contract/ch%.txt: $(OBJ)/tests/judge/ch%.o
	@mkdir -p $(@D)
	$(call say,NM,$@)
	$(Q)nm -g --defined-only -P $< | awk '{ print $$1 }' >$@
