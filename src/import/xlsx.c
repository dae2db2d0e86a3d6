/*
 * xlsx.c - the XLSX reader of import.h (libzip + libxml2).
 *
 * Finds the first sheet through xl/workbook.xml and its relationships (the
 * package may name sheet files anything), reads the shared-string table, then
 * walks the sheet's <row>/<c> elements.  XML is parsed without network access
 * and without entity expansion; each part is capped at IMPORT_MAX_XML.
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "core/buf.h"
#include "core/mem.h"
#include "import/import.h"

#define XML_OPTS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE)

struct xlsx {
    zip_t *zip;
    struct arena *a;
    const char **strings;
    size_t nstrings;
};

/* Reads a part of the package; 0, 1 when absent, -1 when too big or unreadable. */
static int part_read(zip_t *z, const char *name, char **out, size_t *len)
{
    zip_stat_t st;
    if (zip_stat(z, name, 0, &st) || !(st.valid & ZIP_STAT_SIZE))
        return 1;
    if (st.size > IMPORT_MAX_XML)
        return -1;
    zip_file_t *zf = zip_fopen(z, name, 0);
    if (!zf)
        return -1;
    char *buf = xmalloc((size_t)st.size + 1);
    zip_int64_t got = zip_fread(zf, buf, st.size);
    zip_fclose(zf);
    if (got < 0 || (zip_uint64_t)got != st.size) {
        free(buf);
        return -1;
    }
    buf[st.size] = '\0';
    *out = buf;
    *len = (size_t)st.size;
    return 0;
}

static xmlDocPtr part_xml(zip_t *z, const char *name, int *why)
{
    char *buf;
    size_t len;
    *why = part_read(z, name, &buf, &len);
    if (*why)
        return NULL;
    xmlDocPtr doc = xmlReadMemory(buf, (int)len, name, NULL, XML_OPTS);
    free(buf);
    if (!doc)
        *why = -1;
    return doc;
}

static bool is(xmlNodePtr n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* Concatenates the text of every <t> below n, skipping phonetic runs (<rPh>). */
static void collect_t(xmlNodePtr n, struct buf *b)
{
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || is(c, "rPh"))
            continue;
        if (is(c, "t")) {
            xmlChar *s = xmlNodeGetContent(c);
            if (s) {
                buf_adds(b, (const char *)s);
                xmlFree(s);
            }
        } else {
            collect_t(c, b);
        }
    }
}

static const char *node_text(struct arena *a, xmlNodePtr n, bool *cut)
{
    struct buf b;
    buf_init(&b, IMPORT_MAX_CELL * 4);
    collect_t(n, &b);
    size_t len = b.len > IMPORT_MAX_CELL ? IMPORT_MAX_CELL : b.len;
    if (b.len > IMPORT_MAX_CELL && cut)
        *cut = true;
    const char *s = arena_strndup(a, b.data, len);
    buf_release(&b);
    return s;
}

static void read_shared_strings(struct xlsx *x)
{
    int why;
    xmlDocPtr doc = part_xml(x->zip, "xl/sharedStrings.xml", &why);
    if (!doc)
        return;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    size_t n = 0, cap = 0;
    for (xmlNodePtr si = root ? root->children : NULL; si; si = si->next) {
        if (!is(si, "si"))
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            const char **s = arena_alloc(x->a, ncap * sizeof(*s));
            if (n)
                memcpy(s, x->strings, n * sizeof(*s));
            x->strings = s;
            cap = ncap;
        }
        x->strings[n++] = node_text(x->a, si, NULL);
    }
    x->nstrings = n;
    xmlFreeDoc(doc);
}

/* The first sheet's part name, e.g. "xl/worksheets/sheet1.xml"; NULL if none. */
static char *first_sheet(struct xlsx *x)
{
    int why;
    char *rid = NULL, *target = NULL;
    xmlDocPtr wb = part_xml(x->zip, "xl/workbook.xml", &why);
    if (!wb)
        return NULL;
    xmlNodePtr root = xmlDocGetRootElement(wb);
    for (xmlNodePtr c = root ? root->children : NULL; c && !rid; c = c->next) {
        if (!is(c, "sheets"))
            continue;
        for (xmlNodePtr s = c->children; s && !rid; s = s->next) {
            if (!is(s, "sheet"))
                continue;
            for (xmlAttrPtr at = s->properties; at; at = at->next) {
                if (!strcmp((const char *)at->name, "id")) {
                    xmlChar *v = xmlNodeListGetString(wb, at->children, 1);
                    if (v) {
                        rid = xstrdup((const char *)v);
                        xmlFree(v);
                    }
                }
            }
        }
    }
    xmlFreeDoc(wb);
    if (!rid)
        return NULL;
    xmlDocPtr rels = part_xml(x->zip, "xl/_rels/workbook.xml.rels", &why);
    if (rels) {
        xmlNodePtr rr = xmlDocGetRootElement(rels);
        for (xmlNodePtr c = rr ? rr->children : NULL; c && !target; c = c->next) {
            if (!is(c, "Relationship"))
                continue;
            xmlChar *id = xmlGetProp(c, (const xmlChar *)"Id");
            xmlChar *t = xmlGetProp(c, (const xmlChar *)"Target");
            if (id && t && !strcmp((const char *)id, rid)) {
                const char *tv = (const char *)t;
                if (tv[0] == '/')
                    target = xstrdup(tv + 1);
                else {
                    target = xmalloc(strlen(tv) + 4);
                    strcpy(target, "xl/");
                    strcat(target, tv);
                }
            }
            xmlFree(id);
            xmlFree(t);
        }
        xmlFreeDoc(rels);
    }
    free(rid);
    return target;
}

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

static int read_sheet(struct xlsx *x, xmlDocPtr doc, size_t max_rows, const char *field, struct import_table *out,
                      struct fault *f)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    size_t cap = 0;
    int64_t last_row = 0;
    for (xmlNodePtr sd = root ? root->children : NULL; sd; sd = sd->next) {
        if (!is(sd, "sheetData"))
            continue;
        for (xmlNodePtr row = sd->children; row; row = row->next) {
            if (!is(row, "row"))
                continue;
            const char *cells[IMPORT_MAX_COLUMNS];
            int n = 0;
            bool wide = false, any = false;
            int64_t rownum = last_row + 1;
            xmlChar *rv = xmlGetProp(row, (const xmlChar *)"r");
            if (rv) {
                long v = strtol((const char *)rv, NULL, 10);
                if (v > 0)
                    rownum = v;
                xmlFree(rv);
            }
            last_row = rownum;
            for (xmlNodePtr c = row->children; c; c = c->next) {
                if (!is(c, "c"))
                    continue;
                xmlChar *ref = xmlGetProp(c, (const xmlChar *)"r");
                xmlChar *type = xmlGetProp(c, (const xmlChar *)"t");
                int col = ref ? ref_column((const char *)ref) : n;
                if (col < 0)
                    col = n;
                const char *text = "";
                const char *t = type ? (const char *)type : "n";
                if (!strcmp(t, "inlineStr")) {
                    for (xmlNodePtr is_ = c->children; is_; is_ = is_->next)
                        if (is(is_, "is"))
                            text = node_text(x->a, is_, &wide);
                } else {
                    for (xmlNodePtr v = c->children; v; v = v->next) {
                        if (!is(v, "v"))
                            continue;
                        xmlChar *s = xmlNodeGetContent(v);
                        if (s) {
                            if (!strcmp(t, "s")) {
                                long i = strtol((const char *)s, NULL, 10);
                                if (i >= 0 && (size_t)i < x->nstrings)
                                    text = x->strings[i];
                            } else {
                                size_t n_ = strnlen((const char *)s, IMPORT_MAX_CELL + 1);
                                if (n_ > IMPORT_MAX_CELL) {
                                    n_ = IMPORT_MAX_CELL;
                                    wide = true;
                                }
                                text = arena_strndup(x->a, (const char *)s, n_); /* copies n_ bytes */
                            }
                            xmlFree(s);
                        }
                    }
                }
                xmlFree(ref);
                xmlFree(type);
                if (col >= IMPORT_MAX_COLUMNS) {
                    wide = true;
                    continue;
                }
                while (n <= col)
                    cells[n++] = "";
                cells[col] = text;
                if (*text)
                    any = true;
            }
            if (!any && !wide)
                continue;
            if (out->nrows >= max_rows)
                return fault_set(f, ERR_TOO_LARGE, field, "the file has more than %zu rows", max_rows);
            struct import_row *r = import__push(x->a, out, &cap);
            r->line = rownum;
            r->too_wide = wide;
            r->ncells = n;
            r->cells = arena_alloc(x->a, (size_t)(n ? n : 1) * sizeof(char *));
            memcpy(r->cells, cells, (size_t)n * sizeof(char *));
        }
    }
    return 0;
}

int import__xlsx(struct arena *a, const char *data, size_t len, size_t max_rows, const char *field,
                 struct import_table *out, struct fault *f)
{
    out->format = IMPORT_XLSX;
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    if (!src) {
        zip_error_fini(&ze);
        return fault_set(f, ERR_INVALID_FIELD, field, "the file is not a readable XLSX workbook");
    }
    zip_t *z = zip_open_from_source(src, ZIP_RDONLY, &ze);
    zip_error_fini(&ze);
    if (!z) {
        zip_source_free(src);
        return fault_set(f, ERR_INVALID_FIELD, field, "the file is not a readable XLSX workbook");
    }
    struct xlsx x = {.zip = z, .a = a};
    int rc = 0;
    char *sheet = first_sheet(&x);
    if (!sheet) {
        rc = fault_set(f, ERR_INVALID_FIELD, field, "the XLSX workbook has no sheet");
        goto out;
    }
    read_shared_strings(&x);
    int why;
    xmlDocPtr doc = part_xml(z, sheet, &why);
    if (!doc) {
        rc = why < 0 && why != 1 ? fault_set(f, ERR_INVALID_FIELD, field, "the first sheet of the workbook cannot be read")
                                 : fault_set(f, ERR_INVALID_FIELD, field, "the XLSX workbook has no sheet");
        goto out;
    }
    rc = read_sheet(&x, doc, max_rows, field, out, f);
    xmlFreeDoc(doc);
out:
    free(sheet);
    zip_close(z); /* read-only: discards, frees the source */
    return rc;
}
