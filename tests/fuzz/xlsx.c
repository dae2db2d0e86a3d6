/*
 * Fuzz target: the XLSX reader, through import_read() with bytes and a
 * length (the contract uploads use, whatever the reader does inside).
 */
#include "core/text.h"
#include "fuzz.h"
#include "import/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
        FUZZ_ASSERT(f.code == ERR_INVALID_FIELD || f.code == ERR_TOO_LARGE);
    }
    arena_release(&a);
    return 0;
}
