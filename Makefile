# The MNIST workbook: every entry point.
#
#   make book            the HTML and PDF book, from the code's own runs
#   make test            everything the project promises, checked
#   make chN             chapter N on your code   (SOLUTIONS=1: on the reference)
#   make check-chN       grade your chapter N exercises
#   make grade           grade a submission       (SUBMISSION=dir CH=N)
#   make data            the full MNIST under data/mnist/, checksummed
#   make deps            install what is missing (Debian; prints the Homebrew line on macOS)
#   make clean           remove build/ (data/ stays; `make distclean` removes it too)
#
# Variables: SOLUTIONS=1, DATA=dir (other IDX files), DATASET=fashion, SEED=n,
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

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)

LIB_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(wildcard lib/*.c))
$(LIBA): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# ---------------------------------------------------------------------------
# One set of rules per chapter: its program and its graded self-check, each
# linked once with exercises/ and once with solutions/. The book is
# cumulative: chapter N's program uses the exercises of chapters 1..N (chapter
# 3's network calls chapter 2's softmax), while chapter N's graded tests use
# chapter N's file alone, so that each chapter is graded on its own.

upto = $(foreach k,$(CHAPTERS),$(if $(filter $(k),$(shell seq 1 $(1))),$(k)))

define chapter_rules
CH$(1)_OBJ  := $(patsubst %.c,$(OBJ)/%.o,$(wildcard $(2)/*.c))
TST$(1)_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(wildcard tests/ch$(1)/*.c)) $(OBJ)/tests/graded_main.o

$(BIN)/ch$(1)-exercises $(BIN)/ch$(1)-solutions: $(BIN)/ch$(1)-%: $$(CH$(1)_OBJ) $(foreach k,$(call upto,$(1)),$(OBJ)/%/ch$(k).o) $(LIBA)
	@mkdir -p $$(@D)
	$$(LINK)

$(BIN)/check-ch$(1)-exercises $(BIN)/check-ch$(1)-solutions: $(BIN)/check-ch$(1)-%: $$(TST$(1)_OBJ) $(OBJ)/%/ch$(1).o $(LIBA)
	@mkdir -p $$(@D)
	$$(LINK)

.PHONY: ch$(1) check-ch$(1)
ch$(1): $(BIN)/ch$(1)-$(WHO) $(if $(filter data/mnist,$(DATA)),data)
	$(BIN)/ch$(1)-$(WHO) --data $(DATA) --out $(RUNS)/ch$(1)-$(WHO) --seed $(SEED)

check-ch$(1): $(BIN)/check-ch$(1)-$(WHO)
	@$(BIN)/check-ch$(1)-$(WHO)

# The run the book quotes: the reference solutions on the full MNIST, seed 1.
# values.tsv is written last, so it stands for the whole run.
$(RUNS)/ch$(1)-solutions/values.tsv: $(BIN)/ch$(1)-solutions | data
	$(BIN)/ch$(1)-solutions --data data/mnist --out $(RUNS)/ch$(1)-solutions --seed 1 --quiet
endef
$(foreach n,$(CHAPTERS),$(eval $(call chapter_rules,$(n),$(call ch_dir,$(n)))))

PROGRAMS := $(foreach n,$(CHAPTERS),$(BIN)/ch$(n)-exercises $(BIN)/ch$(n)-solutions)
CHECKS   := $(foreach n,$(CHAPTERS),$(BIN)/check-ch$(n)-exercises $(BIN)/check-ch$(n)-solutions)
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
# Grading (see tools/grade.sh): a table of tests, points and the total.

SUBMISSION ?= .
CH         ?= $(CHAPTERS)
.PHONY: grade
grade: $(LIBA) $(OBJ)/tests/graded_main.o
	@BUILD=$(BUILD) bash tools/grade.sh "$(SUBMISSION)" $(CH)

# ---------------------------------------------------------------------------
# The book: book.md pulls in each chapter; tools/book.lua pulls code regions out
# of the sources and numbers out of the runs, and fails on anything missing.
# Paths in the markdown are relative to this folder, so pandoc and pdflatex run
# here (pdflatex writes its files to build/pdf/). The HTML is one offline file:
# images embedded, math as MathML, no scripts or styles fetched from anywhere.

BOOK_SRC  := book.md $(shell find chapters -name '*.md' 2>/dev/null) tools/book.lua tools/book.tex
BOOK_CODE := $(wildcard lib/*.[ch] chapters/*/*.[ch] chapters/*/*.yaml exercises/*.c \
               solutions/*.c figures/*.gp tests/*.h tests/*/*.[ch] tools/*.sh)
.PHONY: book book-steps
book: deps
	@$(MAKE) book-steps

book-steps: build/book.html build/book.pdf
	@echo "book: build/book.html and build/book.pdf"

PANDOC := pandoc --from markdown --lua-filter tools/book.lua --standalone \
            --number-sections --toc --toc-depth 2
build/book.html: $(BOOK_SRC) $(BOOK_RUNS) $(BOOK_CODE)
	@mkdir -p $(@D)
	$(PANDOC) --to html5 --self-contained --mathml -o $@.tmp book.md && mv $@.tmp $@

# pdflatex runs until its .aux and .toc stop changing (the contents' page
# numbers settle on the second or third run), at most five times.
build/book.pdf: $(BOOK_SRC) $(BOOK_RUNS) $(BOOK_CODE)
	@mkdir -p $(@D)/pdf
	$(PANDOC) --to latex --top-level-division=chapter \
	  --include-in-header tools/book.tex -o $(@D)/pdf/book.tex book.md
	@rm -f $(@D)/pdf/book.aux $(@D)/pdf/book.toc; prev=; \
	for run in 1 2 3 4 5; do \
	  echo "pdflatex $(@D)/pdf/book.tex (run $$run)"; \
	  pdflatex -interaction=nonstopmode -halt-on-error -file-line-error \
	    -output-directory $(@D)/pdf $(@D)/pdf/book.tex >/dev/null \
	    || { grep -A4 -m1 -E '^(!|.*:[0-9]+: )' $(@D)/pdf/book.log >&2; \
	         echo "book: pdflatex failed; see $(@D)/pdf/book.log" >&2; exit 1; }; \
	  sum=$$(cat $(@D)/pdf/book.aux $(@D)/pdf/book.toc 2>/dev/null | md5sum); \
	  [ $$run -ge 2 ] && [ "$$sum" = "$$prev" ] && break; prev=$$sum; \
	done
	mv $(@D)/pdf/book.pdf $@

# ---------------------------------------------------------------------------

.PHONY: clean distclean
clean:
	rm -rf build
distclean: clean
	rm -rf data

# What tools/grade.sh compiles and links a submission with: the same flags as
# every other object here.
.PHONY: print-cflags
print-cflags:
	$(info CC=$(CC))
	$(info CFLAGS=$(ALL_CFLAGS))
	$(info LDFLAGS=$(LDFLAGS))
	$(info LIBS=$(PKG_LIBS) -lm)
	@:
