# The MNIST workbook: every entry point.
#
#   make book            the HTML and PDF book, from the code's own runs (EDITION=instructor:
#                        + solutions and grading guide); make book-check: both, read in Chromium
#   make test            everything the project promises, checked
#   make chN             chapter N on your code   (SOLUTIONS=1: on the reference)
#   make check-chN       grade your chapter N exercises
#   make grade           grade a submission       (SUBMISSION=dir CH=N FORMAT=gradescope OUT=file)
#   make grade-all       grade a folder of them   (SUBMISSIONS=dir), into a gradebook CSV
#   make student-dist    the copy students get: no solutions, no hidden tests
#   make paper           every experiment of the study, 5 seeds each: build/paper/report.md
#   make data            the full MNIST under data/mnist/, checksummed
#   make deps            install what is missing (Debian; prints the Homebrew line on macOS)
#   make clean           remove build/ (data/ stays; `make distclean` removes it too)
#
# Variables: SOLUTIONS=1, DATA=dir (other IDX files), DATASET=fashion, SEED=n,
# CONFIG=file.yaml (one experiment of a chapter), SEEDS=n and FORCE=1 (make paper),
# BLAS=none (the portable products instead of OpenBLAS), SANITIZE=1 (ASan+UBSan).

.DEFAULT_GOAL := all
SHELL := /bin/bash
.DELETE_ON_ERROR:
MAKEFLAGS += --no-print-directory

SOLUTIONS ?= 0
SEED      ?= 1
BLAS      ?= openblas
DATASET   ?= mnist
ifeq ($(DATASET),fashion)
DATA      ?= /usr/share/datasets/fashion-mnist
else ifeq ($(DATASET),mnist)
DATA      ?= data/mnist
else
$(error DATASET=$(DATASET) is not a data set here: use mnist or fashion)
endif
ifneq ($(filter-out 0 1,$(SOLUTIONS)),)
$(error SOLUTIONS=$(SOLUTIONS): use SOLUTIONS=1 for the reference solutions, or leave it unset)
endif

# ---------------------------------------------------------------------------
# Where things go

ifeq ($(SANITIZE),1)
BUILD ?= build/sanitize
else
BUILD ?= build
endif
OBJ  := $(BUILD)/obj
BIN  := $(BUILD)/bin
RUNS := build/runs
LIBA := $(BUILD)/libworkbook.a

# A run on other data or another seed goes to a folder of its own, never to
# the one the book quotes (build/runs/chN-solutions: the full MNIST, seed 1).
RUN_TAG := $(if $(filter data/mnist,$(DATA)),,-$(notdir $(DATA)))$(if $(filter 1,$(SEED)),,-seed$(SEED))$(if $(CONFIG),-$(basename $(notdir $(CONFIG))))

# Which code a chapter program or self-check links: the student's or the reference.
ifeq ($(SOLUTIONS),1)
WHO := solutions
else
WHO := exercises
endif

# Chapters are the folders chapters/NN-name; N is the number without its zero.
# (A folder counts once its program, main.c, is there.)
CH_DIRS  := $(sort $(patsubst %/main.c,%,$(wildcard chapters/[0-9][0-9]-*/main.c)))
CHAPTERS := $(foreach d,$(CH_DIRS),$(patsubst 0%,%,$(firstword $(subst -, ,$(notdir $(d))))))
ch_dir    = $(filter chapters/$(if $(filter 1 2 3 4 5 6 7 8 9,$(1)),0)$(1)-%,$(CH_DIRS))

# ---------------------------------------------------------------------------
# Compiling

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla -Wformat=2 -Wno-format-nonliteral
DEFS    := -D_POSIX_C_SOURCE=200809L
INCS    := -Ilib -Itests $(addprefix -I,$(CH_DIRS))
PKGS    := zlib yaml-0.1 check
ifeq ($(BLAS),none)
DEFS    += -DWB_NO_BLAS
else ifeq ($(BLAS),openblas)
PKGS    += openblas
else
$(error BLAS=$(BLAS): use BLAS=openblas (the default) or BLAS=none)
endif
ifeq ($(SANITIZE),1)
CFLAGS  += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

# pkg-config is asked once per make, and only when something is compiled.
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(shell pkg-config --cflags $(PKGS)))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $$(shell pkg-config --libs $(PKGS)))$(PKG_LIBS)

ALL_CFLAGS = $(WARN) $(CFLAGS) $(DEFS) $(INCS) $(PKG_CFLAGS)
LINK       = $(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(OBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# A student's file is compiled with the warnings shown, not made errors: a
# warning is for fixing, and never stops a run or costs a grade (tools/grade/grade.sh
# compiles submissions the same way; WERROR=1 there makes them fatal).
$(OBJ)/exercises/%.o: WARN := $(filter-out -Werror,$(WARN))

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)

LIB_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(wildcard lib/*.c))
$(LIBA): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

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
	$(CC) $(ALL_CFLAGS) -DWB_NO_BLAS -MMD -MP -c $< -o $@
# The subject's allocations are counted (no contract function allocates).
SUBJECT_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc
SUBJECT_LINK  = $(CC) $(LDFLAGS) $(SUBJECT_WRAP) -o $@ $^ -lm

# ---------------------------------------------------------------------------
# One set of rules per chapter: its program, linked once with exercises/ and
# once with solutions/, its judge, and its two subjects. The book is
# cumulative: chapter N's program uses the exercises of chapters 1..N (chapter
# 3's network calls chapter 2's softmax), while chapter N's graded tests use
# chapter N's file alone, so that each chapter is graded on its own.

upto = $(foreach k,$(CHAPTERS),$(if $(filter $(k),$(shell seq 1 $(1))),$(k)))

define chapter_rules
CH$(1)_OBJ  := $(patsubst %.c,$(OBJ)/%.o,$(wildcard $(2)/*.c))
TST$(1)_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(wildcard tests/ch$(1)/*.c)) $(JUDGE_OBJ) $(OBJ)/tests/judge/ch$(1).o

$(BIN)/ch$(1)-exercises $(BIN)/ch$(1)-solutions: $(BIN)/ch$(1)-%: $$(CH$(1)_OBJ) $(foreach k,$(call upto,$(1)),$(OBJ)/%/ch$(k).o) $(LIBA)
	@mkdir -p $$(@D)
	$$(LINK)

$(BIN)/check-ch$(1): $$(TST$(1)_OBJ) $(LIBA)
	@mkdir -p $$(@D)
	$$(LINK)

$(BIN)/subject-ch$(1)-exercises $(BIN)/subject-ch$(1)-solutions: $(BIN)/subject-ch$(1)-%: $(OBJ)/tests/subject/ch$(1).o $(OBJ)/%/ch$(1).o $(SUBJECT_OBJ)
	@mkdir -p $$(@D)
	$$(SUBJECT_LINK)

# A run on the reference solutions trains on the library's fast path
# (--fast); a student's own run, on the student's functions.
.PHONY: ch$(1) check-ch$(1)
ch$(1): $(BIN)/ch$(1)-$(WHO) $(if $(filter data/mnist,$(DATA)),data)
	$(BIN)/ch$(1)-$(WHO) --data $(DATA) --out $(RUNS)/ch$(1)-$(WHO)$(RUN_TAG) --seed $(SEED) $(if $(CONFIG),--config $(CONFIG)) $(if $(filter 1,$(SOLUTIONS)),--fast)

check-ch$(1): $(BIN)/check-ch$(1) $(BIN)/subject-ch$(1)-$(WHO)
	@$(BIN)/check-ch$(1) --subject $(BIN)/subject-ch$(1)-$(WHO) $(CHECK_ARGS)

# The run the book quotes: the reference solutions on the full MNIST, seed 1,
# on the fast path. values.tsv is written last, so it stands for the whole run.
$(RUNS)/ch$(1)-solutions/values.tsv: $(BIN)/ch$(1)-solutions | data
	$(BIN)/ch$(1)-solutions --data data/mnist --out $(RUNS)/ch$(1)-solutions --seed 1 --quiet --fast
endef
$(foreach n,$(CHAPTERS),$(eval $(call chapter_rules,$(n),$(call ch_dir,$(n)))))

# (A student copy, made by `make student-dist`, has no solutions/ to link.)
PROGRAMS := $(foreach n,$(CHAPTERS),$(BIN)/ch$(n)-exercises $(if $(wildcard solutions/ch$(n).c),$(BIN)/ch$(n)-solutions))
CHECKS   := $(foreach n,$(CHAPTERS),$(BIN)/check-ch$(n) $(BIN)/subject-ch$(n)-exercises $(if $(wildcard solutions/ch$(n).c),$(BIN)/subject-ch$(n)-solutions))
BOOK_RUNS := $(foreach n,$(CHAPTERS),$(RUNS)/ch$(n)-solutions/values.tsv)

TEST_LIB_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(wildcard tests/lib/*.c))
$(BIN)/test-lib: $(TEST_LIB_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(LINK)

.PHONY: all
all: $(LIBA) $(PROGRAMS) $(CHECKS) $(BIN)/test-lib

# ---------------------------------------------------------------------------
# Set-up and data

.PHONY: deps data
deps:
	@bash tools/deps.sh

MNIST_FILES := $(addprefix data/mnist/,train-images-idx3-ubyte train-labels-idx1-ubyte \
                 t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
data: $(MNIST_FILES)
$(MNIST_FILES) &:
	@bash tools/fetch-mnist.sh data/mnist

# ---------------------------------------------------------------------------
# Tests: everything the project promises. `make test` installs what is missing
# first, then runs each step of tools/run-tests.sh and ends on "N passed, M failed".

.PHONY: test test-steps
test: deps
	@$(MAKE) test-steps

test-steps: all data
	@$(MAKE) SANITIZE=1 $(BUILD)/sanitize/bin/test-lib $(foreach n,$(CHAPTERS),build/sanitize/bin/ch$(n)-solutions)
	@BUILD=$(BUILD) CHAPTERS="$(CHAPTERS)" bash tools/run-tests.sh

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
NEEDS_ALL := $(filter test test-steps book book-steps sanitize valgrind student-dist gradescope-zip,$(MAKECMDGOALS))
ifneq ($(NEEDS_ALL),)
$(error make $(firstword $(NEEDS_ALL)): needs the whole workbook, solutions/ included, which this student copy leaves out; here: make chN, make check-chN, make grade)
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
	nm -g --defined-only -P $< | awk '{ print $$1, "ref_" $$1 }' >$@.syms
	objcopy --redefine-syms=$@.syms $< $@

define hidden_rules
HID$(1)_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(wildcard tests/hidden/ch$(1)/*.c)) $(HIDDEN_COMMON) $(JUDGE_OBJ) $(OBJ)/tests/judge/ch$(1).o

$(BIN)/hidden-ch$(1): $$(HID$(1)_OBJ) $(OBJ)/reference/ch$(1).o $(LIBA)
	@mkdir -p $$(@D)
	$$(LINK)

.PHONY: hidden-ch$(1)
hidden-ch$(1): $(BIN)/hidden-ch$(1) $(BIN)/subject-ch$(1)-$(WHO)
	@$(BIN)/hidden-ch$(1) --subject $(BIN)/subject-ch$(1)-$(WHO) $(CHECK_ARGS)
endef
$(foreach n,$(HIDDEN_CHAPTERS),$(eval $(call hidden_rules,$(n))))

$(BIN)/grade-report: $(OBJ)/tools/grade/report.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^

$(BIN)/sandbox: $(OBJ)/tools/grade/sandbox.o $(OBJ)/tests/judge/sandbox.o $(OBJ)/tests/wire.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^

all: $(BIN)/grade-report $(BIN)/sandbox $(foreach n,$(HIDDEN_CHAPTERS),$(BIN)/hidden-ch$(n))

.PHONY: grade grade-all student-dist gradescope-zip classroom
grade:
	@$(GRADE_ENV) bash tools/grade/grade.sh "$(SUBMISSION)" $(CH)

grade-all:
	@$(GRADE_ENV) GRADEBOOK="$(GRADEBOOK)" bash tools/grade/grade-all.sh "$(SUBMISSIONS)" $(CH)

student-dist:
	@bash tools/dist.sh student $(DIST)/mnist-workbook-student.tar.gz

gradescope-zip:
	@bash tools/dist.sh gradescope $(DIST)/gradescope-autograder.zip

classroom:
	@bash tools/grade/classroom.sh


# ---------------------------------------------------------------------------
# The reproduction
#
#   make paper      every experiment of the study, with seeds 1..SEEDS (5), on the
#                   reference solutions and the fast path, one run per core at a time
#                   (tools/paper/run.c); then the report (tools/paper/report.c):
#                   build/paper/report.md (the book's appendix), results.tsv, values.tsv.
#                   A finished run is kept in build/paper/runs/ under a hash of its
#                   inputs (config, seed, data, program) and reused; FORCE=1 retrains.
#
# Other SEEDS or DATA report into a folder of their own (build/paper-seeds1/), never
# into the one the book quotes; the runs are shared.

SEEDS ?= 5
ifneq ($(shell [[ "$(SEEDS)" =~ ^[1-9][0-9]?$$|^100$$ ]] && echo ok),ok)
$(error SEEDS=$(SEEDS): use a whole number of seeds from 1 to 100)
endif
PAPER_DIR  := build/paper$(if $(filter data/mnist,$(DATA)),,-$(notdir $(DATA)))$(if $(filter 5,$(SEEDS)),,-seeds$(SEEDS))
PAPER_RUNS := build/paper/runs
PAPER_OBJ  := $(patsubst %.c,$(OBJ)/%.o,$(wildcard tools/paper/*.c))
# What the book quotes: the default seeds on the full MNIST.
BOOK_PAPER := build/paper/report.md build/paper/values.tsv build/paper/results.tsv

ifneq ($(HAVE_SOLUTIONS),)
$(BIN)/paper-run: $(OBJ)/tools/paper/run.o $(OBJ)/tools/paper/experiments.o \
                  $(foreach k,2 3 4 5 6,$(OBJ)/solutions/ch$(k).o) $(LIBA)
	@mkdir -p $(@D)
	$(LINK)
$(BIN)/paper-report: $(OBJ)/tools/paper/report.o $(OBJ)/tools/paper/experiments.o \
                     $(OBJ)/solutions/ch4.o $(LIBA)
	@mkdir -p $(@D)
	$(LINK)
all: $(BIN)/paper-run $(BIN)/paper-report

# paper_steps DIR SEEDS DATA FORCE REPORT-OPTIONS
define paper_steps
	$(BIN)/paper-run --data $(3) --out $(1) --runs $(PAPER_RUNS) --seeds $(2) $(if $(filter 1,$(4)),--force)
	$(BIN)/paper-report --out $(1) --runs $(PAPER_RUNS) $(5)
endef

.PHONY: paper
paper: $(BIN)/paper-run $(BIN)/paper-report $(if $(filter data/mnist,$(DATA)),data)
	$(call paper_steps,$(PAPER_DIR),$(SEEDS),$(DATA),$(FORCE))

# For the book: rerun when the programs or the configs change (the runs
# themselves are reused when their inputs did not).
$(BOOK_PAPER) &: $(BIN)/paper-run $(BIN)/paper-report $(wildcard chapters/*/*.yaml) | data
	$(call paper_steps,build/paper,5,data/mnist,,--check-claims)
else
.PHONY: paper
paper:
	@echo "make paper: trains the reference solutions, which this student copy leaves out" >&2; exit 1
endif

# ---------------------------------------------------------------------------
# The book: book.md pulls in each chapter; tools/book.lua pulls code regions out
# of the sources and numbers out of the runs, numbers chapters, sections,
# figures, tables and equations, resolves @fig:x-style references, and fails
# on anything missing. Paths in the markdown are relative to this folder, so
# pandoc and pdflatex run here. The HTML is one offline file: images embedded,
# math as MathML, no scripts or styles fetched from anywhere.
#
# Two editions. EDITION=student (the default): build/book.html, build/book.pdf
# (pdflatex works in build/pdf/); its build fails if a listing comes from
# solutions/. EDITION=instructor: build/book-instructor.html and .pdf
# (build/pdf-instructor/), which add the appendices of tools/book-instructor.md:
# every solutions/chN.c and the grading guide with each suite's points, both
# generated into build/book-appendix/ by tools/book-appendix.sh.
#
# `make book-check` builds both editions and checks them as a reader would
# (tools/book-check/): in headless Chromium, which it installs when missing
# (Debian's chromium, through `WITH_BROWSER=1 tools/deps.sh`; students never
# need it), and with pdftotext and pdftoppm. What it looked at goes to
# build/book-check/.

EDITION ?= student
ifeq ($(EDITION),student)
BOOK := build/book
else ifeq ($(EDITION),instructor)
BOOK := build/book-instructor
else
$(error EDITION=$(EDITION): use EDITION=student (the default) or EDITION=instructor)
endif

BOOK_SRC  := book.md $(shell find chapters -name '*.md' 2>/dev/null) tools/book.lua tools/book.tex
BOOK_CODE := $(wildcard lib/*.[ch] chapters/*/*.[ch] chapters/*/*.yaml exercises/*.c \
               solutions/*.c figures/*.gp tests/*.h tests/*/*.[ch] tools/*.sh)
BOOK_APPENDIX := build/book-appendix/solutions.md build/book-appendix/grading.md
# The runs the book quotes: those its markdown names (run="chN" or a file under
# build/runs/chN-solutions/), so that a chapter not yet in book.md neither slows
# nor breaks the book.
BOOK_MD     := $(shell grep -oE '\{\.include +file="[^"]+"' book.md 2>/dev/null | sed -E 's/.*file="([^"]+)"/\1/' | grep -v '^build/')
BOOK_QUOTED := $(sort $(shell cat book.md $(BOOK_MD) 2>/dev/null | grep -oE 'run="ch[0-9]+"|build/runs/ch[0-9]+-solutions' | grep -oE '[0-9]+'))
BOOK_USES   := $(foreach n,$(filter $(CHAPTERS),$(BOOK_QUOTED)),$(RUNS)/ch$(n)-solutions/values.tsv)
# ...and `make paper`'s report, when book.md or a chapter includes or quotes it.
BOOK_USES   += $(if $(shell grep -ls 'build/paper/' book.md $(BOOK_MD) 2>/dev/null),$(BOOK_PAPER))
.PHONY: book book-steps book-check book-check-steps
book: deps
	@$(MAKE) book-steps

book-steps: $(BOOK).html $(BOOK).pdf
	@echo "book ($(EDITION) edition): $(BOOK).html and $(BOOK).pdf"

book-check:
	@WITH_BROWSER=1 bash tools/deps.sh
	@$(MAKE) book-check-steps

book-check-steps: build/book.html build/book.pdf build/book-instructor.html build/book-instructor.pdf
	@bash tools/book-check/check.sh

# The instructor's appendices: every solutions/chN.c, and the points of every
# chapter with a program, a graded suite and a solution (and its hidden tests').
BOOK_GRADED := $(foreach n,$(CHAPTERS),$(if $(wildcard tests/ch$(n)/*.c),$(if $(wildcard solutions/ch$(n).c),$(n))))
$(BOOK_APPENDIX) &: tools/book-appendix.sh $(wildcard solutions/*.c) \
                    $(foreach n,$(BOOK_GRADED),$(BIN)/check-ch$(n) \
                      $(if $(wildcard tests/hidden/ch$(n)/*.c),$(BIN)/hidden-ch$(n)))
	bash tools/book-appendix.sh build/book-appendix $(BIN) $(BOOK_GRADED)

PANDOC := pandoc --from markdown --lua-filter tools/book.lua --standalone \
            --number-sections --toc --toc-depth 2

# book_rules STEM EDITION PDFDIR EXTRA-PREREQUISITES
# pdflatex runs until its .aux and .toc stop changing (the contents' page
# numbers settle on the second or third run), at most five times; a reference
# LaTeX could not resolve (a "??" in the PDF) then fails the build. The
# filter writes its own numbers to PDFDIR/labels.tsv, which book-check holds
# to LaTeX's (PDFDIR/book.aux).
define book_rules
$(1).html: $$(BOOK_SRC) $$(BOOK_USES) $$(BOOK_CODE) $(4)
	@mkdir -p $$(@D)
	$$(PANDOC) -M edition=$(2) --to html5 --self-contained --mathml -o $$@.tmp book.md && mv $$@.tmp $$@

$(1).pdf: $$(BOOK_SRC) $$(BOOK_USES) $$(BOOK_CODE) $(4)
	@mkdir -p $(3)
	BOOK_LABELS=$(3)/labels.tsv $$(PANDOC) -M edition=$(2) --to latex --top-level-division=chapter \
	  --include-in-header tools/book.tex -o $(3)/book.tex book.md
	@rm -f $(3)/book.aux $(3)/book.toc; prev=; \
	for run in 1 2 3 4 5; do \
	  echo "pdflatex $(3)/book.tex (run $$$$run)"; \
	  pdflatex -interaction=nonstopmode -halt-on-error -file-line-error \
	    -output-directory $(3) $(3)/book.tex >/dev/null \
	    || { grep -A4 -m1 -E '^(!|.*:[0-9]+: )' $(3)/book.log >&2; \
	         echo "book: pdflatex failed; see $(3)/book.log" >&2; exit 1; }; \
	  sum=$$$$(cat $(3)/book.aux $(3)/book.toc 2>/dev/null | md5sum); \
	  [ $$$$run -ge 2 ] && [ "$$$$sum" = "$$$$prev" ] && break; prev=$$$$sum; \
	done; \
	if grep -E "(Reference|Citation) .* undefined|There were undefined" $(3)/book.log >&2; then \
	  echo "book: LaTeX left references unresolved (?? in the PDF); see $(3)/book.log" >&2; exit 1; fi
	mv $(3)/book.pdf $$@
endef
$(eval $(call book_rules,build/book,student,build/pdf,))
$(eval $(call book_rules,build/book-instructor,instructor,build/pdf-instructor,tools/book-instructor.md $(BOOK_APPENDIX)))

# ---------------------------------------------------------------------------

.PHONY: clean distclean
clean:
	rm -rf build
distclean: clean
	rm -rf data

# What tools/grade/grade.sh needs to grade chapters GRADE_CHAPTERS (all, unless
# said), built; then how it compiles a submission (the flags of every other
# object here, the warnings shown rather than made errors) and links its
# subject, printed for it to read.
GRADE_CHAPTERS ?= $(CHAPTERS)
GRADE_HIDDEN    = $(if $(filter 1,$(HIDDEN)),$(filter $(GRADE_CHAPTERS),$(HIDDEN_CHAPTERS)))
.PHONY: grade-build
grade-build: $(BIN)/grade-report $(BIN)/sandbox $(SUBJECT_OBJ) \
             $(foreach n,$(GRADE_CHAPTERS),$(BIN)/check-ch$(n) $(OBJ)/tests/subject/ch$(n).o $(BUILD)/grade-contract/ch$(n).txt) \
             $(foreach n,$(GRADE_HIDDEN),$(BIN)/hidden-ch$(n))
	$(info CC=$(CC))
	$(info STUDENT_CFLAGS=$(filter-out -Werror,$(WARN)) $(CFLAGS) $(DEFS))
	$(info SUBJECT_LDFLAGS=$(LDFLAGS) $(SUBJECT_WRAP))
	$(info SUBJECT_OBJ=$(SUBJECT_OBJ))
	$(info SANITIZE=$(SANITIZE))
	@:

# A chapter's contract, for the grader: the names its judge's proxies define.
$(BUILD)/grade-contract/ch%.txt: $(OBJ)/tests/judge/ch%.o
	@mkdir -p $(@D)
	nm -g --defined-only -P $< | awk '{ print $$1 }' >$@

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
BAD_CH_GOALS := $(foreach g,$(filter ch% check-ch%,$(MAKECMDGOALS)),$(if $(findstring /,$(g))$(findstring .,$(g)),,$(if $(filter $(g),$(foreach n,$(CHAPTERS),ch$(n) check-ch$(n))),,$(g))))
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

# ---------------------------------------------------------------------------
# Speed
#
#   make bench      an epoch of the study's chapter-4 network (784-128-10, tanh, batch
#                   128, momentum) on the plain path (train(), the reference solutions)
#                   and on the fast path (train_with(), lib/fast.c), the fast run's peak
#                   memory and the time of `make paper SEEDS=1` (PAPER=0 skips it); the
#                   last line is for scripts: bench: epoch_s= gflops= peak_rss_mb= paper_s=
#
# tests/lib/test_train.c holds the fast path equal to the plain one on the
# reference solutions, linked into test-lib (and the library again after them:
# they call it). A student copy has no solutions/: the suite is empty there.

PAPER ?= 1

ifneq ($(HAVE_SOLUTIONS),)
$(BIN)/test-lib: $(foreach k,2 3 4 5 6,$(OBJ)/solutions/ch$(k).o)
$(BIN)/test-lib: LINK = $(CC) $(LDFLAGS) -o $@ $^ $(LIBA) $(PKG_LIBS) -lm

$(BIN)/bench: $(OBJ)/tools/bench.o $(foreach k,2 3 4 5 6,$(OBJ)/solutions/ch$(k).o) $(LIBA)
	@mkdir -p $(@D)
	$(LINK)

all: $(BIN)/bench

.PHONY: bench
bench: $(BIN)/bench $(if $(filter data/mnist,$(DATA)),data)
	@PAPER=$(PAPER) bash tools/bench.sh $(BIN)/bench $(DATA) $(BUILD)/bench
else
$(OBJ)/tests/lib/test_train.o: DEFS += -DWB_NO_SOLUTIONS

.PHONY: bench
bench:
	@echo "make bench: times the reference solutions, which this student copy leaves out" >&2; exit 1
endif
