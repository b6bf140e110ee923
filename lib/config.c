// config.c: reading an experiment's config (see config.h).
//
// libyaml's event parser hands us the file as a stream of events (mapping
// start, scalar, sequence start, ...), each with the place it starts. A config
// is one flat mapping, so one loop over its keys reads it, and anything that
// does not fit is refused at the event where it stands: that is what lets
// every message point at a line and a column.
//
// The values go into a local Config that is copied out only at the very end,
// so a refused file never leaves a half-read config behind.
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

// ---------------------------------------------------------------------------
// The keys

typedef enum { K_LAYERS, K_ACTIVATION, K_REAL, K_INT, K_BOOL, K_SEED } Kind;

enum {
    KEY_LAYERS, KEY_ACTIVATION, KEY_LR, KEY_BATCH, KEY_EPOCHS, KEY_EARLY_STOP,
    KEY_PATIENCE, KEY_L1, KEY_L2, KEY_MOMENTUM, KEY_GAMMA, KEY_SEED, N_KEYS
};

// `want` is the first half of every message about a value: "key: want, got ...".
static const struct {
    const char *name;
    Kind kind;
    const char *want;
} KEYS[N_KEYS] = {
    [KEY_LAYERS] = {"layer_specs", K_LAYERS, "must be a list of layer sizes such as [784, 128, 10]"},
    [KEY_ACTIVATION] = {"activation", K_ACTIVATION,
                        "must be tanh, sigmoid or ReLU (or None, for a network without hidden layers)"},
    [KEY_LR] = {"learning_rate", K_REAL, "must be a positive number"},
    [KEY_BATCH] = {"batch_size", K_INT, "must be a whole number from 1 to 60000"},
    [KEY_EPOCHS] = {"epochs", K_INT, "must be a whole number from 1 to 10000"},
    [KEY_EARLY_STOP] = {"early_stop", K_BOOL, "must be true or false"},
    [KEY_PATIENCE] = {"early_stop_epoch", K_INT, "must be a whole number from 1 to 10000"},
    [KEY_L1] = {"L1_penalty", K_REAL, "must be 0 or a positive number"},
    [KEY_L2] = {"L2_penalty", K_REAL, "must be 0 or a positive number"},
    [KEY_MOMENTUM] = {"momentum", K_BOOL, "must be true or false"},
    [KEY_GAMMA] = {"momentum_gamma", K_REAL, "must be a number from 0 up to, not including, 1"},
    [KEY_SEED] = {"seed", K_SEED, "must be a whole number from 0 to 18446744073709551615"},
};

static const char KEY_LIST[] =
    "layer_specs, activation, learning_rate, batch_size, epochs, early_stop, "
    "early_stop_epoch, L1_penalty, L2_penalty, momentum, momentum_gamma, seed";

void config_defaults(Config *c) {
    memset(c, 0, sizeof *c);
    c->layer_specs[0] = 784;
    c->layer_specs[1] = 128;
    c->layer_specs[2] = 10;
    c->n_layers = 3;
    c->activation = ACT_TANH;
    c->learning_rate = 0.001;
    c->batch_size = 128;
    c->epochs = 100;
    c->early_stop = false;
    c->early_stop_epoch = 3;
    c->L1_penalty = 0;
    c->L2_penalty = 0;
    c->momentum = false;
    c->momentum_gamma = 0.9;
    c->seed = 1;
}

const char *activation_name(Activation a) {
    switch (a) {
    case ACT_TANH: return "tanh";
    case ACT_SIGMOID: return "sigmoid";
    case ACT_RELU: return "ReLU";
    case ACT_NONE: return "None";
    }
    return "unknown";
}

// ---------------------------------------------------------------------------
// Messages

// What the parser reads from, and where its messages say it is.
typedef struct {
    yaml_parser_t parser;
    const char *text;
    size_t len;
    const char *name;
    Error *err;
} Reader;

enum { SHOW_LEN = 48 };

// Copies text from a config into a message: at most 40 bytes (cut on a UTF-8
// boundary, then "..."), control characters as '?', so a hostile file cannot
// flood or garble the terminal. `out` holds SHOW_LEN bytes.
static void show(char *out, const char *s, size_t n) {
    size_t keep = n;
    if (keep > 40) {
        keep = 40;
        while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80) keep--;
    }
    for (size_t i = 0; i < keep; i++) {
        unsigned char ch = (unsigned char)s[i];
        out[i] = (ch < 0x20 || ch == 0x7F) ? '?' : (char)ch;
    }
    strcpy(out + keep, keep < n ? "..." : "");
}

// What stands where a value was expected, for "..., got <what>".
static const char *describe(char *buf, size_t size, const yaml_event_t *ev) {
    if (ev->type == YAML_SEQUENCE_START_EVENT) return "a list";
    if (ev->type == YAML_MAPPING_START_EVENT) return "a mapping";
    if (ev->type != YAML_SCALAR_EVENT) return "nothing";
    char shown[SHOW_LEN];
    show(shown, (const char *)ev->data.scalar.value, ev->data.scalar.length);
    switch (ev->data.scalar.style) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE:
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
        snprintf(buf, size, "the quoted string \"%s\"", shown);
        break;
    case YAML_LITERAL_SCALAR_STYLE:
    case YAML_FOLDED_SCALAR_STYLE:
        snprintf(buf, size, "a block of text");
        break;
    default:
        if (ev->data.scalar.length == 0) return "nothing";
        snprintf(buf, size, "%s", shown);
    }
    return buf;
}

// "name:LINE:COL: key: reason", LINE and COL counted from 1; key may be NULL.
static int fail(const Reader *r, yaml_mark_t at, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(const Reader *r, yaml_mark_t at, const char *key, const char *fmt, ...) {
    char reason[ERROR_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    return error_set(r->err, "%s:%zu:%zu: %s%s%s", r->name, at.line + 1, at.column + 1,
                     key ? key : "", key ? ": " : "", reason);
}

// The byte offset of character number `index` (libyaml counts characters).
static size_t byte_of_char(const Reader *r, size_t index) {
    size_t b = 0;
    for (size_t chars = 0; b < r->len; b++) {
        if (((unsigned char)r->text[b] & 0xC0) == 0x80) continue;
        if (chars++ == index) break;
    }
    return b;
}

// libyaml's reader (bad encoding, control characters) gives a byte offset, not
// a line: count the lines ourselves.
static yaml_mark_t mark_of_byte(const Reader *r, size_t offset) {
    yaml_mark_t m = {0, 0, 0};
    for (size_t b = 0; b < offset && b < r->len; b++) {
        if (r->text[b] == '\n') {
            m.line++;
            m.column = 0;
        } else if (((unsigned char)r->text[b] & 0xC0) != 0x80) {
            m.column++;
        }
    }
    return m;
}

static int syntax_error(const Reader *r) {
    const yaml_parser_t *p = &r->parser;
    if (p->error == YAML_MEMORY_ERROR)
        return error_set(r->err, "%s: out of memory while reading the YAML", r->name);
    const char *problem = p->problem ? p->problem : "unknown problem";
    char extra[160] = "";
    yaml_mark_t at = p->problem_mark;
    if (p->error == YAML_READER_ERROR) {
        at = mark_of_byte(r, p->problem_offset);
        if (p->problem_value >= 0) snprintf(extra, sizeof extra, " (byte 0x%02X)", p->problem_value);
    } else if (!strstr(problem, "tab") && byte_of_char(r, at.index) < r->len &&
               r->text[byte_of_char(r, at.index)] == '\t') {
        // The commonest YAML mistake of all, and libyaml's words do not say it.
        snprintf(extra, sizeof extra, " (a tab: YAML indents with spaces only)");
    } else if (p->context) {
        snprintf(extra, sizeof extra, " (%s that starts at line %zu, column %zu)", p->context,
                 p->context_mark.line + 1, p->context_mark.column + 1);
    }
    return error_set(r->err, "%s:%zu:%zu: YAML syntax error: %s%s", r->name, at.line + 1,
                     at.column + 1, problem, extra);
}

// ---------------------------------------------------------------------------
// Events

// Reads the next event and refuses the YAML features a config has no use for:
// anchors and aliases (a value written once and referred to elsewhere) and
// tags (!!float). On failure the event is empty, so deleting it stays safe.
static int next(yaml_event_t *ev, Reader *r, const char *key) {
    if (!yaml_parser_parse(&r->parser, ev)) return syntax_error(r);
    const yaml_char_t *anchor = NULL, *tag = NULL;
    switch (ev->type) {
    case YAML_ALIAS_EVENT: anchor = ev->data.alias.anchor; break;
    case YAML_SCALAR_EVENT:
        anchor = ev->data.scalar.anchor;
        tag = ev->data.scalar.tag;
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = ev->data.sequence_start.anchor;
        tag = ev->data.sequence_start.tag;
        break;
    case YAML_MAPPING_START_EVENT:
        anchor = ev->data.mapping_start.anchor;
        tag = ev->data.mapping_start.tag;
        break;
    default: return 0;
    }
    char shown[SHOW_LEN];
    int rc = 0;
    if (ev->type == YAML_ALIAS_EVENT) {
        show(shown, (const char *)anchor, strlen((const char *)anchor));
        rc = fail(r, ev->start_mark, key, "the alias *%s is not allowed in a config; write the value out",
                  shown);
    } else if (anchor) {
        show(shown, (const char *)anchor, strlen((const char *)anchor));
        rc = fail(r, ev->start_mark, key, "the anchor &%s is not allowed in a config; remove it", shown);
    } else if (tag) {
        show(shown, (const char *)tag, strlen((const char *)tag));
        rc = fail(r, ev->start_mark, key, "the tag %s is not allowed in a config; remove it", shown);
    }
    if (rc) yaml_event_delete(ev);
    return rc;
}

// A plain (unquoted) scalar's text, or NULL: quotes make a string, never a
// number or a boolean.
static const char *plain(const yaml_event_t *ev, size_t *len) {
    if (ev->type != YAML_SCALAR_EVENT || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return NULL;
    *len = ev->data.scalar.length;
    return (const char *)ev->data.scalar.value;
}

// A decimal number such as 0.001, 1e-4 or 128. strtod alone would also take
// hex, inf and nan, which no config means. Returns 0, -1 if it is not a
// number, -2 if it is out of the range of a double.
static int real(double *out, const yaml_event_t *ev) {
    size_t n = 0;
    const char *s = plain(ev, &n);
    if (!s || n == 0 || strspn(s, "0123456789+-.eE") != n || !strpbrk(s, "0123456789")) return -1;
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    if (end != s + n) return -1;
    if (errno == ERANGE || !isfinite(*out)) return -2;
    return 0;
}

// A decimal whole number, as sign and magnitude. Returns 0, -1 if it is not
// one, -2 if it does not fit 64 bits, -3 for a leading zero (YAML 1.1, and so
// the study's Python, reads 010 as octal 8; we refuse rather than guess).
static int whole(bool *neg, uint64_t *mag, const yaml_event_t *ev) {
    size_t n = 0;
    const char *s = plain(ev, &n);
    if (!s) return -1;
    size_t i = (n > 0 && (s[0] == '+' || s[0] == '-'));
    if (i == n || strspn(s + i, "0123456789") != n - i) return -1;
    if (s[i] == '0' && n - i > 1) return -3;
    *neg = (s[0] == '-');
    *mag = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (*mag > (UINT64_MAX - d) / 10) return -2;
        *mag = *mag * 10 + d;
    }
    if (*mag == 0) *neg = false;
    return 0;
}

// A whole number in [lo, hi] (lo >= 0), into an int.
static bool whole_in(int *out, const yaml_event_t *ev, int lo, int hi) {
    bool neg;
    uint64_t mag;
    if (whole(&neg, &mag, ev) || neg || mag < (uint64_t)lo || mag > (uint64_t)hi) return false;
    *out = (int)mag;
    return true;
}

// YAML 1.1 booleans in the three casings people write.
static bool boolean(bool *out, const yaml_event_t *ev) {
    static const char *const words[] = {"true", "True", "TRUE", "yes", "Yes", "YES",
                                         "false", "False", "FALSE", "no", "No", "NO"};
    size_t n = 0;
    const char *s = plain(ev, &n);
    for (size_t i = 0; s && i < sizeof words / sizeof words[0]; i++) {
        if (strlen(words[i]) == n && memcmp(s, words[i], n) == 0) {
            *out = i < 6;
            return true;
        }
    }
    return false;
}

static char lower(char ch) { return (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch; }

// ASCII case-insensitive equality of s[0..n) and the C string word.
static bool same_nocase(const char *s, size_t n, const char *word) {
    if (strlen(word) != n) return false;
    for (size_t i = 0; i < n; i++)
        if (lower(s[i]) != lower(word[i])) return false;
    return true;
}

// A name is a string, so quoted "tanh" is as good as tanh. The study writes
// None (Python's) for "no activation"; YAML's own nulls (null, ~, nothing)
// mean the same.
static bool activation(Activation *out, const yaml_event_t *ev) {
    if (ev->type != YAML_SCALAR_EVENT) return false;
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (same_nocase(s, n, "none") || (plain && (n == 0 || same_nocase(s, n, "null") || same_nocase(s, n, "~")))) {
        *out = ACT_NONE;
        return true;
    }
    for (Activation a = ACT_TANH; a <= ACT_RELU; a++) {
        if (same_nocase(s, n, activation_name(a))) {
            *out = a;
            return true;
        }
    }
    return false;
}

// ---------------------------------------------------------------------------
// Keys and values

// The edit distance of two short names, ignoring case; SIZE_MAX when either
// is longer than 64 bytes.
static size_t distance(const char *a, size_t na, const char *b, size_t nb) {
    enum { MAXN = 64 };
    size_t prev[MAXN + 1], cur[MAXN + 1];
    if (na > MAXN || nb > MAXN) return SIZE_MAX;
    for (size_t j = 0; j <= nb; j++) prev[j] = j;
    for (size_t i = 1; i <= na; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t best = prev[j - 1] + (lower(a[i - 1]) != lower(b[j - 1]));
            if (prev[j] + 1 < best) best = prev[j] + 1;
            if (cur[j - 1] + 1 < best) best = cur[j - 1] + 1;
            cur[j] = best;
        }
        memcpy(prev, cur, sizeof prev);
    }
    return prev[nb];
}

// Whether word[0..w) appears in s[0..n), ignoring case.
static bool contains_nocase(const char *s, size_t n, const char *word, size_t w) {
    for (size_t i = 0; i + w <= n; i++) {
        size_t j = 0;
        while (j < w && lower(s[i + j]) == lower(word[j])) j++;
        if (j == w) return true;
    }
    return false;
}

// The known key an unknown one was probably meant to be, or NULL: the nearest
// by edit distance among those within about a quarter of their length, that
// begin with it ("l2"), or that hold it or are held by it ("early_stopping",
// "gamma"), and a few names other frameworks use.
static const char *nearest(const char *s, size_t n) {
    static const char *const other[][2] = {
        {"lr", "learning_rate"}, {"patience", "early_stop_epoch"}, {"layers", "layer_specs"}};
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
        if (same_nocase(s, n, other[i][0])) return other[i][1];
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (int k = 0; k < N_KEYS; k++) {
        const char *name = KEYS[k].name;
        size_t len = strlen(name), d = distance(s, n, name, len);
        bool begins = n >= 2 && n <= len && contains_nocase(name, n, s, n);
        bool near = d <= 1 + len / 4 || begins || contains_nocase(s, n, name, len) ||
                    (n >= 4 && contains_nocase(name, len, s, n));
        if (near && (!best || d < best_d)) {
            best = name;
            best_d = d;
        }
    }
    return best;
}

// Which key this event names, or -1 with a message for anything else.
static int find_key(const Reader *r, const yaml_event_t *ev) {
    char what[128];
    if (ev->type != YAML_SCALAR_EVENT || ev->data.scalar.length == 0)
        return fail(r, ev->start_mark, NULL, "expected a key such as learning_rate, got %s",
                    describe(what, sizeof what, ev));
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    for (int k = 0; k < N_KEYS; k++)
        if (strlen(KEYS[k].name) == n && memcmp(s, KEYS[k].name, n) == 0) return k;
    char shown[SHOW_LEN];
    show(shown, s, n);
    const char *guess = nearest(s, n);
    if (guess) return fail(r, ev->start_mark, shown, "unknown key; did you mean %s?", guess);
    return fail(r, ev->start_mark, shown, "unknown key; the keys are %s", KEY_LIST);
}

// The message for a value that would not do: "key: want, got what".
static int refuse(const Reader *r, const yaml_event_t *ev, const char *key, const char *want) {
    char what[128];
    const char *note = "";
    double d;
    bool neg;
    uint64_t mag;
    if (real(&d, ev) == -2) note = " (out of the range of a double)";
    if (whole(&neg, &mag, ev) == -3) note = " (leading zeros are not allowed: YAML 1.1 reads 010 as octal)";
    return fail(r, ev->start_mark, key, "%s, got %s%s", want, describe(what, sizeof what, ev), note);
}

// layer_specs: the sequence whose start is `ev`.
static int read_layers(Config *c, const yaml_event_t *ev, Reader *r) {
    const char *key = KEYS[KEY_LAYERS].name;
    if (ev->type != YAML_SEQUENCE_START_EVENT) return refuse(r, ev, key, KEYS[KEY_LAYERS].want);
    yaml_mark_t marks[CONFIG_MAX_LAYERS];
    int n = 0;
    for (;;) {
        yaml_event_t el;
        if (next(&el, r, key)) return -1;
        if (el.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&el);
            break;
        }
        int rc = 0;
        if (n == CONFIG_MAX_LAYERS)
            rc = fail(r, el.start_mark, key, "more than %d layers; the workbook supports at most %d",
                      CONFIG_MAX_LAYERS, CONFIG_MAX_LAYERS);
        else if (!whole_in(&c->layer_specs[n], &el, 1, CONFIG_MAX_WIDTH))
            rc = refuse(r, &el, key, "each layer size must be a whole number from 1 to 4096");
        marks[n < CONFIG_MAX_LAYERS ? n : 0] = el.start_mark;
        n++;
        yaml_event_delete(&el);
        if (rc) return rc;
    }
    c->n_layers = n;
    if (n < 2)
        return fail(r, ev->start_mark, key, "needs at least 2 layers (784 inputs, 10 outputs), got %d", n);
    if (c->layer_specs[0] != 784)
        return fail(r, marks[0], key, "the first layer must be 784 (the 28x28 pixels of an image), got %d",
                    c->layer_specs[0]);
    if (c->layer_specs[n - 1] != 10)
        return fail(r, marks[n - 1], key, "the last layer must be 10 (one output per digit), got %d",
                    c->layer_specs[n - 1]);
    return 0;
}

// Every other key: the one scalar `ev`. A refused value may already have been
// written to c, which is then thrown away.
static int read_scalar(Config *c, int k, const yaml_event_t *ev, Reader *r) {
    bool ok = false, neg = false;
    switch (k) {
    case KEY_ACTIVATION: ok = activation(&c->activation, ev); break;
    case KEY_LR: ok = real(&c->learning_rate, ev) == 0 && c->learning_rate > 0; break;
    case KEY_BATCH: ok = whole_in(&c->batch_size, ev, 1, 60000); break;
    case KEY_EPOCHS: ok = whole_in(&c->epochs, ev, 1, 10000); break;
    case KEY_EARLY_STOP: ok = boolean(&c->early_stop, ev); break;
    case KEY_PATIENCE: ok = whole_in(&c->early_stop_epoch, ev, 1, 10000); break;
    case KEY_L1: ok = real(&c->L1_penalty, ev) == 0 && c->L1_penalty >= 0; break;
    case KEY_L2: ok = real(&c->L2_penalty, ev) == 0 && c->L2_penalty >= 0; break;
    case KEY_MOMENTUM: ok = boolean(&c->momentum, ev); break;
    case KEY_GAMMA:
        ok = real(&c->momentum_gamma, ev) == 0 && c->momentum_gamma >= 0 && c->momentum_gamma < 1;
        break;
    case KEY_SEED: ok = whole(&neg, &c->seed, ev) == 0 && !neg; break;
    }
    return ok ? 0 : refuse(r, ev, KEYS[k].name, KEYS[k].want);
}

// The whole stream: one document holding one mapping of known keys.
static int read_config(Config *c, Reader *r) {
    yaml_event_t ev;
    if (next(&ev, r, NULL)) return -1;  // the stream's start
    yaml_event_delete(&ev);
    if (next(&ev, r, NULL)) return -1;
    yaml_mark_t at = ev.start_mark;
    bool empty = ev.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&ev);
    if (empty)
        return fail(r, at, NULL, "the config is empty; write keys and values such as `learning_rate: 0.001`");

    if (next(&ev, r, NULL)) return -1;
    if (ev.type != YAML_MAPPING_START_EVENT) {
        char what[128];
        fail(r, ev.start_mark, NULL,
             "a config must be a mapping of keys to values such as `learning_rate: 0.001`, got %s",
             describe(what, sizeof what, &ev));
        yaml_event_delete(&ev);
        return -1;
    }
    yaml_event_delete(&ev);

    yaml_mark_t first[N_KEYS];
    bool seen[N_KEYS] = {false};
    for (;;) {
        if (next(&ev, r, NULL)) return -1;
        if (ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        int k = find_key(r, &ev);
        if (k >= 0 && seen[k])
            k = fail(r, ev.start_mark, KEYS[k].name, "given twice (first on line %zu)", first[k].line + 1);
        if (k >= 0) {
            seen[k] = true;
            first[k] = ev.start_mark;
        }
        yaml_event_delete(&ev);
        if (k < 0) return -1;

        if (next(&ev, r, KEYS[k].name)) return -1;
        int rc = k == KEY_LAYERS ? read_layers(c, &ev, r) : read_scalar(c, k, &ev, r);
        yaml_event_delete(&ev);
        if (rc) return -1;
    }

    // None is no activation at all: right for softmax regression, not for a
    // network whose hidden layers need one.
    if (c->activation == ACT_NONE && c->n_layers > 2)
        return fail(r, first[KEY_ACTIVATION], "activation",
                    "None stands for a network without hidden layers, but layer_specs has %d: use "
                    "tanh, sigmoid or ReLU", c->n_layers - 2);

    if (next(&ev, r, NULL)) return -1;  // the document's end
    yaml_event_delete(&ev);
    if (next(&ev, r, NULL)) return -1;
    at = ev.start_mark;
    bool more = ev.type != YAML_STREAM_END_EVENT;
    yaml_event_delete(&ev);
    if (more)
        return fail(r, at, NULL, "a second YAML document starts here; a config is one document");
    return 0;
}

// ---------------------------------------------------------------------------
// Entry points

// A first pass with the parser alone, so that a file that is not YAML at all
// says so, rather than tripping over a value that the broken syntax garbled
// (a missing ']' makes "10\nseed" one scalar of the list before it).
static int check_syntax(Reader *r) {
    if (!yaml_parser_initialize(&r->parser))
        return error_set(r->err, "%s: out of memory starting the YAML parser", r->name);
    yaml_parser_set_input_string(&r->parser, (const unsigned char *)r->text, r->len);
    int rc = 0;
    for (bool end = false; !end && rc == 0;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&r->parser, &ev)) {
            rc = syntax_error(r);
            break;
        }
        end = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&r->parser);
    return rc;
}

int config_parse(Config *c, const char *text, size_t len, const char *name, Error *err) {
    if (!name) name = "<config>";
    if (len > CONFIG_MAX_BYTES)
        return error_set(err, "%s: %zu bytes is too large for a config (at most 1 MiB)", name, len);
    Reader r = {.text = text ? text : "", .len = text ? len : 0, .name = name, .err = err};
    if (check_syntax(&r)) return -1;
    if (!yaml_parser_initialize(&r.parser))
        return error_set(err, "%s: out of memory starting the YAML parser", name);
    yaml_parser_set_input_string(&r.parser, (const unsigned char *)r.text, r.len);
    Config tmp;
    config_defaults(&tmp);
    int rc = read_config(&tmp, &r);
    yaml_parser_delete(&r.parser);
    if (rc == 0) *c = tmp;
    return rc;
}

int config_load(Config *c, const char *path, Error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return error_set(err, "%s: cannot open: %s", path, strerror(errno));
    // One byte more than the limit tells a file at the limit from a larger one.
    char *buf = error_calloc(err, (size_t)CONFIG_MAX_BYTES + 1, 1, "a config file");
    if (!buf) {
        fclose(f);
        return -1;
    }
    size_t n = fread(buf, 1, (size_t)CONFIG_MAX_BYTES + 1, f);
    int failed = ferror(f), why = errno;
    fclose(f);
    int rc;
    if (failed)
        rc = error_set(err, "%s: cannot read: %s", path, strerror(why));
    else if (n > CONFIG_MAX_BYTES)
        rc = error_set(err, "%s: larger than 1 MiB; a config is a few lines of YAML", path);
    else
        rc = config_parse(c, buf, n, path, err);
    free(buf);
    return rc;
}

// The shortest decimal that reads back as the same double, so that printing
// a config and parsing it again gives the same numbers and 0.001 stays 0.001.
static void print_real(FILE *f, const char *key, double x) {
    char buf[32];
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, x);
        if (strtod(buf, NULL) == x) break;
    }
    fprintf(f, "%s: %s\n", key, buf);
}

void config_print(FILE *f, const Config *c) {
    fprintf(f, "layer_specs: [");
    for (int i = 0; i < c->n_layers; i++) fprintf(f, "%s%d", i ? ", " : "", c->layer_specs[i]);
    fprintf(f, "]\n");
    fprintf(f, "activation: %s\n", activation_name(c->activation));
    print_real(f, "learning_rate", c->learning_rate);
    fprintf(f, "batch_size: %d\n", c->batch_size);
    fprintf(f, "epochs: %d\n", c->epochs);
    fprintf(f, "early_stop: %s\n", c->early_stop ? "true" : "false");
    fprintf(f, "early_stop_epoch: %d\n", c->early_stop_epoch);
    print_real(f, "L1_penalty", c->L1_penalty);
    print_real(f, "L2_penalty", c->L2_penalty);
    fprintf(f, "momentum: %s\n", c->momentum ? "true" : "false");
    print_real(f, "momentum_gamma", c->momentum_gamma);
    fprintf(f, "seed: %" PRIu64 "\n", c->seed);
}
