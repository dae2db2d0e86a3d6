/*
 * unverified.c - the person an anonymous check-in lands on.
 *
 * A phone and a name typed on a poster page prove nothing: anyone can type
 * someone else's.  So such a check-in never lands on a verified citizen or a
 * record staff registered; it goes to an unverified contact of that phone
 * and name (persons.unverified = 1), made on first use.  When the phone
 * signs in, its records are claimed (people/otp.c).
 */
#include <string.h>

#include "core/clock.h"
#include "core/text.h"
#include "people/people_int.h"
#include "qr/qr.h"
#include "store/store.h"

enum store_rc people_unverified_contact_id(struct store *s, const char *phone, const char *full_name, int64_t *id,
                                           bool *created)
{
    char fold[PEOPLE_FOLD_MAX], nfc[PEOPLE_NAME_BUF];
    if (text_nfc(full_name, nfc, sizeof(nfc))) /* stored NFC like every name */
        full_name = nfc;
    text_fold(full_name, fold, sizeof(fold));
    *created = false;
    *id = 0;
    enum store_rc rc =
        store_int(s, id,
                  "SELECT id FROM persons WHERE phone = ? AND name_search = ? AND unverified = 1"
                  " ORDER BY id LIMIT 1",
                  "ss", phone, fold);
    for (int attempt = 0; rc == STORE_DONE && attempt < 3; attempt++) {
        char code[PERSON_CODE_LEN + 1];
        qr_code_generate(code, PERSON_CODE_LEN);
        int64_t now = clock_now();
        rc = store_int(s, id,
                       "INSERT INTO persons (code, full_name, name_search, phone, unverified, qr_serial, created_at,"
                       " updated_at) VALUES (?, ?, ?, ?, 1, 1, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                       "ssssii", code, full_name, fold, phone, now, now);
        *created = rc == STORE_OK;
    }
    return rc;
}

enum store_rc people_unverified_contact(struct store *s, struct arena *a, const char *phone,
                                        const char *full_name, struct person *out, bool *created)
{
    int64_t id;
    enum store_rc rc = people_unverified_contact_id(s, phone, full_name, &id, created);
    return rc ? rc : people_get(s, a, id, out);
}
