// report.c (grade-report): one grading's results (the results.tsv of tools/grade/grade.sh),
// written in the format a course tool reads.
//
//   grade-report --format text|gradescope|junit|tap [--title NAME] [--seconds S]
//                [--partial REASON] RESULTS.TSV
//
// The result model is the TSV, one row per test (backslash, tab, newline and
// carriage return escaped as \\ \t \n \r):
//
//   chapter test status points max_points message output description visibility isolation
//
// status: pass fail todo crash timeout exit memory output error (the
// judges, tests/graded_main.c), missing compile refused (tools/grade/grade.sh);
// or warnings: not a test but the compiler's warnings on a chapter's file (0
// points, its output the warnings), which every format shows beside the
// chapter. visibility: visible, or after_due_date for the instructor's hidden
// tests. isolation: how the submission was kept apart (bwrap, uid or none),
// which every format states. Rows missing the last columns read as no
// description, visible, isolation unknown. A row worth more points than its
// test, or less than none, is not a results row.
// Every format is written from the same rows, to stdout:
//
//   text        a table for people: tests, statuses, points, chapter totals
//   gradescope  Gradescope's results.json: score, execution_time, output,
//               tests[] with name, number, score, max_score, status
//               (passed/failed), output, visibility, extra_data
//   junit       JUnit XML: one testsuite per chapter, a failure per lost test
//   tap         TAP version 13, a YAML block under each test that did not pass
//
// --partial REASON marks a grading that was stopped before it finished: the
// formats say so (Gradescope's output, a JUnit error, TAP's "Bail out!").
// Whatever bytes the rows hold, the output is well-formed: control characters
// and broken UTF-8 become '?', and JSON and XML are escaped as they need.
// Exit status: 0, or 2 when the results cannot be read.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int chapter;
    char *test, *status, *message, *output, *description, *visibility;
    int points, max_points;
    int hidden;  // visibility is not "visible"
} Row;

typedef struct {
    Row *rows;       // the tests
    int n;
    Row *warnings;   // the compiler's warnings, a row per chapter that had any
    int nwarnings;
    char isolation[32];
    const char *title, *partial;
    double seconds;
} Report;

static void *xrealloc(void *p, size_t size) {
    void *q = realloc(p, size);
    if (!q) {
        fprintf(stderr, "grade-report: out of memory\n");
        exit(2);
    }
    return q;
}

static char *xstrdup(const char *s) {
    size_t len = strlen(s) + 1;
    return memcpy(xrealloc(NULL, len), s, len);
}

// ---------------------------------------------------------------------------
// Reading

// Undoes the TSV escapes in place.
static char *unescape(char *s) {
    char *w = s;
    for (const char *r = s; *r; r++) {
        if (*r == '\\' && r[1]) {
            r++;
            *w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r == 'r' ? '\r' : *r;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return s;
}

static int whole_number(const char *s, int *v) {
    char *end;
    long x = strtol(s, &end, 10);
    if (!*s || *end || x < -1000000 || x > 1000000) return 0;
    *v = (int)x;
    return 1;
}

static int read_rows(const char *path, Report *rep) {
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, cap_rows = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (lineno == 1 && strncmp(line, "chapter\t", 8) == 0) continue;  // the header
        if (len == 0) continue;
        char *field[10] = {0};
        int nf = 0;
        for (char *p = line; nf < 10;) {
            field[nf++] = p;
            char *tab = strchr(p, '\t');
            if (!tab) break;
            *tab = '\0';
            p = tab + 1;
        }
        Row r = {0};
        if (nf < 6 || !whole_number(field[0], &r.chapter) || !whole_number(field[3], &r.points) ||
            !whole_number(field[4], &r.max_points) || r.points < 0 || r.points > r.max_points) {
            fprintf(stderr, "grade-report: %s, line %d: not a results row\n", path, lineno);
            free(line);
            fclose(f);
            return -1;
        }
        r.test = xstrdup(unescape(field[1]));
        r.status = xstrdup(unescape(field[2]));
        r.message = xstrdup(unescape(field[5]));
        r.output = xstrdup(nf > 6 ? unescape(field[6]) : "");
        r.description = xstrdup(nf > 7 ? unescape(field[7]) : "");
        r.visibility = xstrdup(nf > 8 && *field[8] ? unescape(field[8]) : "visible");
        r.hidden = strcmp(r.visibility, "visible") != 0;
        if (nf > 9 && *field[9] && !rep->isolation[0])
            snprintf(rep->isolation, sizeof rep->isolation, "%s", unescape(field[9]));
        if (strcmp(r.status, "warnings") == 0) {
            rep->warnings = xrealloc(rep->warnings, sizeof(Row) * (size_t)(rep->nwarnings + 1));
            rep->warnings[rep->nwarnings++] = r;
            continue;
        }
        if (rep->n == cap_rows) {
            cap_rows = cap_rows ? 2 * cap_rows : 64;
            rep->rows = xrealloc(rep->rows, sizeof(Row) * (size_t)cap_rows);
        }
        rep->rows[rep->n++] = r;
    }
    free(line);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "grade-report: cannot read %s\n", path);
        return -1;
    }
    return 0;
}

// ---------------------------------------------------------------------------
// Text that is safe to write anywhere

// The length of the well-formed UTF-8 character at s (at most n bytes), or 0:
// no overlong forms, no surrogates, nothing past U+10FFFF. For XML, also not
// U+FFFE or U+FFFF, which XML 1.0 forbids.
static size_t utf8_len(const unsigned char *s, size_t n, int xml) {
    unsigned c = s[0];
    size_t len;
    unsigned cp;
    if (c >= 0xc2 && c <= 0xdf) len = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef) len = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4) len = 4, cp = c & 0x07;
    else return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff))) return 0;
    if (cp >= 0xd800 && cp <= 0xdfff) return 0;
    if (xml && (cp == 0xfffe || cp == 0xffff)) return 0;
    return len;
}

typedef enum { PLAIN, JSON, XML } Escape;

// Writes s with the escapes `how` needs. Tabs and newlines are kept in PLAIN
// and escaped in JSON; every other control character, and broken UTF-8,
// becomes '?'.
static void put(FILE *f, const char *s, Escape how) {
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = u[i];
        if (c >= 0x80) {
            size_t l = utf8_len(u + i, n - i, how == XML);
            if (l) {
                fwrite(u + i, 1, l, f);
                i += l - 1;
            } else {
                fputc('?', f);
            }
            continue;
        }
        if (how == JSON) {
            switch (c) {
            case '"': fputs("\\\"", f); continue;
            case '\\': fputs("\\\\", f); continue;
            case '\n': fputs("\\n", f); continue;
            case '\t': fputs("\\t", f); continue;
            case '\r': fputs("\\r", f); continue;
            }
        } else if (how == XML) {
            switch (c) {
            case '&': fputs("&amp;", f); continue;
            case '<': fputs("&lt;", f); continue;
            case '>': fputs("&gt;", f); continue;
            case '"': fputs("&quot;", f); continue;
            case '\'': fputs("&apos;", f); continue;
            }
        }
        if (c < 0x20 && c != '\n' && c != '\t') c = '?';
        if (c == 0x7f) c = '?';
        fputc(c, f);
    }
}

// The first line of s, at most `max` characters of it (then "...").
static void put_first_line(FILE *f, const char *s, size_t max, Escape how) {
    size_t len = strcspn(s, "\n");
    char *line = xrealloc(NULL, len + 4);
    if (len > max) {
        memcpy(line, s, max - 3);
        memcpy(line + max - 3, "...", 4);
    } else {
        memcpy(line, s, len);
        line[len] = '\0';
    }
    put(f, line, how);
    free(line);
}

static void put_json_string(FILE *f, const char *key, const char *value, int comma) {
    fprintf(f, "\"%s\": \"", key);
    put(f, value, JSON);
    fprintf(f, "\"%s", comma ? ", " : "");
}

// ---------------------------------------------------------------------------
// What every format says

static int passed(const Row *r) { return strcmp(r->status, "pass") == 0; }

// Student-facing words for a status (the TSV's words are for programs).
static const char *status_shown(const char *status) {
    static const char *const map[][2] = {
        {"pass", "pass"},        {"fail", "FAIL"},       {"todo", "todo"},
        {"crash", "CRASH"},      {"timeout", "TIMEOUT"}, {"exit", "EXIT"},
        {"memory", "MEMORY"},    {"output", "OUTPUT"},
        {"error", "ERROR"},      {"missing", "MISSING"}, {"compile", "COMPILE"},
        {"refused", "REFUSED"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i][0], status) == 0) return map[i][1];
    return status;
}

typedef struct {
    int chapter, points, max, hidden_points, hidden_max, tests, passed;
} Chapter;

// The chapters in order of first appearance, with their totals.
static int chapters(const Report *rep, Chapter **out) {
    Chapter *ch = NULL;
    int n = 0;
    for (int i = 0; i < rep->n; i++) {
        const Row *r = &rep->rows[i];
        int k = 0;
        while (k < n && ch[k].chapter != r->chapter) k++;
        if (k == n) {
            ch = xrealloc(ch, sizeof(Chapter) * (size_t)(n + 1));
            ch[n++] = (Chapter){.chapter = r->chapter};
        }
        ch[k].points += r->points, ch[k].max += r->max_points;
        if (r->hidden) ch[k].hidden_points += r->points, ch[k].hidden_max += r->max_points;
        ch[k].tests++, ch[k].passed += passed(r);
    }
    *out = ch;
    return n;
}

static void totals(const Report *rep, int *points, int *max) {
    *points = *max = 0;
    for (int i = 0; i < rep->n; i++) *points += rep->rows[i].points, *max += rep->rows[i].max_points;
}

// Each line of s, after prefix (plain text).
static void put_lines(FILE *f, const char *s, const char *prefix) {
    for (const char *p = s; *p;) {
        size_t len = strcspn(p, "\n");
        char *line = xrealloc(NULL, len + 1);
        memcpy(line, p, len), line[len] = '\0';
        fputs(prefix, f);
        put(f, line, PLAIN);
        fputc('\n', f);
        free(line);
        p += len + (p[len] == '\n');
    }
}

// How the submission was kept apart, in a sentence.
static const char *isolation_said(const Report *rep) {
    if (strcmp(rep->isolation, "bwrap") == 0)
        return "Isolation: bwrap. The submission was compiled and run in a bubblewrap sandbox "
               "(its own user, processes, network and view of the files).";
    if (strcmp(rep->isolation, "uid") == 0)
        return "Isolation: uid. The submission was compiled and run as a user id of its own, "
               "the grader's files unreadable to it (this machine has no namespaces for a sandbox).";
    if (strcmp(rep->isolation, "none") == 0)
        return "Isolation: none. WARNING: the submission ran without a sandbox, as the grader's "
               "own user, with limits only: it was trusted.";
    return "Isolation: not recorded.";
}

// The compiler's warnings on chapter k's file, or NULL.
static const Row *warnings_of(const Report *rep, int chapter) {
    for (int i = 0; i < rep->nwarnings; i++)
        if (rep->warnings[i].chapter == chapter) return &rep->warnings[i];
    return NULL;
}

// The explanation of one test, as the student reads it in Gradescope or TAP.
static void test_text(FILE *f, const Row *r, Escape how) {
    if (passed(r)) {
        put(f, "passed: ", how);
        put(f, r->description[0] ? r->description : r->message, how);
    } else {
        // The other statuses' messages say what happened ("crashed: ..."); a
        // failed check's message is the check's own.
        if (strcmp(r->status, "fail") == 0) put(f, "FAIL: ", how);
        put(f, r->message, how);
        if (r->description[0]) {
            put(f, "\nThis test checks ", how);
            put(f, r->description, how);
            put(f, ".", how);
        }
        if (r->output[0]) {
            put(f, "\n\nWhat your code printed:\n", how);
            put(f, r->output, how);
        }
    }
    if (r->hidden)
        put(f, "\n\n(A hidden test: it compares your functions with the reference solutions on "
               "cases you have not seen. It gives a hint, never its inputs.)", how);
}

// ---------------------------------------------------------------------------
// The formats

static void write_text(FILE *f, const Report *rep) {
    int width = 4;
    for (int i = 0; i < rep->n; i++) {
        int w = (int)strlen(rep->rows[i].test) + (rep->rows[i].hidden ? 9 : 0);
        if (w > width) width = w;
    }
    if (width > 48) width = 48;
    fprintf(f, "%-3s %-*s  %-8s %7s  %s\n", "ch", width, "test", "status", "points", "message");
    Chapter *ch;
    int nch = chapters(rep, &ch);
    for (int k = 0; k < nch; k++) {
        int detail_shown = 0;
        for (int i = 0; i < rep->n; i++) {
            const Row *r = &rep->rows[i];
            if (r->chapter != ch[k].chapter) continue;
            char name[300], pts[32];
            snprintf(name, sizeof name, "%s%s", r->test, r->hidden ? " (hidden)" : "");
            snprintf(pts, sizeof pts, "%d/%d", r->points, r->max_points);
            fprintf(f, "%-3d ", r->chapter);
            put(f, name, PLAIN);
            fprintf(f, "%*s  %-8s %7s", width - (int)strlen(name) > 0 ? width - (int)strlen(name) : 0,
                    "", status_shown(r->status), pts);
            // A chapter that did not compile: its message once, not once per test.
            int whole_chapter = strcmp(r->status, "compile") == 0 ||
                                strcmp(r->status, "missing") == 0 ||
                                strcmp(r->status, "refused") == 0;
            if (!passed(r) && !(whole_chapter && detail_shown)) {
                fputs("  ", f);
                put_first_line(f, r->message, 160, PLAIN);
            }
            fputc('\n', f);
            const char *more = strchr(r->message, '\n');
            if (whole_chapter && !detail_shown && more) put_lines(f, more + 1, "      | ");
            if (whole_chapter) detail_shown = 1;
        }
        fprintf(f, "    chapter %d: %d/%d points", ch[k].chapter, ch[k].points, ch[k].max);
        if (ch[k].hidden_max > 0)
            fprintf(f, " (public tests %d/%d, hidden tests %d/%d)",
                    ch[k].points - ch[k].hidden_points, ch[k].max - ch[k].hidden_max,
                    ch[k].hidden_points, ch[k].hidden_max);
        fputc('\n', f);
        const Row *w = warnings_of(rep, ch[k].chapter);
        if (w) {
            fputs("    compiler warnings (not counted): ", f);
            put_first_line(f, w->message, 160, PLAIN);
            fputc('\n', f);
            put_lines(f, w->output, "      | ");
        }
    }
    free(ch);
    int points, max;
    totals(rep, &points, &max);
    fprintf(f, "total: %d/%d points\n", points, max);
    fprintf(f, "%s\n", isolation_said(rep));
    if (rep->partial) {
        fputs("INCOMPLETE: ", f);
        put(f, rep->partial, PLAIN);
        fputc('\n', f);
    }
}

static void write_gradescope(FILE *f, const Report *rep) {
    int points, max;
    totals(rep, &points, &max);
    Chapter *ch;
    int nch = chapters(rep, &ch);
    int any_hidden = 0;
    for (int k = 0; k < nch; k++) any_hidden |= ch[k].hidden_max > 0;

    fprintf(f, "{\n  \"score\": %d,\n  \"execution_time\": %.0f,\n  \"output\": \"", points,
            rep->seconds);
    if (rep->partial) {
        put(f, "GRADING WAS STOPPED BEFORE IT FINISHED: ", JSON);
        put(f, rep->partial, JSON);
        put(f, "\nThe scores below are what was known by then; ask your instructor to run the "
               "autograder again.\n\n", JSON);
    }
    for (int k = 0; k < nch; k++) {
        char line[200];
        snprintf(line, sizeof line, "Chapter %d: %d of %d tests passed, %d/%d points", ch[k].chapter,
                 ch[k].passed, ch[k].tests, ch[k].points, ch[k].max);
        put(f, line, JSON);
        if (ch[k].hidden_max > 0) {
            snprintf(line, sizeof line, " (%d/%d of them in hidden tests)", ch[k].hidden_points,
                     ch[k].hidden_max);
            put(f, line, JSON);
        }
        put(f, "\n", JSON);
    }
    char line[200];
    snprintf(line, sizeof line, "Total: %d/%d points.", points, max);
    put(f, line, JSON);
    if (any_hidden)
        put(f, "\nHidden tests compare your code with the reference solutions; they are shown "
               "after the due date.", JSON);
    put(f, "\nTo see a failing public test in full on your machine: make check-chN.", JSON);
    for (int i = 0; i < rep->nwarnings; i++) {
        const Row *w = &rep->warnings[i];
        snprintf(line, sizeof line, "\n\nChapter %d, compiler warnings (no points lost): ", w->chapter);
        put(f, line, JSON);
        put(f, w->message, JSON);
        put(f, "\n", JSON);
        put(f, w->output, JSON);
    }
    put(f, "\n\n", JSON);
    put(f, isolation_said(rep), JSON);
    fputs("\",\n  \"output_format\": \"text\",\n  \"stdout_visibility\": \"hidden\",\n", f);
    fputs("  \"tests\": [", f);
    int number = 0, last_chapter = -1;
    for (int i = 0; i < rep->n; i++) {
        const Row *r = &rep->rows[i];
        if (r->chapter != last_chapter) number = 0, last_chapter = r->chapter;
        number++;
        char num[32];
        snprintf(num, sizeof num, "%d.%d", r->chapter, number);
        fputs(i ? ",\n    {" : "\n    {", f);
        fputs("\"name\": \"", f);
        char head[64];
        snprintf(head, sizeof head, "Chapter %d: ", r->chapter);
        put(f, head, JSON);
        put(f, r->test, JSON);
        if (r->description[0]) {
            put(f, " (", JSON);
            put(f, r->description, JSON);
            put(f, ")", JSON);
        }
        fputs("\", ", f);
        put_json_string(f, "number", num, 1);
        fprintf(f, "\"score\": %d, \"max_score\": %d, ", r->points, r->max_points);
        put_json_string(f, "status", passed(r) ? "passed" : "failed", 1);
        put_json_string(f, "visibility", r->hidden ? r->visibility : "visible", 1);
        fputs("\"output\": \"", f);
        test_text(f, r, JSON);
        fputs("\", \"extra_data\": {", f);
        put_json_string(f, "status", r->status, 1);
        fprintf(f, "\"chapter\": %d, ", r->chapter);
        put_json_string(f, "test", r->test, 0);
        fputs("}}", f);
    }
    fputs(rep->n ? "\n  ]\n}\n" : "]\n}\n", f);
    free(ch);
}

static void write_junit(FILE *f, const Report *rep) {
    int points, max, failures = 0, errors = 0;
    totals(rep, &points, &max);
    for (int i = 0; i < rep->n; i++) {
        if (strcmp(rep->rows[i].status, "error") == 0) errors++;
        else if (!passed(&rep->rows[i])) failures++;
    }
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
    fputs("<testsuites name=\"", f);
    put(f, rep->title ? rep->title : "grading", XML);
    fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" time=\"%.3f\">\n", rep->n, failures,
            errors + (rep->partial != NULL), rep->seconds);
    Chapter *ch;
    int nch = chapters(rep, &ch);
    for (int k = 0; k < nch; k++) {
        int cf = 0, ce = 0;
        for (int i = 0; i < rep->n; i++) {
            const Row *r = &rep->rows[i];
            if (r->chapter != ch[k].chapter) continue;
            if (strcmp(r->status, "error") == 0) ce++;
            else if (!passed(r)) cf++;
        }
        fprintf(f, "  <testsuite name=\"chapter %d\" tests=\"%d\" failures=\"%d\" errors=\"%d\">\n",
                ch[k].chapter, ch[k].tests, cf, ce);
        fprintf(f, "    <properties><property name=\"points\" value=\"%d\"/>"
                "<property name=\"max_points\" value=\"%d\"/><property name=\"isolation\" value=\"",
                ch[k].points, ch[k].max);
        put(f, rep->isolation[0] ? rep->isolation : "unknown", XML);
        fputs("\"/><property name=\"isolation_said\" value=\"", f);
        put(f, isolation_said(rep), XML);
        fputs("\"/></properties>\n", f);
        for (int i = 0; i < rep->n; i++) {
            const Row *r = &rep->rows[i];
            if (r->chapter != ch[k].chapter) continue;
            fprintf(f, "    <testcase classname=\"ch%d\" name=\"", r->chapter);
            put(f, r->test, XML);
            fputs("\">\n", f);
            fprintf(f, "      <properties><property name=\"points\" value=\"%d\"/>"
                    "<property name=\"max_points\" value=\"%d\"/>"
                    "<property name=\"visibility\" value=\"", r->points, r->max_points);
            put(f, r->visibility, XML);
            fputs("\"/></properties>\n", f);
            if (!passed(r)) {
                int error = strcmp(r->status, "error") == 0;
                fprintf(f, "      <%s type=\"", error ? "error" : "failure");
                put(f, r->status, XML);
                fputs("\" message=\"", f);
                put_first_line(f, r->message, 500, XML);
                fputs("\">", f);
                test_text(f, r, XML);
                fprintf(f, "</%s>\n", error ? "error" : "failure");
            }
            fputs("    </testcase>\n", f);
        }
        const Row *w = warnings_of(rep, ch[k].chapter);
        if (w) {
            fputs("    <system-err>compiler warnings (no points lost): ", f);
            put(f, w->message, XML);
            fputs("\n", f);
            put(f, w->output, XML);
            fputs("</system-err>\n", f);
        }
        fputs("  </testsuite>\n", f);
    }
    if (rep->partial) {
        fputs("  <testsuite name=\"grading\" tests=\"1\" failures=\"0\" errors=\"1\">\n"
              "    <testcase classname=\"grading\" name=\"complete\">\n"
              "      <error type=\"interrupted\" message=\"", f);
        put(f, rep->partial, XML);
        fputs("\">grading was stopped before it finished; the results above are partial"
              "</error>\n    </testcase>\n  </testsuite>\n", f);
    }
    fputs("</testsuites>\n", f);
    free(ch);
}

// A YAML block scalar: every line of s, indented.
static void tap_block(FILE *f, const char *key, const char *s) {
    fprintf(f, "  %s: |\n", key);
    for (const char *p = s;;) {
        size_t len = strcspn(p, "\n");
        char *line = xrealloc(NULL, len + 1);
        memcpy(line, p, len), line[len] = '\0';
        fputs("    ", f);
        put(f, line, PLAIN);
        fputc('\n', f);
        free(line);
        if (!p[len]) break;
        p += len + 1;
    }
}

// TAP's description may not hold '#' (a directive) or a newline. Raw bytes: the
// caller passes the whole description through put() once, so UTF-8 stays whole.
static void tap_description(FILE *f, const char *s) {
    for (; *s && *s != '\n'; s++) {
        if (*s == '#' || *s == '\\') fputc('\\', f);
        fputc(*s == '\t' ? ' ' : *s, f);
    }
}

static void write_tap(FILE *f, const Report *rep) {
    fprintf(f, "TAP version 13\n1..%d\n", rep->n);
    for (int i = 0; i < rep->n; i++) {
        const Row *r = &rep->rows[i];
        char head[64];
        snprintf(head, sizeof head, "%s %d - ch%d ", passed(r) ? "ok" : "not ok", i + 1,
                 r->chapter);
        fputs(head, f);
        char *buf = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&buf, &size);
        if (!m) exit(2);
        tap_description(m, r->test);
        if (r->hidden) fputs(" (hidden)", m);
        if (r->description[0]) {
            fputs(": ", m);
            tap_description(m, r->description);
        }
        fclose(m);
        put(f, buf, PLAIN);
        free(buf);
        fprintf(f, " (%d/%d points)\n", r->points, r->max_points);
        if (!passed(r)) {
            fputs("  ---\n", f);
            fprintf(f, "  status: %s\n  points: %d\n  max_points: %d\n", r->status, r->points,
                    r->max_points);
            tap_block(f, "message", r->message);
            if (r->output[0]) tap_block(f, "output", r->output);
            fputs("  ...\n", f);
        }
    }
    Chapter *ch;
    int nch = chapters(rep, &ch);
    for (int k = 0; k < nch; k++) {
        fprintf(f, "# chapter %d: %d/%d points\n", ch[k].chapter, ch[k].points, ch[k].max);
        const Row *w = warnings_of(rep, ch[k].chapter);
        if (!w) continue;
        fputs("# chapter ", f);
        fprintf(f, "%d, compiler warnings (no points lost): ", ch[k].chapter);
        put_first_line(f, w->message, 200, PLAIN);
        fputc('\n', f);
        put_lines(f, w->output, "#   ");
    }
    free(ch);
    int points, max;
    totals(rep, &points, &max);
    fprintf(f, "# total: %d/%d points\n", points, max);
    fprintf(f, "# %s\n", isolation_said(rep));
    if (rep->partial) {
        fputs("Bail out! grading was stopped before it finished: ", f);
        put_first_line(f, rep->partial, 300, PLAIN);
        fputc('\n', f);
    }
}

// ---------------------------------------------------------------------------

static void usage(FILE *f) {
    fputs("usage: grade-report --format text|gradescope|junit|tap [--title NAME] [--seconds S]\n"
          "                    [--partial REASON] RESULTS.TSV\n", f);
}

int main(int argc, char **argv) {
    const char *format = "text", *path = NULL;
    Report rep = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = strcmp(a, "--format") == 0 || strcmp(a, "--title") == 0 ||
                    strcmp(a, "--seconds") == 0 || strcmp(a, "--partial") == 0;
        if (takes && !v) {
            fprintf(stderr, "grade-report: %s needs a value\n", a);
            return 2;
        }
        if (strcmp(a, "--format") == 0) format = v;
        else if (strcmp(a, "--title") == 0) rep.title = v;
        else if (strcmp(a, "--seconds") == 0) rep.seconds = atof(v);
        else if (strcmp(a, "--partial") == 0) rep.partial = v;
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-' || path) {
            fprintf(stderr, "grade-report: unexpected argument %s\n", a);
            usage(stderr);
            return 2;
        } else {
            path = a;
        }
        i += takes;
    }
    if (!path) {
        usage(stderr);
        return 2;
    }
    void (*write)(FILE *, const Report *) = NULL;
    if (strcmp(format, "text") == 0) write = write_text;
    else if (strcmp(format, "gradescope") == 0) write = write_gradescope;
    else if (strcmp(format, "junit") == 0) write = write_junit;
    else if (strcmp(format, "tap") == 0) write = write_tap;
    else {
        fprintf(stderr, "grade-report: no format %s: use text, gradescope, junit or tap\n", format);
        return 2;
    }
    if (!(rep.seconds >= 0 && rep.seconds < 1e9)) rep.seconds = 0;
    if (read_rows(path, &rep) != 0) return 2;
    write(stdout, &rep);
    for (int i = 0; i < rep.n + rep.nwarnings; i++) {
        Row *r = i < rep.n ? &rep.rows[i] : &rep.warnings[i - rep.n];
        free(r->test), free(r->status), free(r->message), free(r->output), free(r->description),
            free(r->visibility);
    }
    free(rep.rows), free(rep.warnings);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("grade-report: writing the report");
        return 2;
    }
    return 0;
}
