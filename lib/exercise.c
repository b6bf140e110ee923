// exercise.c: the one line an unfinished stub prints (see exercise.h).
#include "exercise.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int exercise_chapter = 0;

// The chapter a stub belongs to, from its file name (exercises/ch2.c: 2): a
// chapter's program runs the exercises of earlier chapters too, and the hint
// should point at the chapter the unfinished one is in.
static int chapter_of(const char *file) {
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    int n = 0;
    if (sscanf(base, "ch%d", &n) == 1 && n > 0) return n;
    return exercise_chapter;
}

// Where a student sees what the chapter's run should look like: in a student
// copy (no solutions/) the book's reference run, else the run SOLUTIONS=1 makes.
#ifdef WB_NO_SOLUTIONS
#define REFERENCE_RUN "and chapter %d of the book shows the reference run"
#else
#define REFERENCE_RUN "`make ch%d SOLUTIONS=1` shows the reference run"
#endif

void exercise_unfinished(const char *name, const char *file) {
    fflush(stdout);
    int chapter = chapter_of(file);
    if (exercise_chapter > 0 && chapter > 0)
        fprintf(stderr,
                "unfinished: exercise %s in %s (replace its TODO; `make check-ch%d` grades it, "
                REFERENCE_RUN ")\n",
                name, file, chapter, exercise_chapter);
    else
        fprintf(stderr, "unfinished: exercise %s in %s (replace its TODO)\n", name, file);
    exit(EXERCISE_UNFINISHED);
}
