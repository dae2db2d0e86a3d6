/*
 * checkpoint.h - road checkpoints: the people and vehicles that pass them.
 *
 * A checkpoint sits in a commune on a road; its officers record passages
 * from a phone (offline first: every passage carries the phone's client_id,
 * a repeat answers the first record).  A passage is a vehicle (plate, type,
 * origin and destination communes) and the people in it, each named by a
 * personal or declaration QR, a CCCD or a CMND, and each answered at once
 * with a verdict from the rules of migration 026 (table checkpoint_rules):
 * pass, test (send to testing) or back (send back).  The officer learns the
 * verdict and the rule codes that produced it, never the records behind it.
 *
 * plate.c and rules.c hold the model (no SQL, no HTTP), facts.c asks the
 * other domains about a person through their public headers,
 * checkpoint_store.c holds the queries, checkpoint_http.c and passage_http.c
 * the handlers, demo.c the demo checkpoint.
 */
#ifndef CORDON_CHECKPOINT_CHECKPOINT_H
#define CORDON_CHECKPOINT_CHECKPOINT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "store/store.h"

struct http_req;

/* ---------------------------------------------------------------- plates (plate.c) */

#define CHECKPOINT_PLATE_MAX 16 /* normalised: "51LD-123.45" and room */

/*
 * A Vietnamese civil plate, typed with any spacing, dashes, dots and case:
 * two digits of the province (11-99), a series of one or two letters or a
 * letter and a digit (motorbikes: "29B1"), then four digits (old plates) or
 * five.  Series letters I, J, O, Q and W are not issued.  Writes the
 * normalised form: "47A-123.45", "29B1-123.45", "30E-1234".  0, or a fault
 * naming field.
 */
int checkpoint_plate_normalise(const char *in, const char *field, char out[CHECKPOINT_PLATE_MAX], struct fault *f);

/* ---------------------------------------------------------------- rules (rules.c) */

enum checkpoint_verdict { CHECKPOINT_PASS, CHECKPOINT_TEST, CHECKPOINT_BACK };

const char *checkpoint_verdict_name(int v); /* "pass", "test", "back" */
int checkpoint_verdict_parse(const char *s); /* -1 if unknown */

#define CHECKPOINT_MAX_RULES 16

/* One row of checkpoint_rules. */
struct checkpoint_rule {
    char code[32];    /* confirmed_case f1 in_quarantine no_declaration no_negative_test not_vaccinated */
    int verdict;      /* enum checkpoint_verdict */
    int hours;        /* look-back; 0 for none (ever) */
    bool waived_if_vaccinated;
    bool enabled;
};

/* Whether the code knows a rule code. */
bool checkpoint_rule_known(const char *code);

/* What the records say of one person at the time of the scan; times are epoch seconds, 0 for none. */
struct checkpoint_facts {
    int64_t now;
    int64_t case_at;       /* latest confirmed case */
    int64_t f1_at;         /* latest exposure as an F1 not yet cleared */
    bool in_quarantine;    /* an active quarantine order covers today */
    int64_t declared_at;   /* latest domestic travel or entry declaration */
    int64_t negative_at;   /* latest negative test, when sampled */
    const char *vaccination; /* none | partial | complete | booster */
};

/* The answer for one person: the strictest verdict of the rules that apply, and their codes in order. */
struct checkpoint_answer {
    int verdict;
    const char *reasons[CHECKPOINT_MAX_RULES]; /* static strings, or the arena's for stored answers */
    int nreasons;
};

void checkpoint_evaluate(const struct checkpoint_rule *rules, int n, const struct checkpoint_facts *facts,
                         struct checkpoint_answer *out);

/* ---------------------------------------------------------------- model */

struct checkpoint {
    int64_t id;
    const char *client_id, *name, *road, *direction;
    bool has_location;
    int64_t lat_e6, lon_e6;
    const char *province_code, *district_code, *commune_code;
    int64_t created_at;
};

json_t *checkpoint_to_json(const struct checkpoint *c);

/* A person named in a passage, and the answer they got. */
struct checkpoint_rider {
    int64_t person_id;
    const char *by_field;  /* qr | cccd | cmnd */
    const char *full_name, *code; /* the person's, for the officer's screen */
    struct checkpoint_answer answer;
    const char *vaccination;
    const char *photo_type, *photo; /* base64; NULL when none */
};

#define CHECKPOINT_MAX_RIDERS 60 /* a full coach */
#define CHECKPOINT_BODY_MAX (8 * 1024 * 1024) /* a passage with a small photo of each person */

struct checkpoint_passage {
    int64_t id;
    const char *client_id;
    int64_t checkpoint_id;
    const char *direction;
    const char *plate, *vehicle_type;
    const char *origin_commune, *destination_commune;
    int64_t day, passed_at, recorded_at, recorded_by;
    const char *province_code, *district_code, *commune_code;
    struct checkpoint_rider *riders;
    int nriders;
};

/* ---------------------------------------------------------------- facts (facts.c) */

/* Reads what the rules need about person_id from the other domains. */
enum store_rc checkpoint_facts_read(struct store *s, struct arena *a, int64_t person_id, int64_t now,
                                    struct checkpoint_facts *out);

/* Answers every rider of p (person_id set) by the rules in the store, at p->passed_at. */
enum store_rc checkpoint_answer_riders(struct store *s, struct arena *a, struct checkpoint_passage *p);

/* ---------------------------------------------------------------- queries (checkpoint_store.c) */

enum store_rc checkpoint_insert(struct store *s, struct checkpoint *c, int64_t by, bool *created);
enum store_rc checkpoint_get(struct store *s, struct arena *a, int64_t id, struct checkpoint *out);
/* Checkpoints inside area (store_sql_area), or, when officer is not 0, those the officer serves. */
enum store_rc checkpoint_list(struct store *s, struct arena *a, const char *area, int64_t officer,
                              struct checkpoint **out, int *n);
enum store_rc checkpoint_officer_add(struct store *s, int64_t checkpoint_id, int64_t account_id);
bool checkpoint_officer_serves(struct store *s, int64_t checkpoint_id, int64_t account_id);
enum store_rc checkpoint_rules_load(struct store *s, struct checkpoint_rule *out, int *n);

/* Inside a transaction: the passage and its riders; STORE_CONFLICT when client_id exists. */
enum store_rc checkpoint_passage_insert(struct store *s, struct checkpoint_passage *p);
/* The passage with client_id and its riders; STORE_DONE when none. */
enum store_rc checkpoint_passage_by_client_id(struct store *s, struct arena *a, const char *client_id,
                                              struct checkpoint_passage *out);
/* Passages of a checkpoint on a local day, oldest first, with riders. */
enum store_rc checkpoint_passages_day(struct store *s, struct arena *a, int64_t checkpoint_id, int64_t day,
                                      struct checkpoint_passage **out, int *n);
/* Passages of a plate inside area, newest first. */
enum store_rc checkpoint_passages_plate(struct store *s, struct arena *a, const char *area, const char *plate,
                                        int64_t limit, struct checkpoint_passage **out, int *n);
/* The photo of person_id at passage_id (type, base64) and the checkpoint's commune; STORE_DONE when none. */
enum store_rc checkpoint_photo(struct store *s, struct arena *a, int64_t passage_id, int64_t person_id,
                               const char **type, const char **b64, const char **commune);
/* Deletes photos of passages before `before`; *deleted gets the count. */
enum store_rc checkpoint_photos_expire(struct store *s, int64_t before, int64_t *deleted);

json_t *checkpoint_passage_to_json(const struct checkpoint_passage *p, bool with_people);

/* ---------------------------------------------------------------- jobs, demo */

/* The photo retention job: photos older than the tracing retention are deleted. */
void checkpoint_configure(int retention_days);
int checkpoint_job_retention(struct store *s, int64_t now, const char **detail);

/* The demo checkpoint at Ba Đình with its officer badinh.checkpoint and a day of passages. */
int checkpoint_demo(struct store *s, const int64_t *people, int npeople);

/* ---------------------------------------------------------------- handlers */

enum err checkpoint_handle_create(struct http_req *r);         /* POST /api/v1/checkpoints */
enum err checkpoint_handle_list(struct http_req *r);           /* GET /api/v1/checkpoints */
enum err checkpoint_handle_officer_add(struct http_req *r);    /* POST /api/v1/checkpoints/{id}/officers */
enum err checkpoint_handle_rules(struct http_req *r);          /* GET /api/v1/checkpoints/rules */
enum err checkpoint_handle_passage_create(struct http_req *r); /* POST /api/v1/checkpoints/{id}/passages */
enum err checkpoint_handle_passage_list(struct http_req *r);   /* GET /api/v1/checkpoints/{id}/passages?date= */
enum err checkpoint_handle_passage_export(struct http_req *r); /* GET /api/v1/checkpoints/{id}/passages/export */
enum err checkpoint_handle_plate_search(struct http_req *r);   /* GET /api/v1/checkpoint-passages?plate= */
enum err checkpoint_handle_photo(struct http_req *r); /* GET /api/v1/checkpoint-passages/{id}/photos/{person_id} */

#endif
