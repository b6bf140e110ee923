// ch4.c: your exercises for chapter 4 (momentum and early stopping). The
// contract of each function is in chapters/04-momentum/ch4.h; `make check-ch4`
// grades them and `make ch4` runs the chapter on them.
#include "ch4.h"

#include "exercise.h"

//> stub-momentum-step
void momentum_step(double *w, double *v, const double *g, double rate, double gamma, int count) {
    // TODO: update the velocity first, then move each weight by it.
    (void)w, (void)v, (void)g, (void)rate, (void)gamma, (void)count;
    TODO("momentum_step");
}
//< stub-momentum-step

//> stub-should-stop
bool should_stop(const double *val_loss, int epochs, int patience) {
    // TODO: find the epoch of the lowest loss; stop when it is patience or more epochs back.
    (void)val_loss, (void)epochs, (void)patience;
    TODO("should_stop");
}
//< stub-should-stop
