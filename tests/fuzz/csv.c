/* Fuzz target: the CSV reader (import_read as an upload reaches it), and the promises import.h makes. */
#include "core/text.h"
#include "fuzz.h"
#include "import/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    arena_init(&a);
    struct import_table t = {0};
    struct fault f = {0};
    if (import_read(&a, (const char *)data, size, IMPORT_CSV, 500, "file", &t, &f) == 0) {
        FUZZ_ASSERT(t.format == IMPORT_CSV && t.nrows <= 500);
        int64_t last = 0;
        for (size_t i = 0; i < t.nrows; i++) {
            const struct import_row *r = &t.rows[i];
            FUZZ_ASSERT(r->line > last && r->cells && r->ncells >= 0 && r->ncells <= IMPORT_MAX_COLUMNS);
            last = r->line;
            for (int c = 0; c < r->ncells; c++) {
                size_t n = strlen(r->cells[c]);
                FUZZ_ASSERT(n <= IMPORT_MAX_CELL && text_utf8_valid(r->cells[c], n));
            }
        }
    }
    arena_release(&a);
    return 0;
}
