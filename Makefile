# The MNIST workbook: every entry point.
#
#   make book            the HTML and PDF book, from the code's own runs (EDITION=instructor:
#                        + solutions and grading guide); make book-check: both, read in Chromium
#   make test            everything the project promises, checked
#                        (make test-busy: twice, with every core kept busy by stress-ng)
#   make chN             chapter N on your code   (SOLUTIONS=1: on the reference)
#   make check-chN       grade your chapter N exercises (ONLY=NAME: one test)
#   make check           every chapter's exercises in one table: done, wrong, not started; what next
#   make grade           grade a submission       (SUBMISSION=dir CH=N FORMAT=gradescope OUT=file)
#   make grade-all       grade a folder of them   (SUBMISSIONS=dir), into a gradebook CSV
#   make student-dist    the copy students get: no solutions, no hidden tests; the book in it
#   make paper           every experiment of the study, 5 seeds each: build/paper/results.tsv
#   make data            the full MNIST under data/mnist/, checksummed
#   make deps            install what is missing (Debian; prints the Homebrew line on macOS)
#   make clean           remove build/ (data/ stays; `make distclean` removes it too)
#
# Variables: SOLUTIONS=1, DATA=dir (other IDX files), DATASET=fashion, SEED=n,
# CONFIG=file.yaml (one experiment of a chapter), SEEDS=n (the seeds of each experiment,
# for make chN and make paper), MAX_EPOCHS=n (make chN: at most n epochs a run), FORCE=1 (make paper),
# BLAS=none (the portable products instead of OpenBLAS), SANITIZE=1 (ASan+UBSan),
# V=1 (every command in full, rather than a short line for each file built).
#
# The rules live in mk/, a file for each part, included at the end:
#   mk/build.mk     compiling: flags, objects, the library
#   mk/grading.mk   the judges and subjects of `make check-chN`, make grade, grade-all,
#                   the hidden tests, the student copy, Gradescope and GitHub Classroom
#   mk/chapters.mk  each chapter's program, its judge and subjects: make chN, make check-chN
#   mk/paper.mk     make paper, make bench
#   mk/book.mk      make book, make book-check
#   mk/checks.mk    make test, test-busy, sanitize, valgrind, fuzz

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
# (RUNS is not a knob: given on the command line it would send every run, and
# the tests' scratch runs, to a folder outside build/.)
ifeq ($(origin RUNS),command line)
$(error RUNS=$(RUNS): RUNS is not a setting (the runs go to build/runs); for make test-busy, BUSY_RUNS=n runs the tests n times)
endif

# A run on other data or another seed goes to a folder of its own, never to
# the one the book quotes (build/runs/chN-solutions: the full MNIST, seed 1).
# SEEDS and MAX_EPOCHS reach a chapter's program only when given on the command line.
CH_SEEDS := $(if $(filter command line,$(origin SEEDS)),$(SEEDS))
RUN_TAG := $(if $(filter data/mnist,$(DATA)),,-$(notdir $(DATA)))$(if $(filter 1,$(SEED)),,-seed$(SEED))$(if $(CONFIG),-$(basename $(notdir $(CONFIG))))$(if $(CH_SEEDS),-seeds$(CH_SEEDS))$(if $(MAX_EPOCHS),-epochs$(MAX_EPOCHS))

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
# Set-up and data

.PHONY: deps data fashion-data
deps:
	@bash tools/deps.sh
# Fashion-MNIST (DATASET=fashion) is Debian's package, installed when missing.
fashion-data:
	@WITH_FASHION=1 bash tools/deps.sh

MNIST_FILES := $(addprefix data/mnist/,train-images-idx3-ubyte train-labels-idx1-ubyte \
                 t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)
data: $(MNIST_FILES)
$(MNIST_FILES) &:
	@$(call timed,data)bash tools/fetch-mnist.sh data/mnist

# ---------------------------------------------------------------------------

.PHONY: clean distclean
clean:
	rm -rf build
distclean: clean
	rm -rf data

include mk/build.mk mk/grading.mk mk/chapters.mk mk/paper.mk mk/book.mk mk/checks.mk
