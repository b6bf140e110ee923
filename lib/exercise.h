// exercise.h: how an unfinished exercise stops the program.
//
// Every stub in exercises/ starts with TODO("name"). Until the student
// replaces it, calling the stub prints one line that says which exercise, in
// which file, and how to see the reference run, then exits with status
// EXERCISE_UNFINISHED. The graders read that status as "not finished yet".
#ifndef WB_EXERCISE_H
#define WB_EXERCISE_H

enum { EXERCISE_UNFINISHED = 3 };

// Each chapter program sets this to its chapter number so the message can name
// `make chN SOLUTIONS=1`. Tests leave it at 0.
extern int exercise_chapter;

_Noreturn void exercise_unfinished(const char *name, const char *file);

#define TODO(name) exercise_unfinished((name), __FILE__)

#endif
