// exercise.c: the one line an unfinished stub prints (see exercise.h).
#include "exercise.h"

#include <stdio.h>
#include <stdlib.h>

int exercise_chapter = 0;

void exercise_unfinished(const char *name, const char *file) {
    fflush(stdout);
    if (exercise_chapter > 0)
        fprintf(stderr,
                "unfinished: exercise %s in %s (replace its TODO; `make check-ch%d` grades it, "
                "`make ch%d SOLUTIONS=1` shows the reference run)\n",
                name, file, exercise_chapter, exercise_chapter);
    else
        fprintf(stderr, "unfinished: exercise %s in %s (replace its TODO)\n", name, file);
    exit(EXERCISE_UNFINISHED);
}
