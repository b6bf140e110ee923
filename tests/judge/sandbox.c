// sandbox.c: starting the zygote in its isolation, and asking it for a
// process per test (see sandbox.h; the zygote's side is subject/subject.c).
#define _GNU_SOURCE  // setgroups, SCM_RIGHTS helpers
#include "judge/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *const ISOLATION_NAME[] = {"none", "uid", "bwrap"};

enum {
    START_TIMEOUT_MS = 30000,   // the zygote answers a SPAWN in about a millisecond
    SANDBOX_PROCESSES = 64,     // every process of the sandbox's user, zygote included
};

static struct {
    SandboxConfig c;
    char subject[4096];
    pid_t pid;      // the launcher: bwrap, or the zygote itself
    int master;     // our end of the zygote's socket
} sb = {.pid = -1, .master = -1};

static int fail(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t len, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return -1;
}

// ---------------------------------------------------------------------------
// Becoming the sandboxed program

// The command line of bwrap: the system's programs and libraries read-only,
// the run's binds, and nothing else of the host.
static void bwrap_argv(const char **argv, int max, const SandboxRun *r, char *const prog[]) {
    static char links[8][4096];
    int n = 0, k = 0;
#define ARG(x) (n < max - 1 ? (void)(argv[n++] = (x)) : (void)0)
    ARG("bwrap");
    ARG("--unshare-all");
    ARG("--die-with-parent");
    ARG("--new-session");
    ARG("--cap-drop"), ARG("ALL");
    ARG("--clearenv");
    ARG("--setenv"), ARG("PATH"), ARG("/usr/bin:/bin");
    ARG("--setenv"), ARG("LC_ALL"), ARG("C");
    ARG("--setenv"), ARG("OPENBLAS_NUM_THREADS"), ARG("1");
    ARG("--uid"), ARG("65534");
    ARG("--gid"), ARG("65534");
    // Merged /usr (Debian 12) has /lib, /bin... as links into /usr; older
    // systems have them as folders: each as it is.
    static const char *const roots[] = {"/usr", "/lib", "/lib64", "/lib32", "/libx32", "/bin", "/sbin"};
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
        struct stat st;
        if (lstat(roots[i], &st) != 0) continue;
        if (S_ISLNK(st.st_mode) && k < 8) {
            ssize_t l = readlink(roots[i], links[k], sizeof links[k] - 1);
            if (l <= 0) continue;
            links[k][l] = '\0';
            ARG("--symlink"), ARG(links[k]), ARG(roots[i]);
            k++;
        } else if (S_ISDIR(st.st_mode)) {
            ARG("--ro-bind"), ARG(roots[i]), ARG(roots[i]);
        }
    }
    // The dynamic loader's cache, and Debian's alternatives (cc -> gcc).
    ARG("--ro-bind-try"), ARG("/etc/ld.so.cache"), ARG("/etc/ld.so.cache");
    ARG("--ro-bind-try"), ARG("/etc/alternatives"), ARG("/etc/alternatives");
    ARG("--proc"), ARG("/proc");
    ARG("--dev"), ARG("/dev");
    ARG("--tmpfs"), ARG("/tmp");
    for (int i = 0; i < r->nbinds; i++)
        ARG(r->binds[i].writable ? "--bind" : "--ro-bind"), ARG(r->binds[i].host), ARG(r->binds[i].inside);
    if (r->chdir) ARG("--chdir"), ARG(r->chdir);
    ARG("--");
    for (int i = 0; prog[i]; i++) ARG(prog[i]);
#undef ARG
    argv[n] = NULL;
}

// Outside bwrap: the host path of a path inside a bind, else the path itself.
static const char *host_path(const SandboxRun *r, const char *inside, char *buf, size_t size) {
    for (int i = 0; i < r->nbinds; i++) {
        size_t len = strlen(r->binds[i].inside);
        if (strncmp(inside, r->binds[i].inside, len) == 0 && (inside[len] == '/' || inside[len] == '\0')) {
            snprintf(buf, size, "%s%s", r->binds[i].host, inside + len);
            return buf;
        }
    }
    return inside;
}

static void set_limit(int resource, rlim_t v) {
    struct rlimit rl = {v, v};
    if (setrlimit(resource, &rl) != 0) {
        fprintf(stderr, "sandbox: cannot set a limit: %s\n", strerror(errno));
        _exit(126);
    }
}

_Noreturn void sandbox_exec(const SandboxConfig *c, const SandboxRun *r, char *const argv[]) {
    for (int fd = r->keep_fds; fd < 1024; fd++) close(fd);
    signal(SIGPIPE, SIG_DFL);
    set_limit(RLIMIT_CORE, 0);
    if (r->memory_bytes) set_limit(RLIMIT_AS, r->memory_bytes);
    if (r->cpu_seconds) set_limit(RLIMIT_CPU, r->cpu_seconds);
    if (r->file_bytes) set_limit(RLIMIT_FSIZE, r->file_bytes);
    // A user of its own, for uid, and for bwrap run by root: the kernel does
    // not count root's processes against a process limit.
    if (c->how == ISOLATION_UID || (c->how == ISOLATION_BWRAP && geteuid() == 0)) {
        if (setgroups(0, NULL) != 0 || setgid(c->gid) != 0 || setuid(c->uid) != 0) {
            fprintf(stderr, "sandbox: cannot become user %ld: %s\n", (long)c->uid, strerror(errno));
            _exit(126);
        }
        if (r->processes) set_limit(RLIMIT_NPROC, r->processes);
    }
    if (c->how == ISOLATION_BWRAP) {
        const char *bargv[128];
        bwrap_argv(bargv, 128, r, argv);
        execvp("bwrap", (char *const *)bargv);
        fprintf(stderr, "sandbox: cannot run bwrap: %s\n", strerror(errno));
        _exit(127);
    }
    char dir[4096], prog[4096];
    if (r->chdir && chdir(host_path(r, r->chdir, dir, sizeof dir)) != 0) {
        fprintf(stderr, "sandbox: cannot enter %s: %s\n", dir, strerror(errno));
        _exit(126);
    }
    if (c->how == ISOLATION_NONE) setpgid(0, 0);  // so that the run can be killed whole
    char *const env[] = {"PATH=/usr/bin:/bin", "LC_ALL=C", "OPENBLAS_NUM_THREADS=1", NULL};
    const char *path = host_path(r, argv[0], prog, sizeof prog);
    if (strchr(path, '/')) execve(path, argv, env);
    else execvpe(path, argv, env);
    fprintf(stderr, "sandbox: cannot run %s: %s\n", path, strerror(errno));
    _exit(127);
}

// Kills every process of the sandbox's user: a child becomes that user and
// signals all it may, which is exactly them.
void sandbox_kill_user(const SandboxConfig *c) {
    pid_t pid = fork();
    if (pid == 0) {
        if (setgroups(0, NULL) == 0 && setgid(c->gid) == 0 && setuid(c->uid) == 0) kill(-1, SIGKILL);
        _exit(0);
    }
    if (pid > 0) waitpid(pid, NULL, 0);
}

// ---------------------------------------------------------------------------
// The zygote

_Noreturn static void launch(int sock) {
    int devnull = open("/dev/null", O_RDWR);
    if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 || dup2(sock, 3) < 0) _exit(127);
    // In its sandbox the zygote sees its program as /subject; without one it
    // runs it where it is, from /tmp.
    Bind bind = {sb.subject, "/subject", 0};
    SandboxRun r = {.binds = &bind, .nbinds = 1, .chdir = "/tmp", .processes = SANDBOX_PROCESSES,
                    .keep_fds = 4};
    char *argv[] = {"/subject", "--zygote", "--kill-all", NULL};
    if (sb.c.how == ISOLATION_NONE) argv[2] = NULL;  // it does not have a user of its own
    sandbox_exec(&sb.c, &r, argv);
}

int sandbox_start(const SandboxConfig *c, char *err, size_t len) {
    if (c != &sb.c) {
        sb.c = *c;
        // Its full name: the zygote starts in another folder.
        if (!realpath(c->subject, sb.subject)) snprintf(sb.subject, sizeof sb.subject, "%s", c->subject);
        sb.c.subject = sb.subject;
    }
    if (access(sb.subject, X_OK) != 0)
        return fail(err, len, "no subject program %s: %s", sb.subject, strerror(errno));
    if (sb.c.how == ISOLATION_UID && geteuid() != 0)
        return fail(err, len, "isolation by user id needs root");
    // A zygote that has gone may have left processes of its user (one that
    // killed it, say): they go before a new one starts.
    if (sb.c.how == ISOLATION_UID) sandbox_kill_user(&sb.c);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return fail(err, len, "socketpair: %s", strerror(errno));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(sv[0]), close(sv[1]);
        return fail(err, len, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        close(sv[0]);
        launch(sv[1]);
    }
    close(sv[1]);
    if (sb.master >= 0) close(sb.master);
    sb.master = sv[0], sb.pid = pid;
    return 0;
}

int sandbox_ensure(char *err, size_t len) {
    if (sb.pid > 0 && waitpid(sb.pid, NULL, WNOHANG) == 0) return 0;
    sb.pid = -1;
    return sandbox_start(&sb.c, err, len);
}

void sandbox_stop(void) {
    if (sb.master >= 0) close(sb.master), sb.master = -1;
    if (sb.pid > 0) {
        // The zygote ends its test and leaves when its socket closes; give it
        // a moment, then make sure.
        for (int i = 0; i < 200 && waitpid(sb.pid, NULL, WNOHANG) == 0; i++)
            nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
        if (kill(sb.pid, SIGKILL) == 0) waitpid(sb.pid, NULL, 0);
        sb.pid = -1;
    }
    if (sb.c.how == ISOLATION_UID) sandbox_kill_user(&sb.c);
}

// ---------------------------------------------------------------------------
// In a test process

static int send_spawn(const SpawnMsg *m, const int fds[SPAWN_FDS]) {
    char cbuf[CMSG_SPACE(sizeof(int) * SPAWN_FDS)];
    memset(cbuf, 0, sizeof cbuf);
    struct iovec iov = {(void *)m, sizeof *m};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                         .msg_controllen = sizeof cbuf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET, c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * SPAWN_FDS);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * SPAWN_FDS);
    return sendmsg(sb.master, &msg, MSG_NOSIGNAL) == (ssize_t)sizeof *m ? 0 : -1;
}

static int try_start(Subject *s, int output_fd, const SpawnMsg *limits, char *err, size_t len) {
    int calls[2], replies[2], ctl[2];
    if (pipe2(calls, O_CLOEXEC) != 0) return fail(err, len, "pipe: %s", strerror(errno));
    if (pipe2(replies, O_CLOEXEC) != 0) {
        close(calls[0]), close(calls[1]);
        return fail(err, len, "pipe: %s", strerror(errno));
    }
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) != 0) {
        close(calls[0]), close(calls[1]), close(replies[0]), close(replies[1]);
        return fail(err, len, "socketpair: %s", strerror(errno));
    }
    SpawnMsg m = *limits;
    m.tag = SPAWN_TAG;
    int theirs[SPAWN_FDS] = {calls[0], replies[1], output_fd, ctl[1]};
    int sent = sb.master >= 0 ? send_spawn(&m, theirs) : -1;
    close(calls[0]), close(replies[1]), close(ctl[1]);
    CtlMsg answer = {0};
    if (sent == 0) {
        struct pollfd p = {ctl[0], POLLIN, 0};
        int r;
        while ((r = poll(&p, 1, START_TIMEOUT_MS)) < 0 && errno == EINTR) {}
        if (r != 1 || recv(ctl[0], &answer, sizeof answer, 0) != sizeof answer) answer.tag = 0;
    }
    if (answer.tag != CTL_STARTED) {
        close(calls[1]), close(replies[0]), close(ctl[0]);
        if (answer.tag == CTL_FAILED)
            return fail(err, len, "the zygote could not fork: %s", strerror(answer.value));
        return fail(err, len, "the zygote did not answer");
    }
    *s = (Subject){calls[1], replies[0], ctl[0], answer.value};
    return 0;
}

int subject_start(Subject *s, int output_fd, const SpawnMsg *limits, char *err, size_t len) {
    if (try_start(s, output_fd, limits, err, len) == 0) return 0;
    // The zygote has gone (an earlier test's code may have killed it): this
    // test starts a sandbox of its own, which ends with it.
    char why[256];
    if (sandbox_start(&sb.c, why, sizeof why) != 0)
        return fail(err, len, "%s, and a new one could not start: %s", err, why);
    return try_start(s, output_fd, limits, err, len);
}
