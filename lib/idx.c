// idx.c: reading MNIST's IDX files, raw or gzip-compressed (see idx.h).
//
// zlib's gzread passes a plain file through unchanged and inflates a .gz one,
// so one code path serves both. Everything the header promises is checked
// against what the file holds: a program that quietly trains on half a
// download, or on a labels file read as pixels, teaches the wrong lesson.
#include "idx.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

enum {
    IDX_MAX_SIDE = 10000,
    IDX_NAME_LEN = 4096,
    IDX_MAX_DIMS = 3,
};

// gzread counts in unsigned int, so one call moves at most this much.
static const size_t IDX_CHUNK = (size_t)1 << 30;
// What is allocated before the data has shown it is really there: a header that
// lies about a huge count then costs only what the file actually holds.
static const size_t IDX_FIRST_ALLOC = (size_t)64 << 20;
// Trailing bytes are counted up to here; past it the message says "more than".
static const size_t IDX_MAX_TRAILING = (size_t)64 << 20;

static uint32_t idx_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

// Which file to read: `path`, or `path.gz` when `path` does not exist. The
// name actually opened goes to `name` so every later message names it.
//   gz: out, an open zlib stream;  name: out [IDX_NAME_LEN]
static int idx_open(gzFile *gz, char *name, const char *path, Error *err) {
    *gz = NULL;
    struct stat st;
    if ((size_t)snprintf(name, IDX_NAME_LEN, "%s.gz", path) >= IDX_NAME_LEN)
        return error_set(err, "%.80s...: path is too long (%zu characters)", path, strlen(path));
    name[strlen(path)] = '\0';
    if (stat(name, &st) != 0) {
        if (errno != ENOENT) return error_set(err, "%s: cannot open: %s", path, strerror(errno));
        name[strlen(path)] = '.';
        if (stat(name, &st) != 0) {
            if (errno != ENOENT) return error_set(err, "%s: cannot open: %s", name, strerror(errno));
            // A wrong --data directory is the usual cause; say so rather than
            // leave the reader to wonder about four separate files.
            const char *slash = strrchr(path, '/');
            if (slash && slash != path) {
                char dir[IDX_NAME_LEN];
                snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
                if (stat(dir, &st) != 0 && errno == ENOENT)
                    return error_set(err, "%s: no such file: the directory %s does not exist", path,
                                     dir);
            }
            return error_set(err, "%s: no such file (nor %s.gz)", path, path);
        }
    }
    if (S_ISDIR(st.st_mode)) return error_set(err, "%s: is a directory, not an IDX file", name);
    // A FIFO or a device could block or never end; IDX data lives in files.
    if (!S_ISREG(st.st_mode)) return error_set(err, "%s: is not a regular file", name);
    int fd = open(name, O_RDONLY);
    if (fd < 0) return error_set(err, "%s: cannot open: %s", name, strerror(errno));
    *gz = gzdopen(fd, "rb");
    if (!*gz) {
        close(fd);
        return error_set(err, "%s: cannot open: out of memory for zlib's buffers", name);
    }
    // A bigger buffer than zlib's 8 KB default: the training images are 47 MB.
    gzbuffer(*gz, 1 << 18);
    return 0;
}

// Reads up to n bytes; fewer only at the end of the data or on an error, which
// the caller tells apart with idx_gz_failed.
//   buf: out [n]
static size_t idx_read_upto(uint8_t *buf, gzFile gz, size_t n) {
    size_t got = 0;
    while (got < n) {
        size_t want = n - got < IDX_CHUNK ? n - got : IDX_CHUNK;
        int r = gzread(gz, buf + got, (unsigned)want);
        if (r <= 0) break;
        got += (size_t)r;
    }
    return got;
}

// After a short read: did the data end, or did zlib fail? A gzip stream cut
// short is not a read error to zlib (gzread just returns less), so its state
// has to be asked. Returns -1 (with the message set) when zlib failed.
static int idx_gz_failed(gzFile gz, const char *name, Error *err) {
    int errnum = Z_OK;
    const char *msg = gzerror(gz, &errnum);
    if (errnum == Z_OK) return 0;
    // zlib prefixes its message with the name it was opened under ("<fd:3>: ").
    const char *sep = msg ? strstr(msg, ": ") : NULL;
    msg = sep ? sep + 2 : (msg ? msg : "unknown zlib error");
    if (errnum == Z_ERRNO) return error_set(err, "%s: read error: %s", name, msg);
    if (errnum == Z_BUF_ERROR)
        return error_set(err, "%s: corrupt gzip data: the compressed file is cut short (%s)", name,
                         msg);
    return error_set(err, "%s: corrupt gzip data: %s", name, msg);
}

// The header's magic is not the one wanted: say what it is instead.
static int idx_bad_magic(const char *name, uint32_t found, uint32_t magic, const uint8_t *head,
                         Error *err) {
    const char *want = magic == IDX_MAGIC_IMAGES ? "images" : "labels";
    const char *other = magic == IDX_MAGIC_IMAGES ? "a labels" : "an images";
    uint32_t other_magic = magic == IDX_MAGIC_IMAGES ? IDX_MAGIC_LABELS : IDX_MAGIC_IMAGES;
    uint32_t swapped = (found >> 24) | (found >> 8 & 0xff00) | (found << 8 & 0xff0000) | found << 24;
    if (found == other_magic)
        return error_set(err, "%s: magic number 0x%08x: this is %s file, not %s (expected 0x%08x)",
                         name, found, other, want, magic);
    if (swapped == magic || swapped == other_magic)
        return error_set(err,
                         "%s: bad magic number 0x%08x, expected 0x%08x: the header is byte-swapped "
                         "(IDX is big-endian)",
                         name, found, magic);
    int text = 1;
    for (int i = 0; i < 4; i++) text = text && head[i] >= 0x20 && head[i] < 0x7f;
    if (text)
        return error_set(err,
                         "%s: bad magic number 0x%08x, expected 0x%08x (an IDX %s file); the file "
                         "starts with the text \"%.4s\", not IDX data",
                         name, found, magic, want, (const char *)head);
    return error_set(err, "%s: bad magic number 0x%08x, expected 0x%08x (an IDX %s file)", name,
                     found, magic, want);
}

// The shared body of both readers: header, dimensions, then exactly the bytes
// the header promises, no fewer and no more.
//   data: out [product of dims], malloc'd;  dims: out [1 or 3] (count, rows, cols);
//   name: out [IDX_NAME_LEN], the file actually read (path or path.gz)
static int idx_read(uint8_t **data, uint32_t *dims, char *name, const char *path, uint32_t magic,
                    Error *err) {
    *data = NULL;
    int ndims = magic == IDX_MAGIC_IMAGES ? 3 : 1;
    const char *kind = magic == IDX_MAGIC_IMAGES ? "images" : "labels";
    const char *unit = magic == IDX_MAGIC_IMAGES ? "image" : "label";
    static const char *const field[IDX_MAX_DIMS] = {"count", "rows", "cols"};

    gzFile gz;
    if (idx_open(&gz, name, path, err) != 0) return -1;

    //> idx-header
    uint8_t head[4 + 4 * IDX_MAX_DIMS] = {0};
    size_t head_len = 4 + 4 * (size_t)ndims;
    size_t got = idx_read_upto(head, gz, head_len);
    if (got < head_len && idx_gz_failed(gz, name, err)) goto fail;
    if (got == 0) {
        error_set(err, "%s: empty file, expected an IDX %s file (magic 0x%08x)", name, kind, magic);
        goto fail;
    }
    // The magic first, even in a short file: "this is not IDX at all" is the
    // more useful thing to hear about a 3-byte error page.
    if (got >= 4 && idx_be32(head) != magic) {
        idx_bad_magic(name, idx_be32(head), magic, head, err);
        goto fail;
    }
    if (got < head_len) {
        error_set(err, "%s: truncated header: expected %zu header bytes, found %zu", name,
                  head_len, got);
        goto fail;
    }

    uint64_t total = 1;
    for (int i = 0; i < ndims; i++) {
        dims[i] = idx_be32(head + 4 + 4 * i);
        if (i == 0 && dims[i] == 0) {
            error_set(err, "%s: count is 0 in the header: the file holds no %s", name, kind);
            goto fail;
        }
        if (i == 0 && dims[i] > INT_MAX) {
            error_set(err, "%s: count %u in the header is absurd (at most %d %s)", name, dims[i],
                      INT_MAX, kind);
            goto fail;
        }
        if (i > 0 && (dims[i] == 0 || dims[i] > IDX_MAX_SIDE)) {
            error_set(err, "%s: %s is %u in the header; it must be 1 to %d", name, field[i],
                      dims[i], IDX_MAX_SIDE);
            goto fail;
        }
        total *= dims[i];  // at most 2^31 * 10^4 * 10^4 < 2^64: no overflow here
    }
    //< idx-header
    char promise[96];
    if (ndims == 3)
        snprintf(promise, sizeof promise, "%u images of %ux%u", dims[0], dims[1], dims[2]);
    else
        snprintf(promise, sizeof promise, "%u labels", dims[0]);
    // Callers index with int (and size_t may be 32 bits), so the whole file
    // must fit in an int; MNIST's largest is 47,040,000 bytes.
    if (total > INT_MAX) {
        error_set(err, "%s: the header promises %s = %llu bytes, more than this reader accepts (%d)",
                  name, promise, (unsigned long long)total, INT_MAX);
        goto fail;
    }

    // Grow the buffer only as the data arrives (see IDX_FIRST_ALLOC).
    size_t n = (size_t)total;
    size_t cap = n < IDX_FIRST_ALLOC ? n : IDX_FIRST_ALLOC;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        error_set(err, "%s: out of memory: %zu bytes for %s", name, cap, kind);
        goto fail;
    }
    got = 0;
    for (;;) {
        got += idx_read_upto(buf + got, gz, cap - got);
        if (got < cap || cap == n) break;
        size_t grow = cap > n / 2 ? n : 2 * cap;
        uint8_t *bigger = realloc(buf, grow);
        if (!bigger) {
            error_set(err, "%s: out of memory: %zu bytes for %s", name, grow, kind);
            goto fail_buf;
        }
        buf = bigger;
        cap = grow;
    }
    if (got < n) {
        if (idx_gz_failed(gz, name, err)) goto fail_buf;
        error_set(err, "%s: truncated: expected %zu %s bytes after the header (%s), found %zu", name,
                  n, ndims == 3 ? "pixel" : "label", promise, got);
        goto fail_buf;
    }

    // Anything after the promised data means the header and the data disagree.
    uint8_t extra[1 << 14];
    size_t more = 0, r;
    while (more < IDX_MAX_TRAILING && (r = idx_read_upto(extra, gz, sizeof extra)) > 0) more += r;
    if (idx_gz_failed(gz, name, err)) goto fail_buf;
    if (more > 0) {
        error_set(err, "%s: %s%zu byte%s after the last %s (the header promises %s)", name,
                  more >= IDX_MAX_TRAILING ? "more than " : "", more, more == 1 ? "" : "s", unit,
                  promise);
        goto fail_buf;
    }

    gzclose(gz);
    *data = buf;
    return 0;

fail_buf:
    free(buf);
fail:
    gzclose(gz);
    return -1;
}

int idx_read_images(IdxImages *out, const char *path, Error *err) {
    memset(out, 0, sizeof *out);
    uint8_t *pixels;
    uint32_t dims[IDX_MAX_DIMS];
    char name[IDX_NAME_LEN];
    if (idx_read(&pixels, dims, name, path, IDX_MAGIC_IMAGES, err) != 0) return -1;
    out->count = (int)dims[0];
    out->rows = (int)dims[1];
    out->cols = (int)dims[2];
    out->pixels = pixels;
    return 0;
}

int idx_read_labels(IdxLabels *out, const char *path, Error *err) {
    memset(out, 0, sizeof *out);
    uint8_t *labels;
    uint32_t dims[IDX_MAX_DIMS];
    char name[IDX_NAME_LEN];
    if (idx_read(&labels, dims, name, path, IDX_MAGIC_LABELS, err) != 0) return -1;
    int n = (int)dims[0];
    for (int i = 0; i < n; i++) {
        if (labels[i] > 9) {
            error_set(err, "%s: label %u at index %d is above 9", name, labels[i], i);
            free(labels);
            return -1;
        }
    }
    out->count = n;
    out->labels = labels;
    return 0;
}

int idx_check_pair(const IdxImages *im, const char *im_path, const IdxLabels *lb,
                   const char *lb_path, Error *err) {
    if (im->count != lb->count)
        return error_set(err,
                         "%s: %d images, but %s has %d labels; the two files must describe the "
                         "same examples",
                         im_path, im->count, lb_path, lb->count);
    return 0;
}

void idx_free_images(IdxImages *im) {
    free(im->pixels);
    memset(im, 0, sizeof *im);
}

void idx_free_labels(IdxLabels *lb) {
    free(lb->labels);
    memset(lb, 0, sizeof *lb);
}
