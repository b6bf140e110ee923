// find_reference.c: zscore looks for the reference solution in its own
// program, as a submission could when the hidden tests linked the reference
// beside it: it reads /proc/self/exe, finds ref_zscore in its symbol table,
// and calls it. The reference is never linked into a program that runs a
// submission, so there is none to find: zscore's tests must lose (its output
// stays as it was), and the others pass.
// replaces: zscore
// expect: fail
// says: expected|differs|nan
#include <elf.h>
#include <stdint.h>
#include <string.h>

#include "hostile/hostile.h"
#include "hostile/syscalls.h"

static unsigned char exe[16 << 20];

// The address of symbol `want` in this process, or NULL.
static void *find(const char *want) {
    long fd = sys_open("/proc/self/exe", O_RDONLY, 0), n = 0, got;
    if (fd < 0) return NULL;
    while (n < (long)sizeof exe && (got = sys_read((int)fd, exe + n, sizeof exe - (size_t)n)) > 0) n += got;
    sys_close((int)fd);
    const Elf64_Ehdr *eh = (const void *)exe;
    if (n < (long)sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0) return NULL;
    const Elf64_Shdr *sh = (const void *)(exe + eh->e_shoff);
    uintptr_t bias = 0, found = 0;
    for (int i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB) continue;
        const Elf64_Sym *sym = (const void *)(exe + sh[i].sh_offset);
        const char *names = (const char *)(exe + sh[sh[i].sh_link].sh_offset);
        for (size_t k = 0; k < sh[i].sh_size / sizeof *sym; k++) {
            const char *name = names + sym[k].st_name;
            if (strcmp(name, "zscore") == 0) bias = (uintptr_t)zscore - sym[k].st_value;
            if (strcmp(name, want) == 0) found = sym[k].st_value;
        }
    }
    return found && bias ? (void *)(found + bias) : NULL;
}

void zscore(double *z, const double *x, int n) {
    void (*ref)(double *, const double *, int) = NULL;
    MISBEHAVE("zscore", ref = (void (*)(double *, const double *, int))find("ref_zscore"));
    if (ref) ref(z, x, n);
    else if (0) reference_zscore(z, x, n);
}
