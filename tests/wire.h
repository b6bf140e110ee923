// wire.h: what the judge and the subject say to each other (see judge/call.h).
//
// Grading runs a student's functions in a process of their own, the subject,
// which never sees a verdict, an expected value or the reference: the judge
// (the Check suites) sends it a call, the subject makes it and sends back
// every buffer, and the judge decides. This file is the one description of
// the frames that cross between them, shared by both sides.
//
// A frame is a header, then `length` bytes of payload:
//
//   u32 magic (WIRE_MAGIC)   u32 type (Frame)   u64 length
//
// judge -> subject
//   CALL      name, the regions (sizes, then their bytes), the guard pattern,
//             the arguments
//   RESULT    the answer to a CALLBACK: its return value, every region's
//             bytes, and the bytes of each array the callback got inline
// subject -> judge
//   RETURN    the return value, how many allocations the call made, and every
//             region with the guard bytes on both sides, as they are now
//   CALLBACK  the student's code called a function the judge provides (a
//             loss, a layer): its name, every region with its guards, the
//             arguments (an array is a place in a region, or inline bytes)
//   TODO      an unfinished exercise was called: its name and file
//   EXITING   the program is ending through exit() (atexit ran)
//   FAULT     a fatal signal: its number, the faulting address, errno, and
//             whether an allocation had failed
//
// A region is a stretch of the judge's memory that one or more arguments
// point into (two arguments that overlap share one: zscore(z, z, n)). The
// subject keeps each region between WIRE_GUARD bytes of the guard pattern on
// both sides, so that a write before the start or past the end of an array
// shows. Numbers are in the machine's own byte order: both ends are built
// from the same sources for the same machine.
//
// The judge trusts nothing it reads: it knows how long every reply must be
// from what it sent, and parses each frame with the bounds checks of
// WireReader, whatever the subject writes.
#ifndef WB_WIRE_H
#define WB_WIRE_H

#include <stddef.h>
#include <stdint.h>

enum {
    WIRE_MAGIC = 0x50524257,      // "WBRP"
    WIRE_GUARD = 64,              // guard bytes on each side of a region
    WIRE_MAX_REGIONS = 64,
    WIRE_MAX_ARGS = 64,
    WIRE_MAX_NAME = 64,
};
#define WIRE_MAX_PAYLOAD ((uint64_t)1 << 30)  // 1 GiB: no call of this book comes near it

typedef enum {
    FRAME_CALL = 1,
    FRAME_RESULT,
    FRAME_RETURN,
    FRAME_CALLBACK,
    FRAME_TODO,
    FRAME_EXITING,
    FRAME_FAULT,
} Frame;

// An argument, as it crosses.
typedef enum {
    WARG_REGION = 1,   // u32 region, u64 offset (u64 bytes too, in a CALLBACK)
    WARG_NULL,         // a NULL pointer
    WARG_INT,          // i64
    WARG_DOUBLE,       // the 8 bytes of a double
    WARG_CALLBACKS,    // a set of functions the judge provides: u32 which (see judge/call.h)
    WARG_INLINE,       // CALLBACK only: u64 bytes, then the bytes (an array outside every region)
} WireArg;

// A return value: WRET_VOID, or an i64 or a double's 8 bytes.
typedef enum { WRET_VOID = 0, WRET_INT, WRET_DOUBLE } WireRet;

typedef struct {
    uint32_t magic, type;
    uint64_t length;
} WireHeader;

// ---------------------------------------------------------------------------
// Writing: a growing buffer, sent whole.

typedef struct {
    unsigned char *data;
    size_t len, cap;
    int failed;   // an allocation failed: the frame must not be sent
} WireBuf;

void wire_begin(WireBuf *b, Frame type);    // empties b and writes a header to fill in
void wire_put(WireBuf *b, const void *p, size_t n);
void wire_u8(WireBuf *b, uint8_t v);
void wire_u32(WireBuf *b, uint32_t v);
void wire_u64(WireBuf *b, uint64_t v);
void wire_i64(WireBuf *b, int64_t v);
void wire_f64(WireBuf *b, double v);
void wire_str(WireBuf *b, const char *s);   // u32 length, the bytes (no NUL)
// Completes the header (the payload's length): 0, or -1 if the frame is broken.
int wire_end(WireBuf *b);
// wire_end, then writes the frame to fd, all of it; -1 on failure.
int wire_send(WireBuf *b, int fd);
void wire_free(WireBuf *b);

// ---------------------------------------------------------------------------
// Reading: a payload in memory, taken apart with bounds checks. A read past
// the end sets `bad` and yields zeros, so a parser checks once, at its end.

typedef struct {
    const unsigned char *p;
    size_t len, at;
    int bad;
} WireReader;

void wire_reader(WireReader *r, const void *p, size_t len);
const void *wire_take(WireReader *r, size_t n);   // NULL (and bad) when fewer than n are left
uint8_t wire_get_u8(WireReader *r);
uint32_t wire_get_u32(WireReader *r);
uint64_t wire_get_u64(WireReader *r);
int64_t wire_get_i64(WireReader *r);
double wire_get_f64(WireReader *r);
// A string of at most max - 1 bytes, copied into out and NUL-terminated; bad
// when longer or holding a NUL.
void wire_get_str(WireReader *r, char *out, size_t max);
// Whether every byte was read and nothing was out of bounds.
int wire_done(const WireReader *r);

// Reads exactly n bytes from fd: 0, or -1 at end of file or on an error.
// (The judge does not use this one: it reads with a deadline, judge/call.c.)
int wire_read_all(int fd, void *p, size_t n);

// ---------------------------------------------------------------------------
// The zygote (subject/subject.c): the judge's runner asks it for one fresh
// process per test, on a SOCK_SEQPACKET socket, with a SpawnMsg and four
// descriptors (SCM_RIGHTS): the calls, the replies, the test's output file,
// and a control socket on which the zygote answers with CtlMsgs: STARTED
// (the pid), then EXITED (the wait status, and the processor time it used)
// when that process ends, or
// FAILED (errno) if it could not start it. Closing the control socket ends
// the test: the zygote kills its process and whatever it left. While the
// process runs, the judge may ask for the processor time it has used so far:
// the two bytes 'c' and a number, to which the zygote answers CPU (that
// number, and the time), so that the judge can tell code that waits from
// code that computes on a busy machine (judge/call.c).

enum {
    SPAWN_TAG = 0x4e575053,  // "SPWN"
    SPAWN_FDS = 4,
    CTL_STARTED = 1,
    CTL_EXITED,
    CTL_FAILED,
    CTL_CPU,
    CTL_ASK_CPU = 'c',
};

typedef struct {
    uint32_t tag;
    uint32_t cpu_seconds;    // RLIMIT_CPU: SIGXCPU then, SIGKILL a second later
    uint64_t output_bytes;   // RLIMIT_FSIZE
    uint64_t memory_bytes;   // RLIMIT_AS beyond what the process maps already; 0: none
    uint32_t processes;      // RLIMIT_NPROC; 0: none (the zygote does not own its user)
    uint32_t unused;
} SpawnMsg;

typedef struct {
    uint32_t tag;   // CTL_...
    int32_t value;  // the pid, the wait status, errno, or CPU: the number asked with
    uint32_t cpu_ms;  // EXITED, CPU: the processor time the process has used, in ms
    uint32_t unused;
} CtlMsg;

#endif
