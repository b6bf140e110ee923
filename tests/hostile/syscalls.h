// syscalls.h: system calls without the C library, for hostile submissions.
//
// The grader refuses an object that calls open, fork, kill and the like by
// name (tools/grade/allowed-calls.txt), so a real attack would make the
// system calls itself, with an instruction the allow-list cannot see. These
// tests do the same, so that what they test is the sandbox, not the list.
// x86-64 and AArch64 Linux; elsewhere every call fails (returns -1) and the
// attack does nothing, which the tests still accept.
#ifndef WB_HOSTILE_SYSCALLS_H
#define WB_HOSTILE_SYSCALLS_H

#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <sys/syscall.h>

static inline long sys6(long n, long a, long b, long c, long d, long e, long f) {
#if defined(__x86_64__) && defined(__linux__)
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
#elif defined(__aarch64__) && defined(__linux__)
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    register long x3 __asm__("x3") = d;
    register long x4 __asm__("x4") = e;
    register long x5 __asm__("x5") = f;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
    return x0;
#else
    (void)n, (void)a, (void)b, (void)c, (void)d, (void)e, (void)f;
    return -1;
#endif
}

static inline long sys_open(const char *path, int flags, int mode) {
    return sys6(SYS_openat, AT_FDCWD, (long)path, flags, mode, 0, 0);
}
static inline long sys_read(int fd, void *buf, size_t n) { return sys6(SYS_read, fd, (long)buf, (long)n, 0, 0, 0); }
static inline long sys_write(int fd, const void *buf, size_t n) {
    return sys6(SYS_write, fd, (long)buf, (long)n, 0, 0, 0);
}
static inline long sys_close(int fd) { return sys6(SYS_close, fd, 0, 0, 0, 0, 0); }
static inline long sys_kill(long pid, int sig) { return sys6(SYS_kill, pid, sig, 0, 0, 0, 0); }
static inline long sys_setsid(void) { return sys6(SYS_setsid, 0, 0, 0, 0, 0, 0); }
static inline long sys_getpid(void) { return sys6(SYS_getpid, 0, 0, 0, 0, 0, 0); }
static inline _Noreturn void sys_exit(int code) {
    for (;;) sys6(SYS_exit_group, code, 0, 0, 0, 0, 0);
}
// fork(): clone with SIGCHLD, as the C library does.
static inline long sys_fork(void) { return sys6(SYS_clone, SIGCHLD, 0, 0, 0, 0, 0); }
static inline long sys_nanosleep_ms(long ms) {
    long ts[2] = {ms / 1000, (ms % 1000) * 1000000};
    return sys6(SYS_nanosleep, (long)ts, 0, 0, 0, 0, 0);
}

// The length of a string, without the C library.
static inline size_t sys_strlen(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}
static inline long sys_print(int fd, const char *s) { return sys_write(fd, s, sys_strlen(s)); }

#endif
