/*
 * timeline.c - GET /api/v1/people/{id}/timeline: what the platforms recorded
 * about one person, newest first: declarations, samples and their results,
 * vaccine doses, venue check-ins, cases, contacts, test and quarantine
 * orders, and the messages sent to the person's phone with their status.  Each platform reads its own tables (its *_timeline function);
 * this file merges the entries and answers.  For health staff of the
 * person's area; each read is audited (person.timeline).
 */
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/mem.h"
#include "declare/declare.h"
#include "http/http.h"
#include "notify/notify.h"
#include "people/people_int.h"
#include "quarantine/quarantine.h"
#include "store/store.h"
#include "testing/testing.h"
#include "tracing/tracing.h"
#include "vaccine/vaccine.h"
#include "venue/checkin.h"

enum store_rc people_timeline_rows(struct store_stmt *st, enum store_rc rc, const char *kind, const char *types,
                                   json_t *entries)
{
    if (rc) {
        store_finalize(st);
        return rc;
    }
    while ((rc = store_step(st)) == STORE_ROW) {
        json_t *o = json_pack("{s:s}", "kind", kind);
        for (int i = 0; types[i]; i++) {
            json_t *v;
            if (store_col_null(st, i))
                v = json_null();
            else if (types[i] == 'i')
                v = json_integer((json_int_t)store_col_int(st, i));
            else if (types[i] == 'b')
                v = json_boolean(store_col_int(st, i) != 0);
            else
                v = json_string(store_col_text(st, i));
            json_object_set_new(o, store_col_name(st, i), v ? v : json_null());
        }
        json_array_append_new(entries, o);
    }
    store_finalize(st);
    return rc == STORE_DONE ? STORE_OK : rc;
}

static enum store_rc declarations(struct store *s, struct arena *a, int64_t person_id, json_t *entries)
{
    struct declaration *list;
    int n;
    enum store_rc rc = declare_list_person(s, a, person_id, PEOPLE_TIMELINE_PER_KIND, &list, &n);
    for (int i = 0; !rc && i < n; i++)
        json_array_append_new(entries, json_pack("{s:s, s:I, s:s, s:s, s:b, s:s?}", "kind", "declaration", "at",
                                                 (json_int_t)list[i].declared_at, "reference", list[i].reference,
                                                 "declaration_kind", declare_kind_name(list[i].kind), "flagged",
                                                 list[i].flagged, "health_status", list[i].health_status));
    return rc;
}

static enum store_rc samples(struct store *s, struct arena *a, int64_t person_id, json_t *entries)
{
    struct testing_sample *list;
    int n;
    enum store_rc rc = testing_person_results(s, a, person_id, PEOPLE_TIMELINE_PER_KIND, &list, &n);
    for (int i = 0; !rc && i < n; i++) {
        const struct testing_sample *t = &list[i];
        json_array_append_new(entries, json_pack("{s:s, s:I, s:I, s:I, s:s?, s:s, s:o, s:s?}", "kind", "sample",
                                                 "at", (json_int_t)t->collected_at, "id", (json_int_t)t->id,
                                                 "session_id", (json_int_t)t->session_id, "tube_code", t->tube_code,
                                                 "status", t->status, "resulted_at",
                                                 t->resulted_at ? json_integer(t->resulted_at) : json_null(),
                                                 "test_type", t->test_type));
    }
    return rc;
}

struct entry {
    json_t *v;
    json_int_t at;
    size_t seq; /* place in the merged list: qsort is not stable, entries of one moment keep their order */
};

/* Newest first. */
static int by_time(const void *x, const void *y)
{
    const struct entry *a = x, *b = y;
    if (a->at != b->at)
        return a->at < b->at ? 1 : -1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static json_t *sorted(json_t *entries)
{
    size_t n = json_array_size(entries);
    struct entry *v = xcalloc(n ? n : 1, sizeof(*v));
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        v[i].v = json_array_get(entries, i);
        v[i].at = json_integer_value(json_object_get(v[i].v, "at"));
        v[i].seq = i;
    }
    qsort(v, n, sizeof(*v), by_time);
    for (size_t i = 0; i < n; i++)
        json_array_append(out, v[i].v);
    free(v);
    return out;
}

enum err people_handle_timeline(struct http_req *r)
{
    int64_t id;
    struct person p;
    int rc = http_param_id(r, "id", &id);
    if (!rc)
        rc = people_require_access(r, id, &p);
    if (rc)
        return rc;
    json_t *entries = json_array();
    rc = declarations(r->store, &r->arena, p.id, entries);
    if (!rc)
        rc = samples(r->store, &r->arena, p.id, entries);
    if (!rc)
        rc = vaccine_timeline(r->store, p.id, PEOPLE_TIMELINE_PER_KIND, entries);
    if (!rc)
        rc = checkin_timeline(r->store, p.id, PEOPLE_TIMELINE_PER_KIND, entries);
    if (!rc)
        rc = tracing_timeline(r->store, p.id, PEOPLE_TIMELINE_PER_KIND, entries);
    if (!rc)
        rc = quarantine_timeline(r->store, p.id, PEOPLE_TIMELINE_PER_KIND, entries);
    if (!rc)
        rc = notify_timeline(r->store, p.id, PEOPLE_TIMELINE_PER_KIND, entries);
    if (!rc)
        rc = audit_request(r, "person.timeline", "person", arena_printf(&r->arena, "%lld", (long long)p.id),
                           p.commune_code);
    if (rc) {
        json_decref(entries);
        return store_err(rc);
    }
    json_t *list = sorted(entries);
    json_decref(entries);
    return http_reply_json(r, 200, json_pack("{s:o, s:o}", "person", people_to_json_view(&p, people_view(r)),
                                             "entries", list));
}
