/*
 * unverified.c - the person an anonymous check-in lands on.
 *
 * A phone and a name typed on a poster page prove nothing: anyone can type
 * someone else's.  So such a check-in never lands on a verified citizen or a
 * record staff registered; it goes to an unverified contact of that phone
 * and name (persons.unverified = 1), made on first use.  When the phone
 * signs in, its records are claimed (people/otp.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/jsonout.h"
#include "core/mem.h"
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

/* A contact to find or make: its NFC name, the name folded for search, and a code if made. */
struct wanted_contact {
    char name[PEOPLE_NAME_BUF], fold[PEOPLE_FOLD_MAX], code[PERSON_CODE_LEN + 1];
};

/* The contacts as one JSON array for json_to_recordset, written straight into text (the check-in
 * writer's thread). */
static int wanted_json(struct buf *text, int n, const char *const *phones, const struct wanted_contact *w)
{
    struct jsonout o;
    buf_reset(text);
    jsonout_start(&o, text);
    jsonout_array(&o, NULL);
    for (int i = 0; i < n; i++) {
        jsonout_object(&o, NULL);
        jsonout_int(&o, "k", i);
        jsonout_str(&o, "phone", phones[i]);
        jsonout_str(&o, "fold", w[i].fold);
        jsonout_str(&o, "name", w[i].name);
        jsonout_str(&o, "code", w[i].code);
        jsonout_close_object(&o);
    }
    jsonout_close_array(&o);
    return jsonout_end(&o);
}

/*
 * PostgreSQL: the contacts of n anonymous check-ins in one statement,
 * whatever n (each statement is a round trip to the server): those found,
 * and the missing ones made (one per phone and folded name).  A person code
 * that collides with a stored one is drawn again.
 */
enum store_rc people_unverified_contacts_pg(struct store *s, int n, const char *const *phones,
                                            const char *const *names, int64_t *ids)
{
    struct wanted_contact *w = xcalloc((size_t)n + 1, sizeof(*w));
    for (int i = 0; i < n; i++) {
        if (!text_nfc(names[i], w[i].name, sizeof(w[i].name))) /* stored NFC like every name */
            snprintf(w[i].name, sizeof(w[i].name), "%s", names[i]);
        text_fold(w[i].name, w[i].fold, sizeof(w[i].fold));
        qr_code_generate(w[i].code, PERSON_CODE_LEN);
        ids[i] = 0;
    }
    struct buf text;
    buf_init(&text, 64u << 20);
    enum store_rc rc = STORE_OK;
    for (int attempt = 0; attempt < 3; attempt++) {
        if (wanted_json(&text, n, phones, w)) {
            rc = STORE_ERROR;
            break;
        }
        int64_t now = clock_now();
        /* found, else made: one statement (the insert's rows come back through RETURNING) */
        struct store_stmt *st = NULL;
        rc = store_query(s, &st,
                         "WITH t AS (SELECT * FROM json_to_recordset(CAST(? AS JSON))"
                         " AS x(k INT, phone TEXT, fold TEXT, name TEXT, code TEXT)),"
                         " f AS (SELECT t.k, (SELECT p.id FROM persons p WHERE p.phone = t.phone"
                         " AND p.name_search = t.fold AND p.unverified = 1 ORDER BY p.id LIMIT 1) AS id FROM t),"
                         " m AS (INSERT INTO persons (code, full_name, name_search, phone, unverified, qr_serial,"
                         " created_at, updated_at) SELECT DISTINCT ON (t.phone, t.fold) t.code, t.name, t.fold,"
                         " t.phone, 1, 1, CAST(? AS BIGINT), CAST(? AS BIGINT) FROM t JOIN f ON f.k = t.k"
                         " WHERE f.id IS NULL"
                         " ORDER BY t.phone, t.fold, t.k ON CONFLICT DO NOTHING RETURNING id, phone, name_search)"
                         " SELECT t.k, COALESCE(f.id, m.id) FROM t JOIN f ON f.k = t.k"
                         " LEFT JOIN m ON m.phone = t.phone AND m.name_search = t.fold",
                         "sii", text.data, now, now);
        if (rc)
            break;
        while ((rc = store_step(st)) == STORE_ROW) {
            int64_t k = store_col_int(st, 0);
            if (k >= 0 && k < n && !store_col_null(st, 1))
                ids[k] = store_col_int(st, 1);
        }
        store_finalize(st);
        if (rc != STORE_DONE)
            break;
        rc = STORE_OK;
        bool missing = false;
        for (int i = 0; i < n; i++) {
            if (ids[i])
                continue;
            qr_code_generate(w[i].code, PERSON_CODE_LEN); /* its code collided: another one */
            missing = true;
        }
        if (!missing)
            break;
        rc = STORE_DONE; /* unless the next attempt makes them */
    }
    buf_release(&text);
    free(w);
    return rc == STORE_DONE ? STORE_ERROR : rc;
}
