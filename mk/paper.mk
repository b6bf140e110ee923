# paper.mk: the reproduction of the study (make paper) and the speed of the
# fast path (make bench).

# ---------------------------------------------------------------------------
# The reproduction
#
#   make paper      every experiment of the study, with seeds 1..SEEDS (5), on the
#                   reference solutions and the fast path, one run per core at a time
#                   (tools/paper/run.c); then the report (tools/paper/report.c):
#                   build/paper/study.tsv and own.tsv (the tables of the book's appendix,
#                   chapters/appendix/reproduction.md), results.tsv, values.tsv.
#                   A finished run is kept in build/paper/runs/ under a hash of its
#                   inputs (config, seed, data, training code) and reused, whichever
#                   program trained it (the book's chapter runs keep theirs there
#                   too: mk/chapters.mk); FORCE=1 retrains.
#
# Other SEEDS or DATA report into a folder of their own (build/paper-seeds1/), never
# into the one the book quotes; the runs are shared.

SEEDS ?= 5
ifneq ($(shell [[ "$(SEEDS)" =~ ^[1-9][0-9]?$$|^100$$ ]] && echo ok),ok)
$(error SEEDS=$(SEEDS): use a whole number of seeds from 1 to 100)
endif
PAPER_DIR  := build/paper$(if $(filter data/mnist,$(DATA)),,-$(notdir $(DATA)))$(if $(filter 5,$(SEEDS)),,-seeds$(SEEDS))
# What the book quotes: the default seeds on the full MNIST.
BOOK_PAPER := build/paper/study.tsv build/paper/own.tsv build/paper/values.tsv build/paper/results.tsv

ifneq ($(HAVE_SOLUTIONS),)
$(BIN)/paper-run: $(OBJ)/tools/paper/run.o $(OBJ)/tools/paper/experiments.o \
                  $(foreach k,2 3 4 5 6,$(OBJ)/solutions/ch$(k).o) $(LIBA)
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(call timed,link)$(LINK)
$(BIN)/paper-report: $(OBJ)/tools/paper/report.o $(OBJ)/tools/paper/experiments.o \
                     $(OBJ)/solutions/ch4.o $(LIBA)
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(call timed,link)$(LINK)
all: $(BIN)/paper-run $(BIN)/paper-report

# paper_steps DIR SEEDS DATA FORCE REPORT-OPTIONS
define paper_steps
	$(call say,PAPER,$(1) (the runs: $(PAPER_RUNS)))
	$(Q)$(call timed,make paper: the runs)$(BIN)/paper-run --data $(3) --out $(1) --runs $(PAPER_RUNS) --code "`cat $(CODE_ID)`" --seeds $(2) $(if $(filter 1,$(4)),--force)
	$(Q)$(call timed,make paper: the report)$(BIN)/paper-report --out $(1) --runs $(PAPER_RUNS) $(5)
endef

.PHONY: paper
paper: $(BIN)/paper-run $(BIN)/paper-report $(CODE_ID) $(if $(filter data/mnist,$(DATA)),data)
	$(call paper_steps,$(PAPER_DIR),$(SEEDS),$(DATA),$(FORCE))

# For the book: rerun when the programs or the configs change (the runs
# themselves are reused when their inputs did not), after the chapters that
# train, whose runs it reuses.
$(BOOK_PAPER) &: $(BIN)/paper-run $(BIN)/paper-report $(CODE_ID) $(wildcard chapters/*/*.yaml) \
                 | data $(foreach n,$(STORE_CHAPTERS),$(RUNS)/ch$(n)-solutions/values.tsv)
	$(call paper_steps,build/paper,5,data/mnist,,--check-claims)
else
.PHONY: paper
paper:
	@echo "make paper: trains the reference solutions, which this student copy leaves out" >&2; exit 1
endif

# ---------------------------------------------------------------------------
# Speed
#
#   make bench      an epoch of the study's chapter-4 network (784-128-10, tanh, batch
#                   128, momentum) on the plain path (train(), the reference solutions)
#                   and on the fast path (train_with(), lib/speed/fast.c), the fast run's peak
#                   memory, two estimates of how fast an epoch could be here, PyTorch's
#                   epoch when Debian's PyTorch is installed (PYTORCH=1 installs it),
#                   and the time of `make paper SEEDS=1` (PAPER=0 skips it); the last
#                   line is for scripts (tools/bench.sh: bench: epoch_s= ... paper_s=)
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
	$(call say,LD,$@)
	$(Q)$(call timed,link)$(LINK)

all: $(BIN)/bench

.PHONY: bench
bench: $(BIN)/bench $(if $(filter data/mnist,$(DATA)),data)
	@$(if $(filter 1,$(PYTORCH)),WITH_PYTORCH=1 bash tools/deps.sh &&) PAPER=$(PAPER) bash tools/bench.sh $(BIN)/bench $(DATA) $(BUILD)/bench
else
$(OBJ)/tests/lib/test_train.o $(OBJ)/tests/lib/test_experiment.o: DEFS += -DWB_NO_SOLUTIONS

.PHONY: bench
bench:
	@echo "make bench: times the reference solutions, which this student copy leaves out" >&2; exit 1
endif
