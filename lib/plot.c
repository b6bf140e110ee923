// plot.c: gnuplot as a child process, with no shell in between (see plot.h).
#include "plot.h"

#include "output.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

// Runs gnuplot -e "dir='...'; term='...'; ...; EXTRA" figures/SCRIPT.gp, its
// stderr kept in `diag` so that a failure can quote gnuplot's own complaint.
static int run_gnuplot(const char *figures_dir, const char *script_name, const char *name,
                       const char *dir, const char *term, const char *extra, Error *err) {
    char script[4096], vars[9400];
    snprintf(script, sizeof script, "%s/%s.gp", figures_dir, script_name);
    if (access(script, R_OK) != 0)
        return error_set(err, "%s: cannot read the figure script: %s", script, strerror(errno));
    if (strchr(dir, '\'') || strchr(figures_dir, '\''))
        return error_set(err, "%s: a quote in a folder name would break the gnuplot script", dir);
    if (extra && strlen(extra) > 900)
        return error_set(err, "%s: the variables passed to gnuplot are too long", script);
    snprintf(vars, sizeof vars, "dir='%s'; term='%s'; figures='%s'; name='%s'%s%s", dir, term,
             figures_dir, name, extra && *extra ? "; " : "", extra ? extra : "");
    int pipefd[2];
    if (pipe(pipefd) != 0) return error_set(err, "pipe: %s", strerror(errno));
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) return error_set(err, "fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(pipefd[1], STDERR_FILENO);
        close(pipefd[0]), close(pipefd[1]);
        execlp("gnuplot", "gnuplot", "-e", vars, script, (char *)NULL);
        fprintf(stderr, "cannot run gnuplot: %s (make deps installs it)", strerror(errno));
        _exit(127);
    }
    close(pipefd[1]);
    char diag[1024] = "";
    size_t used = 0;
    ssize_t got;
    char buf[512];
    while ((got = read(pipefd[0], buf, sizeof buf)) > 0) {
        size_t take = (size_t)got < sizeof diag - 1 - used ? (size_t)got : sizeof diag - 1 - used;
        memcpy(diag + used, buf, take), used += take;
    }
    diag[used] = '\0';
    close(pipefd[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        for (char *c = diag; *c; c++) if (*c == '\n') *c = ' ';
        for (size_t n = strlen(diag); n > 0 && diag[n - 1] == ' '; n--) diag[n - 1] = '\0';
        return error_set(err, "%s: gnuplot failed (%s terminal): %s", script, term,
                         diag[0] ? diag : "no message");
    }
    return 0;
}

int plot_render_with(const char *figures_dir, const char *script, const char *name,
                     const char *dir, const char *extra_vars, Error *err) {
    const char *terms[] = {"svg", "pdf"};
    for (int i = 0; i < 2; i++) {
        char final[4200], part[4208];
        snprintf(final, sizeof final, "%s/%s.%s", dir, name, terms[i]);
        snprintf(part, sizeof part, "%s.part", final);
        if (run_gnuplot(figures_dir, script, name, dir, terms[i], extra_vars, err) != 0) {
            remove(part);  // what a failed gnuplot began, never a figure
            return -1;
        }
        if (rename(part, final) != 0)
            return error_set(err, "%s: gnuplot did not write it: %s", final, strerror(errno));
    }
    return 0;
}

int plot_render(const char *figures_dir, const char *name, const char *dir, Error *err) {
    return plot_render_with(figures_dir, name, name, dir, NULL, err);
}

int plot_text_with(const char *figures_dir, const char *script, const char *name,
                   const char *dir, const char *extra_vars, Error *err) {
    return run_gnuplot(figures_dir, script, name, dir, "dumb", extra_vars, err);
}

int plot_text(const char *figures_dir, const char *name, const char *dir, Error *err) {
    return plot_text_with(figures_dir, name, name, dir, NULL, err);
}

int plot_write_grid(const char *path, const char *labels_path, const double *images, int n,
                    int rows, int cols, int grid_cols, const char *const *captions, Error *err) {
    // Each cell is the image with a 2-pixel margin to its right and a 7-pixel
    // band below it, where the caption goes.
    enum { GAP_X = 2, GAP_Y = 7 };
    int grid_rows = (n + grid_cols - 1) / grid_cols;
    int H = grid_rows * (rows + GAP_Y), W = grid_cols * (cols + GAP_X) - GAP_X;
    OutFile o, lo;
    if (out_open(&o, path, err) != 0) return -1;
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            int gy = y / (rows + GAP_Y), gx = x / (cols + GAP_X);
            int r = y % (rows + GAP_Y), c = x % (cols + GAP_X), k = gy * grid_cols + gx;
            double v = (r >= rows || c >= cols || k >= n)
                           ? 0.0 : images[(size_t)k * rows * cols + r * cols + c];
            fprintf(o.f, x ? " %.4g" : "%.4g", v);
        }
        fputc('\n', o.f);
    }
    if (out_commit(&o, err) != 0) return -1;
    if (!labels_path) return 0;
    if (out_open(&lo, labels_path, err) != 0) return -1;
    for (int k = 0; k < n; k++) {
        double x = (k % grid_cols) * (cols + GAP_X) + (cols - 1) / 2.0;
        double y = (k / grid_cols) * (rows + GAP_Y) + rows + GAP_Y / 2.0 - 0.5;
        fprintf(lo.f, "%g\t%g\t\"", x, y);
        for (const char *c = captions ? captions[k] : ""; *c; c++) {
            if (*c == '\n') fputc('\\', lo.f);  // a line break, as gnuplot writes it
            fputc(*c == '\n' ? 'n' : *c, lo.f);
        }
        fputs("\"\n", lo.f);
    }
    return out_commit(&lo, err);
}
