// yours.h: step 2 of chapter 3, your functions one at a time.
#ifndef WB_CH3_YOURS_H
#define WB_CH3_YOURS_H

#include "chapter.h"
#include "net.h"

// Each of your functions on a case small enough to work by hand, in the
// order the chapter has them, then your two passes on a 784-2-10 network of
// two images (built from layers): the first unfinished or wrong one stops the
// run (chapter_wrong) before anything depends on it.
int your_functions(const Chapter *ch, const Split *tr, const Layers *layers, Error *err);

#endif
