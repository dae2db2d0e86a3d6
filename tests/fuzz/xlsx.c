/*
 * Fuzz target: the XLSX reader, through import_read() with bytes and a
 * length (the contract uploads use, whatever the reader does inside).
 *
 * An input starting "PK\3\4" is read as it is.  Any other input is
 * "SHEET-XML NUL SHARED-STRINGS-XML" and is packed here into a workbook
 * first: a mutated ZIP entry almost always fails its CRC, so without this the
 * XML would hardly be fuzzed.
 */
#include <zlib.h>

#include "core/text.h"
#include "fuzz.h"
#include "import/import.h"

#define NS "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

static const char workbook[] = "<workbook xmlns=\"" NS "\" xmlns:r=\"" REL "\"><sheets>"
                               "<sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char rels[] = "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                           "<Relationship Id=\"rId1\" Type=\"" REL "/worksheet\" Target=\"worksheets/s.xml\"/>"
                           "</Relationships>";

struct zipw {
    uint8_t *p;
    size_t len, cd_start;
    uint8_t cd[1024];
    size_t cd_len;
    int n;
};

static void le(uint8_t *p, uint32_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Appends a stored entry (local header and data now, central header kept for later). */
static void entry(struct zipw *z, const char *name, const void *data, size_t len)
{
    size_t nlen = strlen(name);
    uint32_t crc = (uint32_t)crc32(0, data, (uInt)len);
    uint8_t *h = z->p + z->len;
    memset(h, 0, 30);
    le(h, 0x04034b50, 4), le(h + 4, 20, 2), le(h + 14, crc, 4), le(h + 18, (uint32_t)len, 4);
    le(h + 22, (uint32_t)len, 4), le(h + 26, (uint32_t)nlen, 2);
    memcpy(h + 30, name, nlen);
    memcpy(h + 30 + nlen, data, len);
    uint8_t *c = z->cd + z->cd_len;
    memset(c, 0, 46);
    le(c, 0x02014b50, 4), le(c + 4, 20, 2), le(c + 6, 20, 2), le(c + 16, crc, 4), le(c + 20, (uint32_t)len, 4);
    le(c + 24, (uint32_t)len, 4), le(c + 28, (uint32_t)nlen, 2), le(c + 42, (uint32_t)z->len, 4);
    memcpy(c + 46, name, nlen);
    z->cd_len += 46 + nlen;
    z->len += 30 + nlen + len;
    z->n++;
}

/* A workbook whose first sheet and shared strings are the two parts of the input. */
static uint8_t *pack(const uint8_t *data, size_t size, size_t *out_len)
{
    const uint8_t *nul = memchr(data, '\0', size);
    size_t sheet_len = nul ? (size_t)(nul - data) : size;
    const uint8_t *shared = nul ? nul + 1 : NULL;
    size_t shared_len = nul ? size - sheet_len - 1 : 0;
    struct zipw z = {.p = malloc(size + 2048)};
    if (!z.p)
        abort();
    entry(&z, "xl/workbook.xml", workbook, sizeof(workbook) - 1);
    entry(&z, "xl/_rels/workbook.xml.rels", rels, sizeof(rels) - 1);
    entry(&z, "xl/worksheets/s.xml", data, sheet_len);
    if (shared)
        entry(&z, "xl/sharedStrings.xml", shared, shared_len);
    memcpy(z.p + z.len, z.cd, z.cd_len);
    uint8_t *e = z.p + z.len + z.cd_len;
    memset(e, 0, 22);
    le(e, 0x06054b50, 4), le(e + 8, (uint32_t)z.n, 2), le(e + 10, (uint32_t)z.n, 2);
    le(e + 12, (uint32_t)z.cd_len, 4), le(e + 16, (uint32_t)z.len, 4);
    *out_len = z.len + z.cd_len + 22;
    return z.p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *packed = NULL;
    if (size < 4 || memcmp(data, "PK\3\4", 4)) {
        packed = pack(data, size, &size);
        data = packed;
    }
    struct arena a;
    arena_init(&a);
    struct import_table t = {0};
    struct fault f = {0};
    if (import_read(&a, (const char *)data, size, IMPORT_XLSX, 500, "file", &t, &f) == 0) {
        FUZZ_ASSERT(t.format == IMPORT_XLSX && t.nrows <= 500);
        for (size_t i = 0; i < t.nrows; i++) {
            const struct import_row *r = &t.rows[i];
            FUZZ_ASSERT(r->cells && r->ncells >= 0 && r->ncells <= IMPORT_MAX_COLUMNS);
            for (int c = 0; c < r->ncells; c++) {
                FUZZ_ASSERT(r->cells[c]);
                size_t n = strlen(r->cells[c]);
                FUZZ_ASSERT(n <= IMPORT_MAX_CELL && text_utf8_valid(r->cells[c], n));
            }
        }
    } else {
        FUZZ_ASSERT(f.code == ERR_INVALID_FIELD || f.code == ERR_TOO_LARGE || f.code == ERR_TOO_COMPLEX);
    }
    arena_release(&a);
    free(packed);
    return 0;
}
