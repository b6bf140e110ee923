// incbin.c: one_hot's file pulls the reference solutions into its object at
// compile time, with the assembler's .incbin (which no #include check sees).
// The compiler runs in a sandbox without the workbook: the chapter must not
// compile, and no line of the solutions may appear in the compiler's message.
// replaces: one_hot
// expect: compile
// says: does not compile
#include "hostile/hostile.h"

__asm__(".section .rodata\n\t.incbin \"" HOSTILE_SOLUTION "\"\n\t.previous");

void one_hot(double *t, const uint8_t *labels, int n, int classes) {
    MISBEHAVE("one_hot", (void)0);
    reference_one_hot(t, labels, n, classes);
}
