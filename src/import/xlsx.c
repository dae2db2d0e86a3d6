/*
 * xlsx.c - the XLSX reader of import.h (libzip + libxml2's xmlTextReader).
 *
 * Finds the first sheet through xl/workbook.xml and its relationships (the
 * package may name sheet files anything), reads the shared-string table, then
 * walks the sheet's <row>/<c> elements.  Every part is streamed: zip_fread
 * inflates a few KiB at a time into a byte scanner that enforces the limits
 * (inflated bytes, compression ratio, elements, depth, tag and text length, no
 * DOCTYPE) before libxml2 sees the bytes, so a hostile file is refused early
 * and memory stays flat whatever its parts inflate to.  libxml2 runs without
 * network, DTD loading or entity substitution, and without XML_PARSE_HUGE so
 * its own limits stay on behind ours.
 */
#include <libxml/xmlreader.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "core/mem.h"
#include "import/import.h"

#define XLSX_MAX_ROW 1048576 /* rows of a sheet (Office Open XML) */
#define XML_OPTS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

struct xlsx {
    zip_t *zip;
    struct import__table *t;
    const struct import_limits *lim;
    size_t expanded; /* bytes inflated from all parts so far */
    size_t elements; /* elements seen in all parts so far */
    const char **strings;
    size_t nstrings;
};

/* The byte scanner's place in the XML. */
enum scan { S_TEXT, S_LT, S_TAG, S_QUOTE, S_BANG, S_COMMENT, S_CDATA, S_PI };

/* One part being streamed into an xmlTextReader. */
struct part {
    struct xlsx *x;
    const char *label; /* "the sheet", ... for messages */
    zip_file_t *zf;
    xmlTextReaderPtr reader;
    size_t compressed, expanded;
    enum scan state;
    bool closing;   /* the tag being scanned is an end tag */
    char quote;     /* the quote that opened an attribute value */
    char prev[2];   /* the last two bytes, for "/>", "-->", "]]>" */
    size_t depth;   /* elements open */
    size_t tag;     /* bytes of the current tag or comment */
    size_t text;    /* bytes of the current run of text */
    char why[160];  /* the limit that stopped the part, or "" */
};

/* Records the limit a part passed (the message starts with the part's label); -1. */
__attribute__((format(printf, 2, 3))) static int stop(struct part *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->why, sizeof(p->why), fmt, ap);
    va_end(ap);
    return -1;
}

/* A byte in a tag; counts and bounds the tag's length. */
static int tag_byte(struct part *p)
{
    if (++p->tag > p->x->lim->tag)
        return stop(p, "%s has an XML tag or comment longer than %zu bytes", p->label, p->x->lim->tag);
    return 0;
}

/* The character after "<": an end tag, a comment or CDATA, a declaration, or an element. */
static int tag_start(struct part *p, unsigned char c)
{
    const struct import_limits *lim = p->x->lim;
    p->closing = c == '/';
    if (c == '!') {
        p->state = S_BANG;
    } else if (c == '?') {
        p->state = S_PI;
    } else {
        p->state = S_TAG;
        if (!p->closing) {
            if (++p->x->elements > lim->elements)
                return stop(p, "%s has more than %zu XML elements", p->label, lim->elements);
            if (++p->depth > lim->depth)
                return stop(p, "%s nests XML elements more than %zu deep", p->label, lim->depth);
        }
    }
    return tag_byte(p);
}

/* The end of a tag: an end tag or an empty element closes one level. */
static void tag_end(struct part *p)
{
    if ((p->closing || p->prev[1] == '/') && p->depth)
        p->depth--;
    p->state = S_TEXT;
    p->text = 0;
}

/* Runs bytes through the scanner; -1 (why set) when they pass a limit. */
static int scan(struct part *p, const unsigned char *s, size_t n)
{
    const struct import_limits *lim = p->x->lim;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        int rc = 0;
        switch (p->state) {
        case S_TEXT:
            if (c == '<') {
                p->state = S_LT;
                p->tag = 1;
            } else if (++p->text > lim->text) {
                rc = stop(p, "%s has a run of text longer than %zu bytes", p->label, lim->text);
            }
            break;
        case S_LT:
            rc = tag_start(p, c);
            break;
        case S_TAG:
            if (c == '>') {
                tag_end(p);
                break;
            }
            if (c == '"' || c == '\'') {
                p->quote = (char)c;
                p->state = S_QUOTE;
            }
            rc = tag_byte(p);
            break;
        case S_QUOTE:
            if (c == (unsigned char)p->quote)
                p->state = S_TAG;
            rc = tag_byte(p);
            break;
        case S_BANG: /* "<!-" a comment, "<![" CDATA; anything else declares a DTD or entities */
            if (c != '-' && c != '[')
                return stop(p, "%s declares a DTD or entities (<!DOCTYPE>), which a workbook never needs", p->label);
            p->state = c == '-' ? S_COMMENT : S_CDATA;
            break;
        case S_COMMENT:
        case S_PI:
            if (c == '>' && (p->state == S_PI || (p->prev[0] == '-' && p->prev[1] == '-'))) {
                p->state = S_TEXT; /* no element closes here, whatever came before the '>' */
                p->text = 0;
            } else {
                rc = tag_byte(p);
            }
            break;
        case S_CDATA: /* text: bounded as text */
            if (c == '>' && p->prev[0] == ']' && p->prev[1] == ']') {
                p->state = S_TEXT;
                p->text = 0;
            } else if (++p->text > lim->text) {
                rc = stop(p, "%s has a run of text longer than %zu bytes", p->label, lim->text);
            }
            break;
        }
        if (rc)
            return rc;
        p->prev[0] = p->prev[1];
        p->prev[1] = (char)c;
    }
    return 0;
}

/* xmlTextReader's input: the part inflated a buffer at a time, scanned, counted. */
static int part_read(void *ctx, char *buf, int len)
{
    struct part *p = ctx;
    const struct import_limits *lim = p->x->lim;
    if (p->why[0])
        return -1;
    zip_int64_t n = zip_fread(p->zf, buf, (zip_uint64_t)len);
    if (n <= 0)
        return n < 0 ? -1 : 0;
    p->expanded += (size_t)n;
    p->x->expanded += (size_t)n;
    if (p->x->expanded > lim->expanded)
        return stop(p, "%s inflates the file past %zu MiB of XML", p->label, lim->expanded >> 20);
    if (p->expanded > IMPORT_RATIO_SLACK && p->expanded / lim->ratio > p->compressed)
        return stop(p, "%s inflates to more than %zu times its compressed size", p->label, lim->ratio);
    return scan(p, (const unsigned char *)buf, (size_t)n) ? -1 : (int)n;
}

/* Opens a part for streaming: 0, 1 when the package has no such part, -1 when unreadable. */
static int part_open(struct xlsx *x, const char *name, const char *label, struct part *p)
{
    memset(p, 0, sizeof(*p));
    p->x = x;
    p->label = label;
    zip_stat_t st;
    if (zip_stat(x->zip, name, 0, &st))
        return 1;
    if (!(st.valid & ZIP_STAT_COMP_SIZE))
        return -1;
    p->compressed = (size_t)st.comp_size;
    if (!(p->zf = zip_fopen(x->zip, name, 0)))
        return -1;
    if (!(p->reader = xmlReaderForIO(part_read, NULL, p, name, NULL, XML_OPTS))) {
        zip_fclose(p->zf);
        return -1;
    }
    return 0;
}

static void part_close(struct part *p)
{
    if (p->reader)
        xmlFreeTextReader(p->reader);
    if (p->zf)
        zip_fclose(p->zf);
}

/* The error for a part that stopped: the limit it passed, or `broken`. */
static int part_fault(struct xlsx *x, const struct part *p, struct fault *f, const char *broken)
{
    if (p->why[0])
        return fault_set(f, ERR_TOO_COMPLEX, x->t->field, "%s", p->why);
    return fault_set(f, ERR_INVALID_FIELD, x->t->field, "%s", broken);
}

static bool named(struct part *p, const char *name)
{
    const xmlChar *n = xmlTextReaderConstLocalName(p->reader);
    return n && !strcmp((const char *)n, name);
}

static bool is_text(int type)
{
    return type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
           type == XML_READER_TYPE_WHITESPACE || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE;
}

/* The text of one cell or shared string, cut at IMPORT_MAX_CELL bytes. */
struct text {
    char s[IMPORT_MAX_CELL + 1];
    size_t len;
    bool cut;
};

static void text_add(struct text *t, const char *s)
{
    if (!s)
        return;
    size_t n = strlen(s);
    if (n > IMPORT_MAX_CELL - t->len) {
        n = IMPORT_MAX_CELL - t->len;
        t->cut = true;
        while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--; /* cut between characters, not inside one */
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

/* ---- workbook: which part is the first sheet ----------------------------- */

/* The value of attribute `local` (any namespace) of the current element, malloc'd; NULL if none. */
static char *attr(struct part *p, const char *local)
{
    char *v = NULL;
    while (!v && xmlTextReaderMoveToNextAttribute(p->reader) == 1)
        if (named(p, local))
            v = xstrdup((const char *)xmlTextReaderConstValue(p->reader));
    xmlTextReaderMoveToElement(p->reader);
    return v;
}

/* The relationship id of the workbook's first <sheet>; NULL when none (why set on a limit). */
static char *first_sheet_id(struct xlsx *x, struct part *p)
{
    if (part_open(x, "xl/workbook.xml", "the workbook", p))
        return NULL;
    char *rid = NULL;
    while (!rid && xmlTextReaderRead(p->reader) == 1)
        if (xmlTextReaderNodeType(p->reader) == XML_READER_TYPE_ELEMENT && named(p, "sheet"))
            rid = attr(p, "id");
    return rid;
}

/* The part name that relationship rid targets, e.g. "xl/worksheets/sheet1.xml"; NULL when none. */
static char *rel_target(struct xlsx *x, struct part *p, const char *rid)
{
    if (part_open(x, "xl/_rels/workbook.xml.rels", "the workbook's relationships", p))
        return NULL;
    char *target = NULL;
    while (!target && xmlTextReaderRead(p->reader) == 1) {
        if (xmlTextReaderNodeType(p->reader) != XML_READER_TYPE_ELEMENT || !named(p, "Relationship"))
            continue;
        char *id = attr(p, "Id");
        char *t = id && !strcmp(id, rid) ? attr(p, "Target") : NULL;
        if (t && t[0] == '/') {
            target = xstrdup(t + 1);
        } else if (t) {
            target = xmalloc(strlen(t) + 4);
            strcpy(target, "xl/");
            strcat(target, t);
        }
        free(id);
        free(t);
    }
    return target;
}

/* The first sheet's part name (malloc'd), or a fault: no sheet, or a limit passed. */
static char *first_sheet(struct xlsx *x, struct fault *f)
{
    struct part p;
    char *target = NULL, *rid = first_sheet_id(x, &p);
    part_close(&p);
    if (p.why[0]) {
        part_fault(x, &p, f, "");
        return NULL;
    }
    if (rid) {
        target = rel_target(x, &p, rid);
        part_close(&p);
        free(rid);
        if (p.why[0]) {
            free(target);
            part_fault(x, &p, f, "");
            return NULL;
        }
    }
    if (!target)
        fault_set(f, ERR_INVALID_FIELD, x->t->field, "the XLSX workbook has no sheet");
    return target;
}

/* ---- shared strings ------------------------------------------------------ */

/* Where a reader stands inside a string (<si> or a cell's <is>): depths of <t> and <rPh>. */
struct rich {
    int t, rph; /* -1 when outside */
};

/* Tracks <t> (the text) and <rPh> (phonetic runs, skipped) below a string element. */
static void rich_element(struct part *p, struct rich *r, int depth, bool empty)
{
    if (empty || r->t >= 0 || r->rph >= 0)
        return;
    if (named(p, "rPh"))
        r->rph = depth;
    else if (named(p, "t"))
        r->t = depth;
}

static void rich_end(struct rich *r, int depth)
{
    if (depth == r->t)
        r->t = -1;
    else if (depth == r->rph)
        r->rph = -1;
}

static int add_shared(struct xlsx *x, size_t *cap, const struct text *t, struct fault *f)
{
    if (x->nstrings >= x->lim->shared)
        return fault_set(f, ERR_TOO_COMPLEX, x->t->field, "the shared strings of the workbook have more than %zu entries",
                         x->lim->shared);
    if (x->nstrings == *cap) {
        size_t ncap = *cap ? *cap * 2 : 256;
        const char **s = arena_alloc(x->t->a, ncap * sizeof(*s));
        if (x->nstrings)
            memcpy(s, x->strings, x->nstrings * sizeof(*s));
        x->strings = s;
        *cap = ncap;
    }
    const char *s = import__text(x->t, t->s, t->len, f);
    if (!s)
        return (int)f->code;
    x->strings[x->nstrings++] = s;
    return 0;
}

static int read_shared_strings(struct xlsx *x, struct fault *f)
{
    struct part p;
    int rc = part_open(x, "xl/sharedStrings.xml", "the shared strings", &p);
    if (rc)
        return rc > 0 ? 0 : fault_set(f, ERR_INVALID_FIELD, x->t->field, "the shared strings of the workbook cannot be read");
    struct text t = {0};
    struct rich r = {-1, -1};
    int si = -1, step = 0;
    size_t cap = 0;
    while (!rc && (step = xmlTextReaderRead(p.reader)) == 1) {
        int type = xmlTextReaderNodeType(p.reader), depth = xmlTextReaderDepth(p.reader);
        if (type == XML_READER_TYPE_ELEMENT && si < 0 && named(&p, "si")) {
            t.len = 0, t.s[0] = '\0';
            if (xmlTextReaderIsEmptyElement(p.reader))
                rc = add_shared(x, &cap, &t, f);
            else
                si = depth;
        } else if (type == XML_READER_TYPE_ELEMENT && si >= 0) {
            rich_element(&p, &r, depth, xmlTextReaderIsEmptyElement(p.reader));
        } else if (type == XML_READER_TYPE_END_ELEMENT && depth == si) {
            si = -1;
            rc = add_shared(x, &cap, &t, f);
        } else if (type == XML_READER_TYPE_END_ELEMENT) {
            rich_end(&r, depth);
        } else if (is_text(type) && r.t >= 0 && r.rph < 0) {
            text_add(&t, (const char *)xmlTextReaderConstValue(p.reader));
        }
    }
    if (!rc && step < 0)
        rc = part_fault(x, &p, f, "the shared strings of the workbook cannot be read");
    part_close(&p);
    return rc;
}

/* ---- the sheet ----------------------------------------------------------- */

/* Column index (0-based) of a cell reference like "AB12"; -1 if none. */
static int ref_column(const char *ref)
{
    int col = 0, n = 0;
    for (; *ref >= 'A' && *ref <= 'Z'; ref++, n++) {
        col = col * 26 + (*ref - 'A' + 1);
        if (col > 16384)
            return -1;
    }
    return n ? col - 1 : -1;
}

enum cell_kind { CELL_VALUE, CELL_SHARED, CELL_INLINE };

/* A row and its cell being read. */
struct sheet {
    int data;              /* depth of the open <sheetData>, or -1 */
    int row;               /* depth of the open <row>, or -1 */
    int64_t rownum, last_row;
    const char *cells[IMPORT_MAX_COLUMNS];
    int n;
    bool wide, any;
    int c, v, is;          /* depths of the open <c>, <v>, <is>, or -1 */
    int col;
    enum cell_kind kind;
    struct rich rich;
    struct text text;
};

static void row_start(struct part *p, struct sheet *s, int depth)
{
    s->row = depth;
    s->rownum = s->last_row + 1;
    char *r = attr(p, "r");
    if (r) {
        long v = strtol(r, NULL, 10);
        if (v > 0 && v <= XLSX_MAX_ROW) /* beyond it, counting on from it would overflow */
            s->rownum = v;
        free(r);
    }
    s->last_row = s->rownum;
    s->n = 0;
    s->wide = s->any = false;
}

static int row_end(struct xlsx *x, struct sheet *s, size_t max_rows, struct fault *f)
{
    s->row = -1;
    if (!s->any && !s->wide)
        return 0; /* blank */
    struct import_row *r = import__row(x->t, max_rows, s->n, f);
    if (!r)
        return (int)f->code;
    r->line = s->rownum;
    r->too_wide = s->wide;
    memcpy(r->cells, s->cells, (size_t)s->n * sizeof(char *));
    return 0;
}

static void cell_start(struct part *p, struct sheet *s, int depth)
{
    s->c = depth;
    s->v = s->is = -1;
    s->rich = (struct rich){-1, -1};
    s->text.len = 0, s->text.s[0] = '\0', s->text.cut = false;
    char *ref = attr(p, "r");
    char *type = attr(p, "t");
    s->col = ref ? ref_column(ref) : s->n;
    if (s->col < 0)
        s->col = s->n;
    s->kind = !type ? CELL_VALUE : !strcmp(type, "s") ? CELL_SHARED : !strcmp(type, "inlineStr") ? CELL_INLINE : CELL_VALUE;
    free(ref);
    free(type);
}

static int cell_end(struct xlsx *x, struct sheet *s, struct fault *f)
{
    s->c = -1;
    const char *text = "";
    if (s->kind == CELL_SHARED) {
        char *end;
        long i = strtol(s->text.s, &end, 10);
        if (end != s->text.s && i >= 0 && (size_t)i < x->nstrings)
            text = x->strings[i];
    } else if (!(text = import__text(x->t, s->text.s, s->text.len, f))) {
        return (int)f->code;
    }
    if (s->text.cut)
        s->wide = true;
    if (s->col >= IMPORT_MAX_COLUMNS) {
        s->wide = true;
        return 0;
    }
    while (s->n <= s->col)
        s->cells[s->n++] = "";
    s->cells[s->col] = text;
    if (*text)
        s->any = true;
    return 0;
}

/* An element inside a cell: <v> holds a value or a shared-string index, <is> an inline string. */
static void cell_element(struct part *p, struct sheet *s, int depth, bool empty)
{
    bool child = depth == s->c + 1;
    if (s->kind == CELL_INLINE && s->is >= 0) {
        rich_element(p, &s->rich, depth, empty);
    } else if (s->kind == CELL_INLINE && child && named(p, "is") && !empty) {
        s->is = depth;
    } else if (s->kind != CELL_INLINE && child && s->v < 0 && named(p, "v")) {
        s->text.len = 0, s->text.s[0] = '\0'; /* the last <v> wins */
        if (!empty)
            s->v = depth;
    }
}

static void cell_text(struct part *p, struct sheet *s)
{
    bool inline_text = s->kind == CELL_INLINE && s->is >= 0 && s->rich.t >= 0 && s->rich.rph < 0;
    if (inline_text || (s->kind != CELL_INLINE && s->v >= 0))
        text_add(&s->text, (const char *)xmlTextReaderConstValue(p->reader));
}

static void cell_close(struct sheet *s, int depth)
{
    if (depth == s->v)
        s->v = -1;
    else if (depth == s->is)
        s->is = -1;
    else
        rich_end(&s->rich, depth);
}

/* One node of the sheet: rows open and close, cells open, fill and close. */
static int sheet_node(struct xlsx *x, struct part *p, struct sheet *s, size_t max_rows, struct fault *f)
{
    int type = xmlTextReaderNodeType(p->reader), depth = xmlTextReaderDepth(p->reader);
    bool empty = type == XML_READER_TYPE_ELEMENT && xmlTextReaderIsEmptyElement(p->reader);
    if (type == XML_READER_TYPE_ELEMENT) {
        if (s->c >= 0) {
            cell_element(p, s, depth, empty);
        } else if (s->row >= 0 && depth == s->row + 1 && named(p, "c")) {
            cell_start(p, s, depth);
            if (empty)
                return cell_end(x, s, f);
        } else if (s->data >= 0 && s->row < 0 && depth == s->data + 1 && named(p, "row")) {
            row_start(p, s, depth);
            if (empty)
                return row_end(x, s, max_rows, f);
        } else if (s->data < 0 && depth == 1 && named(p, "sheetData") && !empty) {
            s->data = depth;
        }
    } else if (type == XML_READER_TYPE_END_ELEMENT) {
        if (depth == s->c)
            return cell_end(x, s, f);
        if (depth == s->row)
            return row_end(x, s, max_rows, f);
        if (depth == s->data)
            s->data = -1;
        if (s->c >= 0)
            cell_close(s, depth);
    } else if (is_text(type) && s->c >= 0) {
        cell_text(p, s);
    }
    return 0;
}

static int read_sheet(struct xlsx *x, const char *name, size_t max_rows, struct fault *f)
{
    struct part p;
    int rc = part_open(x, name, "the sheet", &p);
    if (rc)
        return rc > 0 ? fault_set(f, ERR_INVALID_FIELD, x->t->field, "the XLSX workbook has no sheet")
                      : fault_set(f, ERR_INVALID_FIELD, x->t->field, "the first sheet of the workbook cannot be read");
    struct sheet *s = xcalloc(1, sizeof(*s)); /* ~5 KiB: off the stack */
    s->data = s->row = s->c = -1;
    int step = 0;
    while (!rc && (step = xmlTextReaderRead(p.reader)) == 1)
        rc = sheet_node(x, &p, s, max_rows, f);
    if (!rc && step < 0)
        rc = part_fault(x, &p, f, "the first sheet of the workbook cannot be read");
    free(s);
    part_close(&p);
    return rc;
}

/* ---- the package --------------------------------------------------------- */

static uint64_t le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/*
 * The number of entries the ZIP declares (end of central directory, or its
 * ZIP64 twin), read before libzip allocates one record per entry: the largest
 * of every candidate record, so a decoy in the archive comment cannot hide the
 * real one; 0 when there is none (libzip then refuses the file).
 */
static uint64_t zip_entries(const unsigned char *d, size_t len)
{
    if (len < 22)
        return 0;
    uint64_t most = 0;
    size_t floor = len > 22 + 65535 ? len - 22 - 65535 : 0; /* the EOCD ends with a comment of up to 64 KiB */
    for (size_t i = len - 22 + 1; i-- > floor;) {
        if (memcmp(d + i, "PK\5\6", 4))
            continue;
        uint64_t n = le(d + i + 10, 2);
        if (n == 0xFFFF && i >= 20 && !memcmp(d + i - 20, "PK\6\7", 4)) {
            uint64_t at = le(d + i - 20 + 8, 8); /* the ZIP64 end record */
            if (len >= 56 && at <= len - 56 && !memcmp(d + at, "PK\6\6", 4))
                n = le(d + at + 32, 8);
        }
        if (n > most)
            most = n;
    }
    return most;
}

/* libxml2 wants one initialisation before threads use it. */
static pthread_once_t xml_once = PTHREAD_ONCE_INIT;
static void xml_init(void)
{
    xmlInitParser();
}

int import__xlsx(struct import__table *t, const char *data, size_t len, size_t max_rows, struct fault *f)
{
    pthread_once(&xml_once, xml_init);
    t->out->format = IMPORT_XLSX;
    if (zip_entries((const unsigned char *)data, len) > t->lim->parts)
        return fault_set(f, ERR_TOO_COMPLEX, t->field, "the XLSX file has more than %zu parts", t->lim->parts);
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &ze) : NULL;
    zip_error_fini(&ze);
    if (!z) {
        if (src)
            zip_source_free(src);
        return fault_set(f, ERR_INVALID_FIELD, t->field, "the file is not a readable XLSX workbook");
    }
    struct xlsx x = {.zip = z, .t = t, .lim = t->lim};
    int rc;
    char *sheet = first_sheet(&x, f);
    if (!sheet)
        rc = (int)f->code;
    else if (!(rc = read_shared_strings(&x, f)))
        rc = read_sheet(&x, sheet, max_rows, f);
    free(sheet);
    zip_close(z); /* read-only: discards, frees the source */
    return rc;
}
