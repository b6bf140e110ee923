// wire.c: the frames of wire.h, written and taken apart.
#include "wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// ---------------------------------------------------------------------------
// Writing

static void grow(WireBuf *b, size_t n) {
    if (b->failed) return;
    if (n > SIZE_MAX - b->len) {
        b->failed = 1;
        return;
    }
    size_t need = b->len + n;
    if (need <= b->cap) return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    unsigned char *d = realloc(b->data, cap);
    if (!d) {
        b->failed = 1;
        return;
    }
    b->data = d, b->cap = cap;
}

void wire_put(WireBuf *b, const void *p, size_t n) {
    grow(b, n);
    if (b->failed || n == 0) return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void wire_begin(WireBuf *b, Frame type) {
    b->len = 0;
    b->failed = 0;
    WireHeader h = {WIRE_MAGIC, (uint32_t)type, 0};
    wire_put(b, &h, sizeof h);
}

void wire_u8(WireBuf *b, uint8_t v) { wire_put(b, &v, 1); }
void wire_u32(WireBuf *b, uint32_t v) { wire_put(b, &v, 4); }
void wire_u64(WireBuf *b, uint64_t v) { wire_put(b, &v, 8); }
void wire_i64(WireBuf *b, int64_t v) { wire_put(b, &v, 8); }
void wire_f64(WireBuf *b, double v) { wire_put(b, &v, 8); }

void wire_str(WireBuf *b, const char *s) {
    size_t n = strlen(s);
    wire_u32(b, (uint32_t)n);
    wire_put(b, s, n);
}

int wire_end(WireBuf *b) {
    if (b->failed || b->len < sizeof(WireHeader)) return -1;
    WireHeader h;
    memcpy(&h, b->data, sizeof h);
    h.length = b->len - sizeof h;
    memcpy(b->data, &h, sizeof h);
    return 0;
}

int wire_send(WireBuf *b, int fd) {
    if (wire_end(b) != 0) return -1;
    for (size_t at = 0; at < b->len;) {
        ssize_t w = write(fd, b->data + at, b->len - at);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        at += (size_t)w;
    }
    return 0;
}

void wire_free(WireBuf *b) {
    free(b->data);
    *b = (WireBuf){0};
}

// ---------------------------------------------------------------------------
// Reading

void wire_reader(WireReader *r, const void *p, size_t len) { *r = (WireReader){p, len, 0, 0}; }

const void *wire_take(WireReader *r, size_t n) {
    if (r->bad || n > r->len - r->at) {
        r->bad = 1;
        return NULL;
    }
    const void *p = r->p + r->at;
    r->at += n;
    return p;
}

static void get(WireReader *r, void *out, size_t n) {
    const void *p = wire_take(r, n);
    if (p) memcpy(out, p, n);
    else memset(out, 0, n);
}

uint8_t wire_get_u8(WireReader *r) {
    uint8_t v;
    get(r, &v, 1);
    return v;
}

uint32_t wire_get_u32(WireReader *r) {
    uint32_t v;
    get(r, &v, 4);
    return v;
}

uint64_t wire_get_u64(WireReader *r) {
    uint64_t v;
    get(r, &v, 8);
    return v;
}

int64_t wire_get_i64(WireReader *r) {
    int64_t v;
    get(r, &v, 8);
    return v;
}

double wire_get_f64(WireReader *r) {
    double v;
    get(r, &v, 8);
    return v;
}

void wire_get_str(WireReader *r, char *out, size_t max) {
    out[0] = '\0';
    uint32_t n = wire_get_u32(r);
    if (r->bad || n >= max) {
        r->bad = 1;
        return;
    }
    const char *s = wire_take(r, n);
    if (!s || memchr(s, '\0', n)) {
        r->bad = 1;
        return;
    }
    memcpy(out, s, n);
    out[n] = '\0';
}

int wire_done(const WireReader *r) { return !r->bad && r->at == r->len; }

int wire_read_all(int fd, void *p, size_t n) {
    unsigned char *d = p;
    while (n > 0) {
        ssize_t got = read(fd, d, n);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return -1;
        d += got, n -= (size_t)got;
    }
    return 0;
}
