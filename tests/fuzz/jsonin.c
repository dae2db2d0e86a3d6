/*
 * Fuzz target: request bodies as handlers read them: jsonin_parse() with its
 * UTF-8 and object checks, then the field rules of three endpoints that read
 * rich bodies without a database: a person (POST /api/v1/people), a
 * declaration (POST /api/v1/declarations) and tracing parameters.
 */
#include "area/unit.h"
#include "core/jsonin.h"
#include "declare/declare.h"
#include "fuzz.h"
#include "people/people_int.h"
#include "store/migrate.h"
#include "tracing/tracing.h"

#define TODAY 19000 /* 2022-01-08, days since 1970 */
#define NOW ((int64_t)TODAY * 86400)

/* The administrative units, so that commune codes can be right (loaded once, through a database in memory). */
static void units_once(void)
{
    static bool done;
    struct store *s;
    char err[256];
    if (done)
        return;
    jsonin_setup(); /* as the server does: parsed values in the arena */
    if (store_open("sqlite::memory:", &s, err, sizeof(err)) || migrate_apply(s, NULL) ||
        unit_reference_load(s, NULL) || unit_registry_load(s))
        abort();
    store_close(s);
    done = true;
}

/* A failing reader returns its fault's code and leaves a message; a passing one leaves no fault. */
static void check(int rc, struct fault *f)
{
    FUZZ_ASSERT(rc == (int)f->code && memchr(f->message, '\0', sizeof(f->message)));
    FUZZ_ASSERT(rc == 0 || (rc > 0 && rc < ERR_LAST && *f->message));
    fault_clear(f);
}

/* As POST /api/v1/people (every field needed) and PUT /api/v1/me (any) read it. */
static void person(json_t *body, struct fault *f)
{
    struct people_input in;
    int rc = jsonin_allow(body, people__fields_with_client_id, f);
    if (!rc)
        rc = people__read_input(body, PEOPLE_CREATE_NEED, NOW, &in, f);
    check(rc, f);
    if (!jsonin_allow(body, people__fields, f))
        check(people__read_input(body, 0, NOW, &in, f), f);
    fault_clear(f);
}

static void declaration(struct arena *a, json_t *body, struct fault *f)
{
    struct declaration d = {.client_id = "fuzz-client", .person_id = 1};
    const char *kind;
    int rc = jsonin_str(body, "kind", true, 32, &kind, f);
    if (!rc) {
        d.kind = declare_kind_parse(kind);
        rc = declare_parse(a, body, TODAY, &d, f);
    }
    check(rc, f);
}

static void tracing(json_t *body, struct fault *f)
{
    struct tracing_params p;
    tracing_params_default(&p);
    int rc = tracing_params_from_json(body, &p, f);
    check(rc, f);
    if (!rc)
        json_decref(tracing_params_to_json(&p));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    struct fault f = {0};
    json_t *body = NULL;
    units_once();
    arena_init(&a);
    int rc = jsonin_parse(&a, (const char *)data, size, &body, &f);
    check(rc, &f);
    if (!rc) {
        person(body, &f);
        declaration(&a, body, &f);
        tracing(body, &f);
    }
    arena_release(&a);
    return 0;
}
