/*
 * synth.c - a synthetic population for the demo and the tracing benchmark:
 * persons in households, venues (some of them markets) and check-ins, bulk
 * loaded fast.
 *
 * Fast path: one transaction; each table's INSERT is one SQL text, so the
 * store's per-connection statement cache prepares it once and every row
 * only binds and steps; check-ins are generated in time order with
 * increasing client ids, persons with increasing codes ("S" + 9 base32
 * digits of the id), so unique indexes grow at their end.  On SQLite the
 * secondary indexes of persons, venues and check-ins are dropped for the
 * load and rebuilt after it (inside the same transaction), with a 1 GiB
 * page cache and in-memory sorts for this connection.  Ids are chosen
 * explicitly above the current maximum.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "area/unit.h"
#include "core/mem.h"
#include "store/store.h"
#include "situation/situation.h"
#include "tracing/tracing.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void code_of(uint64_t v, int len, char *out)
{
    v *= 0x9E3779B97F4A7C15ull; /* spread consecutive ids over the alphabet; a bijection on 64 bits */
    for (int i = len - 1; i >= 0; i--, v >>= 5)
        out[i] = crockford[v & 31];
    out[len] = '\0';
}

/* "SYN" and 13 base32 digits of n, most significant first: increasing with n. */
static void seq_code(uint64_t n, char *out)
{
    memcpy(out, "SYN", 3);
    for (int i = 15; i >= 3; i--, n >>= 5)
        out[i] = crockford[n & 31];
    out[16] = '\0';
}

static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static const char *const family[] = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
                                     "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"};
static const char *const family_ascii[] = {"nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu",
                                           "vo", "dang", "bui", "do", "ho", "ngo", "duong", "ly"};
static const char *const given[] = {"An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hải", "Hương", "Khoa", "Lan",
                                    "Minh", "Nam", "Phương", "Quân", "Thảo", "Tuấn"};
static const char *const given_ascii[] = {"an", "binh", "cuong", "dung", "giang", "ha", "hai", "huong",
                                          "khoa", "lan", "minh", "nam", "phuong", "quan", "thao", "tuan"};
static const char *const venue_types[] = {"restaurant", "shop", "office", "school", "cafe", "supermarket",
                                          "clinic", "factory"};

struct communes {
    const struct unit **u;
    size_t n, cap;
};

static void collect(const struct unit *u, struct communes *c)
{
    if (u->level == 3) {
        if (c->n == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 64;
            c->u = xrealloc(c->u, c->cap * sizeof(*c->u));
        }
        c->u[c->n++] = u;
        return;
    }
    for (size_t i = 0; i < u->nchildren; i++)
        collect(u->children[i], c);
}

/* The commune of a household or venue: spread over the whole area, not its first units in order. */
static const struct unit *commune_of(const struct communes *cm, int64_t id)
{
    return cm->u[(size_t)(((uint64_t)id * 2654435761u) % cm->n)];
}

static void tick(const struct tracing_synth *o, const char *what, size_t done, size_t total)
{
    if (o->progress && (done % 65536 == 0 || done == total))
        o->progress(what, done, total);
}

static int load(struct store *s, const struct tracing_synth *o, const struct communes *cm, int64_t *first_person)
{
    uint64_t seed = o->seed ? o->seed : 20210701;
    int64_t pmax = 0, vmax = 0, cmax = 0;
    int rc = store_int(s, &pmax, "SELECT COALESCE(MAX(id), 0) FROM persons", "");
    if (!rc)
        rc = store_int(s, &vmax, "SELECT COALESCE(MAX(id), 0) FROM venues", "");
    if (!rc)
        rc = store_int(s, &cmax, "SELECT COALESCE(MAX(id), 0) FROM checkins", "");
    if (rc)
        return rc;
    int64_t p0 = pmax + 1, v0 = vmax + 1;
    *first_person = p0;
    char code[24], name[64], search[64], phone[16], dob[16], street[64];
    /* persons, in households of 1 to 6: the first member is the head */
    int64_t head = p0, left = 0;
    for (int64_t i = 0; i < o->people && !rc; i++) {
        int64_t id = p0 + i;
        if (left == 0) {
            head = id;
            left = 1 + (int64_t)(rnd(&seed) % 6);
        }
        left--;
        const struct unit *u = commune_of(cm, head);
        int f = (int)(rnd(&seed) % 16), g = (int)(rnd(&seed) % 16);
        snprintf(name, sizeof(name), "%s %s", family[f], given[g]);
        snprintf(search, sizeof(search), "%s %s", family_ascii[f], given_ascii[g]);
        snprintf(phone, sizeof(phone), "09%08lld", (long long)(id % 100000000));
        snprintf(dob, sizeof(dob), "%04d-%02d-%02d", 1940 + (int)(rnd(&seed) % 80), 1 + (int)(rnd(&seed) % 12),
                 1 + (int)(rnd(&seed) % 28));
        snprintf(street, sizeof(street), "%d Phố %d", 1 + (int)(head % 300), 1 + (int)(head % 97));
        code_of((uint64_t)id, 10, code);
        code[0] = 'S'; /* S + 9 digits in order: the unique index grows at its end */
        for (int k = 9, n = (int)id; k >= 1; k--, n >>= 5)
            code[k] = crockford[n & 31];
        const char *prov, *dist, *comm;
        unit_ancestors(u, &prov, &dist, &comm);
        rc = store_run(s, NULL,
                       "INSERT INTO persons (id, code, full_name, name_search, date_of_birth, sex, phone, province_code,"
                       " district_code, commune_code, street, household_id, created_at, updated_at)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       "issssssssssiii", id, code, name, search, dob, (rnd(&seed) & 1) ? "male" : "female", phone,
                       prov, dist, comm, street, head, o->now, o->now);
        tick(o, "persons", (size_t)(i + 1), (size_t)o->people);
    }
    if (rc)
        return rc;
    int64_t nvenues = o->venues > 0 ? o->venues : (o->people / 100 > 0 ? o->people / 100 : 1);
    for (int64_t i = 0; i < nvenues && !rc; i++) {
        int64_t id = v0 + i;
        const struct unit *u = commune_of(cm, id);
        const char *type = i % 20 == 0 ? "market" : venue_types[rnd(&seed) % 8];
        code_of((uint64_t)id ^ 0x5A5A5A5Aull, 8, code);
        snprintf(name, sizeof(name), "%s %lld", type, (long long)id);
        snprintf(street, sizeof(street), "%d Đường %d", 1 + (int)(id % 500), 1 + (int)(id % 61));
        const char *prov, *dist, *comm;
        unit_ancestors(u, &prov, &dist, &comm);
        rc = store_run(s, NULL,
                       "INSERT INTO venues (id, code, name, type, street, capacity, status, owner_account_id,"
                       " province_code, district_code, commune_code, created_at, updated_at)"
                       " VALUES (?, ?, ?, ?, ?, ?, 'approved', ?, ?, ?, ?, ?, ?)",
                       "issssiisssii", id, code, name, type, street, (int64_t)(type[0] == 'm' ? 2000 : 100),
                       o->owner_account, prov, dist, comm, o->now, o->now);
        tick(o, "venues", (size_t)(i + 1), (size_t)nvenues);
    }
    if (rc)
        return rc;
    /* check-ins in time order, daytime (07:00-21:00 local) of the last `days` days */
    const int64_t daylen = 14 * 3600;
    int64_t day0 = vn_day(o->now) - o->days;
    int64_t span = (int64_t)o->days * daylen;
    for (int64_t i = 0; i < o->checkins && !rc; i++) {
        int64_t u = o->checkins > 1 ? span * i / o->checkins : 0;
        int64_t at = vn_day_start(day0 + u / daylen) + 7 * 3600 /* 07:00 */ + u % daylen;
        int64_t person = p0 + (int64_t)(rnd(&seed) % (uint64_t)o->people);
        int64_t venue = v0 + (int64_t)(rnd(&seed) % (uint64_t)nvenues);
        int64_t stay = 20 * 60 + (int64_t)(rnd(&seed) % (100 * 60));
        const struct unit *cu = commune_of(cm, venue);
        const char *prov, *dist, *comm;
        unit_ancestors(cu, &prov, &dist, &comm);
        seq_code((uint64_t)(cmax + 1 + i), code); /* in order: the unique index grows at its end */
        if (rnd(&seed) % 100 < 8)
            rc = store_run(s, NULL,
                           "INSERT INTO checkins (client_id, venue_id, person_id, checked_in_at, method,"
                           " province_code, district_code, commune_code) VALUES (?, ?, ?, ?, 'poster', ?, ?, ?)",
                           "siiisss", code, venue, person, at, prov, dist, comm);
        else
            rc = store_run(s, NULL,
                           "INSERT INTO checkins (client_id, venue_id, person_id, checked_in_at, checked_out_at,"
                           " method, province_code, district_code, commune_code)"
                           " VALUES (?, ?, ?, ?, ?, 'poster', ?, ?, ?)",
                           "siiiisss", code, venue, person, at, at + stay, prov, dist, comm);
        tick(o, "check-ins", (size_t)(i + 1), (size_t)o->checkins);
    }
    /* counted for the situation as the check-in writer counts its own (no trigger does) */
    return rc ? rc : situation_count_checkins_from(s, cmax + 1);
}

/*
 * SQLite: the secondary indexes of the loaded tables are dropped for the
 * load and built again after it (a sort each, instead of millions of random
 * b-tree inserts).  Their definitions are read from sqlite_master, so the
 * owners' migrations stay the one place they are written.
 */
struct saved_index {
    char *sql[64];
    int n;
};

static int indexes_drop(struct store *s, struct saved_index *x)
{
    struct store_stmt *st;
    char *names[64];
    int rc = store_query(s, &st,
                         "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                         " AND tbl_name IN ('persons', 'venues', 'checkins')",
                         "");
    while (rc == STORE_OK && (rc = store_step(st)) == STORE_ROW && x->n < 64) {
        rc = STORE_OK;
        names[x->n] = xstrdup(store_col_text(st, 0));
        x->sql[x->n++] = xstrdup(store_col_text(st, 1));
    }
    store_finalize(st);
    if (rc == STORE_DONE || rc == STORE_ROW)
        rc = STORE_OK;
    for (int i = 0; i < x->n; i++) {
        char sql[160];
        snprintf(sql, sizeof(sql), "DROP INDEX \"%s\"", names[i]);
        if (!rc)
            rc = store_exec(s, sql);
        free(names[i]);
    }
    return rc;
}

static int indexes_build(struct store *s, struct saved_index *x, const struct tracing_synth *o)
{
    int rc = STORE_OK;
    for (int i = 0; i < x->n; i++) {
        if (!rc)
            rc = store_exec(s, x->sql[i]);
        free(x->sql[i]);
        if (o->progress)
            o->progress("indexes", (size_t)i + 1, (size_t)x->n);
    }
    x->n = 0;
    return rc;
}

int tracing_synth_load(struct store *s, const struct tracing_synth *o, int64_t *first_person)
{
    const struct unit *root = unit_find(o->commune_code ? o->commune_code : "01");
    if (!root || o->people < 1 || o->checkins < 0 || o->days < 1 || o->owner_account <= 0)
        return ERR_INVALID_FIELD;
    struct communes cm = {0};
    collect(root, &cm);
    if (!cm.n) {
        free(cm.u);
        return ERR_INVALID_FIELD;
    }
    bool sqlite = !strcmp(store_engine(s), "sqlite");
    if (sqlite) {
        /* For this connection: 1 GiB of page cache, index sorts in memory on two threads. */
        store_exec(s, "PRAGMA cache_size = -1048576");
        store_exec(s, "PRAGMA temp_store = MEMORY");
        store_exec(s, "PRAGMA threads = 2");
        if (o->throwaway) {
            store_exec(s, "PRAGMA journal_mode = OFF");
            store_exec(s, "PRAGMA synchronous = OFF");
        }
    }
    struct saved_index saved = {0};
    int rc = store_begin(s, true);
    if (!rc && sqlite)
        rc = indexes_drop(s, &saved);
    if (!rc)
        rc = load(s, o, &cm, first_person);
    if (!rc && sqlite)
        rc = indexes_build(s, &saved, o);
    /* persons and venues were inserted with their ids: PostgreSQL's sequences must move past them,
     * or the next person or venue made through the API takes an id already used */
    if (!rc && !sqlite)
        rc = store_exec(s, "SELECT setval(pg_get_serial_sequence('persons', 'id'), (SELECT MAX(id) FROM persons));"
                           " SELECT setval(pg_get_serial_sequence('venues', 'id'), (SELECT MAX(id) FROM venues))");
    for (int i = 0; i < saved.n; i++)
        free(saved.sql[i]);
    if (!rc)
        rc = store_commit(s);
    else
        store_rollback(s);
    if (sqlite) {
        store_exec(s, "PRAGMA cache_size = -2000");
        store_exec(s, "PRAGMA temp_store = DEFAULT");
        if (o->throwaway) {
            store_exec(s, "PRAGMA journal_mode = WAL");
            store_exec(s, "PRAGMA synchronous = FULL");
        }
    }
    free(cm.u);
    return rc;
}
