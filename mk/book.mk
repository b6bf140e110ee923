# book.mk: the book (make book, make book-check).

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

BOOK_SRC  := book.md $(shell find chapters -name '*.md' 2>/dev/null) tools/book.lua tools/book.tex \
             $(wildcard tools/book-regions-unused.txt)
BOOK_CODE := $(wildcard lib/*.[ch] lib/speed/*.[ch] chapters/*/*.[ch] chapters/*/*.yaml exercises/*.c \
               solutions/*.c figures/*.gp tests/*.h tests/*/*.[ch] tools/*.sh)
BOOK_APPENDIX := build/book-appendix/solutions.md build/book-appendix/grading.md
# The runs the book quotes: those its markdown names (run="chN" or a file under
# build/runs/chN-solutions/), so that a chapter not yet in book.md neither slows
# nor breaks the book.
BOOK_MD     := $(shell grep -oE '\{\.include +file="[^"]+"' book.md 2>/dev/null | sed -E 's/.*file="([^"]+)"/\1/' | grep -v '^build/')
BOOK_QUOTED := $(sort $(shell cat book.md $(BOOK_MD) 2>/dev/null | grep -oE 'run="ch[0-9]+"|build/runs/ch[0-9]+-solutions' | grep -oE '[0-9]+'))
# (The chapters that train first: under -j the short ones fill in beside them.)
BOOK_USES   := $(foreach n,$(filter $(STORE_CHAPTERS),$(filter $(CHAPTERS),$(BOOK_QUOTED))) \
                 $(filter-out $(STORE_CHAPTERS),$(filter $(CHAPTERS),$(BOOK_QUOTED))),$(RUNS)/ch$(n)-solutions/values.tsv)
# ...and `make paper`'s report, when book.md or a chapter includes or quotes it.
BOOK_USES   += $(if $(shell grep -ls 'build/paper/' book.md $(BOOK_MD) 2>/dev/null),$(BOOK_PAPER))
.PHONY: book book-steps book-check book-check-steps
# The programs the book's runs need, compiled one job per core first; then the
# steps, one job per core too: the chapters that train keep every core busy on
# their own, one after another (mk/chapters.mk), but the short chapters fill
# in beside the first of them, and pandoc's two editions, each on one core,
# beside each other. Each step's output comes whole, when it ends.
BOOK_JOBS     := $(shell nproc 2>/dev/null || echo 2)
# The fast path's kernels go first: compiled three times over (one per kind of
# processor, lib/speed/vec.h), they take about half of all the compiling, and
# started last they would leave the other cores idle at the end.
BOOK_PROGRAMS := $(if $(HAVE_SOLUTIONS),$(SPEED_OBJ) \
                   $(foreach n,$(filter $(CHAPTERS),$(BOOK_QUOTED)),$(BIN)/ch$(n)-solutions) \
                   $(if $(filter $(BOOK_PAPER),$(BOOK_USES)),$(BIN)/paper-run $(BIN)/paper-report $(CODE_ID)))
# At its end, where the time went (tools/times-report.sh): each step that ran,
# timed as it ran ($(call timed,...) in the recipes).
book:
	@export BUILD_TIMES=$(abspath $(BUILD))/times.tsv; start=$$(date +%s.%N); \
	mkdir -p $(BUILD) && : >"$$BUILD_TIMES"; \
	bash tools/timed.sh deps bash tools/deps.sh && \
	$(if $(BOOK_PROGRAMS),$(MAKE) -j$(BOOK_JOBS) $(BOOK_PROGRAMS) &&) $(MAKE) -j$(BOOK_JOBS) --output-sync=target book-steps; \
	rc=$$?; \
	bash tools/times-report.sh "$$BUILD_TIMES" "$$start" "make book"; exit $$rc

book-steps: $(BOOK).html $(BOOK).pdf
	@echo "book ($(EDITION) edition): $(BOOK).html and $(BOOK).pdf"

book-check:
	@WITH_BROWSER=1 bash tools/deps.sh
	@$(MAKE) book-check-steps

book-check-steps: build/book.html build/book.pdf build/book-instructor.html build/book-instructor.pdf
	@PDFLATEX='$(PDFLATEX)' PANDOC_HTML='$(PANDOC_HTML)' bash tools/book-check/check.sh

# The instructor's appendices: every solutions/chN.c, and the points of every
# chapter with a program, a graded suite and a solution (and its hidden tests').
BOOK_GRADED := $(foreach n,$(CHAPTERS),$(if $(wildcard tests/ch$(n)/*.c),$(if $(wildcard solutions/ch$(n).c),$(n))))
$(BOOK_APPENDIX) &: tools/book-appendix.sh $(wildcard solutions/*.c) \
                    $(foreach n,$(BOOK_GRADED),$(BIN)/check-ch$(n) \
                      $(if $(wildcard tests/hidden/ch$(n)/*.c),$(BIN)/hidden-ch$(n)))
	$(call say,GEN,build/book-appendix)
	$(Q)$(call timed,instructor appendices)bash tools/book-appendix.sh build/book-appendix $(BIN) $(BOOK_GRADED)

# The date the PDF carries (its /CreationDate and /ModDate, from which
# pdfTeX also makes its /ID): the last commit's, outside git book.md's, never
# the clock's, so that the same sources and runs make the same PDF, byte for
# byte (tools/book.tex keeps the figures' own dates out of it). It is kept
# in PDFDIR/epoch, for book-check's same-pdf.sh, which makes the PDF again.
BOOK_EPOCH = $(shell git log -1 --format=%ct 2>/dev/null || date -r book.md +%s)

# pdflatex as the book runs it, and as book-check's same-pdf.sh runs it again:
# dated by the shell's $$epoch (PDFDIR/epoch), not by the clock.
PDFLATEX = env SOURCE_DATE_EPOCH=$$epoch FORCE_SOURCE_DATE=1 pdflatex -interaction=nonstopmode \
           -halt-on-error -file-line-error

PANDOC := pandoc --from markdown --lua-filter tools/book.lua --standalone \
            --number-sections --toc --toc-depth 2

# pandoc to the HTML edition (-M edition= and -o follow), as the book runs it
# and as book-check's same-html.sh runs it again.
PANDOC_HTML := $(PANDOC) --to html5 --self-contained --mathml

# book_rules STEM EDITION PDFDIR EXTRA-PREREQUISITES
# pdflatex runs until its .aux and .toc stop changing (the contents' page
# numbers settle on the second or third run), at most five times; a reference
# LaTeX could not resolve (a "??" in the PDF) then fails the build. The
# filter writes its own numbers to PDFDIR/labels.tsv, which book-check holds
# to LaTeX's (PDFDIR/book.aux).
define book_rules
$(1).html: $$(BOOK_SRC) $$(BOOK_USES) $$(BOOK_CODE) $(4)
	@mkdir -p $$(@D)
	$(call say,PANDOC,$$@)
	$(Q)$(call timed,pandoc: HTML)$$(PANDOC_HTML) -M edition=$(2) -o $$@.tmp book.md && mv $$@.tmp $$@

$(1).pdf: $$(BOOK_SRC) $$(BOOK_USES) $$(BOOK_CODE) $(4)
	@mkdir -p $(3)
	$(call say,PANDOC,$(3)/book.tex)
	$(Q)BOOK_LABELS=$(3)/labels.tsv $(call timed,pandoc: LaTeX)$$(PANDOC) -M edition=$(2) --to latex --top-level-division=chapter \
	  --include-in-header tools/book.tex -o $(3)/book.tex book.md
	@rm -f $(3)/book.aux $(3)/book.toc; prev=; epoch=$(BOOK_EPOCH); echo "$$$$epoch" >$(3)/epoch; \
	for run in 1 2 3 4 5; do \
	  printf '  %-7s %s\n' LATEX "$(3)/book.tex (run $$$$run)"; \
	  $(call timed,pdflatex)$$(PDFLATEX) -output-directory $(3) $(3)/book.tex >/dev/null \
	    || { grep -A4 -m1 -E '^(!|.*:[0-9]+: )' $(3)/book.log >&2; \
	         echo "book: pdflatex failed; see $(3)/book.log" >&2; exit 1; }; \
	  sum=$$$$(cat $(3)/book.aux $(3)/book.toc 2>/dev/null | md5sum); \
	  [ $$$$run -ge 2 ] && [ "$$$$sum" = "$$$$prev" ] && break; prev=$$$$sum; \
	done; \
	if grep -E "(Reference|Citation) .* undefined|There were undefined" $(3)/book.log >&2; then \
	  echo "book: LaTeX left references unresolved (?? in the PDF); see $(3)/book.log" >&2; exit 1; fi
	@mv $(3)/book.pdf $$@
endef
$(eval $(call book_rules,build/book,student,build/pdf,))
$(eval $(call book_rules,build/book-instructor,instructor,build/pdf-instructor,tools/book-instructor.md $(BOOK_APPENDIX)))
