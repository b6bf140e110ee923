#!/usr/bin/env bash
# 75-book-reader: both editions of the book, built and checked as a reader
# would (`make book-check-steps`: tools/book-check/ in headless Chromium and
# with pdftotext). Students need no browser, so without Chromium this step is
# skipped (exit 77), saying so; CI installs it and runs `make book-check`.
set -u
cd "$(dirname "$0")/../.." || exit 1
if ! command -v "${CHROMIUM:-chromium}" >/dev/null 2>&1; then
    echo "skipped: Chromium is not installed (make book-check installs it; CI runs it)"
    exit 77
fi
# The book's runs train for minutes: `make test` checks a book that is
# already built and up to date, and leaves building it to `make book`.
if ! make -q build/book.html build/book.pdf 2>/dev/null; then
    echo "skipped: the book is not built, or is older than its sources (make book builds it; CI runs make book-check)"
    exit 77
fi
make -s --no-print-directory book-check-steps 2>&1 | grep -vE '^(pdflatex|pandoc|BOOK_LABELS|mv |bash tools|cc |mkdir )'
exit "${PIPESTATUS[0]}"
