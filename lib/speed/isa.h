// isa.h: the copies of lib/speed/, one per kind of processor (vec.h), as
// isa.c sees them. For speed only.
//
// fast.c and rates.c are compiled once per copy, with WB_ISA naming it (v4,
// v3 and v1 for x86-64-v4, v3 and plain x86-64; native elsewhere): each
// copy's functions are its own, and it hands them to isa.c in a table named
// for it (SPEED_COPY(speed_fast) is speed_fast_v3 in copy v3). isa.c
// defines fast.h's and rates.h's functions, which call the copy that this
// processor runs.
#ifndef WB_SPEED_ISA_H
#define WB_SPEED_ISA_H

#define SPEED_COPY_(name, isa) name##_##isa
#define SPEED_COPY_AT(name, isa) SPEED_COPY_(name, isa)
#ifdef WB_ISA
#define SPEED_COPY(name) SPEED_COPY_AT(name, WB_ISA)
#endif

#include "fast.h"  // (after SPEED_COPY, which fast.c's names for fast.h's functions use)

typedef struct {  // fast.h's functions, in one copy
    const char *(*unsupported)(const Net *net, const Mnist *data);
    int (*create)(Fast **f, const Net *net, const Config *cfg, const Mnist *data, int threads,
                  Error *err);
    void (*free)(Fast *f);
    int (*threads)(const Fast *f);
    bool (*share)(const Mnist *data);
    void (*unshare)(void);
    void (*load)(Fast *f, const Net *net);
    void (*store)(const Fast *f, Net *net);
    void (*step)(Fast *f, const int *idx, int B);
    void (*evaluate)(double *loss, double *acc, Fast *f, const Split *s);
} SpeedFast;

// Every copy's Fast begins with its own table (fast.c sets it), so that
// isa.c knows which copy made a Fast: the copy may differ from one
// fast_create to the next (WB_FAST_COPY, isa.c).
typedef struct {
    const SpeedFast *copy;
} FastHead;

typedef struct {  // rates.h's, in one copy
    double (*peak)(void);
    double (*axpy)(void);
} SpeedRates;

#ifdef WB_ISA  // this copy's tables (fast.c, rates.c)
extern const SpeedFast SPEED_COPY(speed_fast);
extern const SpeedRates SPEED_COPY(speed_rates);
#endif

#endif
