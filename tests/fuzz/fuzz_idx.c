// fuzz_idx.c: the IDX reader (lib/idx.c) on any bytes, raw and gzipped.
//
// idx_read_images and idx_read_labels read a path, so each input is written to
// a file in a private temporary folder (under /dev/shm when there is one) and
// read three ways:
//   - as it is, as an images file and as a labels file: zlib reads it
//     transparently, or inflates it when it happens to start like gzip, so
//     broken gzip streams are fuzzed too (the seed corpus holds a .gz);
//   - gzip-compressed here, under the name path.gz with no plain path beside
//     it: the reader's .gz fall-back, on a valid stream of the same bytes,
//     which must give exactly what the plain read gave.
// Besides "no crash, no leak, no undefined behaviour", each read must keep
// idx.h's promises: on success the dimensions and the data are exactly the
// file's, every label 0..9; on failure the struct is left empty and the
// message is one line that names the file.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "fuzz.h"
#include "idx.h"

static char dir[256];
static char raw_path[300], gz_base[300], gz_path[300];

static void cleanup(void) {
    unlink(raw_path);
    unlink(gz_path);
    if (dir[0]) rmdir(dir);
}

static void setup(void) {
    if (dir[0]) return;
    const char *base = getenv("TMPDIR");
    struct stat st;
    if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0)
        base = "/dev/shm";
    if (!base || !*base) base = "/tmp";
    snprintf(dir, sizeof dir, "%s/fuzz-idx.XXXXXX", base);
    if (!mkdtemp(dir)) fuzz_fail("cannot make a temporary folder %s: %s", dir, strerror(errno));
    snprintf(raw_path, sizeof raw_path, "%s/raw", dir);
    snprintf(gz_base, sizeof gz_base, "%s/wrapped", dir);
    snprintf(gz_path, sizeof gz_path, "%s/wrapped.gz", dir);
    atexit(cleanup);
}

static void write_file(const char *path, const uint8_t *data, size_t size) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) fuzz_fail("%s: cannot write: %s", path, strerror(errno));
    for (size_t done = 0; done < size;) {
        ssize_t w = write(fd, data + done, size - done);
        if (w <= 0) fuzz_fail("%s: write failed: %s", path, strerror(errno));
        done += (size_t)w;
    }
    close(fd);
}

// The input as one gzip member (windowBits 15 + 16: a gzip header and trailer).
static uint8_t *gzip_bytes(const uint8_t *data, size_t size, size_t *out_size) {
    z_stream s;
    memset(&s, 0, sizeof s);
    if (deflateInit2(&s, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        fuzz_fail("deflateInit2 failed");
    size_t cap = deflateBound(&s, (uLong)size) + 64;
    uint8_t *out = malloc(cap);
    if (!out) fuzz_fail("out of memory");
    s.next_in = (Bytef *)data;
    s.avail_in = (uInt)size;
    s.next_out = out;
    s.avail_out = (uInt)cap;
    if (deflate(&s, Z_FINISH) != Z_STREAM_END) fuzz_fail("deflate did not finish");
    *out_size = cap - s.avail_out;
    deflateEnd(&s);
    return out;
}

// A failed read: empty struct, a one-line message naming the file.
static void check_failure(const Error *err, const void *out, size_t out_size, const char *name,
                          const char *what) {
    static const uint8_t zero[64];
    if (memcmp(out, zero, out_size) != 0) fuzz_fail("%s: failed but left the struct not empty", what);
    size_t len = strnlen(err->msg, sizeof err->msg);
    if (len == 0 || len == sizeof err->msg) fuzz_fail("%s: failed with no message", what);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)err->msg[i] < 0x20 || err->msg[i] == 0x7f)
            fuzz_fail("%s: the message holds a control character: %s", what, err->msg);
    if (!strstr(err->msg, name)) fuzz_fail("%s: the message does not name %s: %s", what, name, err->msg);
}

typedef struct {
    int ok;
    IdxImages im;
    IdxLabels lb;
    Error im_err, lb_err;
} Reads;

// Reads `path` as images and as labels. `bytes`/`size` are the file's bytes
// as IDX (the input itself), or NULL when zlib may inflate them first.
static void read_both(Reads *r, const char *path, const char *name, const uint8_t *bytes,
                      size_t size) {
    memset(r, 0, sizeof *r);
    r->ok = (idx_read_images(&r->im, path, &r->im_err) == 0) |
            (idx_read_labels(&r->lb, path, &r->lb_err) == 0) << 1;
    if (!(r->ok & 1)) check_failure(&r->im_err, &r->im, sizeof r->im, name, "images");
    if (!(r->ok & 2)) check_failure(&r->lb_err, &r->lb, sizeof r->lb, name, "labels");
    if (r->ok & 1) {
        const IdxImages *im = &r->im;
        if (im->count <= 0 || im->rows <= 0 || im->cols <= 0 || im->rows > 10000 || im->cols > 10000)
            fuzz_fail("images: accepted %d images of %dx%d", im->count, im->rows, im->cols);
        size_t n = (size_t)im->count * (size_t)im->rows * (size_t)im->cols;
        if (bytes && (size != 16 + n || memcmp(im->pixels, bytes + 16, n) != 0))
            fuzz_fail("images: %zu bytes read as %d x %d x %d pixels that are not the file's", size,
                      im->count, im->rows, im->cols);
    }
    if (r->ok & 2) {
        const IdxLabels *lb = &r->lb;
        if (lb->count <= 0) fuzz_fail("labels: accepted a count of %d", lb->count);
        for (int i = 0; i < lb->count; i++)
            if (lb->labels[i] > 9) fuzz_fail("labels: accepted label %u at %d", lb->labels[i], i);
        if (bytes && (size != 8 + (size_t)lb->count ||
                      memcmp(lb->labels, bytes + 8, (size_t)lb->count) != 0))
            fuzz_fail("labels: %zu bytes read as %d labels that are not the file's", size, lb->count);
    }
}

static void free_reads(Reads *r) {
    idx_free_images(&r->im);
    idx_free_labels(&r->lb);
}

// The message with the file's name taken out, to compare two reads' reasons.
static const char *reason(const Error *err, const char *name) {
    const char *at = strstr(err->msg, name);
    return at ? at + strlen(name) : err->msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    setup();
    // Read as gzip by zlib when it starts like gzip: then the bytes are not
    // the IDX data, and the plain and wrapped reads need not agree.
    int gzip_like = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;

    write_file(raw_path, data, size);
    Reads plain;
    read_both(&plain, raw_path, raw_path, gzip_like ? NULL : data, size);
    unlink(raw_path);

    size_t gz_size;
    uint8_t *gz = gzip_bytes(data, size, &gz_size);
    write_file(gz_path, gz, gz_size);
    free(gz);
    Reads wrapped;
    read_both(&wrapped, gz_base, gz_path, data, size);
    unlink(gz_path);

    if (!gzip_like) {
        if (plain.ok != wrapped.ok)
            fuzz_fail("plain and gzipped reads disagree: images %s / %s, labels %s / %s",
                      plain.ok & 1 ? "ok" : plain.im_err.msg, wrapped.ok & 1 ? "ok" : wrapped.im_err.msg,
                      plain.ok & 2 ? "ok" : plain.lb_err.msg, wrapped.ok & 2 ? "ok" : wrapped.lb_err.msg);
        if (!(plain.ok & 1) && strcmp(reason(&plain.im_err, raw_path), reason(&wrapped.im_err, gz_path)))
            fuzz_fail("images: plain and gzipped reads give different reasons: %s / %s",
                      plain.im_err.msg, wrapped.im_err.msg);
        if (!(plain.ok & 2) && strcmp(reason(&plain.lb_err, raw_path), reason(&wrapped.lb_err, gz_path)))
            fuzz_fail("labels: plain and gzipped reads give different reasons: %s / %s",
                      plain.lb_err.msg, wrapped.lb_err.msg);
    }
    free_reads(&plain);
    free_reads(&wrapped);
    return 0;
}
