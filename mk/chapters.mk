# chapters.mk: each chapter's program, its judge and its subjects, and the
# commands a student runs: make chN, make check-chN.

# ---------------------------------------------------------------------------
# One set of rules per chapter: its program, linked once with exercises/ and
# once with solutions/, its judge, and its two subjects. The book is
# cumulative: chapter N's program uses the exercises of chapters 1..N (chapter
# 3's network calls chapter 2's softmax), while chapter N's graded tests use
# chapter N's file alone, so that each chapter is graded on its own.

ifneq ($(MAX_EPOCHS),)
ifneq ($(shell [[ "$(MAX_EPOCHS)" =~ ^[1-9][0-9]{0,4}$$ ]] && echo ok),ok)
$(error MAX_EPOCHS=$(MAX_EPOCHS): use a whole number of epochs from 1 to 99999)
endif
endif

upto = $(foreach k,$(CHAPTERS),$(if $(filter $(k),$(shell seq 1 $(1))),$(k)))

# Nothing trained twice: the book's runs of the chapters that train (on the
# fast path) are kept in make paper's store of runs, under a hash of what made
# them (lib/runstore.h); a later chapter takes up an earlier one's, and make
# paper reuses them. The training code's part of that hash: the library and
# the reference solutions, which both link.
STORE_CHAPTERS := 4 5 6 7
PAPER_RUNS     := build/paper/runs
TRAIN_CODE     := $(LIBA) $(foreach k,1 2 3 4 5 6,$(OBJ)/solutions/ch$(k).o)
CODE_ID        := $(BUILD)/train-code.id
# (Runs kept by other code are never taken up again: a new id empties the store.)
$(CODE_ID): $(TRAIN_CODE)
	$(call say,GEN,$@)
	$(Q)cat $^ | sha256sum | cut -c1-16 >$@.part && \
	  { cmp -s $@.part $@ || rm -rf $(PAPER_RUNS); } && mv $@.part $@

define chapter_rules
CH$(1)_OBJ  := $(patsubst %.c,$(OBJ)/%.o,$(wildcard $(2)/*.c))
TST$(1)_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(wildcard tests/ch$(1)/*.c)) $(JUDGE_OBJ) $(OBJ)/tests/judge/ch$(1).o

$(BIN)/ch$(1)-exercises $(BIN)/ch$(1)-solutions: $(BIN)/ch$(1)-%: $$(CH$(1)_OBJ) $(foreach k,$(call upto,$(1)),$(OBJ)/%/ch$(k).o) $(LIBA)
	@mkdir -p $$(@D)
	$$(call say,LD,$$@)
	$(Q)$(call timed,link)$$(LINK)

$(BIN)/check-ch$(1): $$(TST$(1)_OBJ) $(LIBA)
	@mkdir -p $$(@D)
	$$(call say,LD,$$@)
	$(Q)$(call timed,link)$$(LINK)

$(BIN)/subject-ch$(1)-exercises $(BIN)/subject-ch$(1)-solutions: $(BIN)/subject-ch$(1)-%: $(OBJ)/tests/subject/ch$(1).o $(OBJ)/%/ch$(1).o $(SUBJECT_OBJ)
	@mkdir -p $$(@D)
	$$(call say,LD,$$@)
	$(Q)$(call timed,link)$$(SUBJECT_LINK)

# A run on the reference solutions trains on the library's fast path
# (--fast); a student's own run, on the student's functions (with one seed
# per experiment unless SEEDS=n asks for more; MAX_EPOCHS=n shortens it).
.PHONY: ch$(1) check-ch$(1)
ch$(1): $(BIN)/ch$(1)-$(WHO) $(if $(filter data/mnist,$(DATA)),data,$(if $(filter /usr/share/datasets/fashion-mnist,$(DATA)),fashion-data))
	$(BIN)/ch$(1)-$(WHO) --data $(DATA) --out $(RUNS)/ch$(1)-$(WHO)$(RUN_TAG) --seed $(SEED) $(if $(CONFIG),--config $(CONFIG)) $(if $(CH_SEEDS),--seeds $(CH_SEEDS)) $(if $(MAX_EPOCHS),--max-epochs $(MAX_EPOCHS)) $(if $(filter 1,$(SOLUTIONS)),--fast)

check-ch$(1): $(BIN)/check-ch$(1) $(BIN)/subject-ch$(1)-$(WHO)
	@$(BIN)/check-ch$(1) --subject $(BIN)/subject-ch$(1)-$(WHO) $(CHECK_ARGS)

# The run the book quotes: the reference solutions on the full MNIST, seed 1,
# on the fast path. values.tsv is written last, so it stands for the whole run.
# The chapters that train keep their runs where make paper finds them.
$(RUNS)/ch$(1)-solutions/values.tsv: $(BIN)/ch$(1)-solutions $(if $(filter $(1),$(STORE_CHAPTERS)),$(CODE_ID)) | data
	$(call say,RUN,$(RUNS)/ch$(1)-solutions)
	$(Q)$(call timed,chapter $(1))$(BIN)/ch$(1)-solutions --data data/mnist --out $(RUNS)/ch$(1)-solutions --seed 1 --quiet --fast$(if $(filter $(1),$(STORE_CHAPTERS)), --store $(PAPER_RUNS) --code "`cat $(CODE_ID)`")
endef
$(foreach n,$(CHAPTERS),$(eval $(call chapter_rules,$(n),$(call ch_dir,$(n)))))
# The book's runs of the chapters that train go one chapter after another
# (STORE_CHAPTERS, in order), under make -j too: each
# keeps every core busy on its own (two side by side share each core's cache,
# and took longer together than one after the other: 84 s against 77 for
# chapters 4 and 5), and a later one takes up an earlier one's runs (chapters
# 6 and 7 train what chapter 4 trains as momentum with early stopping, seed
# for seed).
$(foreach i,$(wordlist 2,$(words $(STORE_CHAPTERS)),1 2 3 4 5 6 7 8 9),$(eval \
  $(RUNS)/ch$(word $(i),$(STORE_CHAPTERS))-solutions/values.tsv: | \
  $(RUNS)/ch$(word $(shell expr $(i) - 1),$(STORE_CHAPTERS))-solutions/values.tsv))

# (A student copy, made by `make student-dist`, has no solutions/ to link.)
PROGRAMS := $(foreach n,$(CHAPTERS),$(BIN)/ch$(n)-exercises $(if $(wildcard solutions/ch$(n).c),$(BIN)/ch$(n)-solutions))
CHECKS   := $(foreach n,$(CHAPTERS),$(BIN)/check-ch$(n) $(BIN)/subject-ch$(n)-exercises $(if $(wildcard solutions/ch$(n).c),$(BIN)/subject-ch$(n)-solutions))
BOOK_RUNS := $(foreach n,$(CHAPTERS),$(RUNS)/ch$(n)-solutions/values.tsv)

TEST_LIB_OBJ := $(patsubst %.c,$(OBJ)/%.o,$(wildcard tests/lib/*.c))
$(BIN)/test-lib: $(TEST_LIB_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(call say,LD,$@)
	$(Q)$(call timed,link)$(LINK)

.PHONY: all
all: $(LIBA) $(PROGRAMS) $(CHECKS) $(BIN)/test-lib
